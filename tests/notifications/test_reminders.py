"""Reminders through a real SMTP server: who hears what, when, and never twice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.notifications.mail import deliver_outbox
from tracker.notifications.models import OutboxMessage, ReminderStage
from tracker.notifications.reminders import claim, find_notices, send_reminders
from tracker.plans.operations import TaskSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 7, minute: int = 30) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=VN)


@pytest.fixture
def plan(db, clock):
    return make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Kế hoạch kiểm soát TTHC năm 2024",
                number="1",
                lead_codes=["SNV"],
                coordinator_codes=["SYT"],
                deadline_text="Trước ngày 05/03/2024",
                schedule=dated(date(2024, 3, 5)),
            ),
            TaskSpec(
                content="Kế hoạch kiểm soát TTHC của các cơ quan",
                number="2",
                lead_codes=["STP"],
                deadline_text="Trước ngày 15/3/2024",
                schedule=dated(date(2024, 3, 15)),
            ),
            TaskSpec(
                content="Báo cáo năm 2023",
                number="3",
                lead_codes=["SXD"],
                deadline_text="Trước ngày 01/02/2024",
                schedule=dated(date(2024, 2, 1)),
            ),
        ],
    )


def run(db, moment: datetime):
    result = send_reminders(moment)
    db.session.commit()
    deliver_outbox(moment)
    return result


def test_first_run_sends_one_mail_per_agency_with_what_it_must_hear(plan, db, smtp):
    run(db, at("2024-03-01"))
    snv = smtp.to("snv@example.org")
    assert len(snv) == 1
    message = snv[0]
    assert message["Subject"] == "[Theo dõi nhiệm vụ] Sở Nội vụ: 1 nhiệm vụ sắp đến hạn"
    text = message.get_body(("plain",)).get_content()
    assert "NHIỆM VỤ SẮP ĐẾN HẠN (1)" in text and "Hạn: 05/03/2024" in text
    assert "Kế hoạch kiểm soát TTHC năm 2024" in message.get_body(("html",)).get_content()
    # the coordinator hears of the first due-soon stage too
    assert "đơn vị phối hợp" in smtp.to("syt@example.org")[0].get_body(("plain",)).get_content()
    # 15/03 is still ten working days away
    assert smtp.to("stp@example.org") == []
    # 29 days overdue: the agency, and its head
    overdue = smtp.to("sxd@example.org")[0]
    assert "quá hạn 29 ngày" in overdue.get_body(("plain",)).get_content()
    head = smtp.to("lanhdao.sxd@example.org")[0]
    assert head["Subject"] == "[Theo dõi nhiệm vụ] Sở Xây dựng: 1 nhiệm vụ quá hạn kéo dài"
    assert len(smtp.messages) == 4


def test_a_second_run_sends_nothing_new(plan, db, smtp):
    run(db, at("2024-03-01"))
    count = len(smtp.messages)
    again = run(db, at("2024-03-01", 9))
    assert again.count == 0 and again.emails == 0 and len(smtp.messages) == count
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == count


def test_nothing_on_a_weekend_and_the_next_working_day_catches_up(plan, db, smtp):
    saturday = run(db, at("2024-03-02"))
    assert saturday.skipped_reason and smtp.messages == []
    run(db, at("2024-03-04"))  # Monday: 05/03 is now one working day away
    snv = smtp.to("snv@example.org")
    assert len(snv) == 1
    assert [
        r.stage
        for r in db.session.scalars(select(ReminderStage).order_by(ReminderStage.stage))
        if r.stage.startswith("due_soon")
    ].count("due_soon_1") == 1


def test_stages_follow_the_days(plan, db, smtp):
    run(db, at("2024-03-01"))
    run(db, at("2024-03-04"))  # SNV: within one working day
    run(db, at("2024-03-06"))  # SNV: first working day after 05/03: overdue
    run(db, at("2024-03-07"))  # nothing new for SNV
    snv = smtp.to("snv@example.org")
    assert [m["Subject"] for m in snv] == [
        "[Theo dõi nhiệm vụ] Sở Nội vụ: 1 nhiệm vụ sắp đến hạn",
        "[Theo dõi nhiệm vụ] Sở Nội vụ: 1 nhiệm vụ sắp đến hạn",
        "[Theo dõi nhiệm vụ] Sở Nội vụ: 1 nhiệm vụ quá hạn",
    ]
    run(db, at("2024-03-13"))  # seven days overdue: the weekly repeat
    assert len(smtp.to("snv@example.org")) == 4
    assert len(smtp.to("syt@example.org")) == 1  # coordinators are told once


def test_claims_are_exclusive_and_the_dry_run_lists_what_a_run_claims(plan, db):
    _, notices, _ = find_notices(at("2024-03-01"))
    assert sorted((n.task_number, n.role, n.stage) for n in notices) == [
        ("1", "coordinator", "due_soon"),
        ("1", "lead", "due_soon_7"),
        ("3", "lead", "escalation"),
        ("3", "lead", "overdue_4"),  # 29 days late, repeated every 7: the fifth overdue stage
    ]
    first = claim(at("2024-03-01"), "run-a")
    second = claim(at("2024-03-01"), "run-b")
    assert (first, second) == (4, 0)
    rows = db.session.execute(select(ReminderStage.stage, ReminderStage.run_id)).all()
    assert sorted(rows) == [
        ("due_soon", "run-a"),
        ("due_soon_7", "run-a"),
        ("escalation", "run-a"),
        ("overdue_4", "run-a"),
    ]
    assert find_notices(at("2024-03-01"))[1] == []  # nothing left to tell


def test_a_long_list_shows_its_first_lines_and_counts_the_rest(db, clock, smtp, app):
    from tracker.notifications import reminders

    make_plan(
        db,
        clock,
        [
            TaskSpec(
                content=f"Nhiệm vụ số {n}",
                number=str(n),
                lead_codes=["SNV"],
                schedule=dated(date(2024, 2, 1 + n % 20)),
            )
            for n in range(reminders.MAIL_LINES + 7)
        ],
    )
    result = run(db, at("2024-03-01"))
    assert result.stages["overdue"] == reminders.MAIL_LINES + 7  # every item's stage is claimed, listed or not
    mail = smtp.to("snv@example.org")[0]
    assert mail["Subject"] == f"[Theo dõi nhiệm vụ] Sở Nội vụ: {reminders.MAIL_LINES + 7} nhiệm vụ quá hạn"
    text = mail.get_body(("plain",)).get_content()
    assert text.count("Hạn: ") == reminders.MAIL_LINES
    assert f"… và 7 nhiệm vụ quá hạn khác: {app.config['BASE_URL']}/items?status=open_overdue" in text
    html = mail.get_body(("html",)).get_content()
    assert "… và 7 nhiệm vụ quá hạn khác</a>" in html
    # the most overdue first: the latest due dates are the ones counted, not listed
    assert text.index("Hạn: 01/02/2024") < text.index("Hạn: 13/02/2024") and "Hạn: 20/02/2024" not in text


def test_with_smtp_down_messages_wait_and_leave_on_the_next_try(plan, db, smtp, app):
    from tests.mailbox import free_port

    app.config["SMTP_PORT"] = free_port()  # nothing listens there: the server is down
    send_reminders(at("2024-03-01"))
    db.session.commit()
    counts = deliver_outbox(at("2024-03-01"))
    assert counts["retry"] == 4
    waiting = db.session.scalars(select(OutboxMessage)).all()
    assert {m.status for m in waiting} == {"queued"} and all(m.attempts == 1 and m.last_error for m in waiting)
    app.config["SMTP_PORT"] = smtp.port  # back up
    assert deliver_outbox(at("2024-03-01", 7, 31))["sent"] == 0  # backoff: not yet
    assert deliver_outbox(at("2024-03-01", 7, 40))["sent"] == 4
    assert len(smtp.messages) == 4
    assert deliver_outbox(at("2024-03-01", 8))["sent"] == 0


def test_without_smtp_messages_stay_in_the_outbox(plan, db, app):
    app.config["SMTP_HOST"] = None
    send_reminders(at("2024-03-01"))
    db.session.commit()
    assert deliver_outbox(at("2024-03-01")) == {"sent": 0, "failed": 0, "retry": 0}
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")) == 4
    )


def test_jobs_command_runs_as_of_a_moment_and_delivers(plan, app, db, smtp):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T07:30", "--dry-run"])
    assert "chạy thử" in dry.output and smtp.messages == []
    result = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T07:30"])
    assert result.exit_code == 0, result.output
    assert "Đã gửi 4 thư" in result.output
    again = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T07:30"])
    assert "Đã gửi 0 thư" in again.output
    assert len(smtp.messages) == 4
