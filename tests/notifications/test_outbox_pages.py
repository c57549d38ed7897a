"""The administrator's outbox and schedules; the agency's in-app notices."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.notifications.models import OutboxMessage
from tracker.notifications.reminders import send_reminders
from tracker.plans.operations import TaskSpec
from tracker.scheduler.models import JobSchedule

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _remind(db, clock):
    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Kế hoạch kiểm soát TTHC năm 2024",
                number="1",
                lead_codes=["SNV"],
                schedule=dated(date(2024, 3, 5)),
            ),
            TaskSpec(content="Báo cáo năm 2023", number="2", lead_codes=["SNV"], schedule=dated(date(2024, 2, 20))),
        ],
    )
    send_reminders(datetime(2024, 3, 1, 7, 30, tzinfo=VN))
    db.session.commit()


def test_outbox_lists_messages_and_retries_a_failed_one(db, clock, logged_in):
    _remind(db, clock)
    message = db.session.scalar(select(OutboxMessage))
    admin, _ = logged_in("admin")
    page = admin.get("/admin/outbox?status=queued").get_data(as_text=True)
    assert "[Theo dõi nhiệm vụ] Sở Nội vụ: 1 nhiệm vụ quá hạn, 1 nhiệm vụ sắp đến hạn" in page
    assert "Chờ gửi" in page
    detail = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "NHIỆM VỤ QUÁ HẠN (1)" in detail
    message.status, message.last_error = "failed", "SMTPServerDisconnected: gone"
    db.session.commit()
    assert (
        admin.post(f"/admin/outbox/{message.id}/retry", {}, token_from=f"/admin/outbox/{message.id}").status_code == 302
    )
    db.session.expire_all()
    assert (db.session.get(OutboxMessage, message.id).status, db.session.get(OutboxMessage, message.id).attempts) == (
        "queued",
        0,
    )
    staff, _ = logged_in("agency_head", "SNV")
    assert staff.get("/admin/outbox").status_code == 403
    assert staff.post(f"/admin/outbox/{message.id}/retry", {}, token_from="/items").status_code == 403


def test_the_administrator_edits_a_schedule(db, logged_in):
    admin, _ = logged_in("admin")
    bad = admin.post(
        "/admin/schedules/reminders",
        {"crontab": "mỗi sáng", "is_enabled": "y"},
        token_from="/admin/schedules/reminders",
    )
    assert "Lịch không hợp lệ" in bad.get_data(as_text=True)
    assert db.session.get(JobSchedule, "reminders") is None
    good = admin.post(
        "/admin/schedules/reminders",
        {"crontab": "0 7 * * mon-fri", "is_enabled": "y"},
        token_from="/admin/schedules/reminders",
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(JobSchedule, "reminders").crontab == "0 7 * * mon-fri"
    assert "0 7 * * mon-fri" in admin.get("/admin/schedules").get_data(as_text=True)


def test_agency_sees_its_reminders_in_the_app(db, clock, logged_in):
    _remind(db, clock)
    snv, _ = logged_in("agency_staff", "SNV")
    page = snv.get("/items").get_data(as_text=True)
    assert "Thông báo nhắc việc" in page
    assert "Sắp đến hạn</span>" in page and "Quá hạn</span>" in page
    other, _ = logged_in("agency_staff", "STP")
    assert "Thông báo nhắc việc" not in other.get("/items").get_data(as_text=True)
