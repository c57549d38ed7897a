"""The monitoring office's import in the browser: upload, preview, edit a row, commit; and the forbidden paths."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from tracker.importers.models import ImportDraft
from tracker.plans.models import Plan, Task

DEMO_003 = Path(__file__).resolve().parents[2] / "tracker" / "plans" / "demo" / "003_parindex_sipas_2023.txt"


def upload(browser, data: bytes, name: str, **fields):
    return browser.post(
        "/imports",
        {"file": (io.BytesIO(data), name), **fields},
        token_from="/imports",
        content_type="multipart/form-data",
    )


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_preview_edit_and_commit(logged_in, db):
    browser, _ = logged_in("monitor")
    response = upload(browser, DEMO_003.read_bytes(), "phu-luc-003.txt")
    assert response.status_code == 302
    draft = db.session.scalar(select(ImportDraft))
    page = browser.get(response.location).get_data(as_text=True)
    assert "90 nhiệm vụ" in page
    assert "<mark>? Đoàn kiểm tra CCHC của tỉnh</mark>" in page
    assert "Hạn theo văn bản khác" in page
    # groups by name and size, never by code
    assert "UBND các huyện, thị xã, thành phố (18 đơn vị)" in page  # the district group, by its name and size
    assert "ALL_DISTRICTS" not in page and "ALL_DEPARTMENTS" not in page
    assert count(db, Plan) == 0

    # the inspection task: the person writes the lead the system knows
    position = next(i for i, t in enumerate(draft.payload["tasks"]) if t["content"].startswith("Tổ chức kiểm tra"))
    edit_url = f"/imports/{draft.id}/tasks/{position}"
    row = draft.payload["tasks"][position]
    response = browser.post(
        edit_url,
        {
            **{k: row[k] for k in ("number", "content", "deliverable", "coordinators_text")},
            "lead_text": "Sở Nội vụ; Văn phòng UBND tỉnh",
            "deadline_text": "Quý IV/2023",
        },
        token_from=edit_url,
    )
    assert response.status_code == 302
    page = browser.get(f"/imports/{draft.id}").get_data(as_text=True)
    assert "<mark>? Đoàn kiểm tra CCHC của tỉnh</mark>" not in page

    response = browser.post(
        f"/imports/{draft.id}/commit",
        {
            "doc_kind": "Kế hoạch",
            "doc_number": "1234/KH-UBND",
            "issued_on": "12/06/2023",
            "year": "2023",
            "issuer": "UBND tỉnh Quảng Nam",
            "signer": "Lê Trí Thanh",
            "title": "Nâng cao Chỉ số PAR INDEX và SIPAS năm 2023",
        },
        token_from=f"/imports/{draft.id}",
    )
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert response.location == f"/plans/{plan.id}"
    assert (plan.doc_number, plan.status, plan.period_end.isoformat()) == ("1234/KH-UBND", "active", "2023-12-31")
    assert (plan.issued_on.isoformat(), plan.issuer, plan.signer) == (
        "2023-06-12",
        "UBND tỉnh Quảng Nam",
        "Lê Trí Thanh",
    )
    assert count(db, Task) == 90
    edited = db.session.scalar(select(Task).where(Task.content.startswith("Tổ chức kiểm tra")))
    assert edited.lead_text == "Sở Nội vụ; Văn phòng UBND tỉnh"
    assert edited.schedule["due_dates"] == ["2023-12-31"]
    assert "Nâng cao Chỉ số PAR INDEX" in browser.get(response.location).get_data(as_text=True)
    # a committed draft cannot be committed twice
    again = browser.post(
        f"/imports/{draft.id}/commit", {"doc_kind": "Kế hoạch", "year": "2023", "title": "X"}, token_from="/imports"
    )
    assert again.status_code == 404
    assert count(db, Plan) == 1


def test_a_bad_file_is_refused_in_vietnamese_and_nothing_is_kept(logged_in, db):
    browser, _ = logged_in("monitor")
    response = upload(browser, b"PK\x03\x04 hong", "phu-luc.docx")
    assert response.status_code == 400
    assert "Tệp .docx bị hỏng hoặc không phải tài liệu Word." in response.get_data(as_text=True)
    response = upload(browser, b"a,b\n1,2\n", "bang.doc")
    assert "Chỉ nhận tệp .docx, .xlsx, .pdf, .csv hoặc .txt." in response.get_data(as_text=True)
    assert count(db, ImportDraft) == 0


def test_an_oversized_upload_is_refused(logged_in, app, db):
    browser, _ = logged_in("monitor")
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    try:
        response = upload(browser, b"x" * 60_000, "lon.txt")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert response.status_code == 413
    assert "vượt quá dung lượng cho phép" in response.get_data(as_text=True)
    assert count(db, ImportDraft) == 0


def test_commit_without_a_title_or_year_changes_nothing(logged_in, db):
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, DEMO_003.read_bytes(), "003.txt").location
    response = browser.post(
        f"{draft_url}/commit", {"doc_kind": "Kế hoạch", "title": "", "year": ""}, token_from=draft_url
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Trường này là bắt buộc." in page and "Vui lòng nhập năm của kế hoạch." in page
    assert "Vui lòng nhập số, ký hiệu của văn bản." in page and "Vui lòng nhập ngày ban hành." in page
    assert "Vui lòng nhập cơ quan ban hành." in page
    assert count(db, Plan) == 0


def test_the_preview_prefills_the_documents_details_and_flags_its_placeholders(logged_in, db):
    """The office sees what the document says of itself, and what it left blank ("#sov/b", "#nbh"); a commit
    with the draft's placeholder keeps the draft and says which fields; the corrected one is the plan."""
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, DEMO_003.read_bytes(), "phu-luc-003.txt").location
    page = browser.get(draft_url).get_data(as_text=True)
    assert 'value="UBND tỉnh Quảng Nam"' in page  # the issuer, from "của Ủy ban nhân dân tỉnh Quảng Nam"
    assert re.search(r'<input[^>]*name="year"[^>]*value="2023"', page)
    assert "CÁC NHIỆM VỤ, GIẢI PHÁP NHẪM NÂNG CAO CHỈ SỐ PARINDEX VÀ CHỈ SỐ SIPAS NĂM 2023</textarea>" in page
    assert "Văn bản chưa có số (ghi “#sov/b/KH-UBND”)" in page
    assert "Văn bản chưa có ngày ban hành (ghi “ngày #nbh/6/2023”)" in page
    assert "Không thấy người ký trong văn bản." in page
    assert "3 mục cần bổ sung, kiểm tra" in page
    assert re.search(r'<input[^>]*name="doc_number"[^>]*value=""', page)  # a placeholder is never a value

    fields = {
        "doc_kind": "Kế hoạch",
        "doc_number": "#sov/b/KH-UBND",
        "issued_on": "",
        "year": "2023",
        "issuer": "UBND tỉnh Quảng Nam",
        "title": "Nâng cao Chỉ số PAR INDEX và SIPAS năm 2023",
    }
    refused = browser.post(f"{draft_url}/commit", fields, token_from=draft_url)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "“#sov/b/KH-UBND” chưa phải số, ký hiệu đã ban hành: nhập số như 123/KH-UBND." in page
    assert "Vui lòng nhập ngày ban hành." in page
    assert count(db, Plan) == 0
    assert db.session.scalar(select(ImportDraft)).status == "open"  # the draft is kept, with the person's edits

    wrong = browser.post(
        f"{draft_url}/commit", {**fields, "doc_number": "55/KH-UBND", "issued_on": "31/02/2023"}, token_from=draft_url
    )
    assert wrong.status_code == 400
    assert "Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm)." in wrong.get_data(as_text=True)

    response = browser.post(
        f"{draft_url}/commit",
        {**fields, "doc_number": " 55/KH-UBND ", "issued_on": "12/06/2023", "end_year": "2025", "signer": ""},
        token_from=draft_url,
    )
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert (plan.doc_kind, plan.doc_number, plan.issued_on.isoformat(), plan.issuer, plan.signer) == (
        "Kế hoạch",
        "55/KH-UBND",
        "2023-06-12",
        "UBND tỉnh Quảng Nam",
        "",
    )
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == ("2023-01-01", "2025-12-31")
    shown = browser.get(response.location).get_data(as_text=True)
    assert "Kế hoạch số 55/KH-UBND ngày 12/06/2023" in shown and "UBND tỉnh Quảng Nam" in shown


def test_forbidden_paths(logged_in, db, make_browser):
    office, _ = logged_in("monitor")
    draft_url = upload(office, DEMO_003.read_bytes(), "003.txt").location
    for role, agency in (("agency_staff", "SNV"), ("agency_head", "SNV"), ("leader", None)):
        browser, _ = logged_in(role, agency)
        assert browser.get(draft_url).status_code == 403
        assert upload(browser, DEMO_003.read_bytes(), "003.txt").status_code == 403
        assert (
            browser.post(
                f"{draft_url}/commit", {"doc_kind": "Kế hoạch", "title": "X", "year": "2023"}, token_from="/items"
            ).status_code
            == 403
        )
    # the office itself, without the CSRF token
    response = office.post(f"{draft_url}/commit", {"doc_kind": "Kế hoạch", "title": "X", "year": "2023"}, csrf=False)
    assert response.status_code == 400
    assert count(db, Plan) == 0
    assert count(db, ImportDraft) == 1


def test_discard(logged_in, db):
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, DEMO_003.read_bytes(), "003.txt").location
    assert browser.post(f"{draft_url}/discard", {}, token_from=draft_url).status_code == 302
    assert browser.get(draft_url).status_code == 404


def test_a_row_is_edited_in_place_in_the_preview(logged_in, db):
    browser, _ = logged_in("monitor")
    draft_url = upload(browser, DEMO_003.read_bytes(), "003.txt").location
    page = browser.get(draft_url).get_data(as_text=True)
    assert '<details class="inline-edit"><summary>Sửa</summary>' in page
    draft = db.session.scalar(select(ImportDraft))
    row = draft.payload["tasks"][0]
    response = browser.post(
        f"{draft_url}/tasks/0",
        {
            **{k: row[k] for k in ("number", "content", "deliverable", "coordinators_text", "deadline_text")},
            "lead_text": "Sở Nội vụ",
        },
        token_from=draft_url,
    )
    assert response.location == f"{draft_url}#task-0"
    db.session.expire_all()
    assert db.session.scalar(select(ImportDraft)).payload["tasks"][0]["lead_text"] == "Sở Nội vụ"
    # the form in the page carries its CSRF token like every other form
    assert browser.post(f"{draft_url}/tasks/0", {"content": "x"}, csrf=False).status_code == 400
