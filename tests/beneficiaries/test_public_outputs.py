"""No public or shared output carries a case file's name, ID or phone: OCDS, results, notices and
their PDFs, the API, ledger exports and vouchers. The demo's 爱心天使 files are the seed."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from beneficiaries.models import Beneficiary
from core.masking import mask_id_number
from funds.models import Disbursement
from opendata.models import Record, Release
from procurement.models import Contract, Tender
from tests.pdf import pdf_text

OWNER = "aixin"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def secrets(demo, db) -> list[str]:
    files = list(Beneficiary.objects.all())
    assert len(files) >= 8 and any(f.id_number for f in files)
    values = []
    for f in files:
        values += [f.name, f.id_number, f.guardian_phone, f.guardian_name.split("（")[0]]
        if f.id_number:
            values.append(mask_id_number(f.id_number))
    return [v for v in values if v]


def _text(response) -> str:
    """What a reader of the response would see, whatever its format."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return pdf_text(data)
    if "spreadsheet" in kind:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return data.decode("utf-8-sig", errors="ignore")


def _assert_clean(text: str, secrets: list[str], where: str) -> None:
    leaked = [s for s in secrets if s in text]
    assert leaked == [], (where, leaked)


def _as(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_ocds_packages_and_the_export_command(secrets, tmp_path):
    stored = [*Release.objects.values_list("data", flat=True)]
    stored += Record.objects.values_list("data", flat=True)
    assert len(stored) > 10
    _assert_clean(json.dumps(stored, ensure_ascii=False), secrets, "stored releases")
    for url in ("/opendata/release-package.json", "/opendata/record-package.json"):
        _assert_clean(_text(Client().get(url)), secrets, url)
    with open(os.devnull, "w") as sink:
        call_command("export_ocds", output=str(tmp_path), stdout=sink)
    for path in tmp_path.iterdir():
        _assert_clean(path.read_text(encoding="utf-8"), secrets, str(path))


@pytest.mark.django_db
def test_public_pages_and_notice_pdfs(secrets):
    client = Client()
    for url in ("/opendata/results/", "/procurement/notices/"):
        response = client.get(url)
        assert response.status_code == 200
        _assert_clean(_text(response), secrets, url)
    for tender in Tender.objects.exclude(state="draft"):
        for url in (
            f"/procurement/notices/{tender.pk}/",
            f"/procurement/notices/{tender.pk}/tender.pdf",
            f"/procurement/notices/{tender.pk}/award.pdf",
        ):
            response = client.get(url)
            if response.status_code == 200:
                _assert_clean(_text(response), secrets, url)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_ledger_exports(secrets, fmt):
    response = _as("auditor").get("/funds/ledger/", {"format": fmt})
    assert response.status_code == 200
    _assert_clean(_text(response), secrets, f"ledger.{fmt}")


@pytest.mark.django_db
def test_the_ngos_own_contract_pages_and_vouchers_show_counts_not_people(secrets):
    """Even the owner's contract, service-record and payment pages are shared with the bureau."""
    contract = Contract.objects.get(number="HT-QJ-2026-001")
    for username in ("qj_staff", OWNER):
        client = _as(username)
        for url in (
            f"/funds/contracts/{contract.pk}/records/",
            f"/procurement/contracts/{contract.pk}/contract.pdf",
            *[
                f"/funds/disbursements/{d.pk}/voucher.pdf"
                for d in Disbursement.objects.filter(milestone__contract=contract)
            ],
        ):
            response = client.get(url)
            if response.status_code == 200:
                _assert_clean(_text(response), secrets, f"{username} {url}")


@pytest.mark.django_db
def test_evaluation_report_pdfs(secrets):
    from evaluation.models import Evaluation

    client = _as("auditor")
    checked = 0
    for evaluation in Evaluation.objects.all():
        response = client.get(f"/evaluation/{evaluation.pk}/report.pdf")
        if response.status_code == 200:
            checked += 1
            _assert_clean(_text(response), secrets, f"evaluation {evaluation.pk}")
    assert checked, "the demo has a confirmed evaluation with a report"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["qj_staff", "qj_finance", "auditor", "admin", "boya"])
def test_every_api_list_for_everyone_but_the_owner(secrets, username):
    client = _as(username)
    index = client.get("/api/v1/").json()
    assert "beneficiaries" in index
    for name, url in index.items():
        response = client.get(url)
        assert response.status_code in (200, 403), (name, response.status_code)
        _assert_clean(_text(response), secrets, f"{username} {name}")
    assert client.get("/api/v1/beneficiaries/").json()["count"] == 0


@pytest.mark.django_db
def test_the_owner_sees_its_files_in_the_api_masked(secrets):
    data = _as(OWNER).get("/api/v1/beneficiaries/").json()
    assert data["count"] == Beneficiary.objects.count()
    text = json.dumps(data, ensure_ascii=False)
    for f in Beneficiary.objects.exclude(id_number=""):
        assert f.name in text and f.id_number not in text and f.guardian_phone not in text
