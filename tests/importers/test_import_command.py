"""`tracker import-plan`: the JSON shape, the saved plan, and bad files refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from tests.importers.builders import write_docx, write_xlsx
from tracker.agencies.models import Agency
from tracker.plans.models import Assignment, DueItem, Plan, Section, Task

DEMO_003 = Path(__file__).resolve().parents[2] / "tracker" / "plans" / "demo" / "003_parindex_sipas_2023.txt"

HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["import-plan", *map(str, args)])


def test_dry_run_prints_the_documented_shape_and_writes_nothing(app, db):
    result = invoke(app, DEMO_003, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"plan", "tasks", "indicators", "warnings"}
    first = data["tasks"][0]
    assert set(first) == {
        "number",
        "section_path",
        "content",
        "deliverable",
        "lead_text",
        "lead",
        "coordinators",
        "deadline_text",
        "schedule",
        "flags",
    }
    assert first["schedule"] == {
        "text": "Trong năm 2023",
        "kind": "date",
        "due_dates": ["2023-12-31"],
        "relative": None,
        "needs_review": False,
    }
    assert first["lead"] == {
        "agencies": ["Sở Nội vụ"],
        "groups": ["ALL_DEPARTMENTS", "ALL_DISTRICTS"],
        "unresolved": [],
    }
    assert len(data["tasks"]) == 90
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_import_saves_the_plan_with_one_assignment_per_group_member(app, db, tmp_path):
    rows = [
        HEADER,
        ["I", "Công tác chỉ đạo", "", "", ""],
        [
            "1",
            "Kế hoạch kiểm soát TTHC năm 2024",
            "Văn phòng UBND tỉnh",
            "Các Sở, Ban, ngành; UBND cấp huyện",
            "Trước ngày 05/03/2024",
        ],
        ["2", "Báo cáo định kỳ", "UBND cấp huyện", "", "Định kỳ hằng quý"],
        ["3", "Tuyên truyền", "Sở TT&TT", "", "Thường xuyên"],
    ]
    path = write_xlsx(rows, tmp_path / "ke-hoach.xlsx")
    result = invoke(app, path, "--year", "2024", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    plan = db.session.get(Plan, data["plan"]["id"])
    assert (plan.status, plan.period_start.isoformat(), plan.source_filename) == (
        "active",
        "2024-01-01",
        "ke-hoach.xlsx",
    )
    assert db.session.scalar(select(func.count()).select_from(Section)) == 1
    tasks = {t.number: t for t in db.session.scalars(select(Task))}
    assert tasks["1"].schedule["due_dates"] == ["2024-03-05"]
    coordinators = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.task_id == tasks["1"].id, Assignment.role == "coordinator")
    )
    # every department and district but the lead (Văn phòng UBND tỉnh is a department): one assignment each
    assert coordinators == 20 + 18 - 1
    lead_roles = db.session.scalars(
        select(Assignment.role).join(Agency).where(Assignment.task_id == tasks["1"].id, Agency.code == "VPUBND")
    ).all()
    assert lead_roles == ["lead"]
    quarterly = db.session.scalar(
        select(func.count()).select_from(DueItem).join(Assignment).where(Assignment.task_id == tasks["2"].id)
    )
    assert quarterly == 18 * 4
    continuous = db.session.scalar(select(DueItem.kind).join(Assignment).where(Assignment.task_id == tasks["3"].id))
    assert continuous == "continuous"
    draft = json.loads(invoke(app, path, "--year", "2024", "--json", "--draft").stdout)
    assert db.session.get(Plan, draft["plan"]["id"]).status == "draft"


def _write(data: bytes):
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


#: "STT;Nội dung;Cơ quan chủ trì / 1;Việc;Sở Nội vụ" in Windows-1258, as an old office PC saves it
CP1258 = b"STT;N\xf4\xf2i dung;C\xf5 quan ch\xfd\xec tr\xec\n1;Vi\xea\xf2c;S\xf5\xde N\xf4\xf2i vu\xf2\n"


def _no_lead_docx(path: Path) -> Path:
    return write_docx([["STT", "Nội dung công việc", "Thời gian thực hiện"], ["1", "Việc", "Quý I/2024"]], path)


def _no_table_docx(path: Path) -> Path:
    document = Document()
    document.add_paragraph("Kế hoạch không có phụ lục")
    document.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("rong.docx", _write(b""), "Tệp rỗng."),
        ("hong.docx", _write(b"PK\x03\x04 not a zip at all"), "bị hỏng"),
        ("khong-bang.docx", _no_table_docx, "Không tìm thấy bảng nào"),
        ("khong-chu-tri.docx", _no_lead_docx, "không có cột cơ quan chủ trì"),
        ("cu.csv", _write(CP1258), "không phải UTF-8"),
        ("lon.xlsx", _write(b"0" * (20 * 1024 * 1024 + 1)), "Tệp quá lớn"),
        ("ke-hoach.pdf", _write(b"%PDF-1.4\n"), "Tệp PDF bị hỏng hoặc không đọc được."),
        ("ke-hoach.doc", _write(b"\xd0\xcf\x11\xe0 old Word"), "Không hỗ trợ tệp .doc"),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_written(app, db, tmp_path, name, make, message):
    path = make(tmp_path / name)
    result = invoke(app, path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_the_summary_names_what_the_document_left_blank(app, db):
    result = invoke(app, DEMO_003, "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Đọc 90 nhiệm vụ")
    assert (
        "Thông tin văn bản: Văn bản chưa có số (ghi “#sov/b/KH-UBND”): nhập số, ký hiệu khi văn bản được ban hành."
        in lines
    )
    assert "Thông tin văn bản: Không thấy người ký trong văn bản." in lines
