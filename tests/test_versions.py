"""The data version and the figures kept per version: a change through the session bumps it when it commits, a
rollback or a read does not, and the overview's figures are recomputed after a change, never served stale."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, select, update

from tests.test_overview import AS_OF, EXPECTED_COUNTS, TZ, dataset  # noqa: F401 (the fixture)
from tracker.core import versions
from tracker.core.models import DataVersion
from tracker.plans.models import Assignment, DueItem, Task
from tracker.reports.summary import summary_for


def test_a_change_bumps_the_version_when_it_commits(dataset, db):  # noqa: F811
    before = versions.current()
    task = db.session.scalar(select(Task).where(Task.number == "7"))
    task.content = "Việc chưa đến hạn (sửa)"
    db.session.flush()
    assert versions.current() == before  # not before the commit: a reader cannot see it early
    db.session.commit()
    after = versions.current()
    assert after == before + 1

    task.content = "Sửa rồi bỏ"
    db.session.flush()
    db.session.rollback()
    assert versions.current() == after  # rolled back: nothing changed

    db.session.scalars(select(Task)).all()
    db.session.commit()
    assert versions.current() == after  # a read changes nothing

    db.session.execute(update(DueItem).where(DueItem.id == -1).values(progress=10))  # a bulk statement
    db.session.commit()
    assert versions.current() == after + 1


def test_an_emptied_version_starts_again_from_a_number_no_process_holds(db):
    db.session.execute(DataVersion.__table__.delete())
    db.session.commit()
    assert versions.current() == 0
    versions.bump()
    db.session.commit()
    first = versions.current()
    db.session.execute(DataVersion.__table__.delete())
    versions.bump()
    db.session.commit()
    assert versions.current() not in (0, first)  # random: a figure kept under an old number is never matched


def test_the_overview_figures_are_kept_until_the_data_changes(dataset, db, app, logged_in):  # noqa: F811
    from tracker.reports import summary as module

    module.SUMMARIES.clear()
    first = summary_for(AS_OF, TZ)
    assert first.counts == EXPECTED_COUNTS
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        again = summary_for(AS_OF, TZ)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert again is first and len(statements) == 1  # the version only
    assert summary_for(date(2024, 6, 29), TZ) is not first  # another day: its own figures

    # the office accepts the report waiting for review: the next read counts it done
    item = db.session.scalar(
        select(DueItem).join(Assignment).join(Task).where(Task.number == "10", Assignment.role == "lead")
    )
    item.state, item.accepted_at = "accepted", _noon(item.completed_on)
    db.session.commit()
    fresh = summary_for(AS_OF, TZ)
    assert fresh is not first and fresh.waiting_review == first.waiting_review - 1
    assert fresh.counts["done_on_time"] == first.counts["done_on_time"] + 1

    # the page and the API read the same kept figures
    leader, _ = logged_in("leader")
    page = leader.get(f"/reports/overview?as_of={AS_OF:%d/%m/%Y}").get_data(as_text=True)
    assert f"Tình trạng {sum(fresh.counts.values())} nhiệm vụ" in page


def _noon(day):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(12), tzinfo=ZoneInfo(TZ))


def test_a_setting_changes_the_version_so_the_monthly_page_follows_its_thresholds(dataset, db, logged_in):  # noqa: F811
    from tracker.reports.models import set_setting

    leader, _ = logged_in("leader")
    page = leader.get("/reports/monthly?month=2024-06").get_data(as_text=True)
    assert "nhiệm vụ quá hạn 212 ngày" in page  # 60 days or more: proposed for criticism
    before = versions.current()
    set_setting("criticism_min_days", 300)
    db.session.commit()
    assert versions.current() == before + 1
    page = leader.get("/reports/monthly?month=2024-06").get_data(as_text=True)
    assert "nhiệm vụ quá hạn 212 ngày" not in page  # the kept page was not served


def test_a_page_reads_the_version_once_and_its_lists_counts_follow_a_change(dataset, db, logged_in, clock):  # noqa: F811
    """The plan page's and the item list's counts are kept per version; one request reads the version once (the
    counts, the filters' choices and the office's menu share it); a commit makes the next request count again."""
    from datetime import datetime

    from tracker.plans.models import Plan

    clock.set(datetime(AS_OF.year, AS_OF.month, AS_OF.day, 9, 0))
    plan = db.session.scalar(select(Plan))
    monitor, _ = logged_in("monitor")
    monitor.get(f"/plans/{plan.id}")
    monitor.get("/items")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = monitor.get(f"/plans/{plan.id}").get_data(as_text=True)
        plan_statements, statements[:] = list(statements), []
        listing = monitor.get("/items?status=done_on_time").get_data(as_text=True)
        list_statements = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("data_versions" in s for s in plan_statements) == 1
    assert not any("GROUP BY" in s for s in plan_statements)  # the counts were kept
    assert sum("data_versions" in s for s in list_statements) == 1
    assert not any("GROUP BY" in s for s in list_statements)
    done = EXPECTED_COUNTS["done_on_time"]
    assert f"Hoàn thành đúng hạn: {done}<" in listing

    item = db.session.scalar(
        select(DueItem).join(Assignment).join(Task).where(Task.number == "10", Assignment.role == "lead")
    )
    item.state, item.accepted_at = "accepted", _noon(item.completed_on)
    db.session.commit()
    assert f"Hoàn thành đúng hạn: {done + 1}<" in monitor.get("/items").get_data(as_text=True)
    assert page != monitor.get(f"/plans/{plan.id}").get_data(as_text=True)  # task 10's counts moved
