"""Working days: weekends, Vietnam's public holidays (from the holidays package) and the administrator's swaps."""

from __future__ import annotations

from datetime import date

from tracker.deadlines.calendar import WorkCalendar


def test_weekends_and_public_holidays_are_not_working_days():
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2024, 3, 2))  # Saturday
    assert not cal.is_working_day(date(2024, 2, 12))  # Tết
    assert not cal.is_working_day(date(2024, 4, 18))  # Giỗ Tổ Hùng Vương, 10/3 lunar
    assert not cal.is_working_day(date(2024, 4, 30)) and not cal.is_working_day(date(2024, 5, 1))
    assert not cal.is_working_day(date(2024, 9, 2)) and not cal.is_working_day(date(2024, 9, 3))
    assert cal.is_working_day(date(2024, 3, 4))


def test_three_working_days_across_tet():
    # Decision announced Wednesday 07/02/2024; Tết closes 08–14/02; the weekend follows
    assert WorkCalendar().add_working_days(date(2024, 2, 7), 3) == date(2024, 2, 19)


def test_overrides_from_the_administrator_win():
    # The government swapped Monday 29/04/2024 off for Saturday 04/05/2024 on
    cal = WorkCalendar({date(2024, 5, 4): True})
    assert cal.is_working_day(date(2024, 5, 4))
    assert not cal.is_working_day(date(2024, 4, 29))
    assert cal.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)
    assert cal.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    extra = WorkCalendar({date(2024, 3, 4): False})
    assert extra.add_working_days(date(2024, 3, 1), 1) == date(2024, 3, 5)


def test_working_days_between_is_the_inverse_of_adding():
    cal = WorkCalendar()
    start = date(2024, 4, 25)
    for n in (1, 5, 10, 30):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n
    assert cal.working_days_between(date(2024, 3, 8), date(2024, 3, 1)) == -5
