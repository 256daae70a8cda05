"""质疑 by kind with its own window on the PRC calendar, the 7-working-day answer, the action an
upheld objection leads to, and the 投诉 to the finance department."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from procurement import objections, services
from procurement.models import BidState, Objection, Tender
from procurement.todos import procurement_todos
from tests.calendars import independent_is_workday
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.procurement.conftest import awarded, make_tender

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
PRICES = [Decimal("450000"), Decimal("460000"), Decimal("470000"), Decimal("480000")]
TECH = [75, 70, 65, 60]


def _workdays_after(day: dt.date, n: int) -> dt.date:
    """An independent count with the package itself (the code under test uses core.workdays);
    past the package's years, the TEST-ONLY arrangement the `world` fixture records."""
    while n:
        day += dt.timedelta(days=1)
        if independent_is_workday(day):
            n -= 1
    return day


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def test_result_window_counts_from_the_end_of_the_notice_period_across_national_day(world):
    tender, _bids = awarded(world, PRICES, TECH)
    # The result notice went out on Wednesday 30 Sep 2026, the eve of the National Day week.
    Tender.objects.filter(pk=tender.pk).update(award_published_at=_at(dt.date(2026, 9, 30)))
    tender.refresh_from_db()
    notice_ends = _workdays_after(dt.date(2026, 9, 30), 1)
    assert notice_ends > dt.date(2026, 10, 7)  # the holiday week is not counted
    last_day = _workdays_after(notice_ends, 7)
    loser = world["ngos"][1]
    filed = objections.objection_file(
        tender=tender, actor=loser, kind="result", text="评分有误", now=_at(last_day, 17)
    )
    assert filed.answer_due == _workdays_after(last_day, 7)
    with pytest.raises(ActionRefusedError, match="政府采购法第52条") as exc:
        objections.objection_file(
            tender=tender,
            actor=world["ngos"][2],
            kind="result",
            text="迟到的质疑",
            now=_at(last_day + dt.timedelta(days=1)),
        )
    assert str(last_day) in str(exc.value)
    # Counting from the notice's first day (the old rule) would have ended earlier.
    assert _workdays_after(dt.date(2026, 9, 30), 7) < last_day


def test_documents_objection_by_a_potential_supplier_and_its_window(world):
    tender = make_tender(world["project"], world["staff"])
    published = timezone.localdate(tender.publish_at)
    last_day = _workdays_after(_workdays_after(published, 5), 7)
    outsider = NgoUserFactory()  # has not bid: a potential supplier may object to the documents
    objection = objections.objection_file(
        tender=tender,
        actor=outsider,
        kind="documents",
        text="资格条件排斥中小企业",
        now=_at(last_day),
    )
    assert objection.kind == "documents"
    with pytest.raises(ActionRefusedError, match="实施条例第53条"):
        objections.objection_file(
            tender=tender,
            actor=outsider,
            kind="documents",
            text="再次质疑",
            now=_at(last_day + dt.timedelta(days=1)),
        )
    # A non-bidder may not object to the process or the result.
    with pytest.raises(ActionRefusedError, match="投标人"):
        objections.objection_file(
            tender=tender, actor=outsider, kind="process", known_on=published, text="过程"
        )


def test_process_objection_needs_the_day_the_step_ended(world):
    tender, _bids = awarded(world, PRICES, TECH)
    with pytest.raises(ValidationError):
        objections.objection_file(tender=tender, actor=world["ngos"][1], kind="process", text="x")
    step = timezone.localdate()
    filed = objections.objection_file(
        tender=tender, actor=world["ngos"][1], kind="process", known_on=step, text="开标记录不全"
    )
    assert filed.known_on == step


def test_answer_due_in_seven_working_days_with_todo_and_overdue_flag(world):
    tender, _bids = awarded(world, PRICES, TECH)
    objection = objections.objection_file(
        tender=tender, actor=world["ngos"][1], kind="result", text="评分有误"
    )
    todos = procurement_todos(world["staff"])
    item = next(t for t in todos if "质疑" in str(t.title))
    assert item.due == objection.answer_due and not item.detail
    # The due day passes without an answer: overdue on the to-do list and in the API.
    Objection.objects.filter(pk=objection.pk).update(
        answer_due=timezone.localdate() - dt.timedelta(days=1)
    )
    item = next(t for t in procurement_todos(world["staff"]) if "质疑" in str(t.title))
    assert str(item.detail) == "已逾期"
    api = APIClient()
    api.force_authenticate(world["staff"])
    assert api.get(f"/api/v1/objections/{objection.pk}/").json()["overdue"] is True
    # The award stays suspended while the objection is open.
    with pytest.raises(ActionRefusedError):
        services.contract_draft(
            tender=tender,
            actor=world["staff"],
            number="HT-1",
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 12, 31),
            milestones=[],
        )
    answered = objections.objection_answer(
        objection=objection, actor=world["staff"], answer="经复核，评分无误。", upheld=False
    )
    assert answered.state == "dismissed"
    assert TransitionLog.for_object(answered).filter(transition="late_answer").exists()


def test_upheld_documents_objection_corrects_and_extends_the_deadline(world):
    tender = make_tender(world["project"], world["staff"])
    objection = objections.objection_file(
        tender=tender, actor=NgoUserFactory(), kind="documents", text="评分因素与需求无关"
    )
    objections.objection_answer(
        objection=objection, actor=world["staff"], answer="质疑成立，修改评分因素。", upheld=True
    )
    # An upheld objection holds the purchase until it is acted on; the law's choice is named.
    with pytest.raises(ValidationError, match="财政部令第94号第16条"):
        objections.objection_remedy(objection=objection, actor=world["staff"], remedy="reaward")
    too_soon = timezone.now() + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="财政部令第87号第27条"):
        objections.objection_remedy(
            objection=objection,
            actor=world["staff"],
            remedy="correct_documents",
            bid_deadline=too_soon,
            opening_at=too_soon,
        )
    later = timezone.now() + dt.timedelta(days=16)
    done = objections.objection_remedy(
        objection=objection,
        actor=world["staff"],
        remedy="correct_documents",
        bid_deadline=later,
        opening_at=later,
    )
    tender.refresh_from_db()
    assert (done.state, done.remedy, tender.state) == ("remedied", "correct_documents", "published")
    assert tender.bid_deadline == later
    log = TransitionLog.for_object(tender).get(transition="correct_documents")
    assert f"第{objection.pk}号质疑成立" in log.note


def test_upheld_result_objection_reawards_to_the_next_qualified_bid(world):
    tender, bids = awarded(world, PRICES, TECH)
    first, second = bids[0], bids[1]
    assert tender.awarded_bid_id == first.pk
    objection = objections.objection_file(
        tender=tender, actor=world["ngos"][1], kind="result", text="中标人资格证书过期"
    )
    objections.objection_answer(
        objection=objection, actor=world["staff"], answer="质疑成立。", upheld=True
    )
    objections.objection_remedy(objection=objection, actor=world["staff"], remedy="reaward")
    tender.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (tender.state, tender.awarded_bid_id) == ("awarded", second.pk)
    assert (first.state, second.state) == (BidState.LOST, BidState.WON)
    assert tender.award_published_at is None  # a new result notice is due
    assert TransitionLog.for_object(second).filter(transition="win_instead").exists()


def test_reaward_refused_when_too_few_qualified_bids_remain(world):
    tender, _bids = awarded(world, PRICES[:3], TECH[:3])
    objection = objections.objection_file(
        tender=tender, actor=world["ngos"][1], kind="result", text="x"
    )
    objections.objection_answer(
        objection=objection, actor=world["staff"], answer="成立", upheld=True
    )
    with pytest.raises(ActionRefusedError, match="重新开展采购活动"):
        objections.objection_remedy(objection=objection, actor=world["staff"], remedy="reaward")
    objection.refresh_from_db()
    assert objection.state == "upheld"  # nothing changed: the use case is atomic
    objections.objection_remedy(objection=objection, actor=world["staff"], remedy="retender")
    tender.refresh_from_db()
    assert tender.state == "failed" and "质疑成立" in tender.failure_reason


def test_reevaluation_sends_the_tender_back_to_the_panel(world):
    tender, _bids = awarded(world, PRICES, TECH)
    objection = objections.objection_file(
        tender=tender,
        actor=world["ngos"][1],
        kind="process",
        known_on=timezone.localdate(),
        text="x",
    )
    objections.objection_answer(
        objection=objection, actor=world["staff"], answer="成立", upheld=True
    )
    objections.objection_remedy(objection=objection, actor=world["staff"], remedy="reevaluate")
    tender.refresh_from_db()
    assert tender.state == "evaluating" and tender.awarded_bid_id is None
    assert {b.state for b in tender.bids.all()} == {BidState.OPENED}


def test_complaint_within_fifteen_working_days_and_the_recorded_decision(world, login):
    tender, _bids = awarded(world, PRICES, TECH)
    loser = world["ngos"][1]
    objection = objections.objection_file(tender=tender, actor=loser, kind="result", text="x")
    # Before the answer (and before its due day) there is nothing to complain about.
    with pytest.raises(ActionRefusedError, match="政府采购法第55条"):
        objections.complaint_file(
            objection=objection, actor=loser, finance_department="潜江市财政局", text="y"
        )
    objections.objection_answer(
        objection=objection, actor=world["staff"], answer="不成立", upheld=False
    )
    objection.refresh_from_db()
    answered_on = timezone.localdate(objection.answered_at)
    last = _workdays_after(answered_on, 15)
    with pytest.raises(ActionRefusedError, match="15"):
        objections.complaint_file(
            objection=objection,
            actor=loser,
            finance_department="潜江市财政局",
            text="y",
            now=_at(last + dt.timedelta(days=1)),
        )
    with pytest.raises(ActionRefusedError):
        objections.complaint_file(
            objection=objection, actor=world["ngos"][2], finance_department="潜江市财政局", text="y"
        )
    response = login(loser).post(
        reverse("procurement:complaint_file", args=[objection.pk]),
        {"finance_department": "潜江市财政局", "text": "答复未回应评分错误"},
    )
    assert response.status_code == 302
    complaint = objection.complaint
    # The finance department suspends the purchase: no contract meanwhile.
    auditor = AuditorFactory()
    api = APIClient()
    api.force_authenticate(auditor)
    assert (
        api.post(
            f"/api/v1/objections/{objection.pk}/complaint-suspension/",
            {"suspends": True},
            format="json",
        ).status_code
        == 200
    )
    tender.refresh_from_db()
    assert not tender.no_suspending_objection()
    decided = api.post(
        f"/api/v1/objections/{objection.pk}/complaint-decision/",
        {
            "upheld": False,
            "decision": "投诉缺乏事实依据，驳回投诉。",
            "reference": "潜财购投〔2026〕3号",
            "decided_on": str(timezone.localdate()),
        },
        format="json",
    )
    assert decided.status_code == 200, decided.content
    complaint.refresh_from_db()
    assert (complaint.state, complaint.decision_reference, complaint.suspends) == (
        "decided",
        "潜财购投〔2026〕3号",
        False,
    )
    assert TransitionLog.for_object(complaint).filter(transition="decide", actor=auditor).exists()
    tender.refresh_from_db()
    assert tender.no_suspending_objection()


def test_objection_api_by_kind(world):
    tender = make_tender(world["project"], world["staff"])
    api = APIClient()
    api.force_authenticate(NgoUserFactory())
    response = api.post(
        "/api/v1/objections/",
        {"tender": tender.pk, "kind": "result", "text": "结果不公"},
        format="json",
    )
    assert response.status_code == 403
    assert "投标人" in response.json()["detail"]  # only bidders object to the result
    response = api.post(
        "/api/v1/objections/",
        {"tender": tender.pk, "kind": "documents", "text": "技术参数指向特定供应商"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["answer_due"]
