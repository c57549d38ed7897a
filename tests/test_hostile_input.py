"""Hostile input answers a message, never a 500, and writes nothing (issue 11, defect 7 and part 3): uploads that are
broken spreadsheets or carry a field past the csv module's limit, ids past what the databases hold in filters,
months and years no date can have."""

from __future__ import annotations

import io
import zipfile

import pytest

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


def test_a_csv_field_past_the_csv_modules_limit_is_refused_on_upload(logged_in, db):
    browser, _ = logged_in("monitor")
    data = ('STT,Nội dung công việc,Cơ quan chủ trì\n1,"' + "a" * 140_000 + '",Sở Nội vụ\n').encode()
    response = upload(browser, data, "phu-luc.csv")
    assert response.status_code == 400
    assert "Tệp CSV sai định dạng ở dòng 2" in response.get_data(as_text=True)
    response = upload(browser, BROKEN_XLSX["a workbook that is not XML"], "phu-luc.xlsx")
    assert response.status_code == 400
    assert count(db, ImportDraft) == 0


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
