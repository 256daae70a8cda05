"""The chain head anchored outside the database, so truncation or an old restore shows.

Each anchor is one JSON line appended to settings.LEDGER_ANCHOR_FILE (keep it on another disk,
copy it off the server, or publish it): the head's sequence number and hash, the time, and an
HMAC-SHA256 over those with settings.LEDGER_ANCHOR_KEY, so a line cannot be forged or edited
without the key. `manage.py tick` writes one on the first run of each day (the previous day's
end state); `manage.py anchor_ledger` writes one now. verify_ledger then refuses a chain that is
shorter than the last anchor or whose entry at the anchored sequence has another hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from funds.models import LedgerEntry, LedgerHead


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str

    def payload(self) -> str:
        return json.dumps([self.seq, self.hash, self.at], separators=(",", ":"))


class AnchorFileError(Exception):
    """The anchor file has a line whose signature does not match: it was edited or forged."""


def _path() -> Path:
    return Path(settings.LEDGER_ANCHOR_FILE)


def _key() -> bytes:
    return str(getattr(settings, "LEDGER_ANCHOR_KEY", "") or settings.SECRET_KEY).encode()


def _mac(anchor: Anchor) -> str:
    return hmac.new(_key(), anchor.payload().encode(), hashlib.sha256).hexdigest()


def anchor_write(*, now: dt.datetime | None = None) -> Anchor:
    """Append the current head as a signed line (fsynced: it must survive a crash)."""
    head = LedgerHead.objects.filter(pk=1).first()
    anchor = Anchor(
        seq=head.seq if head else 0,
        hash=head.hash if head else "0" * 64,
        at=timezone.localtime(now or timezone.now()).isoformat(timespec="seconds"),
    )
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at, "hmac": _mac(anchor)},
        separators=(",", ":"),
    )
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    return anchor


def anchors() -> list[Anchor]:
    """Every anchor in the file, oldest first; AnchorFileError names a line that was altered."""
    path = _path()
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]))
            mac = str(data["hmac"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(f"{path}: line {number} is not an anchor") from exc
        if not hmac.compare_digest(mac, _mac(anchor)):
            raise AnchorFileError(f"{path}: line {number} does not carry a valid signature")
        found.append(anchor)
    return found


def anchor_latest() -> Anchor | None:
    found = anchors()
    return max(found, key=lambda a: a.seq) if found else None


def anchor_due(now: dt.datetime) -> bool:
    """True when no anchor has been written today (local time)."""
    latest = anchors()
    if not latest:
        return True
    last_day = dt.datetime.fromisoformat(latest[-1].at).date()
    return last_day < timezone.localdate(now)


def anchor_problem(checked: int) -> str:
    """Why the database chain of `checked` entries disagrees with the last anchor, or ''."""
    try:
        latest = anchor_latest()
    except AnchorFileError as exc:
        return str(exc)
    if latest is None or latest.seq == 0:
        return ""
    if checked < latest.seq:
        return (
            f"the chain has {checked} entries but was anchored at #{latest.seq} on {latest.at}: "
            "entries were removed (TRUNCATE) or an older backup was restored"
        )
    at_anchor = LedgerEntry.objects.filter(seq=latest.seq).values_list("hash", flat=True).first()
    if at_anchor != latest.hash:
        return (
            f"entry #{latest.seq} does not have the hash anchored on {latest.at}: the chain was "
            "rewritten from there"
        )
    return ""
