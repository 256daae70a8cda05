"""The demo case files are plausible (valid ID numbers) and plainly fictitious, and load once."""

import os

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from beneficiaries.demo import DEMO_NOTE, demo_id_number
from beneficiaries.models import Beneficiary
from core.models import TransitionLog

pytestmark = pytest.mark.django_db


def _load():
    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)


def test_demo_files_are_valid_marked_and_idempotent():
    _load()
    files = list(Beneficiary.objects.select_related("organization", "contract"))
    assert len(files) == 8
    assert {f.organization.name for f in files} == {"武汉爱心天使社会工作服务中心"}
    assert {f.contract.number for f in files} == {"HT-QJ-2026-001"}
    for f in files:
        f.full_clean()  # every rule the form applies holds
        assert f.notes.startswith(DEMO_NOTE)
        assert f.guardian_phone.startswith("1390000")
        if f.id_number:
            assert ric.is_valid(f.id_number)
            assert f.id_number[14:16] == "99"  # the demo sequence codes 990-999
    assert {f.category for f in files} >= {"left_behind_child", "left_behind_elder"}
    logs = TransitionLog.objects.count()
    _load()
    assert Beneficiary.objects.count() == 8 and TransitionLog.objects.count() == logs


def test_demo_id_numbers_carry_a_correct_check_digit():
    number = demo_id_number("429005", __import__("datetime").date(2015, 3, 12), 992)
    assert len(number) == 18 and ric.validate(number) == number
