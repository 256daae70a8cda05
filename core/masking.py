"""The one place that decides how personal identifiers are shown outside the form that edits them.

Templates (through the `masking` template library), the admin and the API all call these, so a
change of policy is one edit. Masking keeps just enough for a person who already knows the full
value to recognise it (the region and the last four digits of an ID; the carrier prefix and the
last four digits of a phone) and nothing a reader could use to contact or identify a child.
"""

from __future__ import annotations

ERASED_NAME = "（已删除）"


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        # Too short to keep both ends without showing (almost) everything.
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str | None) -> str:
    """420***********1234: the province code and the last four characters stay."""
    return _keep_ends((value or "").strip(), 3, 4)


def mask_phone(value: str | None) -> str:
    """138****5678: the carrier prefix and the last four digits stay."""
    return _keep_ends((value or "").strip(), 3, 4)


def mask_name(value: str | None) -> str:
    """张** : the surname only, for lists outside the NGO's own register (admin, logs)."""
    value = (value or "").strip()
    if not value or value == ERASED_NAME:
        return value
    return value[0] + "*" * (len(value) - 1)
