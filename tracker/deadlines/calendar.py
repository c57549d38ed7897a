"""Working days in Vietnam: weekends and public holidays off, plus the swaps the government announces.

Public holidays (Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 …) come from the maintained ``holidays`` package; an
administrator's overrides (a swapped working Saturday, an extra day off) are passed in as a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


class WorkCalendar:
    """Which days are working days; ``overrides`` maps a date to True (working) or False (day off)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})

    @classmethod
    def from_database(cls) -> WorkCalendar:
        """The calendar with the administrator's overrides (one query)."""
        from sqlalchemy import select

        from tracker.deadlines.models import CalendarOverride
        from tracker.extensions import db

        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_working_day)).all()
        return cls({day: working for day, working in rows})

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def add_working_days(self, start: date, amount: int) -> date:
        """The day ``amount`` working days after ``start`` (the day itself does not count)."""
        day = start
        remaining = amount
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))
