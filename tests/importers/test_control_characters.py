"""Control characters in an appendix (issue 11, defect 2): Word's soft line break arrives as a vertical tab, a broken
export carries a NUL. They are cleaned at the import (a line break stays a line break), and the writers stay
robust for text stored before: the monthly workbook and document, the items export and the plan report build,
and a cell beginning with "=" is text there, never a formula."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from docx import Document
from sqlalchemy import select

from tests.factories import dated, make_plan
from tests.importers.builders import write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_bytes, read_path
from tracker.plans.models import Task
from tracker.plans.operations import TaskSpec

HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


def test_a_soft_line_break_and_a_nul_in_an_xlsx_cell_are_cleaned_at_the_import(tmp_path):
    # Excel writes a vertical tab as _x000B_ and a NUL as _x0000_; openpyxl reads them back as the characters
    rows = [HEADER, ["1", "Rà soát thủ tục_x000B_hành chính_x0000_", "Sở Nội vụ", "", "Quý I/2027"]]
    plan = build_plan(read_path(write_xlsx(rows, tmp_path / "a.xlsx")), AliasIndex.from_directory(read_directory()))
    assert [t.content for t in plan.tasks] == ["Rà soát thủ tục\nhành chính"]
    assert plan.tasks[0].lead.agency_codes == ["SNV"]


def test_control_characters_in_a_csv_are_cleaned_and_tabs_and_breaks_kept():
    text = 'STT,Nội dung công việc,Cơ quan chủ trì\n1,"Dòng một\x0bdòng hai\x07\x1b","Sở Nội vụ\x00"\n'
    document = read_bytes(text.encode("utf-8"), "a.csv")
    assert document.tables[0][1] == ["1", "Dòng một\ndòng hai", "Sở Nội vụ"]


def test_the_writers_build_with_control_characters_stored_before_and_write_text_never_a_formula(db, clock, logged_in):
    # a NUL only where it could be stored before (SQLite; PostgreSQL refuses it, and no view lets one through now)
    nul = "\x00" if db.engine.dialect.name == "sqlite" else ""
    hostile = f'=HYPERLINK("http://example.org")\x0b-5 ngày{nul} @SUM(A1)'
    make_plan(
        db,
        clock,
        [
            TaskSpec(content=hostile, number="1", lead_codes=["SNV"], schedule=dated(date(2024, 3, 5))),
            TaskSpec(content="+84 việc\x1b khác", number="2", lead_codes=["STP"], schedule=dated(date(2024, 3, 6))),
        ],
    )
    clock.set(datetime(2024, 4, 2, 8, 0))
    monitor, _ = logged_in("monitor")
    monthly = monitor.get("/reports/monthly.xlsx?month=2024-03")
    assert monthly.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(monthly.data))["Nhiệm vụ quá hạn"]
    texts = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert f"1. {hostile}".replace("\x0b", "\n").replace("\x00", "") in texts
    assert "2. +84 việc khác" in texts
    assert all(row[2].data_type == "s" for row in sheet.iter_rows(min_row=2))
    docx = monitor.get("/reports/monthly.docx?month=2024-03")
    assert docx.status_code == 200
    Document(io.BytesIO(docx.data))  # a valid document
    export = monitor.get("/items/export.xlsx")
    assert export.status_code == 200
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(export.data)).active.iter_rows(min_row=2) for c in row]
    assert any(c.value == '1. =HYPERLINK("http://example.org")\n-5 ngày @SUM(A1)' for c in cells)
    assert not any(c.data_type == "f" for c in cells)
    task = db.session.scalar(select(Task).where(Task.number == "1"))
    for kind in ("xlsx", "docx"):
        assert monitor.get(f"/plans/{task.plan_id}/report.{kind}").status_code == 200
