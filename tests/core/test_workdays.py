"""Legal deadlines count working days by the official calendar, 调休 included."""

import datetime as dt

import chinese_calendar
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import HolidayYear
from core.workdays import (
    CalendarNotCoveredError,
    add_workdays,
    is_covered,
    is_workday,
    within_workdays,
    workdays_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


def test_national_day_week_is_not_working_but_the_makeup_saturday_is():
    # 2026: 国庆/中秋 1-7 Oct off (8 Oct too); Saturday 10 Oct is worked in lieu (调休).
    assert not is_workday(D(2026, 10, 1))
    assert not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 10, 10))
    assert not is_workday(D(2026, 10, 11))  # an ordinary Sunday


def test_award_notice_two_working_days_over_national_day():
    # Awarded on Wednesday 30 Sep 2026: two working days later is Friday 9 Oct, not 2 Oct.
    assert add_workdays(D(2026, 9, 30), 2) == D(2026, 10, 9)


def test_objection_window_seven_working_days_across_a_weekend():
    # Monday 16 Nov 2026 + 7 working days = Wednesday 25 Nov.
    assert add_workdays(D(2026, 11, 16), 7) == D(2026, 11, 25)
    assert workdays_between(D(2026, 11, 16), D(2026, 11, 25)) == 7


def test_spring_festival_2026():
    # 春节 2026: 15-23 Feb off; Saturday 14 Feb and Saturday 28 Feb are worked.
    assert is_workday(D(2026, 2, 14))
    assert not is_workday(D(2026, 2, 17))
    assert is_workday(D(2026, 2, 28))


def test_zero_and_reverse_ranges():
    assert add_workdays(D(2026, 11, 20), 0) == D(2026, 11, 20)
    assert workdays_between(D(2026, 11, 25), D(2026, 11, 20)) == 0


def test_a_year_nobody_covers_is_refused_not_guessed():
    # The package covers up to 2026; 2030 has no recorded arrangement: refuse, never Mon-Fri.
    with pytest.raises(CalendarNotCoveredError, match="2030"):
        is_workday(D(2030, 1, 7))
    with pytest.raises(CalendarNotCoveredError, match="2030"):
        add_workdays(D(2030, 1, 2), 3)
    assert not is_covered(2030) and is_covered(2026)


def test_a_recorded_arrangement_decides_the_year(admin_client):
    # The administrator records the (made-up, test-only) arrangement for 2030 through the admin.
    response = admin_client.post(
        reverse("admin:core_holidayyear_add"),
        {
            "year": "2030",
            "notice": "测试用：2030年部分节假日安排",
            "holidays": "2030-01-01\n2030-02-02..2030-02-08",
            "workdays": "2030-01-26",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert HolidayYear.objects.get(year=2030).notice.startswith("测试用")
    assert not is_workday(D(2030, 1, 1))  # a Tuesday, but a holiday
    assert is_workday(D(2030, 1, 26))  # a Saturday worked in lieu
    assert not is_workday(D(2030, 2, 4))  # a Monday in the Spring Festival break
    # Friday 1 Feb + 1 working day skips the whole break.
    assert add_workdays(D(2030, 2, 1), 1) == D(2030, 2, 11)
    # The package's own year can be overridden as well, the record wins.
    assert is_covered(2030)


@pytest.mark.parametrize(
    "holidays, message",
    [
        ("2030-13-01", "第1行：“2030-13-01”不是日期"),
        ("2030-01-01\n2031-01-02", "第2行：“2031-01-02”不是2030年内"),
        ("2030-02-09..2030-02-01", "第1行"),
    ],
)
def test_a_bad_line_is_named(admin_client, holidays, message):
    response = admin_client.post(
        reverse("admin:core_holidayyear_add"),
        {"year": "2030", "notice": "x", "holidays": holidays, "workdays": ""},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HolidayYear.objects.exists()


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 11, 30)),
    n=st.integers(min_value=0, max_value=20),
)
@settings(max_examples=200, deadline=None)
def test_add_and_count_agree_with_the_package(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    assert n == 0 or chinese_calendar.is_workday(end)
    # No working day is skipped between start and end.
    between = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(1 for d in between if chinese_calendar.is_workday(d)) == n


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=10),
    offset=st.integers(min_value=-3, max_value=30),
)
@settings(max_examples=200, deadline=None)
def test_within_workdays_agrees_with_the_due_day(start, n, offset):
    day = start + dt.timedelta(days=offset)
    assert within_workdays(start, n, day) == (day <= add_workdays(start, n))


def test_whether_today_is_late_needs_no_calendar_beyond_today():
    # Signed Wednesday 30 Dec 2026: the 7th working day is in 2027, which nobody covers here, but
    # on 31 Dec it is plainly not late yet; the due day itself is refused, not guessed.
    assert within_workdays(D(2026, 12, 30), 7, D(2026, 12, 31))
    with pytest.raises(CalendarNotCoveredError, match="2027"):
        add_workdays(D(2026, 12, 30), 7)
    # Two working days after Monday 28 Dec 2026 is Wednesday 30 Dec: the 31st is late.
    assert within_workdays(D(2026, 12, 28), 2, D(2026, 12, 30))
    assert not within_workdays(D(2026, 12, 28), 2, D(2026, 12, 31))
