"""The plan report (issue 9, point 4): per task and lead agency, status, progress, completion and late reason, as an
official .docx and an .xlsx downloaded from the plan page."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def plan(db, clock):
    result = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Rà soát thủ tục", number="1", lead_codes=["SNV", "STP"], schedule=dated(date(2024, 2, 10))
            ),
            TaskSpec(content="Báo cáo quý", number="2", lead_codes=["SYT"], schedule=dated(date(2024, 3, 31))),
            TaskSpec(
                content="Thường xuyên tuyên truyền",
                number="3",
                lead_codes=["SXD"],
                coordinator_codes=["SNV"],
                schedule={"kind": "continuous", "due_dates": []},
            ),
        ],
    )
    item = db.session.scalar(
        select(DueItem).join(Assignment).join(Task).where(Task.number == "1", Assignment.agency.has(code="SNV"))
    )
    item.state, item.completed_on, item.progress = "accepted", date(2024, 2, 15), 100
    item.accepted_at = datetime.combine(date(2024, 2, 16), time(9), tzinfo=VN)
    item.late_reason, item.late_reason_text = "phoi_hop", "Chờ ý kiến Sở Tư pháp"
    db.session.commit()
    return result


def test_the_report_as_word_and_excel(plan, logged_in):
    leader, _ = logged_in("leader")
    page = leader.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f"/plans/{plan.id}/report.docx" in page and f"/plans/{plan.id}/report.xlsx" in page

    word = leader.get(f"/plans/{plan.id}/report.docx")
    assert word.status_code == 200 and "attachment" in word.headers["Content-Disposition"]
    document = Document(io.BytesIO(word.data))
    heading = document.tables[0].rows[0].cells
    assert "UBND TỈNH QUẢNG NAM" in heading[0].text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading[1].text
    assert "ngày 01 tháng 03 năm 2024" in heading[1].text
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Tình hình thực hiện Kế hoạch số 99/KH-UBND" in body
    assert "Tính đến ngày 01/03/2024, 4 nhiệm vụ" in body  # lead items: SNV, STP for task 1; SYT; SXD
    tasks = document.tables[2]
    rows = [[c.text for c in row.cells] for row in tasks.rows[1:]]
    assert [r[1:3] for r in rows] == [
        ["1. Rà soát thủ tục", "Sở Nội vụ"],
        ["1. Rà soát thủ tục", "Sở Tư pháp"],
        ["2. Báo cáo quý", "Sở Y tế"],
        ["3. Thường xuyên tuyên truyền", "Sở Xây dựng"],
    ]
    assert rows[0][4:] == [
        "Hoàn thành quá hạn (5 ngày)",
        "100%",
        "15/02/2024",
        "Phối hợp (cơ quan phối hợp trả lời chậm): Chờ ý kiến Sở Tư pháp",
    ]
    assert rows[1][3:5] == ["10/02/2024", "Chưa hoàn thành, quá hạn (20 ngày)"]
    assert document.styles["Normal"].font.name == "Times New Roman"

    excel = leader.get(f"/plans/{plan.id}/report.xlsx?as_of=31/03/2024")
    sheet = openpyxl.load_workbook(io.BytesIO(excel.data))["Nhiệm vụ"]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 4
    assert lines[0][3].date() == date(2024, 2, 10) and sheet.cell(2, 4).number_format == "dd/mm/yyyy"
    assert lines[1][5:7] == ("Chưa hoàn thành, quá hạn", 50)  # as of 31/03
    assert lines[2][5] == "Chưa hoàn thành, trong hạn"  # due that very day
    assert sheet.freeze_panes == "A2"
    by_agency = {
        row[0]: row[1:]
        for row in openpyxl.load_workbook(io.BytesIO(excel.data))["Theo đơn vị"].iter_rows(min_row=2, values_only=True)
    }
    assert by_agency["Sở Nội vụ"] == (0, 1, 0, 0, 0)


def test_who_may_download_it(plan, logged_in):
    staff, _ = logged_in("agency_staff", "SNV")
    assert staff.get(f"/plans/{plan.id}/report.docx").status_code == 403
    office, _ = logged_in("monitor")
    assert office.get(f"/plans/{plan.id}/report.xlsx").status_code == 200
    assert office.get(f"/plans/{plan.id}/report.pdf").status_code == 404
    assert office.get("/plans/999999/report.docx").status_code == 404
    assert office.get(f"/plans/{plan.id}/report.xlsx?as_of=31/02/2024").status_code == 400
    assert office.get(f"/plans/{plan.id}/report.xlsx?as_of=31/12/9999").status_code == 400  # no overflow, a 400
    assert office.get(f"/plans/{plan.id}/report.docx?as_of=1/2").status_code == 400
