"""Seeds 002 and 004: text extracted from PDF, cells broken across lines, the page header on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_path
from tracker.plans.models import Indicator, IndicatorTarget

DEMO = Path(__file__).resolve().parents[2] / "tracker" / "plans" / "demo"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def index():
    return AliasIndex.from_directory(read_directory())


@pytest.fixture(scope="module")
def plan002(index):
    return build_plan(read_path(DEMO / "002_691fbd729f25c83e.txt"), index)


@pytest.fixture(scope="module")
def plan004(index):
    return build_plan(read_path(DEMO / "004_4bf868cb18751383.txt"), index)


@pytest.mark.parametrize("name", ["002_691fbd729f25c83e.txt", "004_4bf868cb18751383.txt"])
def test_the_carried_copies_are_the_seeds(name):
    if not (SEEDS / name).exists():
        pytest.skip(f"{SEEDS} is absent (../shared is outside the project)")
    assert (DEMO / name).read_bytes() == (SEEDS / name).read_bytes()


def test_002_its_seven_projects(plan002):
    assert plan002.plan["title"] == "Kế hoạch cải cách hành chính tỉnh Quảng Nam giai đoạn 2021-2025"
    assert (plan002.plan["period_start"], plan002.plan["period_end"]) == (date(2021, 1, 1), date(2025, 12, 31))
    assert [t.number for t in plan002.tasks] == ["1", "2", "3", "4", "5", "6", "7"]
    leads = [t.lead.agencies for t in plan002.tasks]
    assert leads == [["Sở Nội vụ"]] * 4 + [["Sở Y tế"], ["Sở Giáo dục và Đào tạo"], ["Sở Nội vụ"]]
    due = [[d.isoformat() for d in t.schedule.due_dates] for t in plan002.tasks]
    assert due == [
        ["2022-12-31"],
        ["2022-12-31"],
        ["2021-12-31"],
        ["2022-12-31"],
        ["2022-12-31"],
        ["2022-12-31"],
        ["2021-12-31"],
    ]
    assert plan002.tasks[0].content == (
        "Đề án “Tăng cường năng lực đội ngũ cán bộ, công chức chuyên trách thực hiện "
        "công tác cải cách hành chính giai đoạn 2021 - 2025”."
    )
    assert plan002.tasks[3].content == "Đề án thí điểm Tổ dân phố, khu dân cư điện tử."
    assert not any(t.flags for t in plan002.tasks)


def test_004_first_task(plan004):
    first = plan004.tasks[0]
    assert first.content == "Kế hoạch hoạt động kiểm soát TTHC năm 2024 tỉnh Quảng Nam"
    assert first.deliverable == "Kế hoạch kiểm soát TTHC tỉnh năm 2024"
    assert first.lead.agencies == ["Văn phòng UBND tỉnh"]
    assert first.coordinators.groups == ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"]
    assert [d.isoformat() for d in first.schedule.due_dates] == ["2024-03-05"]
    assert first.section_path == ["I Công tác chỉ đạo, điều hành, ban hành văn bản quản lý nhà nước về kiểm soát TTHC"]


def test_004_rows_and_sections(plan004):
    assert plan004.plan["doc_kind"] == "Quyết định" and plan004.plan["year"] == 2024
    assert [s.number for s in plan004.sections] == ["I", "II", "III", "IV", "V", "VI", "VII", "XIII", "IX", "X", "XI"]
    assert len(plan004.tasks) == 56
    second = plan004.tasks[1]
    assert (second.lead.groups, second.coordinators.agencies) == (
        ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"],
        ["Văn phòng UBND tỉnh"],
    )
    assert second.schedule.due_dates == [date(2024, 3, 15)]


def test_004_a_cell_continued_on_the_next_page(plan004):
    # II.6: the deadline cell runs on below the repeated page header
    task = next(t for t in plan004.tasks if t.content.startswith("Cập nhật, chuẩn hóa TTHC vào CSDL quốc gia"))
    assert task.deadline_text.endswith("ngang bộ ban hành Danh mục TTHC.")
    assert "Hoặc trước 15 ngày thông thường" in task.deadline_text
    assert task.lead.groups == ["ALL_DEPARTMENTS"]
    assert task.deliverable == "TTHC được cập nhật, chuẩn hóa đầy đủ vào CSDL quốc gia về TTHC"


def test_004_deliverable_and_lead_in_one_block(plan004):
    task = next(t for t in plan004.tasks if t.content.startswith("Công bố Danh mục TTHC thuộc thẩm quyền"))
    assert task.deliverable == "Quyết định công bố"
    assert (task.lead.groups, task.coordinators.agencies) == (["ALL_DEPARTMENTS"], ["Văn phòng UBND tỉnh"])


def test_004_its_eleven_indicators(plan004):
    indicators = plan004.indicators
    assert [i["number"] for i in indicators] == [str(n) for n in range(1, 12)]
    payments = indicators[1]
    assert payments["content"].startswith("Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia")
    assert (payments["unit"], payments["target_text"], payments["target_value"]) == ("%", "Tối thiểu 45", 45.0)
    assert payments["lead"]["groups"] == ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"]
    assert payments["coordinators"]["agencies"] == ["Văn phòng UBND tỉnh", "Sở Thông tin và Truyền thông"]
    assert [i["target_value"] for i in indicators] == [80, 45, 50, 80, 100, 100, 50, 100, 100, 100, 90]
    assert indicators[8]["lead"]["agencies"] == ["Sở Thông tin và Truyền thông"]


def test_004_indicators_saved_with_a_target_per_lead_agency(app, db):
    from tracker.core import clock
    from tracker.importers.operations import save_parsed_plan

    parsed = build_plan(read_path(DEMO / "004_4bf868cb18751383.txt"), AliasIndex.from_database())
    save_parsed_plan(parsed, by=None, now=clock.now())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 11
    satisfaction = db.session.scalar(select(Indicator).where(Indicator.number == "11"))
    assert float(satisfaction.target_value) == 90
    # every department and district leads it (communes are not in the shipped directory)
    assert (
        db.session.scalar(
            select(func.count()).select_from(IndicatorTarget).where(IndicatorTarget.indicator_id == satisfaction.id)
        )
        == 20 + 18
    )


def _as_table(plan) -> list[list[str]]:
    """The parsed appendix typed into a table, as an office would (sections across, cells as read)."""
    rows = [
        ["STT", "Nội dung công việc", "Kết quả công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]
    ]
    items = [(s.line, "s", s) for s in plan.sections] + [(t.line, "t", t) for t in plan.tasks]
    for _line, kind, item in sorted(items, key=lambda x: x[0]):
        if kind == "s":
            rows.append([f"{item.number} {item.title}".strip(), "", "", "", "", ""])
        else:
            rows.append(
                [
                    item.number,
                    item.content,
                    item.deliverable,
                    item.lead_text,
                    item.coordinators_text,
                    item.deadline_text,
                ]
            )
    return rows


@pytest.mark.parametrize("name", ["002_691fbd729f25c83e.txt", "004_4bf868cb18751383.txt"])
@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_002_and_004_as_word_and_excel_import_to_the_same_tasks(name, suffix, index, tmp_path):
    from tests.importers.builders import merged_cells, write_docx, write_xlsx
    from tracker.importers.readers import read_bytes

    source = build_plan(read_path(DEMO / name), index)
    writer = write_docx if suffix == ".docx" else write_xlsx
    path = writer(_as_table(source), tmp_path / f"phu-luc{suffix}", lead_column=3)
    if source.sections:
        assert merged_cells(path) > 0
    year = source.plan["year"]
    period = (source.plan["period_start"], source.plan["period_end"]) if source.plan.get("period_start") else None
    copy = build_plan(read_bytes(path.read_bytes(), path.name), index, year=year, period=period)

    def summary(plan):
        return [
            (t.number, t.content, t.lead.to_json(), t.coordinators.to_json(), t.schedule.to_json(), t.section_path)
            for t in plan.tasks
        ]

    assert summary(copy) == summary(source)


def test_004_indicators_on_the_plan_page(app, db, logged_in):
    from tracker.core import clock
    from tracker.importers.operations import save_parsed_plan

    parsed = build_plan(read_path(DEMO / "004_4bf868cb18751383.txt"), AliasIndex.from_database())
    plan = save_parsed_plan(parsed, by=None, now=clock.now())
    db.session.commit()
    browser, _ = logged_in("leader")
    page = browser.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "<h2>Chỉ tiêu</h2>" in page
    assert "Tối thiểu 45 %" in page
    assert "Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia" in page
