"""Legal deadlines count working days by the official calendar, 调休 included."""

import datetime as dt

from core.workdays import add_workdays, is_workday, workdays_between

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


def test_a_year_the_calendar_does_not_cover_falls_back_to_weekdays(caplog):
    # The package covers up to 2026 today; 2030 is counted Monday-Friday, with a warning.
    assert is_workday(D(2030, 1, 7))  # a Monday
    assert not is_workday(D(2030, 1, 5))  # a Saturday
    assert add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)
