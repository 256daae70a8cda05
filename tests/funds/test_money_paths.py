"""Each money path through the pages or the API, with the ledger lines it posts.

Rejection reverses exactly the rejected disbursement's own lines, once; a release request and
its payment clear 暂缓支付; forfeiting closes the books; duties are separated; a paid date in
the future is refused; control characters never reach the ledger and every export opens.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from evaluation.signals import evaluation_confirmed
from funds.books import reconcile, trial_balance
from funds.ledger import ledger_post, ledger_verify
from funds.models import Account, Deliverable, Disbursement, LedgerEntry, LedgerHead, Milestone
from procurement.models import Contract
from procurement.services import contract_amend
from tests.factories.accounts import AuditorFactory
from tests.funds.conftest import confirm
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
TODAY = dt.date.today
CHECKS = {
    "deliverables_complete": "on",
    "records_match_targets": "on",
    "files_complete": "on",
    "finance_compliant": "on",
}
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_ledger_csv.py"


def _lines(**filters):
    return list(
        LedgerEntry.objects.filter(**filters)
        .order_by("seq")
        .values_list("kind", "debit", "credit", "amount", "disbursement_id", "reverses_id")
    )


def _books(contract) -> dict[str, Decimal]:
    book = trial_balance(LedgerEntry.objects.filter(contract=contract))
    return {line.account: line.balance for line in book.lines if line.balance}


def _accept(client, m, score):
    # Deliverables are attached directly here: their page is tested in test_payment_flow.
    Deliverable.objects.create(milestone=m, title="服务报告", submitted_by=m._staff)
    evaluation = confirm(m, score)
    evaluation_confirmed.send(sender=type(evaluation), evaluation=evaluation)
    client.post(reverse("funds:acceptance", args=[m.pk]), {"passed": "1", **CHECKS})
    m.refresh_from_db()
    assert m.state == "accepted"


def _reconfirm(m, score):
    """The re-evaluation after rectification, confirmed after the first payment's approval."""
    evaluation = confirm(m, score)
    type(evaluation).objects.filter(pk=evaluation.pk).update(confirmed_at=timezone.now())


@pytest.fixture
def desk(money, login):
    """The three officers at their pages: staff request, finance approves, finance2 pays."""
    for key in ("advance", "midterm", "final"):
        money[key]._staff = money["staff"]
    return {
        "staff": login(money["staff"]),
        "approver": login(money["finance"]),
        "payer": login(money["finance2"]),
    }


def _pay(client, d, voucher, day=None):
    return client.post(
        reverse("funds:pay", args=[d.pk]),
        {"voucher_number": voucher, "paid_on": (day or TODAY()).isoformat()},
        follow=True,
    )


def test_withheld_part_released_and_paid_clears_every_in_between_account(money, desk):
    """The issue's case: 72 pays part, the rest is withheld; after 整改 and ≥ 80 it is paid."""
    m = money["final"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    first = Disbursement.objects.get(milestone=m)
    desk["approver"].post(reverse("funds:approve", args=[first.pk]))
    _pay(desk["payer"], first, "QJ-2027-0101")
    m.refresh_from_db()
    assert m.state == "withheld"
    assert _books(money["contract"])[Account.WITHHELD] == first.withheld == Decimal("14340.00")

    _reconfirm(m, "86.00")
    desk["staff"].post(reverse("funds:release", args=[m.pk]))
    second = Disbursement.objects.get(milestone=m, part=2)
    assert _lines(disbursement=second) == [
        ("release_requested", "待审批支付", "暂缓支付", Decimal("14340.00"), second.pk, None)
    ]
    desk["approver"].post(reverse("funds:approve", args=[second.pk]))
    _pay(desk["payer"], second, "QJ-2027-0102")
    m.refresh_from_db()
    second.refresh_from_db()
    assert (second.state, m.state) == ("paid", "paid")
    log = TransitionLog.for_object(m).filter(transition="pay_remainder").get()
    assert (log.source_state, log.target_state) == ("withheld", "paid")
    books = _books(money["contract"])
    assert all(books.get(a, 0) == 0 for a in (Account.WITHHELD, Account.PENDING_APPROVAL))
    assert books.get(Account.PAYABLE, 0) == 0
    assert books[Account.FEES_PAID] == m.amount
    assert reconcile(LedgerEntry.objects.all(), Contract.objects.all()).ok


def test_request_reject_request_reject_reverses_each_request_once(money, desk):
    m = money["midterm"]
    _accept(desk["staff"], m, "72.00")
    rejected = []
    for round_ in (1, 2):
        desk["staff"].post(reverse("funds:request", args=[m.pk]))
        d = Disbursement.objects.get(milestone=m, state="requested")
        if round_ == 2:
            desk["approver"].post(reverse("funds:approve", args=[d.pk]))
        desk["approver"].post(reverse("funds:reject", args=[d.pk]), {"reason": f"第{round_}次退回"})
        rejected.append(d)
    first, second = rejected
    # The first rejection reverses the request and the withheld line; the second also the
    # approval — each its own lines, none twice.
    kinds = [k for k, *_rest in _lines(disbursement=first)]
    assert kinds == ["disbursement_requested", "withheld", "reversed", "reversed"]
    kinds = [k for k, *_rest in _lines(disbursement=second)]
    assert kinds.count("reversed") == 3 and "disbursement_approved" in kinds
    reversed_seqs = LedgerEntry.objects.exclude(reverses=None).values_list("reverses", flat=True)
    assert len(reversed_seqs) == len(set(reversed_seqs)) == 5
    assert {LedgerEntry.objects.get(seq=s).disbursement_id for s in reversed_seqs} == {
        first.pk,
        second.pk,
    }
    assert _books(money["contract"]) == {}
    m.refresh_from_db()
    assert m.state == "accepted"


def test_rejecting_a_release_reverses_only_the_release(money, desk):
    m = money["final"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    first = Disbursement.objects.get(milestone=m)
    desk["approver"].post(reverse("funds:approve", args=[first.pk]))
    _pay(desk["payer"], first, "QJ-1")
    _reconfirm(m, "90.00")
    desk["staff"].post(reverse("funds:release", args=[m.pk]))
    second = Disbursement.objects.get(milestone=m, part=2)
    desk["approver"].post(reverse("funds:reject", args=[second.pk]), {"reason": "资料不全"})
    assert [k for k, *_r in _lines(disbursement=first)].count("reversed") == 0
    assert [k for k, *_r in _lines(disbursement=second)] == ["release_requested", "reversed"]
    assert _books(money["contract"])[Account.WITHHELD] == first.withheld
    # Then forfeited: 暂缓支付 goes to 项目预算结余 and the milestone is settled.
    desk["staff"].post(reverse("funds:forfeit", args=[m.pk]), {"reason": "整改后仍不予支付"})
    m.refresh_from_db()
    assert m.state == "forfeited"
    assert _lines(milestone=m, kind="forfeited") == [
        ("forfeited", "项目预算结余", "暂缓支付", first.withheld, None, None)
    ]
    assert _books(money["contract"]).get(Account.WITHHELD, 0) == 0


def test_forfeiting_a_milestone_never_requested_releases_its_budget(money, desk, login):
    m = money["midterm"]
    confirm(m, "50.00")
    evaluation_confirmed.send(sender=type(m), evaluation=m.gating_evaluation())
    desk["staff"].post(reverse("funds:forfeit", args=[m.pk]), {"reason": "评价为差，不予支付"})
    assert _lines(milestone=m) == [("forfeited", "项目预算结余", "项目预算", m.amount, None, None)]


def test_segregation_of_duties_and_no_future_payment_dates(money, desk, login):
    a = money["advance"]
    _accept(desk["staff"], a, "90")  # an advance needs no score; the extra evaluation is ignored
    desk["staff"].post(reverse("funds:request", args=[a.pk]))
    d = Disbursement.objects.get(milestone=a)
    desk["approver"].post(reverse("funds:approve", args=[d.pk]))
    refused = _pay(desk["approver"], d, "QJ-9")
    assert "审批支付的人员不得同时登记该笔支付" in refused.content.decode()
    assert "第十二条" in refused.content.decode()
    future = _pay(desk["payer"], d, "QJ-9", TODAY() + dt.timedelta(days=1))
    assert "晚于今天" in future.content.decode()
    d.refresh_from_db()
    assert d.state == "approved" and not _lines(kind="disbursement_paid")
    api = login(money["finance2"])
    answer = api.post(
        f"/api/v1/disbursements/{d.pk}/pay/",
        {"voucher_number": "QJ-9", "paid_on": (TODAY() + dt.timedelta(days=3)).isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "paid_on" in answer.json()
    _pay(desk["payer"], d, "QJ-9")
    d.refresh_from_db()
    assert d.state == "paid" and d.paid_by == money["finance2"]
    assert _lines(kind="disbursement_paid") == [
        ("disbursement_paid", "已支付服务费", "应付承接主体款", d.amount, d.pk, None)
    ]


def test_control_characters_never_reach_the_ledger_and_dirty_rows_still_export(money, desk, login):
    m = money["midterm"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    d = Disbursement.objects.get(milestone=m)
    desk["approver"].post(reverse("funds:reject", args=[d.pk]), {"reason": "金额\x02有误\x1b"})
    assert not LedgerEntry.objects.filter(memo__contains="\x02").exists()
    assert LedgerEntry.objects.filter(memo="金额有误").count() == 2
    # A row stored before input was cleaned (written here as an old version would have).
    project = money["project"]
    dirty = LedgerEntry(
        seq=LedgerEntry.objects.count() + 1,
        occurred_at=timezone.now(),
        kind="withheld",
        debit="暂缓支付",
        credit="项目预算",
        amount=Decimal("1.00"),
        project=project,
        memo="旧数据\x02\x1b",
        recipe=1,
        prev_hash=LedgerEntry.objects.order_by("-seq").first().hash,
    )
    dirty.hash = dirty.compute_hash()
    dirty.save()
    LedgerHead.objects.filter(pk=1).update(seq=dirty.seq, hash=dirty.hash)
    auditor = login(AuditorFactory())
    xlsx = auditor.get(reverse("funds:ledger"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert any(cell.value == "旧数据" for cell in sheet["M"])
    pdf = auditor.get(reverse("funds:ledger"), {"format": "pdf"})
    assert pdf.status_code == 200 and "旧数据" in pdf_text(pdf.content)
    csv_body = b"".join(auditor.get(reverse("funds:ledger"), {"format": "csv"}).streaming_content)
    assert "旧数据\x02".encode() in csv_body  # as stored: the hash covers it
    assert auditor.get(reverse("funds:ledger")).status_code == 200


def test_ledger_reads_in_the_readers_language_with_totals_per_kind(money, desk, login):
    m = money["midterm"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    auditor = login(AuditorFactory())
    body = auditor.get(reverse("funds:ledger")).content.decode()
    assert "评价得分" in body or "得分72" in body or "72.00" in body
    assert "Withheld pending rectification" not in body and "暂缓支付" in body
    assert "+0800" in body or "CST" in body
    english = auditor.get(reverse("funds:ledger"), HTTP_ACCEPT_LANGUAGE="en")
    auditor.cookies["django_language"] = "en"
    english = auditor.get(reverse("funds:ledger")).content.decode()
    assert "Payments withheld" in english and "Withheld pending rectification" in english
    pdf = pdf_text(auditor.get(reverse("funds:ledger"), {"format": "pdf"}).content)
    assert "按事项合计" in pdf and "合计：" not in pdf


def test_trial_balance_page_and_api(money, desk, login):
    m = money["midterm"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    contract = money["contract"]
    auditor = login(AuditorFactory())
    page = auditor.get(reverse("funds:trial_balance"), {"contract": contract.pk}).content.decode()
    assert "试算平衡表" in page and "待审批支付" in page and "借贷平衡" in page
    assert "¥172,080.00" in page and "成立" in page
    api = auditor.get("/api/v1/ledger/trial-balance/", {"contract": contract.pk}).json()
    accounts = {a["account"]: Decimal(a["balance"]) for a in api["accounts"]}
    assert accounts == {
        "待审批支付": Decimal("172080.00"),
        "暂缓支付": Decimal("19120.00"),
        "项目预算": Decimal("-191200.00"),
    }
    assert api["balanced"] and api["invariants_hold"]
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    earlier = auditor.get(
        "/api/v1/ledger/trial-balance/", {"contract": contract.pk, "as_of": yesterday}
    ).json()
    assert earlier["accounts"] == []
    # A bureau or the whole book is a background job, not computed in a request.
    whole = auditor.get("/api/v1/ledger/trial-balance/")
    assert whole.status_code == 400
    assert "后台任务" in str(whole.json()["scope"])
    for scope in ({"project": money["project"].pk}, {"bureau": money["bureau"].pk}):
        assert auditor.get(reverse("funds:trial_balance"), scope).status_code == 200
    bad = auditor.get("/api/v1/ledger/trial-balance/", {"contract": 1, "project": 1})
    assert bad.status_code == 400


def test_verify_ledger_names_the_contract_whose_books_do_not_match(money, desk):
    m = money["advance"]
    _accept(desk["staff"], m, "90")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    call_command("verify_ledger", stdout=io.StringIO())
    # A line posted outside the services (a stray payment) breaks the books, not the chain.
    ledger_post(
        kind="disbursement_paid",
        amount=Decimal("500.00"),
        project=money["project"],
        contract=money["contract"],
        milestone=m,
    )
    assert ledger_verify().ok
    with pytest.raises(CommandError, match=r"付款节点#\d+"):
        call_command("verify_ledger", stdout=io.StringIO())


def test_truncation_or_an_old_restore_is_caught_by_the_anchor(money, desk, settings):
    m = money["midterm"]
    _accept(desk["staff"], m, "72")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    call_command("anchor_ledger", stdout=io.StringIO())
    assert ledger_verify().ok
    # The database now holds fewer entries than were anchored (as after a TRUNCATE or the
    # restore of an older backup): a signed anchor from the later day says so.
    from funds.anchor import Anchor, _mac

    later = Anchor(LedgerEntry.objects.count() + 3, "b" * 64, "2026-12-31T23:59:00+08:00")
    line = json.dumps({"seq": later.seq, "hash": later.hash, "at": later.at, "hmac": _mac(later)})
    with open(settings.LEDGER_ANCHOR_FILE, "a") as out:
        out.write(line + "\n")
    result = ledger_verify()
    assert not result.ok and "anchored" in result.problem
    with pytest.raises(CommandError, match=r"TRUNCATE|older backup"):
        call_command("verify_ledger", stdout=io.StringIO())


def test_a_forged_anchor_line_is_refused(money, settings):
    Path(settings.LEDGER_ANCHOR_FILE).write_text(
        '{"seq":99,"hash":"' + "a" * 64 + '","at":"2026-12-01T23:59:00+08:00","hmac":"00"}\n'
    )
    result = ledger_verify()
    assert not result.ok and "signature" in result.problem


def test_the_tick_anchors_once_a_day(money, settings):
    from core.ticks import run_all

    now = timezone.now()
    assert any("anchored" in line for line in run_all(now))
    assert not any("anchored" in line for line in run_all(now))
    lines = Path(settings.LEDGER_ANCHOR_FILE).read_text().splitlines()
    assert len(lines) == 1


def test_the_standalone_script_recomputes_the_chain_from_the_csv(money, desk, login, tmp_path):
    m = money["midterm"]
    _accept(desk["staff"], m, "72.00")
    desk["staff"].post(reverse("funds:request", args=[m.pk]))
    d = Disbursement.objects.get(milestone=m)
    desk["approver"].post(reverse("funds:reject", args=[d.pk]), {"reason": "=SUM(A1) '引号', 逗号"})
    ledger_post(kind="budget_appropriated", amount=Decimal("7.10"), project=money["project"])
    auditor = login(AuditorFactory())
    body = b"".join(auditor.get(reverse("funds:ledger"), {"format": "csv"}).streaming_content)
    path = tmp_path / "ledger.csv"
    path.write_bytes(body)
    run = subprocess.run(  # noqa: S603 - our own script on a file we wrote
        [sys.executable, "-I", str(SCRIPT), str(path), "--head", ledger_verify().head],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{LedgerEntry.objects.count()} entries verify" in run.stdout
    # Change one amount in the file: the script names that entry.
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    rows[3][5] = "1.00"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    run = subprocess.run(  # noqa: S603 - our own script on a file we wrote
        [sys.executable, "-I", str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1 and "entry #3" in run.stdout


def test_amending_below_what_is_paid_is_refused(money, desk, login):
    a = money["advance"]
    _accept(desk["staff"], a, "90")
    desk["staff"].post(reverse("funds:request", args=[a.pk]))
    with pytest.raises(ActionRefusedError, match="已支付及正在支付"):
        contract_amend(
            contract=money["contract"],
            actor=money["staff"],
            amount=Decimal("100000.00"),
            end_date=money["contract"].end_date,
            reason="缩减",
        )


def test_milestone_paid_states_change_only_through_declared_transitions(money):
    """mark_paid, mark_partly_withheld and pay_remainder are declared and used."""
    names = {t.name for t in Milestone._meta.get_field("state").get_all_transitions(Milestone)}
    assert {"mark_paid", "mark_partly_withheld", "pay_remainder"} <= names
