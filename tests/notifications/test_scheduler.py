"""The scheduler: each job once, however many schedulers start, and missed runs caught up on start."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.notifications.models import OutboxMessage
from tracker.plans.operations import TaskSpec
from tracker.scheduler.jobs import configure, run_job, schedules
from tracker.scheduler.models import JobSchedule


def _plan(db, clock):
    make_plan(
        db,
        clock,
        [
            TaskSpec(content="Việc sắp đến hạn", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 3, 5))),
            TaskSpec(content="Việc quá hạn", number="2", lead_codes=["SXD"], schedule=dated(date(2024, 2, 10))),
        ],
    )


def outbox(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_job_run_twice_at_once_sends_once(app, db, clock):
    _plan(db, clock)  # the clock stands at 01/03/2024 08:00, a Friday
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_job(app, "reminders"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outbox(db) == 3  # SNV due soon; SXD overdue, and its head
    assert len(results) == 2


def test_two_schedulers_started_at_once_run_each_job_once(app, db, clock, make_user):
    _plan(db, clock)
    make_user("leader", email="pct@example.org")
    schedulers = []
    for _ in range(2):
        scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
        configure(scheduler, app)
        schedulers.append(scheduler)
    for scheduler in schedulers:
        scheduler.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(job.id.endswith("catch-up") for s in schedulers for job in s.get_jobs()):
        time.sleep(0.1)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    kinds = dict(db.session.execute(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)).all())
    assert kinds == {"reminders": 2, "escalation": 1, "leader-digest": 1}


def test_jobs_keep_late_runs_and_follow_the_administrators_schedule(app, db):
    db.session.add(JobSchedule(job="leader-digest", crontab="0 7 * * fri", is_enabled=True))
    db.session.add(JobSchedule(job="monthly-late-report", crontab="0 8 1 * *", is_enabled=False))
    db.session.commit()
    assert schedules(app)["leader-digest"] == ("0 7 * * fri", True)
    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    configure(scheduler, app, catch_up=False)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"reminders", "leader-digest", "deliver-outbox"}
    assert str(jobs["deliver-outbox"].trigger) == "interval[0:01:00]"
    assert jobs["reminders"].misfire_grace_time == 6 * 3600 and jobs["reminders"].coalesce
    assert str(jobs["leader-digest"].trigger).startswith("cron[month='*', day='*', day_of_week='fri', hour='7'")


def _queue(db, clock, count: int) -> None:
    for n in range(count):
        db.session.add(
            OutboxMessage(
                created_at=clock.now(),
                kind="notice",
                recipients=[f"nguoi{n}@example.org"],
                subject=f"Thư {n}",
                text_body=f"Nội dung {n}",
                html_body=f"<p>Nội dung {n}</p>",
                attachments=[],
                status="queued",
                attempts=0,
                next_attempt_at=clock.now(),
            )
        )
    db.session.commit()


def test_the_outbox_is_drained_batch_after_batch_and_a_server_down_ends_the_loop(app, db, clock, smtp):
    from tests.mailbox import free_port
    from tracker.notifications.mail import deliver_outbox, drain_outbox

    _queue(db, clock, 7)
    assert deliver_outbox(clock.now(), limit=3)["sent"] == 3  # one batch: what a single delivery took
    assert drain_outbox(clock.now(), batch=3) == {"sent": 4, "failed": 0, "retry": 0}  # the rest, in two batches
    assert len(smtp.messages) == 7

    _queue(db, clock, 5)
    app.config["SMTP_PORT"] = free_port()  # the server is down: each waits for its backoff, the drain returns
    assert drain_outbox(clock.now(), batch=2) == {"sent": 0, "failed": 0, "retry": 5}
    app.config["SMTP_PORT"] = smtp.port


def test_the_schedulers_delivery_sends_what_waits(app, db, clock, smtp):
    from tracker.scheduler.jobs import deliver_job

    _queue(db, clock, 3)
    assert deliver_job(app) == {"sent": 3, "failed": 0, "retry": 0}
    assert sorted(m["To"] for _, m in smtp.messages) == [f"nguoi{n}@example.org" for n in range(3)]


def test_a_job_that_fails_half_way_leaves_nothing_and_the_next_run_sends(app, db, clock, monkeypatch):
    """The monthly job claims its month in the ledger, then builds its files: if that fails, the claim must not be
    committed with the lease's release (SQLite), or every later run would say "đã gửi" and nothing would ever go."""
    from datetime import datetime

    from tracker.notifications.models import NoticeLedger
    from tracker.reports import jobs as monthly

    _plan(db, clock)
    clock.set(datetime(2024, 3, 1, 8, 0))
    monkeypatch.setitem(app.config, "CHAIRMAN_OFFICE_EMAILS", "chanhvanphong@example.org")

    def broken(*args, **kwargs):
        raise RuntimeError("the workbook could not be written")

    monkeypatch.setattr(monthly, "attachments", broken)
    with pytest.raises(RuntimeError):
        run_job(app, "monthly-late-report")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NoticeLedger)) == 0
    assert outbox(db) == 0
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "CHAIRMAN_OFFICE_EMAILS", "chanhvanphong@example.org")
    summary = run_job(app, "monthly-late-report")
    assert "đã xếp thư vào hộp thư đi" in summary
    assert outbox(db) == 1


def test_a_runs_lease_is_its_own_a_second_run_in_the_same_process_waits(app, db, clock):
    """Issue 11, defect 8: the catch-up run and the timed run of one scheduler process are two threads; the lease
    names the run, not the process, so the second does not run the job while the first holds it."""
    from tracker.extensions import db as database
    from tracker.scheduler.jobs import job_lock

    second: list[bool] = []

    def other_thread():
        with app.app_context():
            with job_lock("reminders", clock.now()) as mine:
                second.append(mine)
            database.session.rollback()
            database.session.remove()

    with job_lock("reminders", clock.now()) as first:
        assert first
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert second == [False]
    with job_lock("reminders", clock.now()) as again:  # released: free at once
        assert again


def test_a_job_run_while_sqlite_is_held_by_a_job_elsewhere_says_so_and_does_not_crash(app, db, clock, tmp_path, smtp):
    """Issue 11, defect 8: another process's job holds SQLite's write lock past the busy timeout; `tracker jobs run`
    says the job runs elsewhere and that the mails wait, and exits 0 ("database is locked" crashed it)."""
    import sqlite3

    from tests.conftest import make_app

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's file lock; PostgreSQL's runs are told apart by an advisory lock, tested above")
    _plan(db, clock)
    quick = make_app(url, tmp_path, SQLITE_BUSY_TIMEOUT_MS=200, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # a long job elsewhere, mid-write
    try:
        result = quick.test_cli_runner().invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T08:00"])
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0, result.output
    assert "đang chạy ở nơi khác" in result.output
    assert "Cơ sở dữ liệu đang bận" in result.output
    with quick.app_context():
        from tracker.extensions import db as database

        database.engine.dispose()
    assert outbox(db) == 0
    assert (
        "3 email"
        in quick.test_cli_runner().invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T08:00"]).output
    )


def test_a_lease_held_by_a_killed_process_of_this_machine_is_free_at_once(app, db, clock):
    """A job killed mid-run leaves its SQLite lease for half an hour; a run on the same machine that finds its
    holder's process gone takes it at once (another machine's lease still runs out by itself)."""
    import socket
    import subprocess
    import sys
    from datetime import timedelta

    from tracker.scheduler.jobs import job_lock
    from tracker.scheduler.models import JobLock

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's advisory lock ends with the killed run's connection")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)  # noqa: S603
    pid = int(gone.stdout)
    until = clock.now() + timedelta(minutes=30)
    db.session.add(JobLock(job="reminders", holder=f"{socket.gethostname()}:{pid}:dead", expires_at=until))
    db.session.add(JobLock(job="leader-digest", holder="may-khac:1:alive", expires_at=until))
    db.session.commit()
    with job_lock("reminders", clock.now()) as mine:
        assert mine
    with job_lock("leader-digest", clock.now()) as mine:
        assert not mine


def test_smtp_down_for_a_run_then_back_delivers_every_mail_once(app, db, clock, smtp):
    """Issue 11, part 2: the reminders run while the mail server is down; its mails wait in the outbox with their
    backoff; the scheduler's delivery sends nothing early, and each of them once when the server is back."""
    from tests.mailbox import free_port
    from tracker.scheduler.jobs import deliver_job

    _plan(db, clock)
    up = smtp.port
    app.config["SMTP_PORT"] = free_port()  # down
    try:
        assert run_job(app, "reminders").endswith("3 email")
        assert deliver_job(app) == {"sent": 0, "failed": 0, "retry": 0}  # waiting for the backoff: not tried again
    finally:
        app.config["SMTP_PORT"] = up  # back
    assert deliver_job(app) == {"sent": 0, "failed": 0, "retry": 0}  # still within the backoff
    clock.advance(minutes=3)
    assert deliver_job(app) == {"sent": 3, "failed": 0, "retry": 0}
    clock.advance(minutes=30)
    assert deliver_job(app) == {"sent": 0, "failed": 0, "retry": 0}
    assert run_job(app, "reminders").endswith("0 email")  # the run again: nothing new to say
    received = sorted(m["To"] for _, m in smtp.messages)
    assert received == sorted(["snv@example.org", "sxd@example.org", "lanhdao.sxd@example.org"])
    assert len({m["Message-ID"] for _, m in smtp.messages}) == 3
