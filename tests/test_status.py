"""The status classes on boundary dates, computed in SQL as of any date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.plans.items import status_counts
from tracker.plans.models import Assignment, DueItem
from tracker.plans.operations import TaskSpec
from tracker.plans.status import StatusClass, days_late, status_class

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = date(2024, 3, 15)


@pytest.fixture
def item(db, clock):
    """One open item of Sở Nội vụ due 15/03/2024."""
    make_plan(db, clock, [TaskSpec(content="Báo cáo", lead_codes=["SNV"], schedule=dated(DUE))])
    return db.session.scalar(select(DueItem))


def classify(db, item, as_of: date) -> tuple[str, int | None]:
    return db.session.execute(select(status_class(as_of), days_late(as_of)).where(DueItem.id == item.id)).one()


def complete(db, item, on: date, accepted: datetime | None = None) -> None:
    item.completed_on = on
    item.accepted_at = accepted or datetime.combine(on, time(17), tzinfo=VN)
    item.state = "accepted"
    db.session.commit()


def test_due_today_is_open_on_time(db, item):
    assert classify(db, item, DUE) == (StatusClass.OPEN_ON_TIME, None)


def test_due_yesterday_is_overdue_by_one_day(db, item):
    assert classify(db, item, DUE + timedelta(days=1)) == (StatusClass.OPEN_OVERDUE, 1)
    assert classify(db, item, DUE + timedelta(days=30)) == (StatusClass.OPEN_OVERDUE, 30)


def test_completed_on_the_due_date_is_on_time(db, item):
    complete(db, item, DUE)
    assert classify(db, item, DUE + timedelta(days=10)) == (StatusClass.DONE_ON_TIME, None)


def test_completed_a_day_late(db, item):
    complete(db, item, DUE + timedelta(days=1))
    assert classify(db, item, DUE + timedelta(days=10)) == (StatusClass.DONE_LATE, 1)


def test_extended_due_date_moves_the_deadline_and_keeps_the_original(db, item):
    item.due_date = DUE + timedelta(days=10)
    db.session.commit()
    assert item.original_due_date == DUE
    assert classify(db, item, DUE + timedelta(days=5)) == (StatusClass.OPEN_ON_TIME, None)
    assert classify(db, item, DUE + timedelta(days=11)) == (StatusClass.OPEN_OVERDUE, 1)
    complete(db, item, DUE + timedelta(days=8))
    assert classify(db, item, DUE + timedelta(days=20)) == (StatusClass.DONE_ON_TIME, None)


def test_completion_counts_only_once_accepted(db, item):
    item.completed_on = DUE - timedelta(days=2)
    db.session.commit()
    assert classify(db, item, DUE + timedelta(days=1)) == (StatusClass.OPEN_OVERDUE, 1)


def test_as_of_a_date_before_the_acceptance_the_item_was_open(db, item):
    complete(db, item, DUE + timedelta(days=3), accepted=datetime(2024, 3, 25, 9, 0, tzinfo=VN))
    assert classify(db, item, date(2024, 3, 17)) == (StatusClass.OPEN_OVERDUE, 2)
    assert classify(db, item, date(2024, 3, 25)) == (StatusClass.DONE_LATE, 3)


def test_acceptance_late_in_the_local_day_counts_on_that_day(db, item):
    # 23:30 in Hà Nội is 16:30 UTC: still the local day 18/03
    complete(db, item, DUE, accepted=datetime(2024, 3, 18, 16, 30, tzinfo=UTC))
    assert classify(db, item, date(2024, 3, 18)) == (StatusClass.DONE_ON_TIME, None)
    assert classify(db, item, date(2024, 3, 17)) == (StatusClass.OPEN_OVERDUE, 2)


def test_continuous_and_pending_items(db, clock):
    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Thường xuyên",
                lead_codes=["SNV"],
                deadline_text="Thường xuyên",
                schedule={"kind": "continuous", "due_dates": []},
            ),
            TaskSpec(
                content="Theo kế hoạch của Bộ",
                lead_codes=["SNV"],
                deadline_text="Theo kế hoạch của Bộ Nội vụ",
                schedule={"kind": "external", "due_dates": []},
            ),
        ],
    )
    rows = dict(db.session.execute(select(DueItem.kind, status_class(date(2030, 1, 1)))).all())
    assert rows == {"continuous": StatusClass.OPEN_ON_TIME, "pending": StatusClass.NO_DUE_DATE}


def test_counts_group_every_class_in_one_query(db, clock):
    days = [date(2024, 3, d) for d in (1, 5, 10, 20, 25)]
    make_plan(
        db, clock, [TaskSpec(content=f"Việc {i}", lead_codes=["SNV"], schedule=dated(d)) for i, d in enumerate(days)]
    )
    items = {i.due_date: i for i in db.session.scalars(select(DueItem))}
    complete(db, items[date(2024, 3, 1)], date(2024, 3, 1))
    complete(db, items[date(2024, 3, 5)], date(2024, 3, 7))
    counts = status_counts([Assignment.agency_id.is_not(None)], date(2024, 3, 15), "Asia/Ho_Chi_Minh")
    assert counts == {
        StatusClass.DONE_ON_TIME: 1,
        StatusClass.DONE_LATE: 1,
        StatusClass.OPEN_OVERDUE: 1,
        StatusClass.OPEN_ON_TIME: 2,
    }
