"""APScheduler set-up and thin job wrappers (no business logic here): context, lock, commit, deliver.

Each job is an idempotent catch-up: it sends what is due and not yet sent (the ledger and reminder stages say
what was), so a run missed while the server was down is done on start, and a second scheduler changes nothing.
"""

from __future__ import annotations

import logging
import secrets
import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from tracker.core import clock
from tracker.core.processes import holder_name, process_gone
from tracker.extensions import db
from tracker.notifications.ledger import dialect_insert
from tracker.notifications.mail import drain_outbox
from tracker.scheduler.models import JobLock, JobSchedule
from tracker.scheduler.registry import JOBS, Outcome

log = logging.getLogger(__name__)
HOLDER = holder_name()
LEASE = timedelta(minutes=30)


def _sqlite_busy(error: OperationalError) -> bool:
    return "database is locked" in str(error.orig)


@contextmanager
def job_lock(job: str, now: datetime):
    """Yield True if this run may run ``job`` now (inside the current transaction); False if another run holds it,
    in this process or another (a scheduler's catch-up and its timed run, two `tracker jobs run`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"tracker-job:{job}".encode())
        yield bool(db.session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())
        return
    token = f"{HOLDER}:{secrets.token_hex(4)}"  # this run's, not this process's: two threads never share a lease
    try:
        db.session.execute(
            dialect_insert(JobLock)
            .values(job=job, holder="", expires_at=now - LEASE)
            .on_conflict_do_nothing(index_elements=["job"])
        )
        free = (JobLock.holder == "") | (JobLock.expires_at < now)  # released or expired
        holder = db.session.scalar(select(JobLock.holder).where(JobLock.job == job))
        if holder and process_gone(holder):  # its process was killed on this machine: its lease is no one's
            free = free | (JobLock.holder == holder)
        taken = db.session.execute(
            update(JobLock).where(JobLock.job == job, free).values(holder=token, expires_at=now + LEASE)
        ).rowcount
        db.session.commit()  # the lease alone: nothing of the job is in the session yet
    except OperationalError as error:
        # SQLite: a job of another process holds the write lock past the busy timeout: it is running there
        if not _sqlite_busy(error):
            raise
        db.session.rollback()
        taken = 0
    try:
        yield bool(taken)
    finally:
        if taken:
            # a run that failed half-way left its work uncommitted: the release must not commit it with the lease
            db.session.rollback()
            db.session.execute(
                update(JobLock).where(JobLock.job == job, JobLock.holder == token).values(holder="", expires_at=now)
            )
            db.session.commit()


def run_locked(job: str, now: datetime, *, dry_run: bool = False) -> Outcome | None:
    """Run ``job`` as of ``now`` under its lock and commit (a dry run: no lock, nothing kept); None if another
    run holds it. Then deliver what is due in the outbox, this run's mails included."""
    if dry_run:
        outcome = JOBS[job].run(now, dry_run=True)
        db.session.rollback()
        return outcome
    with job_lock(job, now) as mine:
        if not mine:
            log.info("job %s is running elsewhere", job)
            db.session.rollback()
            return None
        outcome = JOBS[job].run(now)
        db.session.commit()
    return outcome


def deliver(now: datetime) -> dict[str, int] | None:
    """Drain the outbox; None if SQLite stays locked by a job elsewhere past the busy timeout (the mails wait for
    the scheduler's delivery, every minute)."""
    try:
        return drain_outbox(now)
    except OperationalError as error:
        if not _sqlite_busy(error):
            raise
        db.session.rollback()
        log.warning("outbox not delivered now: the database is busy with a job elsewhere")
        return None


def run_job(app: Flask, job: str) -> str | None:
    """Run one job as of the clock's now; None if another run holds it."""
    with app.app_context():
        try:
            outcome = run_locked(job, clock.now())
            deliver(clock.now())
            if outcome is None:
                return None
            log.info("job %s: %s", job, outcome.summary)
            return outcome.summary
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job)
            raise
        finally:
            db.session.remove()


def deliver_job(app: Flask) -> dict[str, int]:
    """The scheduler's delivery, every minute: what a job or a page queued and could not send (the server was down,
    a retry's backoff has passed) leaves without waiting for the next run. Each message is claimed before it is
    sent, so two schedulers never send one twice."""
    with app.app_context():
        try:
            return drain_outbox(clock.now())
        except Exception:
            db.session.rollback()
            log.exception("outbox delivery failed")
            raise
        finally:
            db.session.remove()


#: How often the scheduler delivers the outbox
DELIVERY_INTERVAL = timedelta(minutes=1)


def schedules(app: Flask) -> dict[str, tuple[str, bool]]:
    """Every job's crontab (the administrator's, else the default) and whether it is on."""
    with app.app_context():
        stored = {s.job: (s.crontab, s.is_enabled) for s in db.session.scalars(select(JobSchedule))}
        db.session.remove()
    return {name: stored.get(name, (job.schedule, True)) for name, job in JOBS.items()}


def configure(scheduler: BaseScheduler, app: Flask, *, catch_up: bool = True) -> None:
    """Add the jobs to a scheduler; on start, run each once to catch up what was missed."""
    tz = app.config["TIMEZONE"]
    scheduler.add_job(
        deliver_job,
        IntervalTrigger(seconds=DELIVERY_INTERVAL.total_seconds(), timezone=tz),
        args=[app],
        id="deliver-outbox",
        name="deliver-outbox",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    for job, (crontab, enabled) in schedules(app).items():
        if not enabled:
            continue
        scheduler.add_job(
            run_job,
            CronTrigger.from_crontab(crontab, timezone=tz),
            args=[app, job],
            id=job,
            name=job,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
            replace_existing=True,
        )
        if catch_up:
            # idempotent: sends only what is due and not yet sent
            scheduler.add_job(
                run_job,
                args=[app, job],
                id=f"{job}-catch-up",
                name=f"{job} (bù)",
                misfire_grace_time=None,
                max_instances=1,
            )
