"""Checks of 身份证号 and mobile numbers. Messages never repeat the value: they end up in logs."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_id_number(value: str) -> str:
    """Spaces dropped and a lower-case check character x raised, as people type them."""
    return re.sub(r"[\s-]", "", value or "").upper()


def normalize_phone(value: str) -> str:
    """Spaces and hyphens dropped, and a +86 / 86 country prefix removed."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def validate_id_number(value: str) -> None:
    """Length, digits, check digit (GB 11643-1999) and the birth date and region it encodes."""
    try:
        ric.validate(value)
    except InvalidLength as exc:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length") from exc
    except InvalidFormat as exc:
        raise ValidationError(
            _("The first 17 characters of a resident ID number are digits."), code="format"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The check digit (the last character) of this resident ID number is wrong."),
            code="checksum",
        ) from exc
    except InvalidComponent as exc:
        raise ValidationError(
            _("The birth date or the region code in this resident ID number does not exist."),
            code="component",
        ) from exc


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number that starts with 1, e.g. 13800000000."),
            code="mobile",
        )


def id_birth_date(value: str) -> dt.date:
    """The birth date encoded in a valid ID number."""
    return ric.get_birth_date(value)


def id_is_male(value: str) -> bool:
    """The 17th digit is odd for men and even for women."""
    return int(value[16]) % 2 == 1


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def validate_phone(value: str) -> None:
    """A mobile number or a landline with its area code (a school office has one)."""
    if not PHONE_RE.match(value or ""):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number or a landline with its area code, "
                "e.g. 0716-8123456."
            ),
            code="phone",
        )
