"""The government's status classification of a due item as of a date, built as SQL.

Every page, report and job classifies through :func:`status_class`, so all of them agree, and
counting is one ``GROUP BY`` however many items there are.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, or_
from sqlalchemy.sql.expression import ColumnElement

from tracker.core.db import days_between
from tracker.plans.models import DueItem, DueKind, ItemState


class StatusClass(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_ON_TIME = "open_on_time"
    OPEN_OVERDUE = "open_overdue"
    NO_DUE_DATE = "no_due_date"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    StatusClass.DONE_ON_TIME: "Hoàn thành đúng hạn",
    StatusClass.DONE_LATE: "Hoàn thành quá hạn",
    StatusClass.OPEN_ON_TIME: "Chưa hoàn thành, trong hạn",
    StatusClass.OPEN_OVERDUE: "Chưa hoàn thành, quá hạn",
    StatusClass.NO_DUE_DATE: "Chưa có hạn",
}
#: Display order: the four government classes, then the items waiting for a date
STATUS_ORDER = tuple(StatusClass)


def _end_of_day(as_of: date, tz: str) -> datetime:
    """The instant the local day ``as_of`` ends: acceptances before it count on that day."""
    return datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))


def is_done(as_of: date, tz: str = "Asia/Ho_Chi_Minh") -> ColumnElement[bool]:
    """Completed and accepted by the end of ``as_of`` (a report waiting for the office is still open)."""
    return and_(
        DueItem.state == ItemState.ACCEPTED.value,
        DueItem.completed_on.is_not(None),
        DueItem.completed_on <= as_of,
        DueItem.accepted_at.is_not(None),
        DueItem.accepted_at < _end_of_day(as_of, tz),
    )


def status_class(as_of: date, tz: str = "Asia/Ho_Chi_Minh") -> ColumnElement[str]:
    """SQL for the status class of a due item as of the local date ``as_of``.

    - completed (and accepted) on or before the due date: done on time; after it: done late;
    - open with a due date on or after ``as_of`` (due today is not yet overdue), or continuous:
      open on time; open with a due date before ``as_of``: open and overdue;
    - open with no date yet (relative or external deadline): no due date.
    An approved extension moves ``due_date``; ``original_due_date`` keeps the plan's date.
    """
    done = is_done(as_of, tz)
    return case(
        (
            and_(done, or_(DueItem.due_date.is_(None), DueItem.completed_on <= DueItem.due_date)),
            StatusClass.DONE_ON_TIME.value,
        ),
        (done, StatusClass.DONE_LATE.value),
        (and_(DueItem.due_date.is_not(None), DueItem.due_date < as_of), StatusClass.OPEN_OVERDUE.value),
        (or_(DueItem.due_date.is_not(None), DueItem.kind == DueKind.CONTINUOUS.value), StatusClass.OPEN_ON_TIME.value),
        else_=StatusClass.NO_DUE_DATE.value,
    )


def days_late(as_of: date, tz: str = "Asia/Ho_Chi_Minh") -> ColumnElement[int | None]:
    """SQL for how many days an item is (or was, when completed) past its due date; NULL if not late."""
    done = is_done(as_of, tz)
    return case(
        (and_(done, DueItem.completed_on > DueItem.due_date), days_between(DueItem.completed_on, DueItem.due_date)),
        (and_(~done, DueItem.due_date < as_of), days_between(as_of, DueItem.due_date)),
        else_=None,
    )
