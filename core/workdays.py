"""Working days by the official PRC holiday calendar (法定节假日 and 调休 working weekends).

Backed by the maintained `chinese-calendar` package. For a year it does not cover yet (the
State Council publishes each year's arrangement in the autumn before), the calendar falls back
to Monday-Friday and logs a warning once per year: deadlines stay computable, and the package
upgrade that brings the new year makes them exact.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

logger = logging.getLogger(__name__)
_warned: set[int] = set()


def is_workday(day: dt.date) -> bool:
    """True on an official working day, including a weekend day worked in lieu (调休)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            logger.warning("no official holiday calendar for %s; counting Monday-Friday", day.year)
        return day.weekday() < 5


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date that is `n` working days after `start` (`start` itself is not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def calendar_days_between(start: dt.date, end: dt.date) -> int:
    """Calendar days from `start` to `end` (negative when end is earlier)."""
    return (end - start).days
