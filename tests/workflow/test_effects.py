"""The states reach the jobs and reports: reminders follow them, the monthly list counts late reasons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tracker.notifications.models import ReminderStage
from tracker.notifications.reminders import send_reminders
from tracker.plans.models import DueItem
from tracker.reports.monthly import build_monthly_report
from tracker.workflow.operations import (
    CompletionData,
    LateReasonData,
    decide_extension,
    report_completion,
    request_extension,
    review_completion,
)

VN = "Asia/Ho_Chi_Minh"


def _at(day: date, hour: int = 8):
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(VN))


def _notified(run, item: DueItem) -> list[str]:
    """The stages ``run`` claimed (and told) for ``item``."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.notifications.models import ReminderStage

    return db.session.scalars(
        select(ReminderStage.stage)
        .where(ReminderStage.run_id == run.run_id, ReminderStage.due_item_id == item.id)
        .order_by(ReminderStage.stage)
    ).all()


def _late_report(item, staff, day: date, now):
    report_completion(
        item,
        CompletionData(
            completed_on=day,
            result="Đã ban hành",
            late_reason=LateReasonData(category="tham_muu", text="Dự thảo phải xin ý kiến lại"),
        ),
        by=staff,
        now=now,
    )


def test_reminders_skip_reported_items_and_return_to_returned_ones(world, make_user, db):
    item = world["items"][("1", "SNV")]
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    run = send_reminders(_at(date(2024, 3, 18)))  # the first working day after 15/03
    db.session.commit()
    assert _notified(run, item) == ["overdue_0"]

    _late_report(item, staff, date(2024, 3, 18), _at(date(2024, 3, 18), 10))
    db.session.commit()
    run = send_reminders(_at(date(2024, 3, 25)))  # a week later: the next overdue stage, but it waits for review
    db.session.commit()
    assert _notified(run, item) == []

    review_completion(item, decision="return", comment="Thiếu văn bản", by=office, now=_at(date(2024, 3, 25), 9))
    db.session.commit()
    run = send_reminders(_at(date(2024, 3, 25), 10))
    db.session.commit()
    assert _notified(run, item) == ["overdue_1"]


def test_an_extension_gives_the_stages_of_its_new_date(world, make_user, db):
    item = world["items"][("1", "SNV")]
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    run = send_reminders(_at(date(2024, 3, 6)))  # 7 working days before 15/03
    db.session.commit()
    assert _notified(run, item) == ["due_soon_7"]

    request = request_extension(
        item, due_date=date(2024, 4, 12), reason="Chờ hướng dẫn của Bộ", by=staff, now=_at(date(2024, 3, 7))
    )
    decide_extension(request, decision="approve", comment="", by=office, now=_at(date(2024, 3, 7), 10))
    db.session.commit()
    # the plan's date has passed but the extended one has not: not overdue
    run = send_reminders(_at(date(2024, 3, 18)))
    db.session.commit()
    assert _notified(run, item) == []
    run = send_reminders(_at(date(2024, 4, 3)))  # 7 working days before 12/04 (10/04 is a working day)
    db.session.commit()
    assert _notified(run, item) == ["due_soon_7"]
    stages = db.session.execute(
        select(ReminderStage.due_date, ReminderStage.stage).where(ReminderStage.due_item_id == item.id)
    ).all()
    assert sorted(stages) == [(date(2024, 3, 15), "due_soon_7"), (date(2024, 4, 12), "due_soon_7")]


def test_monthly_list_counts_late_reasons_and_extensions(world, make_user, db):
    item = world["items"][("1", "SNV")]
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    _late_report(item, staff, date(2024, 3, 20), _at(date(2024, 3, 20)))
    db.session.commit()
    before = {line.name: line for line in build_monthly_report(2024, 3).lines}
    assert before["Sở Nội vụ"].counts == {"open_overdue": 1}  # reported, not yet accepted
    review_completion(item, decision="accept", comment="", by=office, now=_at(date(2024, 3, 21)))
    db.session.commit()
    report = build_monthly_report(2024, 3)
    lines = {line.name: line for line in report.lines}
    assert lines["Sở Nội vụ"].counts == {"done_late": 1}
    assert lines["Sở Nội vụ"].late_reasons == {"tham_muu": 1}
    assert report.late_reason_totals["tham_muu"] == 1
    assert "Sở Nội vụ" not in {line.name for line in report.late_lines}


def test_accepted_as_of_dates(world, make_user, db):
    """Completed on the reported date once accepted; before the acceptance it was open."""
    from tracker.plans.status import status_class

    item = world["items"][("1", "SNV")]
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    report_completion(
        item, CompletionData(completed_on=date(2024, 3, 14), result="Xong"), by=staff, now=_at(date(2024, 3, 14))
    )
    review_completion(item, decision="accept", comment="", by=office, now=_at(date(2024, 3, 19)))
    db.session.commit()

    def on(day):
        return db.session.scalar(select(status_class(day)).where(DueItem.id == item.id))

    assert on(date(2024, 3, 18)) == "open_overdue"
    assert on(date(2024, 3, 19)) == "done_on_time"


def test_coordinators_are_done_when_the_lead_is_accepted(world, make_user, db):
    from tracker.plans.status import status_class

    lead = world["items"][("1", "SNV")]
    coordinator = world["items"][("1", "SYT")]
    staff = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    report_completion(
        lead, CompletionData(completed_on=date(2024, 3, 14), result="Xong"), by=staff, now=_at(date(2024, 3, 14))
    )
    db.session.commit()
    assert db.session.get(DueItem, coordinator.id).state == "open"  # a report alone does not close it
    review_completion(lead, decision="accept", comment="", by=office, now=_at(date(2024, 3, 15)))
    db.session.commit()
    item = db.session.get(DueItem, coordinator.id)
    assert (item.state, item.completed_on) == ("accepted", date(2024, 3, 14))
    assert db.session.scalar(select(status_class(date(2024, 3, 20))).where(DueItem.id == item.id)) == "done_on_time"
    run = send_reminders(_at(date(2024, 3, 18)))
    assert _notified(run, item) == []


def test_a_change_committed_in_between_is_a_stale_version(world, make_user, db):
    """Two clerks save at the same moment: the second write finds the version moved and changes nothing."""
    import pytest
    from sqlalchemy import text

    from tracker.workflow.operations import StaleVersion, flush_or_stale, update_progress

    item = world["items"][("1", "SNV")]
    staff = make_user("agency_staff", "SNV")
    assert item.version == 1
    with db.engine.begin() as other:  # the other clerk's request, committed
        other.execute(text("UPDATE due_items SET progress = 10, version = version + 1 WHERE id = :id"), {"id": item.id})
    update_progress(item, progress=50, note="", by=staff, now=_at(date(2024, 3, 1)), version=1)
    with pytest.raises(StaleVersion):
        flush_or_stale(item)
    db.session.rollback()
    assert db.session.get(DueItem, item.id).progress == 10
