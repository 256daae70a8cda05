"""Template filters for personal identifiers; they only call core.masking."""

from __future__ import annotations

from django import template

from core.masking import mask_id_number, mask_name, mask_phone

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)
