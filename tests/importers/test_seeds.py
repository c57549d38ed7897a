"""The seed appendices import faithfully, from the text the province published and from Word and Excel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers.builders import merged_cells, write_docx, write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan, find_header
from tracker.importers.readers import read_bytes, read_path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
DEMO_003 = Path(__file__).resolve().parents[2] / "tracker" / "plans" / "demo" / "003_parindex_sipas_2023.txt"


@pytest.fixture(scope="module")
def index():
    return AliasIndex.from_directory(read_directory())


@pytest.fixture(scope="module")
def plan003(index):
    return build_plan(read_path(DEMO_003), index)


def task(plan, number: str, starting: str):
    found = [t for t in plan.tasks if t.number == number and t.content.startswith(starting)]
    assert len(found) == 1, (number, starting, [t.content[:40] for t in plan.tasks if t.number == number])
    return found[0]


def test_the_carried_copy_is_the_seed_appendix():
    seed = SEEDS / "003_bf596eddea21cdd5.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is absent (../shared is outside the project)")
    text = seed.read_text(encoding="utf-8")
    assert text[text.index("Phụ lục\nCÁC NHIỆM VỤ") :] == DEMO_003.read_text(encoding="utf-8")


def test_003_plan_details(plan003):
    assert plan003.plan["doc_kind"] == "Kế hoạch"
    assert plan003.plan["year"] == 2023
    assert plan003.plan["title"].startswith("CÁC NHIỆM VỤ, GIẢI PHÁP")


def test_003_every_task_row_with_its_hierarchy(plan003):
    assert len(plan003.tasks) == 90
    assert [s.number for s in plan003.sections if s.parent_key is None] == ["A", "B"]
    first = plan003.tasks[0]
    assert first.section_path == [
        "A CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)",
        "I CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO THỰC HIỆN CCHC",
    ]
    assert first.content == "Tổ chức thực hiện các nhiệm vụ đề ra tại Kế hoạch CCHC của tỉnh năm 2023"
    assert first.deliverable == "100% nhiệm vụ đề ra tại Kế hoạch được hoàn thành"
    assert (first.lead.agencies, first.lead.groups) == (["Sở Nội vụ"], ["ALL_DEPARTMENTS", "ALL_DISTRICTS"])
    assert [d.isoformat() for d in first.schedule.due_dates] == ["2023-12-31"]


def test_003_repeated_numbers_are_both_kept(plan003):
    section_ii = [t for t in plan003.tasks if t.section_path[-1] == "II CÔNG TÁC TUYÊN TRUYỀN"]
    assert [t.number for t in section_ii] == ["1", "2", "2", "3", "4"]


def test_003_children_inherit_the_heading_deadline(plan003):
    for number in ("3.1", "3.2", "3.3", "3.4"):
        t = next(t for t in plan003.tasks if t.number == number and "TTHC" in t.content)
        assert t.deadline_text == "Trong năm 2023"
        assert "deadline_inherited" in t.flags
        assert t.section_path[-1] == "3 Thực hiện cơ chế một cửa, cơ chế một cửa liên thông"


def test_003_bullets_under_a_heading_and_under_a_task(plan003):
    bullet = task(plan003, "-", "Thực hiện các hoạt động về theo dõi thi hành pháp luật")
    assert bullet.section_path[-1] == "1 Theo dõi thi hành pháp luật"
    assert bullet.lead.agencies == ["Sở Tư pháp"]
    parent = task(plan003, "3.4", "Nâng cao chất lượng cung cấp dịch vụ công trực tuyến")
    child = task(plan003, "", "Ban hành, triển khai Kế hoạch hành động nâng cao")
    assert plan003.tasks[child.parent_index] is parent


def test_003_a_row_split_by_a_page_break_is_joined(plan003):
    # "- Báo cáo công tác kiểm soát TTHC của tỉnh" is printed alone after the page's header
    t = task(plan003, "", "Có các kiến nghị cải cách TTHC")
    assert t.deliverable.endswith("- Báo cáo công tác kiểm soát TTHC của tỉnh")
    assert "\n" in t.deliverable
    recruiting = task(plan003, "3", "Thực hiện đúng quy định về tuyển dụng công chức")
    assert "Các cơ quan, đơn vị, địa phương theo nhu cầu thực tế tại đơn vị" in recruiting.lead_text


def test_003_html_is_stripped_and_unknown_bodies_flagged(plan003):
    t = task(plan003, "", "Công khai TTHC đầy đủ, kịp thời trên Cổng DVC quốc gia")
    assert "<i>" not in t.content and t.raw["content"].startswith("<i>")
    inspection = task(plan003, "3", "Tổ chức kiểm tra công tác CCHC năm 2023")
    assert inspection.lead.unresolved == ["Đoàn kiểm tra CCHC của tỉnh"]
    assert "lead_unresolved" in inspection.flags
    assert inspection.schedule.kind == "external"


def _rows_of(plan_source: Path) -> tuple[list[list[str]], list[str]]:
    document = read_path(plan_source)
    rows = document.tables[0]
    start, columns, _ = find_header(rows)
    return [r for r in rows[start:] if any(c.strip() for c in r)], document.preamble


def _summary(plan):
    return [
        (t.number, t.content, t.lead_text, t.coordinators_text, t.deadline_text, t.section_path, t.flags)
        for t in plan.tasks
    ]


@pytest.mark.parametrize("writer", [write_docx, write_xlsx], ids=["docx", "xlsx"])
def test_003_as_word_and_excel_imports_to_the_same_tasks(writer, plan003, index, tmp_path):
    rows, preamble = _rows_of(DEMO_003)
    path = writer(
        rows, tmp_path / f"003{'.docx' if writer is write_docx else '.xlsx'}", lead_column=3, preamble=preamble[-3:]
    )
    assert merged_cells(path) > 20  # the file really has merged headings and leads
    parsed = build_plan(read_bytes(path.read_bytes(), path.name), index, year=2023)
    assert _summary(parsed) == _summary(plan003)
