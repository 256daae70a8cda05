"""The demo's open data: the releases of every published demo project.

The other demo loaders create their records directly (not always through the services that
the publication hooks listen to), so this step publishes each demo project's events dated as
they happened, exactly as `manage.py sync_ocds` does for data that predates stored releases.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command


def load(ctx: dict[str, Any]) -> None:
    call_command("sync_ocds", stdout=ctx["stdout"])
