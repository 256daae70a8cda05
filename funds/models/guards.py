"""The lazy permission guard the transitions name (funds.permissions imports these models)."""

from __future__ import annotations

from functools import partial

from core.fsm import lazy_guard

_guard = partial(lazy_guard, "funds.permissions")
