"""Free text made safe to keep: control characters removed where the text comes in.

A control character (e.g. \\x02 pasted from another program) in a reason that reaches the
append-only ledger could never be taken out again, and spreadsheet writers refuse it. Line
breaks and tabs inside multi-line text are kept; everything else in Unicode category Cc (C0,
DEL, C1) goes.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: str, *, one_line: bool = False) -> str:
    """`value` without control characters (keeping \\n and \\t unless `one_line`), stripped."""
    if one_line:
        return _CONTROL_ONE_LINE.sub(" ", value).strip()
    return _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()


def printable(value: str | None) -> str:
    """For output of text already stored: control characters (but \\n, \\t) shown as nothing.

    Exports use this, so a row saved before input was cleaned still opens in every format. An
    absent value (a nullable column, e.g. the project of a budget allocation) prints as ""."""
    if value is None:
        return ""
    return _CONTROL.sub("", value)
