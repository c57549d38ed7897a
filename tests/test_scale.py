"""Cost follows the work, not the data around it (issue 10): the jobs' and the pages' queries are the same at two
data sizes, and on PostgreSQL the first page of the items list is one an index serves. No timed assertion: the
times are measured in benchmarks/."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text

from tests.factories import dated, make_plan
from tracker.plans.operations import TaskSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = ["SNV", "SYT", "SXD", "STP"]


def _plan(db, clock, per_agency: int, title: str):
    """``per_agency`` dated lead items for each agency, due around 01/03/2024: overdue and due soon."""
    start = date(2024, 2, 5)
    tasks = [
        TaskSpec(
            content=f"Việc {code} {n}",
            number=f"{code}.{n}",
            lead_codes=[code],
            coordinator_codes=["SNV"] if code != "SNV" and n % 3 == 0 else [],
            schedule=dated(start + timedelta(days=n % 30)),
        )
        for code in AGENCIES
        for n in range(per_agency)
    ]
    return make_plan(db, clock, tasks, title=title)


@contextmanager
def counted(db):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _reminder_queries(db, clock, per_agency: int) -> tuple[int, int, int]:
    from tracker.notifications.reminders import send_reminders

    _plan(db, clock, per_agency, f"Kế hoạch {per_agency}")
    with counted(db) as statements:
        run = send_reminders(datetime(2024, 3, 1, 7, 30, tzinfo=VN))
        db.session.commit()
    return len(statements), run.emails, run.count


def test_the_reminders_queries_follow_the_mails_not_the_items(db, clock, app, smtp):
    small = _reminder_queries(db, clock, 3)
    from tests.conftest import _empty_tables

    _empty_tables(app)
    from tracker.agencies.directory import load_directory, read_directory

    load_directory(read_directory(), demo_emails=True)
    db.session.commit()
    large = _reminder_queries(db, clock, 30)
    assert small[1] == large[1]  # the same mails (one per agency, and the heads' escalations)
    assert large[2] > 5 * small[2]  # ten times the items, many more notices
    if db.engine.dialect.name == "postgresql":
        assert small[0] == large[0]
    else:  # SQLite inserts each outbox row on its own: still one per mail
        assert small[0] - small[1] == large[0] - large[1]


@pytest.mark.parametrize(
    "path",
    ["/items", "/items?status=open_overdue", "/review", "/reports/monthly?month=2024-02", "/reports/overview"],
)
def test_the_office_pages_queries_do_not_grow_with_the_items(db, clock, logged_in, path):
    office, _ = logged_in("monitor")
    _plan(db, clock, 2, "Kế hoạch nhỏ")
    office.get(path)  # warm
    with counted(db) as small:
        assert office.get(path).status_code == 200
    _plan(db, clock, 25, "Kế hoạch lớn")
    office.get(path)
    with counted(db) as large:
        assert office.get(path).status_code == 200
    assert len(large) == len(small), path


def test_an_agencys_list_queries_do_not_grow_with_the_items(db, clock, logged_in):
    staff, _ = logged_in("agency_staff", "SXD")
    _plan(db, clock, 2, "Kế hoạch nhỏ")
    staff.get("/items")
    with counted(db) as small:
        staff.get("/items")
    _plan(db, clock, 25, "Kế hoạch lớn")
    staff.get("/items")
    with counted(db) as large:
        staff.get("/items")
    assert len(large) == len(small)


def test_on_postgresql_the_first_page_of_the_list_is_served_by_the_due_date_index(db, clock, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an EXPLAIN check of PostgreSQL's plans")
    from tracker.accounts.models import User
    from tracker.plans.items import items_query
    from tracker.workflow.queries import item_order

    _plan(db, clock, 25, "Kế hoạch")
    office = User(role="monitor", agency_id=None)
    today, tz = date(2024, 3, 1), app.config["TIMEZONE"]
    query = items_query(office, today, tz).order_by(*item_order("", today, tz)).limit(50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # the small test tables would be scanned anyway
    plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
    db.session.rollback()
    assert "ix_due_items_due_date" in plan, plan
    # no sort of every row: at most an incremental one, within a due date the index has already ordered
    assert "Sort Key" not in plan or "Presorted Key: due_items.due_date" in plan, plan


def test_a_task_with_many_items_pages_the_others_and_keeps_an_agencys_own_whole(db, clock, logged_in):
    from datetime import date as day

    days = [day(2024, 1, 1) + timedelta(days=7 * n) for n in range(60)]
    plan = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Báo cáo hằng tuần",
                number="1",
                lead_codes=["SXD"],
                coordinator_codes=["SNV"],
                schedule=dated(*days),
            )
        ],
    )
    task_id = plan.tasks[0].id
    office, _ = logged_in("monitor")
    first = office.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert first.count('<tr id="item-') == 50 and "Trang 1/3" in first  # 60 lead items and 60 coordinator items
    last = office.get(f"/tasks/{task_id}?page=3").get_data(as_text=True)
    assert last.count('<tr id="item-') == 20 and "Trang 3/3" in last
    # the lead agency's own 60 first and whole; the others (the coordinator's) a page at a time, folded
    staff, _ = logged_in("agency_staff", "SXD")
    own = staff.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Phần việc của đơn vị (60)" in own and own.count('class="mine"') == 60
    assert "Các đơn vị khác cùng thực hiện (60)" in own and own.count('<tr id="item-') == 110
