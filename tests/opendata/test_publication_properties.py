"""Random sequences of public events and corrections never rewrite a published release.

After every step: every release published before is byte-for-byte what it was; each event's
revisions are 1..n and each differs from the one before; syncing again writes nothing; every
record is what ocdskit compiles from the stored releases of its ocid.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from opendata import checks
from opendata.models import Record, Release
from opendata.services import project_releases_sync
from procurement import services as procurement_services
from procurement.models import Clarification, Contract, Tender
from projects.models import ServiceProject

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["rename_supplier", "rename_bureau", "amend", "clarify", "sync"]),
        st.integers(min_value=1, max_value=9),
    ),
    min_size=1,
    max_size=6,
)


def _sync_all() -> None:
    for p in ServiceProject.objects.filter(ocds_record__isnull=False):
        project_releases_sync(project=p)


def _invariants(before: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    from ocdskit.combine import merge

    now = {pk: (data, etag) for pk, data, etag in Release.objects.values_list("pk", "data", "etag")}
    assert {pk: now[pk] for pk in before} == before, "a published release changed"
    revisions: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for project, event, revision, digest in Release.objects.order_by("revision").values_list(
        "project_id", "event", "revision", "content_hash"
    ):
        revisions.setdefault((project, event), []).append((revision, digest))
    for chain in revisions.values():
        assert [r for r, _ in chain] == list(range(1, len(chain) + 1))
        digests = [d for _, d in chain]
        assert all(a != b for a, b in itertools.pairwise(digests))
    for record in Record.objects.all():
        stored = [
            json.loads(d)
            for d in Release.objects.filter(project=record.project_id)
            .order_by("date", "pk")
            .values_list("data", flat=True)
        ]
        package = {"uri": "x", "publishedDate": stored[-1]["date"], "version": "1.1"}
        (theirs,) = merge(
            [{**package, "releases": stored}],
            schema=checks.release_schema(),
            return_package=True,
        )
        assert theirs["records"][0]["compiledRelease"] == json.loads(record.data)["compiledRelease"]
    return now


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(actions=ACTIONS)
def test_random_events_and_corrections_keep_the_publication_append_only(
    demo, django_capture_on_commit_callbacks, actions
):
    project = ServiceProject.objects.get(title__contains="携手成长")
    contract = Contract.objects.get(project=project)
    staff = User.objects.get(username="qj_staff")
    published = Tender.objects.filter(state="published").select_related("project").first()
    published_staff = User.objects.filter(
        organization=published.project.bureau, role="bureau_staff", is_active=True
    ).first()
    seen = _invariants({})
    for action, n in actions:
        with django_capture_on_commit_callbacks(execute=True):
            if action == "rename_supplier":
                supplier = contract.supplier
                supplier.name = f"{supplier.name.split('（')[0]}（更正{n}）"
                supplier.save(update_fields=["name"])
                _sync_all()  # the NGO is a tenderer elsewhere too
            elif action == "rename_bureau":
                bureau = project.bureau
                bureau.phone = f"0728-82335{n:02d}"
                bureau.save(update_fields=["phone"])
                _sync_all()
            elif action == "amend":
                contract.refresh_from_db()
                procurement_services.contract_amend(
                    contract=contract,
                    actor=staff,
                    amount=contract.current_amount + Decimal(n * 1000),
                    end_date=contract.current_end_date + dt.timedelta(days=n),
                    reason=f"增加服务对象{n * 10}名",
                )
            elif action == "clarify":
                question = Clarification.objects.create(
                    tender=published,
                    asked_by=User.objects.get(username="boya").organization,
                    question=f"第{n}个问题：服务点是否可以调整？",
                )
                procurement_services.clarification_answer(
                    clarification=question, actor=published_staff, answer=f"可以，第{n}次答复。"
                )
            else:
                for p in ServiceProject.objects.filter(ocds_record__isnull=False):
                    assert project_releases_sync(project=p) == [], "a second sync wrote"
        seen = _invariants(seen)
