"""`get_<field>_display()` from a label table built once per field.

Django's own version rebuilds the field's choices as a hashable dict on every call, and hashing
a lazy label translates it: a state field with twelve choices costs twelve gettext calls per
display. Lists of fifty rows with three labelled columns spent about 5 % of a page's CPU there.
The table here maps each stored value to its lazy label, so a display is one dict look-up and
one translation, in the language active at the call, as before.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields import Field
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str

# Django's own method, private and untyped in django-stubs; kept for values a table cannot hold.
_djangos_display = models.Model._get_FIELD_display  # type: ignore[attr-defined]

_tables: dict[Field[Any, Any], dict[Any, Any]] = {}


def _display(self: models.Model, field: Field[Any, Any]) -> Any:
    value = getattr(self, field.attname)
    table = _tables.get(field)
    if table is None:
        table = _tables[field] = dict(field.flatchoices)
    try:
        label = table.get(value, value)
    except TypeError:  # an unhashable value (a JSON list): Django's own way copes with it
        return _djangos_display(self, field)
    return force_str(label, strings_only=True)


def install() -> None:
    """Give every model's choice fields the table look-up, where Django put its own method
    (a model's hand-written `get_<field>_display` is left alone)."""
    for model in apps.get_models():
        for field in model._meta.local_fields:
            name = f"get_{field.name}_display"
            if not field.choices or not isinstance(model.__dict__.get(name), partialmethod):
                continue
            # Choices given as a callable may change between calls: Django's way re-reads them.
            if isinstance(field.choices, CallableChoiceIterator):
                continue
            setattr(model, name, partialmethod(_display, field=field))
