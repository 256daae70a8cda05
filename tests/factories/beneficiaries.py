from __future__ import annotations

import datetime as dt

import factory

from beneficiaries.demo import demo_id_number
from beneficiaries.models import Beneficiary, Gender
from tests.factories.accounts import NgoFactory


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """A left-behind child's file with a check-digit-valid ID number (demo sequence codes)."""

    class Meta:
        model = Beneficiary

    organization = factory.SubFactory(NgoFactory)
    contract = None
    category = "left_behind_child"
    name = factory.Sequence(lambda n: f"测试儿童{n:03d}")
    birth_date = factory.Sequence(lambda n: dt.date(2014, 1, 1) + dt.timedelta(days=n))
    birth_year = factory.LazyAttribute(lambda o: o.birth_date.year)
    gender = Gender.FEMALE
    # Sequence 990, 992, … (even: female) keeps ID numbers unique per birth date.
    id_number = factory.LazyAttribute(lambda o: demo_id_number("429005", o.birth_date, 990))
    guardian_name = factory.Sequence(lambda n: f"测试监护人{n:03d}")
    guardian_phone = factory.Sequence(lambda n: f"1390000{n % 10000:04d}")
    village = "园林街道三桥村"
    notes = ""
