"""The office gives relative and external deadlines their date; working days are counted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.factories import make_plan
from tracker.deadlines.parser import parse_deadline
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec


def _plan(db, clock):
    relative = parse_deadline("Chậm nhất là 03 ngày làm việc kể từ ngày quyết định công bố", 2024).to_stored()
    external = parse_deadline("Theo kế hoạch của Bộ Nội vụ", 2024).to_stored()
    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Công khai TTHC",
                number="1",
                lead_codes=["SNV", "STP"],
                deadline_text="Chậm nhất là 03 ngày làm việc kể từ ngày quyết định công bố",
                schedule=relative,
            ),
            TaskSpec(
                content="Khảo sát theo Bộ Nội vụ",
                number="2",
                lead_codes=["SNV"],
                deadline_text="Theo kế hoạch của Bộ Nội vụ",
                schedule=external,
            ),
        ],
    )
    return {t.number: t for t in db.session.scalars(select(Task))}


def _items(db, task):
    db.session.expire_all()
    return db.session.scalars(select(DueItem).join(Assignment).where(Assignment.task_id == task.id)).all()


def test_a_relative_deadline_counts_working_days_from_the_event(db, clock, logged_in):
    tasks = _plan(db, clock)
    office, _ = logged_in("monitor")
    page = office.get("/pending").get_data(as_text=True)
    assert "Công khai TTHC" in page and "Khảo sát theo Bộ Nội vụ" in page
    url = f"/pending/tasks/{tasks['1'].id}"
    assert "3 ngày làm việc kể từ: quyết định công bố" in office.get(url).get_data(as_text=True)
    # Decision announced Wednesday 07/02/2024; Tết closes 08–14/02; three working days end on 19/02
    response = office.post(url, {"event_date": "07/02/2024", "note": "Quyết định số 123/QĐ-UBND"}, token_from=url)
    assert response.status_code == 302
    assert {(i.kind, i.due_date) for i in _items(db, tasks["1"])} == {("dated", date(2024, 2, 19))}


def test_an_external_deadline_takes_the_date_entered_and_bad_input_changes_nothing(db, clock, logged_in):
    tasks = _plan(db, clock)
    office, _ = logged_in("monitor")
    url = f"/pending/tasks/{tasks['2'].id}"
    empty = office.post(url, {"note": "x"}, token_from=url)
    assert "Vui lòng nhập ngày của sự kiện hoặc hạn hoàn thành." in empty.get_data(as_text=True)
    assert {i.kind for i in _items(db, tasks["2"])} == {"pending"}
    assert office.post(url, {"due_date": "2024-05-31"}, token_from=url).status_code == 302
    assert [(i.kind, i.due_date) for i in _items(db, tasks["2"])] == [("dated", date(2024, 5, 31))]
    assert office.get(url).status_code == 404  # nothing waits any more


def test_agencies_cannot_set_dates(db, clock, logged_in):
    tasks = _plan(db, clock)
    staff, _ = logged_in("agency_head", "SNV")
    url = f"/pending/tasks/{tasks['2'].id}"
    assert staff.post(url, {"due_date": "2024-05-31"}, token_from="/items").status_code == 403
    assert {i.kind for i in _items(db, tasks["2"])} == {"pending"}


def test_a_date_no_plan_can_have_gets_a_message_not_a_500(db, clock, logged_in):
    """Issue 11, defect 7: 31/12/9999 plus three working days overflowed into a 500."""
    tasks = _plan(db, clock)
    office, _ = logged_in("monitor")
    for field, value in (("event_date", "31/12/9999"), ("due_date", "01/01/0001"), ("event_date", "01/01/1900")):
        url = f"/pending/tasks/{tasks['1'].id}"
        response = office.post(url, {field: value}, token_from=url)
        assert response.status_code == 200, (field, value)
        assert "Ngày phải trong khoảng năm 2000 đến 2100." in response.get_data(as_text=True)
    assert {i.kind for i in _items(db, tasks["1"])} == {"pending"}
