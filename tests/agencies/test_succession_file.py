"""`tracker agencies apply-succession`: the 2025 department mergers as a file, a dry run, a file that fails half-way
(every change or none, on both databases)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.agencies.models import Agency, ItemMove, Succession
from tracker.core.models import AuditEvent
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec

FILE_2025 = str(Path(__file__).parents[2] / "tracker" / "agencies" / "data" / "successions" / "2025_departments.json")


def a_plan_of_the_old_departments(db, clock):
    return make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Kế hoạch đầu tư công", number="1", lead_codes=["SKHDT"], schedule=dated(date(2025, 6, 30))
            ),
            TaskSpec(content="Chuyển đổi số", number="2", lead_codes=["STTTT"], schedule=dated(date(2025, 6, 30))),
            TaskSpec(
                content="Đất đai và nông nghiệp",
                number="3",
                lead_codes=["STNMT", "SNNPTNT"],
                schedule=dated(date(2025, 6, 30)),
            ),
            TaskSpec(
                content="Chính sách bảo trợ xã hội",
                number="4",
                lead_codes=["SLDTBXH"],
                schedule=dated(date(2025, 6, 30)),
            ),
            TaskSpec(
                content="Đào tạo nghề cho lao động",
                number="5",
                lead_codes=["SLDTBXH"],
                schedule=dated(date(2025, 6, 30)),
            ),
            TaskSpec(content="Việc làm", number="6", lead_codes=["SLDTBXH"], schedule=dated(date(2025, 6, 30))),
            TaskSpec(content="Công tác tôn giáo", number="7", lead_codes=["SNV"], schedule=dated(date(2025, 6, 30))),
            TaskSpec(content="Công tác dân tộc", number="8", lead_codes=["BDT"], schedule=dated(date(2025, 6, 30))),
            TaskSpec(content="Cầu đường", number="9", lead_codes=["SGTVT"], schedule=dated(date(2025, 6, 30))),
        ],
    )


def leads(db) -> dict[str, list[str]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Task.number, Agency.code)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Agency)
        .order_by(Agency.code)
    )
    found: dict[str, list[str]] = {}
    for number, code in rows:
        found.setdefault(number, []).append(code)
    return found


def counts(db) -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Agency, Succession, ItemMove, Assignment, DueItem, AuditEvent)
    )


def test_the_2025_mergers_apply_in_one_command(app, db, clock):
    a_plan_of_the_old_departments(db, clock)
    before = leads(db)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["agencies", "apply-succession", FILE_2025, "--on", "2025-03-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "chạy thử: không thay đổi gì" in dry.output and "Đơn vị mới: SNNMT, SDTTG" in dry.output
    assert leads(db) == before  # the dry run changed nothing
    assert db.session.scalar(select(Agency).where(Agency.code == "SNNMT")) is None

    done = runner.invoke(args=["agencies", "apply-succession", FILE_2025, "--on", "2025-03-01"])
    assert done.exit_code == 0, done.output
    assert dry.output.replace(" (chạy thử: không thay đổi gì)", "") == done.output  # the preview is what happened
    assert leads(db) == {
        "1": ["STC"],
        "2": ["SKHCN"],
        "3": ["SNNMT"],  # two leads, one part
        "4": ["SYT"],  # bảo trợ xã hội
        "5": ["SGDDT"],  # đào tạo nghề
        "6": ["SNV"],  # the default
        "7": ["SDTTG"],  # tôn giáo, transferred from a unit that goes on
        "8": ["SDTTG"],
        "9": ["SXD"],
    }
    # the same file run again by mistake is refused, and changes nothing
    before = counts(db)
    again = app.test_cli_runner().invoke(args=["agencies", "apply-succession", FILE_2025, "--on", "2025-03-01"])
    assert again.exit_code == 2
    assert "Đã kết thúc hoạt động: Sở Kế hoạch và Đầu tư (đến 28/02/2025)." in again.output
    assert counts(db) == before
    ended = {a.code: a.active_to for a in db.session.scalars(select(Agency).where(Agency.active_to.is_not(None)))}
    assert ended == {
        code: date(2025, 2, 28) for code in ("SKHDT", "SGTVT", "STNMT", "SNNPTNT", "STTTT", "SLDTBXH", "BDT")
    }
    assert db.session.scalar(select(Agency.active_to).where(Agency.code == "SNV")) is None


def test_a_file_that_fails_half_way_changes_nothing(app, db, clock, tmp_path):
    a_plan_of_the_old_departments(db, clock)
    before, where = counts(db), leads(db)
    bad = tmp_path / "hong.json"
    bad.write_text(
        json.dumps(
            {
                "changes": [
                    {"kind": "merger", "from": ["SKHDT"], "to": ["STC"]},
                    {"kind": "merger", "from": ["SGTVT"], "to": ["SXD_KHONG_CO"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["agencies", "apply-succession", str(bad), "--on", "2025-03-01"])
    assert result.exit_code == 2
    assert "Thay đổi 2: không có đơn vị mã SXD_KHONG_CO." in result.output and "Không thay đổi gì." in result.output
    assert counts(db) == before and leads(db) == where  # the first change was undone with it


def test_a_malformed_file_is_refused_with_every_problem(app, db, tmp_path):
    bad = tmp_path / "sai.json"
    bad.write_text(
        json.dumps(
            {"changes": [{"kind": "gop", "from": ["A"], "to": ["B"]}, {"kind": "transfer", "from": ["A"], "to": ["B"]}]}
        ),
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["agencies", "apply-succession", str(bad), "--on", "2025-03-01"])
    assert result.exit_code == 2
    assert "Thay đổi 1: loại “gop” không hợp lệ" in result.output
    assert "Thay đổi 2: chuyển giao nhiệm vụ cần “rules”" in result.output
    wrong_day = app.test_cli_runner().invoke(args=["agencies", "apply-succession", FILE_2025, "--on", "1/3/2025"])
    assert wrong_day.exit_code == 2 and "YYYY-MM-DD" in wrong_day.output


def apply_2025(app) -> None:
    result = app.test_cli_runner().invoke(args=["agencies", "apply-succession", FILE_2025, "--on", "2025-03-01"])
    assert result.exit_code == 0, result.output


def _appendix(tmp_path, issued: str):
    from tests.importers.builders import write_docx

    rows = [
        ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"],
        ["1", "Chuyển đổi số", "Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư; Sở Tài chính", "Quý IV/2025"],
        ["2", "Đất đai", "Sở TN&MT; Sở NN&PTNT", "Sở Thông tin và Truyền thông", "Quý IV/2025"],
        ["3", "Tư pháp", "Sở Tư pháp", "Sở KH&ĐT", "Quý IV/2025"],
    ]
    preamble = [
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
        "Số: 12/KH-UBND",
        f"Quảng Nam, {issued}",
        "KẾ HOẠCH",
        "Cải cách hành chính",
    ]
    return write_docx(rows, tmp_path / "phu-luc.docx", preamble=preamble).read_bytes()


def test_an_appendix_written_after_the_change_that_names_old_units_goes_to_their_successors(
    app, db, clock, logged_in, tmp_path
):
    from tests.importers.test_import_views import upload

    apply_2025(app)
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, _appendix(tmp_path, "ngày 15 tháng 6 năm 2025"), "phu-luc.docx").location
    page = browser.get(draft_url).get_data(as_text=True)
    assert "3 nhiệm vụ nêu tên đơn vị đã kết thúc hoạt động trước ngày của kế hoạch" in page
    assert "Sở Thông tin và Truyền thông đã kết thúc: thay bằng đơn vị kế thừa Sở Khoa học và Công nghệ" in page
    response = browser.post(
        f"{draft_url}/commit",
        {
            "doc_kind": "Kế hoạch",
            "doc_number": "12/KH-UBND",
            "issued_on": "15/06/2025",
            "year": "2025",
            "issuer": "UBND tỉnh Quảng Nam",
            "title": "Cải cách hành chính",
        },
        token_from=draft_url,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    parts = db.session.execute(
        select(Task.number, Agency.code, Assignment.role).join(Assignment, Assignment.task_id == Task.id).join(Agency)
    ).all()
    assert sorted(parts) == [
        ("1", "SKHCN", "lead"),
        ("1", "STC", "coordinator"),  # the planning department and the finance one: one successor, once
        ("2", "SKHCN", "coordinator"),
        ("2", "SNNMT", "lead"),  # two old leads, one successor
        ("3", "STC", "coordinator"),
        ("3", "STP", "lead"),
    ]


def test_an_appendix_of_before_the_change_keeps_the_units_it_names(app, db, clock, logged_in, tmp_path):
    from tests.importers.test_import_views import upload

    apply_2025(app)
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, _appendix(tmp_path, "ngày 10 tháng 01 năm 2025"), "phu-luc.docx").location
    page = browser.get(draft_url).get_data(as_text=True)
    assert "đã kết thúc" not in page and "✔ Sở Thông tin và Truyền thông" in page
