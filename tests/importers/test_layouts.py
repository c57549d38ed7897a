"""Real layouts of Excel and Word appendices import to the same tasks as the plain table (issue 8, first part)."""

from __future__ import annotations

import pytest

from tests.importers.builders import write_docx, write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_path

HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [
    ["1", "Rà soát thủ tục hành chính", "Sở Nội vụ", "Sở Tư pháp", "Quý I/2027"],
    ["2", "Báo cáo kết quả", "Sở Tư pháp", "", "Trước ngày 15/6/2027"],
]
TITLE = ("UBND TỈNH QUẢNG NAM", "PHỤ LỤC", "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2027")


def _tasks(path):
    plan = build_plan(read_path(path), AliasIndex.from_directory(read_directory()), year=2027)
    return [
        (
            t.number,
            t.content,
            t.lead.agency_codes,
            t.coordinators.agency_codes,
            [d.isoformat() for d in t.schedule.due_dates],
        )
        for t in plan.tasks
    ]


PLAIN = [
    ("1", "Rà soát thủ tục hành chính", ["SNV"], ["STP"], ["2027-03-31"]),
    ("2", "Báo cáo kết quả", ["STP"], [], ["2027-06-15"]),
]


@pytest.mark.parametrize("write", [write_xlsx, write_docx])
def test_title_rows_and_a_numbering_row_under_the_header(write, tmp_path):
    rows = [HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)"], *ROWS]
    suffix = "xlsx" if write is write_xlsx else "docx"
    assert _tasks(write(rows, tmp_path / f"a.{suffix}", preamble=TITLE)) == PLAIN


def test_extra_columns_keep_their_dates_out_of_the_deadline(tmp_path):
    header = [*HEADER, "Kinh phí", "Ghi chú"]
    rows = [header, [*ROWS[0], "50 triệu", "Đã họp ngày 12/12/2026"], [*ROWS[1], "", "Hạn cũ 30/6/2026"]]
    assert _tasks(write_xlsx(rows, tmp_path / "a.xlsx")) == PLAIN


def test_the_deadline_column_before_the_agencies(tmp_path):
    order = [0, 1, 4, 2, 3]
    rows = [[row[i] for i in order] for row in [HEADER, *ROWS]]
    assert _tasks(write_xlsx(rows, tmp_path / "a.xlsx")) == PLAIN


def test_one_agency_column_the_first_named_leads(tmp_path):
    rows = [
        ["STT", "Nhiệm vụ", "Cơ quan thực hiện", "Thời gian"],
        ["1", "Rà soát thủ tục hành chính", "Sở Nội vụ, Sở Tư pháp", "Quý I/2027"],
        ["2", "Báo cáo kết quả", "Sở Tư pháp", "Trước ngày 15/6/2027"],
        ["3", "Công khai kết quả", "UBND các huyện, thị xã, thành phố; Sở Nội vụ", "Quý I/2027"],
    ]
    tasks = _tasks(write_xlsx(rows, tmp_path / "a.xlsx"))
    assert tasks[:2] == PLAIN
    assert tasks[2][2:4] == ([], ["SNV"])  # the group leads (one assignment per district), Sở Nội vụ coordinates


def test_a_zip_bomb_and_an_oversized_sheet_are_refused_before_parsing(tmp_path, app):
    import io
    import zipfile

    from tracker.importers.readers import ReadError, read_bytes

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (3 * 1024 * 1024))
    app.config["IMPORT_MAX_UNCOMPRESSED_MB"] = 2
    try:
        with pytest.raises(ReadError, match="quá lớn khi giải nén"):
            read_bytes(bomb.getvalue(), "bom.docx")
    finally:
        app.config["IMPORT_MAX_UNCOMPRESSED_MB"] = 100
    rows = [HEADER, *([f"{i}", "Nhiệm vụ", "Sở Nội vụ", "", "Quý I/2027"] for i in range(1, 60))]
    path = write_xlsx(rows, tmp_path / "lon.xlsx")
    app.config["IMPORT_MAX_ROWS"] = 50
    try:
        with pytest.raises(ReadError, match="vượt quá giới hạn 50 dòng"):
            read_bytes(path.read_bytes(), "lon.xlsx")
    finally:
        app.config["IMPORT_MAX_ROWS"] = 20_000
    assert read_bytes(path.read_bytes(), "lon.xlsx").tables  # within the default limits


def test_a_two_row_header_and_the_header_repeated_on_each_page(tmp_path):
    top = ["STT", "Nội dung công việc", "Phân công thực hiện", "", "Thời gian hoàn thành"]
    bottom = ["", "", "Cơ quan chủ trì", "Cơ quan phối hợp", ""]
    rows = [top, bottom, ROWS[0], top, bottom, ROWS[1]]
    assert _tasks(write_xlsx(rows, tmp_path / "a.xlsx", preamble=TITLE)) == PLAIN
    assert _tasks(write_docx(rows, tmp_path / "a.docx", preamble=TITLE)) == PLAIN


def test_a_hidden_column_and_the_task_table_on_a_later_sheet(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    cover = workbook.active
    cover.title = "Bìa"
    cover["A1"] = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2027"
    cover["A3"] = "Ngày 15/01/2027"  # a date on another sheet is no task's deadline
    sheet = workbook.create_sheet("Phụ lục")
    header = [*HEADER[:2], "Mã nội bộ", *HEADER[2:]]
    for r, row in enumerate([header, *([*row[:2], f"NB-{i}", *row[2:]] for i, row in enumerate(ROWS))], start=1):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    sheet.column_dimensions["C"].hidden = True
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    assert _tasks(path) == PLAIN


def test_each_sheet_with_a_task_table_is_a_part_of_the_plan(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Phụ lục I"
    second = workbook.create_sheet("Phụ lục II")
    for sheet, rows in ((first, [HEADER, ROWS[0]]), (second, [HEADER, ROWS[1]])):
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                sheet.cell(r, c, value)
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    assert _tasks(path) == PLAIN
