"""Readers on their own: CSV dialects, merged cells, line breaks inside cells."""

from __future__ import annotations

import pytest

from tests.importers.builders import write_docx, write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_bytes, strip_html

ROWS = [
    ["TT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì", "Thời gian hoàn thành"],
    ["1", "Rà soát TTHC", "Sở Tư pháp", "Quý I/2024"],
    ["2", "Số hóa hồ sơ", "Sở TT&TT", "Thường xuyên"],
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_in_any_usual_dialect(delimiter, bom):
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in ROWS)
    document = read_bytes(bom + text.encode("utf-8"), "phu-luc.csv")
    assert document.tables[0][1] == ROWS[1]
    plan = build_plan(document, AliasIndex.from_directory(read_directory()), year=2024)
    assert [t.lead.agencies for t in plan.tasks] == [["Sở Tư pháp"], ["Sở Thông tin và Truyền thông"]]


def test_docx_cells_keep_their_paragraphs_and_vertical_merges(tmp_path):
    rows = [
        ["STT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["1", "Việc thứ nhất\n- ý a\n- ý b", "Sở Nội vụ", "Quý I/2024"],
        ["2", "Việc thứ hai", "Sở Nội vụ", "Quý II/2024"],
    ]
    path = write_docx(rows, tmp_path / "a.docx", lead_column=2)
    table = read_bytes(path.read_bytes(), "a.docx").tables[0]
    assert table[1][1] == "Việc thứ nhất\n- ý a\n- ý b"
    assert table[2][2] == "Sở Nội vụ"  # the merged lead repeats in the row below


def test_xlsx_merges_fill_down_not_across(tmp_path):
    rows = [
        ["STT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["I", "", "", ""],
        ["1", "Việc", "Sở Y tế", "Năm 2024"],
        ["2", "Việc khác", "Sở Y tế", "Năm 2024"],
    ]
    path = write_xlsx(rows, tmp_path / "a.xlsx", lead_column=2)
    table = read_bytes(path.read_bytes(), "a.xlsx").tables[0]
    assert table[1] == ["I", "", "", ""]
    assert table[3][2] == "Sở Y tế"


def test_strip_html_keeps_list_items_apart():
    assert strip_html('<ul style="x"> <li>- Một</li><li>- Hai</li></ul><i>ba</i>') == "- Một\n- Hai\nba"
