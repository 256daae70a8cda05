"""An assessor attaches evidence files to the leaves of the own score sheet through the API; the
file is as secret as the sheet it belongs to."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import Indicator, ScoreEntry, ScoreSheet
from tests.api.procurement_setup import api
from tests.evaluation.conftest import (  # noqa: F401 - cast is a fixture
    cast,
    full_marks,
    inputs_for,
    to_scoring,
)
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def scoring(cast, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    evaluation = to_scoring(cast)
    sheets = list(ScoreSheet.objects.filter(evaluation=evaluation).order_by("id"))
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    return evaluation, sheets, leaves


def test_an_assessor_attaches_evidence_and_only_they_read_it_before_all_are_in(scoring):
    evaluation, sheets, leaves = scoring
    mine, other = sheets[0], sheets[1]
    leaf = leaves["个案数"]
    url = f"/api/v1/evaluations/{evaluation.pk}/my-sheet/evidence/"
    # The comment and inputs saved before stay as they are.
    saved = api(mine.assessor).post(
        f"/api/v1/evaluations/{evaluation.pk}/my-sheet/",
        {
            "entries": [
                {
                    "indicator": leaf.pk,
                    "inputs": {"actual": "38", "target": "40"},
                    "comment": "台账",
                }
            ]
        },
        format="json",
    )
    assert saved.status_code == 200, saved.data
    answer = api(mine.assessor).post(
        url, {"leaf": leaf.pk, "file": SimpleUploadedFile("个案.png", PNG)}, format="multipart"
    )
    assert answer.status_code == 200, answer.data
    entry = ScoreEntry.objects.get(sheet=mine, indicator=leaf)
    assert entry.evidence_file.name.endswith(".png")
    assert (entry.comment, entry.inputs, str(entry.score)) == (
        "台账",
        {"actual": "38", "target": "40"},
        "19.00",
    )
    row = next(e for e in answer.data["entries"] if e["indicator"] == leaf.pk)
    download = reverse("evaluation:evidence_file", args=[evaluation.pk, entry.pk])
    assert row["evidence_url"] == download
    assert all(e["evidence_url"] is None for e in answer.data["entries"] if e is not row)
    # The same URL in the sheet as read back.
    again = api(mine.assessor).get(f"/api/v1/evaluations/{evaluation.pk}/my-sheet/")
    assert any(e["evidence_url"] == download for e in again.data["entries"])

    own = logged_in(mine.assessor).get(download)
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PNG
    # Another assessor of the same evaluation: sealed until every sheet is in.
    assert logged_in(other.assessor).get(download).status_code == 403


def test_bad_files_unknown_leaves_and_other_roles_are_refused(scoring, cast):  # noqa: F811
    evaluation, sheets, leaves = scoring
    mine = sheets[0]
    leaf = leaves["个案数"]
    url = f"/api/v1/evaluations/{evaluation.pk}/my-sheet/evidence/"
    exe = api(mine.assessor).post(
        url,
        {"leaf": leaf.pk, "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\x00" * 60)},
        format="multipart",
    )
    assert exe.status_code == 400 and exe.data["file"]
    not_a_leaf = Indicator.objects.filter(system=evaluation.system, level=1).first()
    unknown = api(mine.assessor).post(
        url, {"leaf": not_a_leaf.pk, "file": SimpleUploadedFile("a.png", PNG)}, format="multipart"
    )
    assert unknown.status_code == 400 and unknown.data["leaf"]
    missing = api(mine.assessor).post(url, {"leaf": leaf.pk}, format="multipart")
    assert missing.status_code == 400 and missing.data["file"]
    assert not ScoreEntry.objects.filter(sheet=mine).exclude(evidence_file="").exists()

    # No sheet of one's own: the bureau sees the evaluation but has no sheet (404); the NGO too;
    # an assessor of another organisation does not see the evaluation at all.
    for outsider in (cast.staff, cast.ngo, cast.assessors[4]):
        refused = api(outsider).post(
            url, {"leaf": leaf.pk, "file": SimpleUploadedFile("a.png", PNG)}, format="multipart"
        )
        assert refused.status_code in (403, 404), outsider.role
    assert api().post(url, {"leaf": leaf.pk}, format="multipart").status_code in (401, 403)
    assert not ScoreEntry.objects.exclude(evidence_file="").exists()


def test_a_submitted_sheet_takes_no_more_evidence(scoring):
    evaluation, sheets, leaves = scoring
    mine = sheets[0]
    services.sheet_save(
        sheet=mine,
        actor=mine.assessor,
        entries={
            leaves[n].pk: services.EntryInput(inputs=inputs_for(leaves[n], v))
            for n, v in full_marks().items()
        },
    )
    services.sheet_submit(sheet=mine, actor=mine.assessor)
    refused = api(mine.assessor).post(
        f"/api/v1/evaluations/{evaluation.pk}/my-sheet/evidence/",
        {"leaf": leaves["个案数"].pk, "file": SimpleUploadedFile("a.png", PNG)},
        format="multipart",
    )
    assert refused.status_code == 409 and refused.data["detail"]
    assert not ScoreEntry.objects.filter(sheet=mine).exclude(evidence_file="").exists()
