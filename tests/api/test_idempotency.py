"""`Idempotency-Key` on the API's state-changing requests: a retry replays the first answer and
changes nothing again; the same key with another request is a 422; keys are per user; a refused
request keeps no key. On PostgreSQL, the same keyed payment fired at once pays once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api import AutoSchema, IdempotentMixin
from core.models import IdempotencyKey, TransitionLog
from funds.ledger import ledger_verify
from funds.models import Acceptance, Disbursement, LedgerEntry, ServiceRecord
from funds.services import acceptance_record, disbursement_approve, disbursement_request
from procurement.models import Bid
from tests.factories.projects import ServiceProjectFactory
from tests.funds.conftest import money  # noqa: F401 - fixture
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def keyed(client: APIClient, path: str, data=None, *, key: str, **extra):
    return client.post(path, data, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def _approved(money):  # noqa: F811
    a = money["advance"]
    acceptance_record(milestone=a, actor=money["staff"], passed=True, checklist={"ok": True})
    d = disbursement_request(milestone=a, actor=money["staff"])
    # 不相容岗位分离: the approver (finance2) never records the payment (finance does).
    return disbursement_approve(disbursement=d, actor=money["finance2"])


def _pay_body(d):
    return {"voucher_number": "QJ-0001", "paid_on": d.accepted_on.isoformat()}


def test_a_retried_payment_replays_the_answer_and_pays_once(money):  # noqa: F811
    d = _approved(money)
    path = f"/api/v1/disbursements/{d.pk}/pay/"
    finance = api(money["finance"])

    first = keyed(finance, path, _pay_body(d), key="pay-0001")
    again = keyed(finance, path, _pay_body(d), key="pay-0001")

    assert first.status_code == again.status_code == 200
    assert first.data["state"] == "paid" and "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert LedgerEntry.objects.filter(kind="disbursement_paid").count() == 1
    assert TransitionLog.for_object(d).filter(transition="pay").count() == 1
    assert ledger_verify().ok
    record = IdempotencyKey.objects.get(user=money["finance"], key="pay-0001")
    assert (record.method, record.path, record.status) == ("POST", path, 200)
    # Without the key the same request is a new attempt, refused by the state.
    assert finance.post(path, _pay_body(d), format="json").status_code == 409


def test_a_retried_payment_request_and_approval_run_once(money):  # noqa: F811
    a = money["advance"]
    acceptance_record(milestone=a, actor=money["staff"], passed=True, checklist={"ok": True})
    staff, finance = api(money["staff"]), api(money["finance"])
    path = f"/api/v1/milestones/{a.pk}/request-payment/"
    requested = [keyed(staff, path, key="req-1") for _ in range(3)]
    assert [r.status_code for r in requested] == [200, 200, 200]
    assert len({r.content for r in requested}) == 1
    assert Disbursement.objects.filter(milestone=a).count() == 1
    assert LedgerEntry.objects.filter(kind="disbursement_requested").count() == 1

    d = requested[0].data["id"]
    approved = [keyed(finance, f"/api/v1/disbursements/{d}/approve/", key="ap-1") for _ in "ab"]
    assert [r.status_code for r in approved] == [200, 200]
    assert approved[1].headers["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.filter(kind="disbursement_approved").count() == 1


def test_the_same_key_with_a_different_body_is_a_422(money):  # noqa: F811
    d = _approved(money)
    path = f"/api/v1/disbursements/{d.pk}/pay/"
    finance = api(money["finance"])
    assert keyed(finance, path, _pay_body(d), key="k").status_code == 200

    other = keyed(finance, path, _pay_body(d) | {"voucher_number": "QJ-0002"}, key="k")
    assert other.status_code == 422
    assert "idempotency key" in other.data["detail"].lower() or "幂等" in other.data["detail"]
    assert path in other.data["detail"]
    elsewhere = keyed(finance, f"/api/v1/disbursements/{d.pk}/reject/", {"reason": "x"}, key="k")
    assert elsewhere.status_code == 422
    assert Disbursement.objects.get(pk=d.pk).voucher_number == "QJ-0001"
    assert LedgerEntry.objects.filter(kind="disbursement_paid").count() == 1
    assert LedgerEntry.objects.filter(kind="reversed").count() == 0


def test_json_key_order_does_not_change_the_request(money):  # noqa: F811
    d = _approved(money)
    path = f"/api/v1/disbursements/{d.pk}/pay/"
    body = _pay_body(d)
    finance = api(money["finance"])
    assert keyed(finance, path, body, key="k").status_code == 200
    reordered = keyed(finance, path, dict(reversed(list(body.items()))), key="k")
    assert reordered.status_code == 200 and reordered.headers["Idempotent-Replayed"] == "true"


def test_keys_are_per_user(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    body = {"tender": tender.pk, "price": "468000.00", "technical_proposal": "方案"}
    answers = [keyed(api(ngo), "/api/v1/bids/", body, key="bid-1") for ngo in world["ngos"][:2]]
    assert [a.status_code for a in answers] == [201, 201]
    assert "Idempotent-Replayed" not in answers[1].headers
    assert Bid.objects.filter(tender=tender).count() == 2
    assert IdempotencyKey.objects.filter(key="bid-1").count() == 2


def test_a_retried_bid_is_not_a_revision(world):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    body = {"tender": tender.pk, "price": "468000.00", "technical_proposal": "方案"}
    ngo = api(world["ngos"][0])
    first, retry = (keyed(ngo, "/api/v1/bids/", body, key="b") for _ in "ab")
    assert first.status_code == retry.status_code == 201
    assert retry.data["receipt"] == first.data["receipt"]
    assert Bid.objects.get(tender=tender).revision == first.data["revision"]
    # A new key is a new submission: the bid is revised.
    assert (
        keyed(ngo, "/api/v1/bids/", body, key="b2").data["revision"] == first.data["revision"] + 1
    )


def test_a_refused_request_keeps_no_key(money):  # noqa: F811
    d = _approved(money)
    path = f"/api/v1/disbursements/{d.pk}/pay/"
    finance = api(money["finance"])
    blank = keyed(finance, path, _pay_body(d) | {"voucher_number": " "}, key="k")
    assert blank.status_code == 400
    assert not IdempotencyKey.objects.exists()
    # Nothing happened, so the key is free for the corrected request.
    assert keyed(finance, path, _pay_body(d), key="k").status_code == 200
    assert LedgerEntry.objects.filter(kind="disbursement_paid").count() == 1


def test_a_retried_transition_logs_once(db):
    project = ServiceProjectFactory(state="draft")
    staff = api(project.created_by)
    answers = [keyed(staff, f"/api/v1/projects/{project.pk}/approve/", key="ap") for _ in "ab"]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].data["state"] == "approved"
    assert TransitionLog.for_object(project).filter(transition="approve").count() == 1
    assert LedgerEntry.objects.filter(kind="budget_appropriated", project=project).count() == 1


def test_a_retried_acceptance_records_once(money):  # noqa: F811
    m = money["advance"]
    body = {"passed": True, "checklist": {"团队到位": True}}
    staff = api(money["staff"])
    answers = [
        keyed(staff, f"/api/v1/milestones/{m.pk}/acceptance/", body, key="acc") for _ in "ab"
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert Acceptance.objects.filter(milestone=m).count() == 1
    assert TransitionLog.for_object(m).filter(transition="accept").count() == 1


def _record(money):  # noqa: F811
    return {
        "contract": money["contract"].pk,
        "date": money["contract"].start_date.isoformat(),
        "place": "三桥村",
        "service_type": "case",
        "beneficiary_category": "left_behind_child",
        "beneficiary_count": 1,
        "hours": "1.5",
        "social_worker": "李社工",
    }


def test_a_retried_service_record_is_created_once(money):  # noqa: F811
    ngo = api(money["ngo"])
    answers = [keyed(ngo, "/api/v1/service-records/", _record(money), key="r") for _ in "ab"]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert ServiceRecord.objects.count() == 1


def _csv(money, rows=2):  # noqa: F811
    day = money["contract"].start_date + dt.timedelta(days=10)
    lines = ["日期,村/社区,服务类型,服务对象类别,服务人数,时长,社工"]
    lines += [f"{day.isoformat()},三桥村{i},个案,留守儿童,1,1.5,李社工" for i in range(rows)]
    return "\n".join(lines).encode()


def test_a_retried_file_import_imports_once(money):  # noqa: F811
    ngo = api(money["ngo"])

    def send(content, key):
        upload = SimpleUploadedFile("台账.csv", content, content_type="text/csv")
        return ngo.post(
            "/api/v1/service-records/import/",
            {"contract": money["contract"].pk, "file": upload},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    first = send(_csv(money, 3), "imp-1")
    assert first.status_code == 201 and first.data == {"imported": 3}
    retry = send(_csv(money, 3), "imp-1")
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert ServiceRecord.objects.count() == 3
    # Another file under the same key is another request.
    assert send(_csv(money, 4), "imp-1").status_code == 422
    assert ServiceRecord.objects.count() == 3


def test_keys_older_than_a_month_are_forgotten_by_tick(money):  # noqa: F811
    from django.utils import timezone

    from core.ticks import run_all

    d = _approved(money)
    finance = api(money["finance"])
    assert (
        keyed(finance, f"/api/v1/disbursements/{d.pk}/pay/", _pay_body(d), key="old").status_code
        == 200
    )
    recent = keyed(finance, f"/api/v1/disbursements/{d.pk}/pay/", {}, key="new")
    assert recent.status_code == 400  # refused: keeps no key
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=29)
    )
    assert not any("idempotency" in line for line in run_all(timezone.now()))
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    assert "core: 1 idempotency key(s) older than 30 days removed" in run_all(timezone.now())
    assert not IdempotencyKey.objects.exists()


def test_an_overlong_key_is_refused(money):  # noqa: F811
    d = _approved(money)
    answer = keyed(
        api(money["finance"]), f"/api/v1/disbursements/{d.pk}/pay/", _pay_body(d), key="k" * 256
    )
    assert answer.status_code == 400 and "Idempotency-Key" in answer.data
    assert Disbursement.objects.get(pk=d.pk).state == "approved"


# POSTs that change nothing: a token login, and a template preview (a PDF rendered again on retry).
CHANGE_NOTHING = {"/api/v1/auth/token/", "/api/v1/document-templates/{key}/preview/"}


def test_every_state_changing_operation_documents_the_header(client):
    schema = client.get("/api/schema/?format=json").json()
    unsafe = {"post", "put", "patch", "delete"}
    documented = {
        (method, path): {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in unsafe and path not in CHANGE_NOTHING
    }
    assert len(documented) > 30
    assert all("Idempotency-Key" in names for names in documented.values()), [
        k for k, names in documented.items() if "Idempotency-Key" not in names
    ]


def test_every_registered_viewset_honours_the_key():
    from rest_framework.settings import api_settings

    from config.api import router

    assert all(issubclass(viewset, IdempotentMixin) for _, viewset, _ in router.registry)
    assert api_settings.DEFAULT_SCHEMA_CLASS is AutoSchema


# --- PostgreSQL: the same keyed request at the same moment --------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", [2, 10])
def test_the_same_keyed_payment_at_once_pays_once(money, n):  # noqa: F811
    d = _approved(money)
    path = f"/api/v1/disbursements/{d.pk}/pay/"
    token = Token.objects.create(user=money["finance"]).key
    barrier = threading.Barrier(n)
    answers = []
    lock = threading.Lock()

    def fire() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait()
            answer = keyed(client, path, _pay_body(d), key="same-payment")
            with lock:
                answers.append(answer)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [a.status_code for a in answers] == [200] * n
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == n - 1
    assert len({a.content for a in answers}) == 1
    assert Disbursement.objects.get(pk=d.pk).state == "paid"
    assert LedgerEntry.objects.filter(kind="disbursement_paid").count() == 1
    assert TransitionLog.for_object(d).filter(transition="pay").count() == 1
    assert IdempotencyKey.objects.filter(key="same-payment").count() == 1
    assert ledger_verify().ok
