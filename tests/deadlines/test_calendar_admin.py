"""The administrator enters the government's swaps; working-day arithmetic follows them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.deadlines.calendar import WorkCalendar
from tracker.deadlines.models import CalendarOverride


def test_admin_enters_a_working_saturday_and_the_calendar_follows(logged_in, db):
    admin, _ = logged_in("admin")
    page = admin.get("/admin/calendar?year=2024").get_data(as_text=True)
    assert "Giỗ Tổ Hùng Vương" in page or "Hùng" in page
    response = admin.post(
        "/admin/calendar",
        {"day": "04/05/2024", "is_working_day": "1", "note": "Công văn hoán đổi ngày làm việc dịp 30/4 – 1/5/2024"},
        token_from="/admin/calendar",
    )
    assert response.status_code == 302
    assert WorkCalendar.from_database().add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    assert WorkCalendar().add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 6)
    page = admin.get("/admin/calendar?year=2024").get_data(as_text=True)
    assert "04/05/2024" in page and "Ngày làm việc" in page

    again = admin.post("/admin/calendar", {"day": "2024-05-04", "is_working_day": "0"}, token_from="/admin/calendar")
    assert "Ngày này đã có trong danh sách điều chỉnh." in again.get_data(as_text=True)
    bad = admin.post("/admin/calendar", {"day": "31/02/2024", "is_working_day": "0"}, token_from="/admin/calendar")
    assert "Ngày không hợp lệ" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 1

    override = db.session.scalar(select(CalendarOverride))
    assert admin.post(f"/admin/calendar/{override.id}/delete", {}, token_from="/admin/calendar").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_only_the_administrator_changes_the_calendar(logged_in, db):
    for role, agency in (("monitor", None), ("agency_head", "SNV")):
        browser, _ = logged_in(role, agency)
        response = browser.post("/admin/calendar", {"day": "04/05/2024", "is_working_day": "1"}, token_from="/items")
        assert response.status_code == 403
    admin, _ = logged_in("admin")
    assert admin.post("/admin/calendar", {"day": "04/05/2024", "is_working_day": "1"}, csrf=False).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0
