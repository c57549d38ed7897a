"""The one source of "now" for domain code: injectable, in the configured time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


class Clock:
    """The wall clock, in a time zone (Asia/Ho_Chi_Minh by default)."""

    def __init__(self, tz: str = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()


class FixedClock(Clock):
    """A clock that stands still until moved: for tests and for running a job as of a moment."""

    def __init__(self, at: datetime, tz: str = "Asia/Ho_Chi_Minh") -> None:
        super().__init__(tz)
        self.set(at)

    def set(self, at: datetime) -> None:
        self._now = at.replace(tzinfo=self.tz) if at.tzinfo is None else at.astimezone(self.tz)

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def now(self) -> datetime:
        return self._now


def get_clock() -> Clock:
    """The application's clock (a fresh wall clock outside an app context)."""
    if has_app_context():
        return current_app.extensions["tracker.clock"]
    return Clock()


def now() -> datetime:
    return get_clock().now()


def today() -> date:
    return get_clock().today()
