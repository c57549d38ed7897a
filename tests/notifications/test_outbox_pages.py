"""The administrator's outbox and schedules; the agency's in-app notices."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
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
    listing = admin.get("/admin/schedules").get_data(as_text=True)
    assert "7 giờ 00, thứ Hai đến thứ Sáu" in listing and "mon-fri" not in listing  # words, not a crontab line


def test_a_schedule_in_words(db, logged_in):
    """The administrator picks a time and the days; the crontab stays an advanced field."""
    admin, _ = logged_in("admin")
    url = "/admin/schedules/leader-digest"
    page = admin.get(url).get_data(as_text=True)
    assert "Lịch hiện tại: <strong>8 giờ 00, thứ Hai hằng tuần</strong>" in page
    assert "<summary>Nâng cao</summary>" in page
    bad = admin.post(url, {"time": "25:00", "frequency": "weekly", "weekday": "fri", "day": "1"}, token_from=url)
    assert "Giờ chạy phải có dạng giờ:phút, ví dụ 07:30." in bad.get_data(as_text=True)
    assert db.session.get(JobSchedule, "leader-digest") is None
    good = admin.post(
        url, {"time": "7:45", "frequency": "weekly", "weekday": "fri", "day": "1", "is_enabled": "y"}, token_from=url
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(JobSchedule, "leader-digest").crontab == "45 7 * * fri"
    assert "7 giờ 45, thứ Sáu hằng tuần" in admin.get("/admin/schedules").get_data(as_text=True)
    monthly = admin.post(
        "/admin/schedules/monthly-late-report",
        {"time": "08:00", "frequency": "monthly", "weekday": "mon", "day": "2", "is_enabled": "y"},
        token_from="/admin/schedules/monthly-late-report",
    )
    assert monthly.status_code == 302
    assert db.session.get(JobSchedule, "monthly-late-report").crontab == "0 8 2 * *"


@pytest.mark.parametrize(
    ("crontab", "text"),
    [
        ("30 7 * * mon-fri", "7 giờ 30, thứ Hai đến thứ Sáu"),
        ("30 7 * * 1-5", "7 giờ 30, thứ Hai đến thứ Sáu"),
        ("0 8 1 * *", "8 giờ 00, ngày 1 hằng tháng"),
        ("0 8 * * mon", "8 giờ 00, thứ Hai hằng tuần"),
        ("5 6 * * *", "6 giờ 05, hằng ngày"),
        ("*/15 * * * *", "Lịch nâng cao: */15 * * * *"),
        ("0 8 1 1 *", "Lịch nâng cao: 0 8 1 1 *"),
    ],
)
def test_schedules_read_in_words(crontab, text):
    from tracker.scheduler import words

    assert words.describe(crontab) == text
    fields = words.parse(crontab)
    if fields:  # and back: the words give the same schedule
        assert (
            words.describe(words.build(fields["time"], fields["frequency"], fields["weekday"], fields["day"])) == text
        )


def test_agency_sees_its_reminders_in_the_app(db, clock, logged_in):
    _remind(db, clock)
    snv, _ = logged_in("agency_staff", "SNV")
    page = snv.get("/items").get_data(as_text=True)
    assert "Thông báo nhắc việc" in page
    assert "Sắp đến hạn</span>" in page and "Quá hạn</span>" in page
    other, _ = logged_in("agency_staff", "STP")
    assert "Thông báo nhắc việc" not in other.get("/items").get_data(as_text=True)


def test_the_outbox_filters_by_the_job_that_queued_a_mail(db, clock, logged_in):
    _remind(db, clock)
    db.session.add(
        OutboxMessage(
            created_at=clock.now(),
            kind="workflow-returned",
            recipients=["snv@example.vn"],
            subject="Báo cáo bị trả lại",
            text_body="…",
            next_attempt_at=clock.now(),
        )
    )
    db.session.commit()
    admin, _ = logged_in("admin")
    reminders = admin.get("/admin/outbox?source=reminders").get_data(as_text=True)
    assert "Sở Nội vụ: 1 nhiệm vụ quá hạn" in reminders and "Báo cáo bị trả lại" not in reminders
    assert "Nhắc hạn, quá hạn (ngày làm việc)" in reminders  # the source column, from the job registry
    pages = admin.get("/admin/outbox?source=pages").get_data(as_text=True)
    assert "Báo cáo bị trả lại" in pages and "Sở Nội vụ: 1 nhiệm vụ quá hạn" not in pages
    assert "Thông báo từ thao tác trên trang" in pages
    monthly = admin.get("/admin/outbox?source=monthly-late-report").get_data(as_text=True)
    assert "Chưa có thư nào." in monthly
