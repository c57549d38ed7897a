"""Lists people can work with (issue 9, point 2): search without diacritics, sort, and the export of exactly the
filtered list; the same on the API."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.core.search import fold, query_words
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec


def test_folding():
    assert fold("Kiểm soát THỦ TỤC hành chính; Đề án 06") == " kiem soat thu tuc hanh chinh de an 06 "
    assert query_words("  kiem soat   thu tuc ") == ["kiem", "soat", "thu", "tuc"]
    assert fold("") == "" and query_words(None) == []


@pytest.fixture
def plan(db, clock):
    result = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Kiểm soát thủ tục hành chính", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 2, 1))
            ),
            TaskSpec(
                content="Rà soát quy trình nội bộ", number="2", lead_codes=["SYT"], schedule=dated(date(2024, 1, 10))
            ),
            TaskSpec(content="Số hóa hồ sơ thủ tục", number="3", lead_codes=["SXD"], schedule=dated(date(2024, 2, 20))),
            TaskSpec(content="Tuyên truyền cải cách", number="4", lead_codes=["STP"], schedule=dated(date(2024, 6, 1))),
        ],
    )
    return result


def _rows(html: str) -> list[str]:
    """The tasks of the list's table (an agency's page also has its panel of what needs it now)."""
    import re

    html = html[html.index('<table class="table">') :]
    return re.findall(r'<a href="/items/\d+">(?:\d+\. )?([^<]+)</a>', html)


def test_search_ignores_diacritics_and_case_and_keeps_the_scope(plan, logged_in):
    office, _ = logged_in("monitor")
    page = office.get("/items?q=kiem+soat+THU+TUC").get_data(as_text=True)
    assert _rows(page) == ["Kiểm soát thủ tục hành chính"]
    assert 'value="kiem soat THU TUC"' in page  # the box keeps what was typed
    assert _rows(office.get("/items?q=thu+tuc").get_data(as_text=True)) == [
        "Kiểm soát thủ tục hành chính",
        "Số hóa hồ sơ thủ tục",
    ]
    assert _rows(office.get("/items?q=kh%C3%B4ng+c%C3%B3").get_data(as_text=True)) == []
    # an agency searches its own items only
    staff, _ = logged_in("agency_staff", "SYT")
    assert _rows(staff.get("/items?q=thu+tuc").get_data(as_text=True)) == []
    assert _rows(staff.get("/items?q=ra+soat").get_data(as_text=True)) == ["Rà soát quy trình nội bộ"]


def test_sort_by_days_late_agency_and_due_date(plan, logged_in, clock):
    office, _ = logged_in("monitor")  # as of 01/03/2024: 2 is 51 days late, 1 is 29, 3 is 10
    assert _rows(office.get("/items?sort=late").get_data(as_text=True))[:3] == [
        "Rà soát quy trình nội bộ",
        "Kiểm soát thủ tục hành chính",
        "Số hóa hồ sơ thủ tục",
    ]
    by_agency = _rows(office.get("/items?sort=agency").get_data(as_text=True))
    assert by_agency == [  # Sở Nội vụ, Sở Tư pháp, Sở Xây dựng, Sở Y tế
        "Kiểm soát thủ tục hành chính",
        "Tuyên truyền cải cách",
        "Số hóa hồ sơ thủ tục",
        "Rà soát quy trình nội bộ",
    ]
    assert _rows(office.get("/items?sort=-due").get_data(as_text=True))[0] == "Tuyên truyền cải cách"
    assert office.get("/items?sort=nonsense").status_code == 200  # an unknown sort is the default order


def test_the_export_is_exactly_the_filtered_list(plan, logged_in):
    office, _ = logged_in("monitor")
    response = office.get("/items/export.xlsx?status=open_overdue&q=thu+tuc&sort=late")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["STT", "Nhiệm vụ", "Cơ quan, đơn vị", "Kế hoạch"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2  # the list's total under the same filters
    due_column = header.index("Hạn")
    assert isinstance(rows[0][due_column], datetime) and rows[0][due_column].date() == date(2024, 2, 1)
    assert sheet.cell(2, due_column + 1).number_format == "dd/mm/yyyy"
    assert rows[0][header.index("Tình trạng")] == "Chưa hoàn thành, quá hạn"
    assert rows[0][header.index("Số ngày quá hạn")] == 29
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    # an agency's export holds its own items only
    staff, _ = logged_in("agency_staff", "SYT")
    staff_rows = list(
        openpyxl.load_workbook(io.BytesIO(staff.get("/items/export.xlsx").data)).active.iter_rows(min_row=2)
    )
    assert len(staff_rows) == 1


def test_the_api_searches_and_sorts_the_same(plan, app, make_user, clock):
    from tracker.accounts.tokens import create_token

    _, secret = create_token(make_user("monitor"), name="t", days=30, by=None, now=clock.now())
    from tracker.extensions import db

    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    numbers = {t.id: t.number for t in db.session.scalars(select(Task))}
    data = client.get("/api/v1/items?q=thu%20tuc&sort=late", headers=headers).get_json()
    assert [numbers[i["task_id"]] for i in data["items"]] == ["1", "3"]  # 29, then 10 days late
    data = client.get("/api/v1/items?sort=agency", headers=headers).get_json()
    assert [numbers[i["task_id"]] for i in data["items"]] == ["1", "4", "3", "2"]
    wrong = client.get("/api/v1/items?sort=sideways", headers=headers)
    assert wrong.status_code == 422 and "sort" in wrong.get_json()["errors"]
    assert client.get("/api/v1/items?q=" + "x" * 300, headers=headers).status_code == 422


def test_the_stored_folded_text_follows_the_task(plan, db):
    task = db.session.scalar(select(Task).where(Task.number == "4"))
    assert task.search_text == " 4 tuyen truyen cai cach "
    task.content = "Tuyên truyền về chuyển đổi số"
    db.session.commit()
    db.session.refresh(task)
    assert task.search_text == " 4 tuyen truyen ve chuyen doi so "
    assert db.session.scalar(select(DueItem).join(Assignment).where(Assignment.task_id == task.id)) is not None


def test_the_review_queue_searches_too(plan, logged_in, db):
    for number in ("1", "2"):
        item = db.session.scalar(select(DueItem).join(Assignment).join(Task).where(Task.number == number))
        item.state, item.completed_on = "reported", date(2024, 2, 28)
    db.session.commit()
    office, _ = logged_in("monitor")
    page = office.get("/review?q=QUY+TRINH").get_data(as_text=True)
    assert "Rà soát quy trình nội bộ" in page and "Kiểm soát thủ tục hành chính" not in page
    both = office.get("/review").get_data(as_text=True)
    assert "Rà soát quy trình nội bộ" in both and "Kiểm soát thủ tục hành chính" in both
