"""Hostile input answers a message, never a 500, and writes nothing (issue 11, defect 7 and part 3): uploads that are
broken spreadsheets or carry a field past the csv module's limit, ids past what the databases hold in filters,
months and years no date can have."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.importers.test_background_parse import wait_for
from tests.importers.test_import_views import count, upload
from tracker.importers.models import ImportDraft
from tracker.importers.readers import ReadError, read_bytes


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.sheet.main+xml"/></Types>'
)
BROKEN_XLSX = {
    "not a zip": b"PK\x03\x04 this is not an archive",
    "an empty archive": _zip({}),
    "a workbook that is not XML": _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"\x00\x01<<"}),
    "a workbook naming a missing sheet": _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="A" sheetId="1" r:id="rId9"/></sheets></workbook>',
        }
    ),
    "a Word document named .xlsx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
}


@pytest.mark.parametrize("name", BROKEN_XLSX)
def test_a_broken_spreadsheet_is_refused_with_a_message(name):
    with pytest.raises(ReadError, match="Tệp .xlsx bị hỏng hoặc không phải bảng tính Excel."):
        read_bytes(BROKEN_XLSX[name], "phu-luc.xlsx")


def test_a_csv_field_past_the_csv_modules_limit_is_refused_on_upload(logged_in, db, app, monkeypatch):
    browser, _ = logged_in("monitor")
    data = ('STT,Nội dung công việc,Cơ quan chủ trì\n1,"' + "a" * 140_000 + '",Sở Nội vụ\n').encode()
    monkeypatch.setitem(app.config, "IMPORT_BACKGROUND_BYTES", len(data))  # read in the request
    response = upload(browser, data, "phu-luc.csv")
    assert response.status_code == 400
    assert "Tệp CSV sai định dạng ở dòng 2" in response.get_data(as_text=True)
    response = upload(browser, BROKEN_XLSX["a workbook that is not XML"], "phu-luc.xlsx")
    assert response.status_code == 400
    assert count(db, ImportDraft) == 0
    # read apart, as a file of its size is by default: the draft fails with the same message
    monkeypatch.setitem(app.config, "IMPORT_BACKGROUND_BYTES", 0)
    draft_url = upload(browser, data, "phu-luc.csv").location
    page = wait_for(browser, db, draft_url, "failed")
    assert "Tệp CSV sai định dạng ở dòng 2" in page


HUGE = str(2**64)


@pytest.mark.parametrize(
    "url",
    [
        f"/items?agency={HUGE}",
        f"/items?plan={HUGE}&page={HUGE}",
        f"/review?agency={HUGE}&plan={HUGE}",
        f"/extensions?plan={HUGE}",
        f"/indicators?plan={HUGE}&agency={HUGE}",
        f"/items/export.xlsx?agency={HUGE}",
        "/reports/monthly?month=9999-12",
        "/reports/monthly?month=0000-01",
        "/reports/monthly.xlsx?month=9999-12",
        f"/calendar?year={HUGE}",
        "/calendar?year=0",
        f"/tasks/{HUGE}",
        f"/plans/{HUGE}",
    ],
)
def test_ids_and_dates_no_database_holds_answer_without_a_500(logged_in, url):
    admin, _ = logged_in("admin")
    response = admin.get(url)
    assert response.status_code in (200, 302, 404), (url, response.status_code)


def test_a_nul_in_a_form_a_filter_or_a_json_body_never_reaches_the_database(db, clock, logged_in, app):
    """PostgreSQL refuses a NUL in text (SQLite stores it, and the exports then fail): no view sees one."""
    from datetime import date

    from sqlalchemy import select

    from tests.factories import dated, make_plan
    from tracker.plans.operations import TaskSpec
    from tracker.workflow.models import Comment

    plan = make_plan(
        db, clock, [TaskSpec(content="Việc", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 3, 5)))]
    )
    task_id = plan.tasks[0].id
    monitor, _ = logged_in("monitor")
    response = monitor.post(
        f"/tasks/{task_id}/comments", {"text": "Đề nghị\x00 báo cáo"}, token_from=f"/tasks/{task_id}"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Comment.text)) == "Đề nghị báo cáo"
    assert monitor.get("/items?q=vi%00ec").status_code == 200
    with app.test_request_context("/api/v1/x", method="POST", json={"text": ["a\x00b", {"c\x07": "d\x0be"}]}):
        from flask import request

        assert request.get_json() == {"text": ["ab", {"c": "d\ne"}]}


def test_values_longer_than_their_columns_get_a_message_and_change_nothing(db, logged_in):
    from sqlalchemy import func, select

    from tests.test_admin import _agency_form
    from tracker.agencies.models import Agency
    from tracker.scheduler.models import JobSchedule

    admin, _ = logged_in("admin")
    crontab = "0 " + ",".join(str(h) for h in range(24)) + " 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 * *"
    assert len(crontab) > 100
    page = admin.post(
        "/admin/schedules/reminders", {"crontab": crontab, "is_enabled": "y"}, token_from="/admin/schedules/reminders"
    ).get_data(as_text=True)
    assert "Lịch dài quá 100 ký tự." in page
    assert db.session.get(JobSchedule, "reminders") is None
    agencies = db.session.scalar(select(func.count()).select_from(Agency))
    page = admin.post(
        "/admin/agencies/new", _agency_form(aliases="Sở " + "x" * 300), token_from="/admin/agencies/new"
    ).get_data(as_text=True)
    assert "Mỗi tên gọi khác dài tối đa 255 ký tự." in page
    assert db.session.scalar(select(func.count()).select_from(Agency)) == agencies


def test_a_very_long_file_name_is_shortened_and_keeps_its_extension(app):
    from tests.workflow.conftest import pdf_bytes
    from tracker.workflow.files import check_file

    checked = check_file(pdf_bytes("ket qua"), "bao-cao-" + "rat-dai-" * 60 + ".pdf")
    assert len(checked.name) == 255 and checked.name.endswith(".pdf")


def test_a_value_the_database_refuses_gets_a_message_not_a_500(app):
    """The net under the forms' checks: a DataError (too long, out of range) answers 422 with a message."""
    from sqlalchemy.exc import DataError

    error = DataError("UPDATE …", {}, Exception("value too long for type character varying(80)"))
    with app.test_request_context("/plans/1/edit", method="POST"):
        page = app.make_response(app.handle_user_exception(error))
        assert page.status_code == 422
        assert "có giá trị quá dài hoặc quá lớn. Không có gì được lưu." in page.get_data(as_text=True)
    with app.test_request_context("/api/v1/items/1/progress", method="POST"):
        problem = app.make_response(app.handle_user_exception(error))
        assert problem.status_code == 422 and problem.mimetype == "application/problem+json"
    with app.test_request_context("/items/1/assign", method="POST"):  # SQLite's driver on a number past 64 bits
        page = app.make_response(app.handle_user_exception(OverflowError("Python int too large")))
        assert page.status_code == 422
