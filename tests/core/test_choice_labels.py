"""Every model's `get_<field>_display()` reads its label from a table built once per field and
gives what Django's own method gives: for every stored value and an unknown one, in Chinese and
in English (the label is translated when shown, not when the table is built)."""

from __future__ import annotations

from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core import choice_labels
from procurement.models import Tender

CHOICE_FIELDS = [
    (model, field)
    for model in apps.get_models()
    for field in model._meta.local_fields
    if field.choices and isinstance(model.__dict__.get(f"get_{field.name}_display"), partialmethod)
]


def test_the_tables_are_installed():
    assert len(CHOICE_FIELDS) >= 40
    method = Tender.__dict__["get_state_display"]
    assert method.func is choice_labels._display


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("model", "field"), CHOICE_FIELDS, ids=lambda x: getattr(x, "label", getattr(x, "name", x))
)
def test_display_is_djangos(model, field, language):
    values = [value for value, _label in field.flatchoices] + ["no-such-value", None]
    with translation.override(language):
        for value in values:
            obj = model()
            # Straight into the instance: a protected state field refuses assignment.
            obj.__dict__[field.attname] = value
            ours = getattr(obj, f"get_{field.name}_display")()
            assert ours == models.Model._get_FIELD_display(obj, field), (model, field, value)
            assert type(ours) is type(models.Model._get_FIELD_display(obj, field))


def test_the_label_follows_the_active_language():
    tender = Tender()
    tender.__dict__["state"] = "published"
    with translation.override("en"):
        english = tender.get_state_display()
    with translation.override("zh-hans"):
        chinese = tender.get_state_display()
    assert english != chinese
    assert english == "Published, accepting bids"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese
