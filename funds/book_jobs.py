"""The trial balance of a bureau or the whole book as a background job (export kind
`trial_balance`): the page queues it through the export jobs, the worker computes the same
tables the page shows for a contract or project, and the page reads them back from the job's
file with the time they were computed and the ledger head they were computed at.

The result is the requester's alone and only while they still read the book as they did: the
file records the reader's role and organisation, and the page shows it only to the requester
with the same role and organisation now (a changed role or bureau asks again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.jobs import report_progress, report_summary
from core.models import ExportJob, ExportState
from funds import books
from funds.forms import TrialBalanceForm
from funds.models import LedgerHead
from funds.selectors import book_scope

KIND = "trial_balance"
PARAMS = ("contract", "project", "bureau", "as_of")
# Steps reported as progress: the trial balance, then each of the reconciliation's checks.
STEPS = 1 + len(books.INVARIANTS)


def job_params(data: dict[str, Any]) -> dict[str, str]:
    """A cleaned TrialBalanceForm's scope as the job's parameters (the export query's form)."""
    params: dict[str, str] = {}
    for key in PARAMS:
        value = data.get(key)
        if value:
            params[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return params


def is_large(data: dict[str, Any]) -> bool:
    """A bureau or the whole book: seconds at provincial scale, so only ever a job. A contract
    or a project is a few dozen entries, computed with the page (see docs/benchmarks.md)."""
    return not (data.get("contract") or data.get("project"))


def _cleaned(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) - set(PARAMS):
        raise ValidationError(_("A trial balance takes a contract, project or bureau and a date."))
    form = TrialBalanceForm(params)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data


def check_trial_balance_params(params: dict[str, Any]) -> None:
    _cleaned(params)


def build_trial_balance(user: Any, params: dict[str, Any], target: Any) -> tuple[str, int]:
    """Compute the scope's trial balance and reconciliation as `user` reads the book, report
    progress per step, and keep the tables as the job's file (JSON)."""
    data = _cleaned(params)
    try:
        scope = book_scope(
            user=user,
            contract=data.get("contract"),
            project=data.get("project"),
            bureau=data.get("bureau"),
        )
    except Http404:
        # The same refusal as the page's 404: nothing is computed for a scope they cannot read.
        raise PermissionDenied(_("You may not read this part of the book.")) from None
    # The tables are read by several statements, each seeing the book as it then is: a payment
    # posted between two of them would show as a broken check. Every change they compare (a
    # payment's state, a forfeiture) posts to the ledger in the same transaction, so a head
    # that did not move from the first read to the last means they saw one state of the book;
    # when it moved, they are read again. The last try is one snapshot, without progress
    # (progress is written to the job's row, which a snapshot's readers would not see).
    for attempt in range(1, TRIES + 1):
        snapshot = attempt == TRIES
        with _one_snapshot() if snapshot else contextlib.nullcontext():
            head = _head()
            book, reconciliation = _tables(scope, data, progress=not snapshot)
            if snapshot or _head() == head:
                break
    result = {
        "scope": scope.label,
        "as_of": data["as_of"].isoformat() if data.get("as_of") else None,
        "computed_at": timezone.now().isoformat(),
        "head_seq": head,
        "reader": _reader(user),
        "lines": [[li.account, str(li.debit), str(li.credit)] for li in book.lines],
        "checks": [
            {"key": c.key, "findings": c.findings, "first_subject": c.first_subject}
            for c in reconciliation.checks
        ],
    }
    report_summary(_summary(book, reconciliation))
    target.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return f"sanshe-trial-balance-{timezone.localdate():%Y%m%d}.json", len(book.lines)


TRIES = 3


def _head() -> int:
    return LedgerHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


@contextlib.contextmanager
def _one_snapshot() -> Iterator[None]:
    """A transaction whose statements all see the book as it was at its first (PostgreSQL:
    REPEATABLE READ; SQLite's read transaction already is one)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _tables(
    scope: Any, data: dict[str, Any], *, progress: bool
) -> tuple[books.TrialBalance, books.Reconciliation]:
    book = books.trial_balance(scope.entries, as_of=data.get("as_of"))
    if progress:
        report_progress(1, STEPS)
    reconciliation = books.reconcile(
        scope.entries,
        scope.contracts,
        progress=(lambda done, _total: report_progress(1 + done, STEPS)) if progress else None,
    )
    return book, reconciliation


def _reader(user: Any) -> dict[str, Any]:
    return {"user": user.pk, "role": user.role, "organization": user.organization_id}


def _summary(book: books.TrialBalance, reconciliation: books.Reconciliation) -> str:
    balanced = _("Debits equal credits") if book.balanced else _("Debits and credits differ")
    broken = sum(1 for check in reconciliation.checks if not check.ok)
    if not broken:
        return _("%(balanced)s; every check holds.") % {"balanced": balanced}
    return _("%(balanced)s; %(n)s checks broken.") % {"balanced": balanced, "n": broken}


@dataclass(frozen=True)
class TrialBalanceResult:
    """A finished job's tables, as the page shows them."""

    scope: str
    book: books.TrialBalance
    reconciliation: books.Reconciliation
    computed_at: dt.datetime | None
    head_seq: int


def latest_job(*, user: Any, data: dict[str, Any]) -> ExportJob | None:
    """The reader's latest trial-balance job for this scope and date (never anyone else's)."""
    wanted = job_params(data)
    for job in ExportJob.objects.filter(requested_by=user, kind=KIND).order_by(
        "-created_at", "-id"
    )[:50]:
        if job.params == wanted:
            return job
    return None


def still_readable(user: Any, job: ExportJob) -> bool:
    """Whether the job's file is still the requester's to download (core.jobs.ExportKind.kept):
    only while they read the book as when it ran, as the page shows it."""
    return job.state != ExportState.DONE or job_result(user=user, job=job) is not None


def job_result(*, user: Any, job: ExportJob) -> TrialBalanceResult | None:
    """The tables of a finished job of `user`'s, if they still read the book as when it ran."""
    if job.requested_by_id != user.pk or job.state != ExportState.DONE or not job.file:
        return None
    with job.file.open("rb") as stored:
        result = json.loads(stored.read().decode("utf-8"))
    if result.get("reader") != _reader(user):
        return None
    as_of = parse_date(result["as_of"]) if result.get("as_of") else None
    lines = [
        books.AccountLine(
            account=account,
            label=books.account_label(account),
            debit=Decimal(debit),
            credit=Decimal(credit),
        )
        for account, debit, credit in result["lines"]
    ]
    checks = [
        books.Check(
            c["key"],
            str(books.INVARIANTS.get(c["key"], c["key"])),
            list(c["findings"]),
            c["first_subject"],
        )
        for c in result["checks"]
    ]
    return TrialBalanceResult(
        scope=result["scope"],
        book=books.TrialBalance(as_of, lines),
        reconciliation=books.Reconciliation(checks),
        computed_at=parse_datetime(result["computed_at"]),
        head_seq=int(result["head_seq"]),
    )
