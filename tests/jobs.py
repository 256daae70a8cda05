"""Run the background jobs a test queued (exports, verifications, trial balances, open-data
rebuilds) the way the worker does: `db_worker`, one batch, its chatter discarded."""

from __future__ import annotations

import os

from django.core.management import call_command


def work() -> None:
    """Run every queued job to its end. The worker reads the jobs from its own connection, so
    the test committed them for real (`django_db(transaction=True)`)."""
    with open(os.devnull, "w") as sink:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=sink, stderr=sink)
