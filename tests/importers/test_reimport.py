"""A revised appendix of the same plan: matched tasks keep their progress and history; changes are confirmed."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from tests.importers.builders import write_xlsx
from tracker.core.models import AuditEvent
from tracker.plans.models import Assignment, DueItem, Plan, Task

HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]
FIRST = [
    HEADER,
    ["I", "Công tác chỉ đạo", "", "", ""],
    ["1", "Kế hoạch kiểm soát TTHC năm 2024", "Văn phòng UBND tỉnh", "Sở Nội vụ", "Trước ngày 05/03/2024"],
    ["2", "Rà soát quy trình nội bộ giải quyết TTHC", "Sở Nội vụ", "", "Quý II/2024"],
    ["3", "Tổ chức hội nghị tập huấn", "Sở Tư pháp", "", "Quý III/2024"],
]
REVISED = [
    HEADER,
    ["I", "Công tác chỉ đạo, điều hành", "", "", ""],
    [
        "1",
        "Kế hoạch kiểm soát thủ tục hành chính năm 2024",
        "Văn phòng UBND tỉnh",
        "Sở Nội vụ",
        "Trước ngày 05/03/2024",
    ],
    ["2", "Rà soát quy trình nội bộ giải quyết TTHC", "Sở Nội vụ", "", "Quý III/2024"],
    ["3", "Số hóa hồ sơ giải quyết TTHC", "Sở Thông tin và Truyền thông", "", "Năm 2024"],
]


def upload(browser, rows, tmp_path, name, **fields):
    path = write_xlsx(rows, tmp_path / name)
    return browser.post(
        "/imports",
        {"file": (io.BytesIO(path.read_bytes()), name), "year": "2024", **fields},
        token_from="/imports",
        content_type="multipart/form-data",
    )


def commit(browser, draft_url, **extra):
    return browser.post(
        f"{draft_url}/commit",
        {
            "doc_kind": "Kế hoạch",
            "doc_number": "55/KH-UBND",
            "issued_on": "10/01/2024",
            "issuer": "UBND tỉnh Quảng Nam",
            "year": "2024",
            "title": "Kế hoạch kiểm soát TTHC năm 2024",
            **extra,
        },
        token_from=draft_url,
    )


def test_a_revision_keeps_progress_and_asks_before_adding_or_removing(logged_in, db, tmp_path):
    office, _ = logged_in("monitor")
    assert commit(office, upload(office, FIRST, tmp_path, "v1.xlsx").location).status_code == 302
    plan = db.session.scalar(select(Plan))
    review = db.session.scalar(select(Task).where(Task.number == "2"))
    item = db.session.scalar(select(DueItem).join(Assignment).where(Assignment.task_id == review.id))
    staff, _ = logged_in("agency_staff", "SNV")
    assert (
        staff.post(
            f"/items/{item.id}/progress", {"progress": "40", "note": "Đang rà soát"}, token_from="/items"
        ).status_code
        == 302
    )

    draft_url = upload(office, REVISED, tmp_path, "v2.xlsx", plan_id=str(plan.id)).location
    page = office.get(draft_url).get_data(as_text=True)
    assert "Giữ nguyên 2 nhiệm vụ" in page and "thêm 1; bỏ 1" in page
    assert "Số hóa hồ sơ giải quyết TTHC" in page and "Tổ chức hội nghị tập huấn" in page

    refused = commit(office, draft_url)
    assert refused.status_code == 400
    assert "Vui lòng xem và xác nhận các nhiệm vụ thêm mới, bị bỏ." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.content.startswith("Số hóa"))) == 0

    response = commit(office, draft_url, confirm_changes="y")
    assert response.status_code == 302 and response.location == f"/plans/{plan.id}"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
    tasks = {t.number: t for t in db.session.scalars(select(Task).where(Task.plan_id == plan.id))}
    assert tasks["1"].content == "Kế hoạch kiểm soát thủ tục hành chính năm 2024"  # the corrected wording
    assert tasks["3"].content == "Số hóa hồ sơ giải quyết TTHC"
    # the same item, its progress kept, its due date moved to the revised quarter
    kept = db.session.get(DueItem, item.id)
    assert (kept.progress, kept.progress_note) == (40, "Đang rà soát")
    assert (kept.due_date, kept.original_due_date) == (date(2024, 9, 30), date(2024, 9, 30))
    assert tasks["2"].id == review.id
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.content.startswith("Tổ chức hội"))) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan_reimported")).after == {
        "matched": 2,
        "added": 1,
        "removed": 1,
    }
