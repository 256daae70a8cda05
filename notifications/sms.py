"""SMS senders. The platform names one in settings.SANSHE_SMS_SENDER (a dotted path to a class
with `send(mobile, text)`); the default writes to the log, so nothing leaves the machine until an
operator configures the provider their government cloud offers."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("sanshe.sms")


class SmsSender(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class LoggingSender:
    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s***: %s", mobile[:3], text)


def sender() -> SmsSender:
    path = getattr(settings, "SANSHE_SMS_SENDER", "notifications.sms.LoggingSender")
    return import_string(path)()  # type: ignore[no-any-return]
