"""The lazy permission guard the transitions name (procurement.permissions imports these models)."""

from __future__ import annotations

from typing import Any

from core.fsm import Guard


def _guard(name: str) -> Guard:
    def check(user: Any, obj: Any) -> Any:
        import importlib

        # Imported late: permissions import these models.
        return getattr(importlib.import_module("procurement.permissions"), name)(user, obj)

    check.__name__ = name
    return Guard(check)
