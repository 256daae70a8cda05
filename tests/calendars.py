"""A TEST-ONLY holiday arrangement for the years the official calendar does not cover yet.

Tests that act today set real statutory deadlines (a 10-working-day appeal period, a 7-working-day
filing): late in a year they fall in the next one. `chinese-calendar` covers up to 2026 and the
State Council's notice for 2027 is not recorded in this project, so such a test would depend on
the day it runs. It records, for each such year, an arrangement that is plainly NOT the official
one — Monday to Friday, with only 1 January off (元旦, a day off every year by law) — and says so
in its notice. Tests that assert exact dates use years the package covers; this only keeps the
others running whatever the date. Never used by the product or the demo.
"""

from __future__ import annotations

import datetime as dt

TEST_ONLY_NOTICE = "测试专用，非官方安排：{year}年的国务院办公厅节假日安排尚未录入，测试中按周一至周五计，仅1月1日放假"


def record_test_only_calendars(today: dt.date | None = None, days_ahead: int = 120) -> list[int]:
    """Record the test-only arrangement for every year up to `days_ahead` from today that
    neither the package nor a recorded arrangement covers; returns the years recorded."""
    from django.utils import timezone

    from core.models import HolidayYear
    from core.workdays import forget_arrangements, is_covered

    today = today or timezone.localdate()
    recorded = []
    for year in range(today.year, (today + dt.timedelta(days=days_ahead)).year + 1):
        if not is_covered(year):
            HolidayYear.objects.create(
                year=year,
                notice=TEST_ONLY_NOTICE.format(year=year),
                holidays=f"{year}-01-01",
                workdays="",
            )
            recorded.append(year)
    forget_arrangements()
    return recorded


def independent_is_workday(day: dt.date) -> bool:
    """A count independent of core.workdays, for tests' expected dates: the package where it
    covers the year, else the TEST-ONLY arrangement above (Monday-Friday, 1 January off)."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) != (1, 1)


def demo_loader(ctx: dict) -> None:
    """First of the demo loaders in tests (tests/conftest.py puts it there): the demo acts today,
    so late in a year its deadlines reach the next one, which only this TEST-ONLY arrangement
    covers until the official one is recorded."""
    record_test_only_calendars()
