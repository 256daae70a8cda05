"""Working days by the official PRC holiday calendar (法定节假日 and 调休 working weekends).

Two sources, in this order: the arrangement an administrator recorded for the year (HolidayYear,
from the 国务院办公厅 notice), then the maintained `chinese-calendar` package. A year known to
neither is REFUSED (CalendarNotCoveredError) instead of counted Monday-Friday: a guess moves
statutory deadlines around the Spring Festival by a week.
"""

from __future__ import annotations

import datetime as dt
import time

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.fsm import ActionRefusedError
from core.models import HolidayYear

# year -> (days off, weekend days worked) or None when no arrangement is recorded. Kept briefly:
# another process may record a year; this one picks it up within a minute.
_CACHE_SECONDS = 60.0
_arrangements: dict[int, tuple[float, tuple[frozenset[dt.date], frozenset[dt.date]] | None]] = {}


class CalendarNotCoveredError(ActionRefusedError):
    """No official holiday arrangement is known for a year a deadline falls in."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            _(
                "No official holiday arrangement for %(year)s is recorded, so working-day "
                "deadlines in %(year)s cannot be computed (the year's 国务院办公厅 holiday "
                "notice decides them). An administrator records that notice under "
                "Administration → Holiday arrangements."
            )
            % {"year": year}
        )


def parse_days(text: str, year: int, *, field: str = "holidays") -> list[dt.date]:
    """Dates and `from..to` ranges, one per line, all inside `year`; errors name the line."""
    days: list[dt.date] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("～", "..").replace("至", "..")
        if not line:
            continue
        try:
            if ".." in line:
                first, last = (dt.date.fromisoformat(p.strip()) for p in line.split("..", 1))
            else:
                first = last = dt.date.fromisoformat(line)
        except ValueError as exc:
            raise ValidationError(
                {
                    field: _("Line %(n)s: “%(text)s” is not a date (YYYY-MM-DD).")
                    % {"n": number, "text": raw.strip()}
                }
            ) from exc
        if first > last or first.year != year or last.year != year:
            raise ValidationError(
                {
                    field: _("Line %(n)s: “%(text)s” is not a range inside %(year)s.")
                    % {"n": number, "text": raw.strip(), "year": year}
                }
            )
        day = first
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=1)
    return days


def forget_arrangements() -> None:
    _arrangements.clear()


def _arrangement(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]] | None:
    cached = _arrangements.get(year)
    if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    row = HolidayYear.objects.filter(year=year).first()
    value = (
        (
            frozenset(parse_days(row.holidays, year)),
            frozenset(parse_days(row.workdays, year, field="workdays")),
        )
        if row is not None
        else None
    )
    _arrangements[year] = (time.monotonic(), value)
    return value


def is_covered(year: int) -> bool:
    """Whether working days in `year` can be counted (recorded arrangement or the package)."""
    try:
        is_workday(dt.date(year, 6, 1))
    except CalendarNotCoveredError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """True on an official working day, including a weekend day worked in lieu (调休)."""
    recorded = _arrangement(day.year)
    if recorded is not None:
        off, worked = recorded
        if day in off:
            return False
        return day in worked or day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarNotCoveredError(day.year) from exc


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


def within_workdays(start: dt.date, n: int, day: dt.date) -> bool:
    """Whether `day` is no later than the `n`th working day after `start`.

    The same answer as `day <= add_workdays(start, n)`, but it reads the calendar only up to
    `day`: whether something done today was on time is known even when the deadline itself would
    fall in a year whose arrangement is not yet recorded (a contract signed on 30 December).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if day <= start:
        return True
    if n == 0:
        return False
    count = 0
    current = start
    while current < day:
        current += dt.timedelta(days=1)
        if is_workday(current):
            count += 1
            if count == n:
                return current >= day
    return True


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
