"""Every URL in the URL conf against every role, generated from the URL conf itself.

Each named URL must have a rule below; a new URL without one fails this test. The rule says who
may GET it: "public" (everyone, no login), "login" (any logged-in user; anonymous is sent to
the login page or gets 401), "post" (a POST-only action: GET answers 405 for logged-in users),
or "admin", or "ngo" (pages only NGO staff may open: every other role gets 403 or 404, never the
page). For every role the answer must be the expected one and never a 5xx.
"""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories.accounts import PASSWORD

ROLES = [
    "anonymous",
    "qj_staff",
    "qj_finance",
    "jz_staff",
    "aixin",
    "boya",
    "expert1",
    "assessor_lead",
    "auditor",
    "admin",
]

PUBLIC = {
    "login",
    "health",  # for load balancers and monitoring
    "set_language",
    "procurement:notices",
    "procurement:notice_detail",
    "procurement:tender_notice_pdf",
    "procurement:documents_download",
    "procurement:contract_notice",
    "procurement:contract_notice_pdf",
    "procurement:intents",
    "procurement-intent-list",
    "procurement-intent-detail",
    "procurement:award_notice_pdf",
    "opendata:release_package",
    "opendata:record_package",
    "opendata:release",
    "opendata:record",
    "opendata:results",
    "evaluation:acceptance_public",
    "opendata:policy",
    "opendata:bulk_index",
    "opendata:bulk_year",
    "opendata:extension_file",
    "opendata:evaluation_report",
    "api-schema",
    "api-docs",
    "api-redoc",
}
POST_ONLY = {
    "logout",
    "projects:approve",
    "projects:terminate",
    "procurement:tender_publish",
    "procurement:tender_cancel",
    "procurement:tender_open",
    "procurement:tender_start_evaluation",
    "procurement:tender_award",
    "procurement:award_publish",
    "procurement:panel_add",
    "procurement:panel_declare",
    "procurement:panel_draw",
    "procurement:panel_decline",
    "procurement:panel_chair",
    "procurement:documents_upload",
    "procurement:objection_remedy",
    "procurement:complaint_file",
    "procurement:complaint_decide",
    "procurement:contract_publish_notice",
    "procurement:contract_filing",
    "procurement:intent_publish",
    "procurement:round_open",
    "procurement:round_offer",
    "procurement:round_close",
    "procurement:clarification_ask",
    "procurement:objection_file",
    "procurement:clarification_answer",
    "procurement:objection_answer",
    "procurement:bid_withdraw",
    "procurement:bid_review",
    "procurement:contract_sign_supplier",
    "procurement:contract_sign_bureau",
    "procurement:contract_start_service",
    "procurement:contract_amend",
    "funds:deliverable_submit",
    "funds:acceptance",
    "funds:request",
    "funds:release",
    "funds:forfeit",
    "funds:approve",
    "funds:pay",
    "funds:reject",
    "funds:bond_return",
    "evaluation:system_publish",
    "evaluation:system_new_version",
    "evaluation:assign",
    "evaluation:declare",
    "evaluation:start",
    "evaluation:confirm",
    "evaluation:return",
    "evaluation:publish",
    "api-token",
    "evaluation:appeal",
    "evaluation:system_replace",
    "bid-withdraw",
    "tender-publish",
    "tender-open-bids",
    "tender-award",
    "tender-publish-award",
    "contract-sign-supplier",
    "contract-sign-bureau",
    "milestone-request-payment",
    "disbursement-approve",
    "disbursement-pay",
    "bond-return-bond",
    "project-approve",
    "project-terminate",
    "tender-cancel",
    "tender-start-evaluation",
    "contract-start-service",
    "contract-amend",
    "milestone-deliverables",
    "milestone-acceptance",
    "milestone-forfeit",
    "disbursement-reject",
    "evaluation-submit-sheet",
    "evaluation-declare",
    "evaluation-confirm",
    "evaluation-appeal",
    "evaluation-publish",
    "tender-panel-declare",
    "tender-review",
    "tender-panel-draw",
    "tender-panel-decline",
    "tender-panel-chair",
    "tender-round-offer",
    "tender-round-close",
    "objection-remedy",
    "objection-complain",
    "objection-complaint-decision",
    "objection-complaint-suspension",
    "contract-publish-notice",
    "contract-filing",
    "tender-contract",
    "clarification-answer",
    "objection-answer",
    "evaluation-start",
    "evaluation-consolidate",
    "evaluation-re-review",
    "evaluation-return-for-review",
    "indicator-system-replace",
    "indicator-system-publish",
    "indicator-system-new-version",
    "evaluation-sheet-evidence",
    "service-record-import-file",
    "document-template-preview",
    "export_request",
    "supervision:report_submit",
    "supervision:report_review",
    "supervision:item_evidence",
    "supervision:item_decide",
    "notifications:mark_read",
    "notifications:open",
    "notifications:preferences",
    "service-record-correct",
    "service-record-withdraw",
    "evaluation-evidence-contract-targets",
    "evaluation-evidence-survey-draw",
    "evaluation-evidence-survey-answer",
    "planning:listing_remove",
    "planning:report_act",
    "beneficiaries:report_send",
    "beneficiaries:report_close",
}
# The NGO's own case files (personal data): no bureau, expert, assessor, auditor or admin page.
NGO_ONLY = {
    "beneficiaries:list",
    "beneficiaries:create",
    "beneficiaries:edit",
    "beneficiaries:import",
    "beneficiaries:follow_ups",
    "beneficiaries:case_file",
    "beneficiaries:file",
}
NGO_ROLES = {"aixin", "boya"}
NEEDS_A_SCOPE = {"ledger-trial-balance"}
SKIP = {"admin:", "media"}  # Django's own admin (staff-only by Django) and DEBUG-only media serving


def _walk(patterns, prefix="", ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else p.name
            yield prefix + str(p.pattern), name


def _all_urls():
    seen = {}
    for route, name in _walk(get_resolver().url_patterns):
        if (
            name is None
            or any(name.startswith(s) or route.startswith(s) for s in SKIP)
            or route.startswith("admin/")
        ):
            continue
        if "format" in route:  # DRF's .json suffix twins of the same views
            continue
        seen.setdefault(name, route)
    return sorted(seen.items())


def _concrete(route: str) -> str:
    """A URL for the route with ids of demo objects (any existing id; the rule is about access)."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<pk>[^)]*\)", "1", route)
    route = re.sub(r"\(\?P<seq>[^)]*\)", "1", route)
    route = re.sub(r"<int:[a-z_]+>", "1", route)
    route = re.sub(r"<slug:key>", "contract", route)
    route = re.sub(r"<str:release_id>", "x", route)
    route = re.sub(r"<str:ocid>", "x", route)
    route = re.sub(r"<str:kind>", "photo", route)
    route = route.replace("\\.", ".")
    return "/" + route


def _case_file_identifiers() -> list[str]:
    from beneficiaries.models import Beneficiary

    values = Beneficiary.objects.values_list("name", "id_number", "guardian_phone")
    return [v for row in values for v in row if v]


def rule_for(name: str) -> str:
    if name in NGO_ONLY:
        return "ngo"
    if name in PUBLIC:
        return "public"
    if name in POST_ONLY:
        return "post"
    return "login"


def test_every_url_has_a_rule():
    names = [name for name, _ in _all_urls()]
    known = PUBLIC | POST_ONLY
    # Everything else is "login"; make sure no public-looking or action-looking name slips in unclassified.
    suspicious = [
        n
        for n in names
        if n not in known
        and re.search(
            r"(publish|approve|pay|sign|open|award|withdraw|reject|submit_?$)", n.split(":")[-1]
        )
        and n not in {"procurement:bid_submit", "funds:payments"}
    ]
    assert suspicious == [], (
        f"classify these URLs in tests/security/test_url_authorization.py: {suspicious}"
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), _all_urls(), ids=[n for n, _ in _all_urls()])
def test_url_against_every_role(demo, settings, name, route, tmp_path):
    if name == "health":  # a running worker has left its heartbeat: every check answers
        from django.utils import timezone

        from core.tasks import worker_heartbeat

        settings.MEDIA_ROOT = tmp_path
        worker_heartbeat.call(timezone.now().isoformat())
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    url = _concrete(route)
    rule = rule_for(name)
    identifiers = _case_file_identifiers()
    assert identifiers, "the demo has case files to look for"
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(
                __import__("accounts.models", fromlist=["User"]).User.objects.get(username=role)
            )
        response = client.get(url)
        status = response.status_code
        assert status < 500, (name, url, role, status)
        if role != "aixin" and not response.streaming:
            # The demo case files belong to 爱心天使: nobody else's page, API or export shows them.
            body = response.content.decode(errors="ignore")
            leaked = [s for s in identifiers if s in body]
            assert leaked == [], (name, url, role, leaked)
        if role == "anonymous":
            if rule == "public":
                assert status in (200, 302, 404, 405), (
                    name,
                    url,
                    status,
                )  # set_language redirects back
            elif rule == "post":
                assert status in (302, 401, 403, 405), (name, url, status)
            else:
                assert status in (302, 401, 403), (
                    name,
                    url,
                    status,
                )  # login page or 401 for the API
        elif rule == "post":
            assert status == 405, (name, url, role, status)
        elif rule == "ngo":
            expected = (200, 404) if role in NGO_ROLES else (403, 404)
            assert status in expected, (name, url, role, status)
        else:
            # The trial balance API without a contract or project is the whole book, a
            # background job: a reader of the ledger is refused with the way to it (400).
            allowed = (200, 302, 403, 404) + ((400,) if name in NEEDS_A_SCOPE else ())
            assert status in allowed, (name, url, role, status)
    assert PASSWORD  # the demo users' password is the shared demo one; force_login avoids hashing
