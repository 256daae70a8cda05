"""ID and phone numbers are masked everywhere except the edit form, by one helper."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.masking import ERASED_NAME, mask_id_number, mask_name, mask_phone


def test_id_number_keeps_the_first_three_and_the_last_four():
    assert mask_id_number("420106201503121234") == "420***********1234"
    assert mask_id_number("42010620150312123X") == "420***********123X"


def test_phone_keeps_the_prefix_and_the_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_names_keep_the_surname_only_and_erased_stays_readable():
    assert mask_name("周子涵") == "周**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name(ERASED_NAME) == ERASED_NAME


@pytest.mark.parametrize("value", ["", None, "1234", "1234567"])
def test_empty_and_short_values_never_show_their_digits(value):
    masked = mask_id_number(value)
    assert set(masked) <= {"*"} and len(masked) == len(value or "")
    assert set(mask_phone(value)) <= {"*"}


def test_templates_use_the_same_helper():
    out = Template("{% load masking %}{{ i|mask_id }} {{ p|mask_phone }} {{ n|mask_name }}").render(
        Context({"i": "420106201503121234", "p": "13812345678", "n": "周子涵"})
    )
    assert out == "420***********1234 138****5678 周**"


@pytest.mark.django_db
def test_the_list_page_masks_and_only_the_edit_form_shows_the_numbers(register, login):
    child = register.files[0]
    client = login(register.staff)
    body = client.get(reverse("beneficiaries:list")).content.decode()
    assert child.name in body  # the NGO's own file: the name is for its staff
    assert child.id_number not in body and child.guardian_phone not in body
    assert mask_id_number(child.id_number) in body and mask_phone(child.guardian_phone) in body
    form = client.get(reverse("beneficiaries:edit", args=[child.pk])).content.decode()
    assert child.id_number in form and child.guardian_phone in form


@pytest.mark.django_db
def test_str_is_masked_so_messages_and_admin_headers_do_not_carry_the_name(register):
    child = register.files[0]
    assert str(child) == f"周** #{child.pk}"


@pytest.mark.django_db
def test_the_api_masks_for_the_owning_ngo(register, login):
    child = register.files[0]
    data = login(register.staff).get("/api/v1/beneficiaries/").json()
    row = next(r for r in data["results"] if r["id"] == child.pk)
    assert row["id_number_masked"] == mask_id_number(child.id_number)
    assert row["guardian_phone_masked"] == mask_phone(child.guardian_phone)
    text = str(data)
    assert child.id_number not in text and child.guardian_phone not in text
    assert "notes" not in row


@pytest.mark.django_db
def test_the_admin_list_masks_names_ids_and_phones(register, login):
    child = register.files[0]
    body = (
        login(register.users["admin"])
        .get(reverse("admin:beneficiaries_beneficiary_changelist"), {"q": child.id_number})
        .content.decode()
    )
    assert mask_id_number(child.id_number) in body and "周**" in body
    assert child.name not in body and child.guardian_phone not in body
    # The search box and the sort/filter links echo what the administrator typed; no cell does.
    for echo in (f'value="{child.id_number}"', f"q={child.id_number}", f"q%3D{child.id_number}"):
        body = body.replace(echo, "")
    assert child.id_number not in body
