"""The pages people use: the agency's items, the plan tree, a task, and their cost in queries."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from tests.factories import dated, make_plan
from tracker.plans.models import Assignment, DueItem
from tracker.plans.operations import TaskSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@contextmanager
def count_queries(db):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def plan(db, clock):
    """A plan of 2024 with sections, a group lead, a recurring task and a continuous one (today 01/03/2024)."""
    sections = [
        {"key": "A", "number": "A", "title": "NHIỆM VỤ TRỌNG TÂM"},
        {"key": "I", "number": "I", "title": "Cải cách thủ tục hành chính", "parent": "A"},
    ]
    tasks = [
        TaskSpec(
            content="Kế hoạch kiểm soát TTHC năm 2024",
            number="1",
            section_key="I",
            lead_text="Văn phòng UBND tỉnh",
            coordinators_text="Các Sở, Ban, ngành",
            lead_codes=["VPUBND"],
            coordinator_codes=["SNV", "STP"],
            deadline_text="Trước ngày 05/03/2024",
            schedule=dated(date(2024, 3, 5)),
        ),
        TaskSpec(
            content="Rà soát quy định TTHC",
            number="2",
            section_key="I",
            lead_text="UBND cấp huyện",
            lead_codes=["ALL_DISTRICTS"],
            deadline_text="Quý I/2024",
            schedule=dated(date(2024, 3, 31)),
        ),
        TaskSpec(
            content="Báo cáo định kỳ hằng quý",
            number="3",
            section_key="A",
            lead_text="Sở Nội vụ",
            lead_codes=["SNV"],
            deadline_text="Định kỳ hằng quý",
            schedule={
                **dated(date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)),
                "period_labels": ["Quý I/2024", "Quý II/2024", "Quý III/2024", "Quý IV/2024"],
            },
        ),
        TaskSpec(
            content="Tuyên truyền cải cách hành chính",
            number="4",
            lead_text="Sở Nội vụ",
            lead_codes=["SNV"],
            deadline_text="Thường xuyên",
            schedule={"kind": "continuous", "due_dates": []},
        ),
        TaskSpec(
            content="Báo cáo năm trước",
            number="5",
            lead_text="Sở Nội vụ",
            lead_codes=["SNV"],
            deadline_text="Trước ngày 15/01/2024",
            schedule=dated(date(2024, 1, 15)),
        ),
    ]
    return make_plan(db, clock, tasks, sections=sections)


def rows_of(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td data-label=\"Hạn\">(.*?)</td>", page, flags=re.S)


def test_a_group_lead_becomes_one_assignment_per_member(plan, db):
    leads = db.session.scalars(
        select(Assignment).join(Assignment.task).where(Assignment.role == "lead", Assignment.via_group != "")
    ).all()
    assert len(leads) == 18
    assert {a.via_group for a in leads} == {"ALL_DISTRICTS"}
    recurring = db.session.scalars(
        select(DueItem).join(Assignment).where(Assignment.agency.has(code="SNV"), DueItem.period_label != "")
    ).all()
    assert [i.period_label for i in sorted(recurring, key=lambda i: i.due_date)] == [
        "Quý I/2024",
        "Quý II/2024",
        "Quý III/2024",
        "Quý IV/2024",
    ]


def test_agency_items_sorted_by_due_date_with_dates_as_dd_mm_yyyy(plan, logged_in):
    browser, _ = logged_in("agency_staff", "SNV")
    page = browser.get("/items").get_data(as_text=True)
    assert "Nhiệm vụ của đơn vị: Sở Nội vụ" in page
    dues = [re.sub(r"<.*", "", r, flags=re.S).strip() for r in rows_of(page)]
    # 15/01 (overdue), then 05/03 (coordinator), the quarters, then the undated continuous task
    assert dues == ["15/01/2024", "05/03/2024", "31/03/2024", "30/06/2024", "30/09/2024", "31/12/2024", "Thường xuyên"]
    assert "Chưa hoàn thành, quá hạn (46 ngày)" in page
    assert "Chưa hoàn thành, quá hạn: 1" in page
    assert "Chưa hoàn thành, trong hạn: 6" in page


def test_filters_by_status_due_within_role_and_plan(plan, logged_in, db, clock):
    browser, _ = logged_in("agency_staff", "SNV")
    page = browser.get("/items?status=open_overdue").get_data(as_text=True)
    assert len(rows_of(page)) == 1 and "Báo cáo năm trước" in page
    page = browser.get("/items?within=7").get_data(as_text=True)
    assert len(rows_of(page)) == 1 and "Kế hoạch kiểm soát TTHC năm 2024" in page
    page = browser.get("/items?within=31").get_data(as_text=True)
    assert len(rows_of(page)) == 2
    page = browser.get("/items?role=coordinator").get_data(as_text=True)
    assert len(rows_of(page)) == 1
    page = browser.get(f"/items?plan={plan.id + 1}").get_data(as_text=True)
    assert "Không có nhiệm vụ nào phù hợp." in page


def test_office_sees_every_agency_and_filters_by_agency(plan, logged_in, agency):
    browser, _ = logged_in("monitor")
    page = browser.get("/items?role=lead").get_data(as_text=True)
    hoian = agency("UBND_HOIAN").id
    # each agency name links to that agency's items
    assert f'<td data-label="Đơn vị"><a href="/items?agency={hoian}">UBND thành phố Hội An</a></td>' in page
    assert ">Sở Tư pháp</a></td>" not in page  # it only coordinates
    page = browser.get(f"/items?agency={hoian}").get_data(as_text=True)
    assert len(rows_of(page)) == 1
    assert f'<option value="{hoian}" selected>UBND thành phố Hội An</option>' in page  # the filter shows its choice


def test_plan_tree_counts_per_status_class(plan, logged_in, clock, db):
    item = db.session.scalar(select(DueItem).join(Assignment).where(Assignment.agency.has(code="VPUBND")))
    item.completed_on = date(2024, 3, 4)
    item.accepted_at = datetime.combine(date(2024, 3, 4), time(9), tzinfo=VN)
    item.state = "accepted"
    db.session.commit()
    clock.set(datetime(2024, 4, 2, 8, 0))
    browser, _ = logged_in("monitor")
    page = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    tree = page[page.index('<ol class="tree">') :]
    section_a = tree[tree.index("NHIỆM VỤ TRỌNG TÂM") : tree.index("Cải cách thủ tục hành chính")]
    # Section A rolls up: 1 done on time (task 1), 18 districts + Q1 of task 3 overdue, Q2–Q4 open on time
    assert 'title="Hoàn thành đúng hạn">1<' in section_a
    assert 'title="Chưa hoàn thành, quá hạn">19<' in section_a
    assert 'title="Chưa hoàn thành, trong hạn">3<' in section_a
    page = browser.get("/plans").get_data(as_text=True)
    assert 'title="Chưa hoàn thành, quá hạn">20<' in page  # with task 5's item, outside the sections


def test_agency_sees_only_its_branch_of_the_plan(plan, logged_in):
    browser, _ = logged_in("agency_staff", "UBND_HOIAN")
    page = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Rà soát quy định TTHC" in page
    assert "Báo cáo định kỳ hằng quý" not in page
    assert "Kế hoạch kiểm soát TTHC năm 2024" not in page


def test_task_page_shows_the_deadline_as_printed_and_as_parsed(plan, logged_in, db):
    from tracker.plans.models import Task

    task = db.session.scalar(select(Task).where(Task.number == "3"))
    browser, _ = logged_in("leader")
    page = browser.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Định kỳ hằng quý" in page
    assert "Định kỳ: 31/03/2024, 30/06/2024, 30/09/2024, 31/12/2024" in page
    assert "Quý II/2024" in page
    assert "NHIỆM VỤ TRỌNG TÂM" in page  # the section path


def test_pages_cost_a_bounded_number_of_queries(db, clock, logged_in):
    """A plan of 5 tasks and one of 60 cost the same number of queries per page."""
    small = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content=f"Việc {i}", number=str(i), lead_codes=["ALL_DISTRICTS"], schedule=dated(date(2024, 3, 10))
            )
            for i in range(5)
        ],
    )
    large = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content=f"Việc {i}", number=str(i), lead_codes=["ALL_DISTRICTS"], schedule=dated(date(2024, 3, 10))
            )
            for i in range(60)
        ],
    )
    browser, _ = logged_in("monitor")
    costs = {}
    for name, plan in (("small", small), ("large", large)):
        for url in (f"/plans/{plan.id}", f"/items?plan={plan.id}", "/plans"):
            browser.get(url)  # warm
            with count_queries(db) as statements:
                assert browser.get(url).status_code == 200
            costs[(name, url.split("?")[0].rstrip("0123456789"))] = len(statements)
    for kind in ("/plans/", "/items", "/plans"):
        assert costs[("small", kind)] == costs[("large", kind)], costs
    assert max(costs.values()) <= 12, costs


def test_the_office_activates_and_closes_a_plan(plan, logged_in, db):
    office, _ = logged_in("monitor")
    url = f"/plans/{plan.id}"
    assert "Kết thúc kế hoạch" in office.get(url).get_data(as_text=True)
    assert office.post(f"{url}/status", {"status": "closed"}, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(plan), plan.id).status == "closed"
    assert office.post(f"{url}/status", {"status": "deleted"}, token_from=url, follow_redirects=True).status_code == 200
    assert db.session.get(type(plan), plan.id).status == "closed"
    leader, _ = logged_in("leader")
    assert leader.post(f"{url}/status", {"status": "active"}, token_from=url).status_code == 403
    assert office.post(f"{url}/status", {"status": "active"}, csrf=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(type(plan), plan.id).status == "closed"


def test_no_internal_code_shows_through(logged_in):
    """Groups by their name and size, schedules in words, no setting's name (issue 9, point 7)."""
    office, _ = logged_in("monitor")
    page = office.get("/agencies").get_data(as_text=True)
    assert "UBND các huyện, thị xã, thành phố (18 đơn vị)" in page  # the name keeps its commas
    assert "ALL_DISTRICTS" not in page and "ALL_DEPARTMENTS" not in page
    admin, _ = logged_in("admin")
    assert "TRACKER_" not in admin.get("/admin/outbox").get_data(as_text=True)
    schedules = admin.get("/admin/schedules").get_data(as_text=True)
    assert "7 giờ 30, thứ Hai đến thứ Sáu" in schedules and "* *" not in schedules


def test_the_list_says_its_scope(plan, logged_in):
    office, _ = logged_in("monitor")
    page = office.get("/items").get_data(as_text=True)
    assert "Số liệu: nhiệm vụ chủ trì và phối hợp, tính đến hôm nay 01/03/2024." in page
    assert "Báo cáo tháng và trang Tổng quan chỉ tính nhiệm vụ chủ trì" in page
    lead = office.get("/items?role=lead").get_data(as_text=True)
    assert "Số liệu: nhiệm vụ chủ trì, tính đến hôm nay" in lead and "chỉ tính nhiệm vụ chủ trì" not in lead


def test_a_plan_of_hundreds_of_tasks_pages_its_tree_under_its_headings(db, clock, logged_in):
    from tracker.plans.views import PLAN_TASKS_PER_PAGE

    per_section = PLAN_TASKS_PER_PAGE // 2 + 30  # a page break falls inside each section
    sections = [{"key": k, "number": k, "title": f"Mục {k}"} for k in ("I", "II", "III", "IV")]
    tasks = [
        TaskSpec(
            content=f"Việc {k}.{i}",
            number=f"{k}.{i}",
            section_key=k,
            lead_codes=["SNV"],
            schedule=dated(date(2024, 3, 10)),
        )
        for k in ("I", "II", "III", "IV")
        for i in range(1, per_section + 1)
    ]
    plan = make_plan(db, clock, tasks, sections=sections)
    browser, _ = logged_in("monitor")
    first = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    second = browser.get(f"/plans/{plan.id}?page=2").get_data(as_text=True)
    last = browser.get(f"/plans/{plan.id}?page=99").get_data(as_text=True)  # past the end: the last page
    assert first.count('class="node node-task') == PLAN_TASKS_PER_PAGE
    assert "Mục I<" in first and "Mục II<" in first and "Mục III<" not in first
    # each heading sits above its own tasks
    assert first.index("Mục I<") < first.index(">Việc I.1<") < first.index("Mục II<") < first.index(">Việc II.1<")
    # page 2 opens under the heading its first task sits in, then meets the next one
    tree = second[second.index('<ol class="tree">') :]
    assert (
        tree.index("Mục II<")
        < tree.index(f">Việc II.{PLAN_TASKS_PER_PAGE - per_section + 1}<")
        < tree.index("Mục III<")
    )
    assert "Mục I<" not in tree and ">Việc II.1<" not in tree and "Mục IV<" in tree
    assert f"Trang 2/{-(-len(tasks) // PLAN_TASKS_PER_PAGE)}" in second
    tree = last[last.index('<ol class="tree">') :]
    assert f">Việc IV.{per_section}<" in tree and "Mục IV<" in tree and "Mục III<" not in tree
    assert sum(page.count('class="node node-task') for page in (first, second, last)) == len(tasks)
