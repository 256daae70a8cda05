"""Spreadsheet import and export of organisations (django-import-export)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from accounts.models import AdminLevel, Organization, OrgKind


class ChoiceWidget(widgets.Widget):
    """Accept a choice by its code or by its label in any UI language; export the code."""

    def __init__(self, choices: type[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        for member in self.choices:
            labels = {member.value, str(member.label)}
            for lang in ("zh-hans", "en"):
                with translation.override(lang):
                    labels.add(str(member.label))
            if text in labels:
                return str(member.value)
        allowed = "、".join(str(m.label) for m in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s") % {"value": text, "allowed": allowed}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(value or "")


class ParentWidget(widgets.ForeignKeyWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if not value:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except Organization.DoesNotExist as exc:
            raise ValueError(
                _(
                    "Parent organisation “%(name)s” does not exist (it must be in the system or on an earlier row)."
                )
                % {"name": value}
            ) from exc


class OrganizationResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="name")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(OrgKind))
    level = fields.Field(attribute="level", column_name="level", widget=ChoiceWidget(AdminLevel))
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=ParentWidget(Organization, "name")
    )

    class Meta:
        model = Organization
        import_id_fields = ("name",)
        fields = (
            "name",
            "kind",
            "parent",
            "level",
            "region",
            "credit_code",
            "legal_representative",
            "contact_person",
            "phone",
            "address",
            "is_sme",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        if not str(row.get("name") or "").strip():
            raise ValidationError(_("Organisation name is empty."))
