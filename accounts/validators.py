"""Validation of Chinese registration numbers, delegated to python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def validate_credit_code(value: str) -> None:
    """Reject a 统一社会信用代码 whose length, characters or check digit (GB 32100-2015) is wrong."""
    try:
        uscc.validate(value)
    except InvalidLength as exc:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(value)s” has %(n)s."),
            params={"value": value, "n": len(value)},
            code="length",
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(
            _("“%(value)s” contains characters not allowed in a unified social credit code."),
            params={"value": value},
            code="format",
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The check digit of unified social credit code “%(value)s” is wrong."),
            params={"value": value},
            code="checksum",
        ) from exc
