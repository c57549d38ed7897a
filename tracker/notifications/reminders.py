"""Reminders: due soon, overdue (repeated), escalation to the head: one email per agency per run, each stage once.

Each item's stages are claimed in ``reminder_stages`` (INSERT … ON CONFLICT DO NOTHING) before anything is queued,
so a job run twice, run on two servers at once, or run after a missed day sends every stage exactly once. Nothing
is sent on weekends and holidays; the next working day catches up.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from tracker.agencies.models import Agency
from tracker.deadlines.calendar import WorkCalendar
from tracker.extensions import db
from tracker.notifications.ledger import claim_notice, dialect_insert
from tracker.notifications.mail import queue_email
from tracker.notifications.models import ReminderStage
from tracker.plans.models import Assignment, DueItem, ItemState, Plan, Task
from tracker.workflow.queries import select_items
from tracker.workflow.status import StatusClass, status_class

log = logging.getLogger(__name__)
CHUNK = 4000


@dataclass
class Notice:
    item_id: int
    stage: str
    due_date: date
    days_overdue: int
    role: str
    agency_id: int
    task_id: int
    task_number: str
    task_content: str
    plan_reference: str
    plan_title: str
    period_label: str


@dataclass
class ReminderRun:
    day: date
    skipped_reason: str = ""
    notices: list[Notice] = field(default_factory=list)
    emails: int = 0
    agencies_without_address: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped_reason:
            return f"{self.day:%d/%m/%Y}: {self.skipped_reason}"
        stages = defaultdict(int)
        for notice in self.notices:
            stages[notice.stage.rsplit("_", 1)[0] if notice.stage.startswith("overdue") else notice.stage] += 1
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(stages.items())) or "không có gì cần nhắc"
        return f"{self.day:%d/%m/%Y}: {len(self.notices)} nhắc nhở ({parts}); {self.emails} email"


def _wanted_stages(due: date, today: date, limits: dict[int, date], repeat: int, escalate: int, role: str):
    """The stages an item has reached today, tightest first (the email names the tightest)."""
    if due >= today:
        reached = [n for n in sorted(limits) if due <= limits[n]]
        if not reached:
            return []
        if role == "coordinator":
            return ["due_soon"]  # coordinators hear once, at the first notice
        return [f"due_soon_{n}" for n in reached]
    if role != "lead":
        return []
    days = (today - due).days
    stages = [f"overdue_{days // repeat}"]
    if days >= escalate:
        stages.append("escalation")
    return stages


def find_notices(now: datetime) -> tuple[date, list[Notice], str]:
    """What today's run would tell, before claiming (a read: the same for a dry run)."""
    config = current_app.config
    today = now.astimezone(ZoneInfo(config["TIMEZONE"])).date()
    calendar = WorkCalendar.from_database()
    if not calendar.is_working_day(today):
        return today, [], "không phải ngày làm việc: không gửi nhắc nhở"
    limits = {n: calendar.add_working_days(today, n) for n in config["REMINDER_DUE_SOON_WORKING_DAYS"]}
    repeat = config["REMINDER_OVERDUE_REPEAT_DAYS"]
    escalate = config["REMINDER_ESCALATE_AFTER_DAYS"]
    status = status_class(today, config["TIMEZONE"])
    rows = db.session.execute(
        select_items(
            DueItem.id,
            DueItem.due_date,
            DueItem.period_label,
            Assignment.role,
            Assignment.agency_id,
            Task.id,
            Task.number,
            Task.content,
            Plan.doc_kind,
            Plan.doc_number,
            Plan.title,
        ).where(
            Plan.status == "active",
            DueItem.kind == "dated",
            DueItem.due_date <= max(limits.values()),
            # a report waiting for the office is not reminded; a returned one is, again
            DueItem.state.in_([ItemState.OPEN.value, ItemState.RETURNED.value]),
            status.in_([StatusClass.OPEN_ON_TIME.value, StatusClass.OPEN_OVERDUE.value]),
        )
    ).all()
    candidate_ids = select_items(DueItem.id).where(
        Plan.status == "active", DueItem.kind == "dated", DueItem.due_date <= max(limits.values())
    )
    # Stages reached for the due date in force: an extension gives the item the stages of its new date
    sent: set[tuple[int, str]] = set(
        db.session.execute(
            select(ReminderStage.due_item_id, ReminderStage.stage)
            .join(DueItem, DueItem.id == ReminderStage.due_item_id)
            .where(ReminderStage.due_item_id.in_(candidate_ids), ReminderStage.due_date == DueItem.due_date)
        ).all()
    )
    notices: list[Notice] = []
    for item_id, due, label, role, agency_id, task_id, number, content, kind, doc_number, title in rows:
        for stage in _wanted_stages(due, today, limits, repeat, escalate, role):
            if (item_id, stage) in sent:
                continue
            notices.append(
                Notice(
                    item_id=item_id,
                    stage=stage,
                    due_date=due,
                    days_overdue=max(0, (today - due).days),
                    role=role,
                    agency_id=agency_id,
                    task_id=task_id,
                    task_number=number,
                    task_content=content,
                    plan_reference=f"{kind} số {doc_number}" if doc_number else kind,
                    plan_title=title,
                    period_label=label,
                )
            )
    return today, notices, ""


def claim(notices: list[Notice], now: datetime) -> list[Notice]:
    """Record the stages; only those this run recorded (not a concurrent one) are returned."""
    claimed: set[tuple[int, date, str]] = set()
    keys = list({(n.item_id, n.due_date, n.stage) for n in notices})
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        statement = (
            dialect_insert(ReminderStage)
            .values([{"due_item_id": i, "due_date": due, "stage": stage, "sent_at": now} for i, due, stage in chunk])
            .on_conflict_do_nothing(index_elements=["due_item_id", "due_date", "stage"])
            .returning(ReminderStage.due_item_id, ReminderStage.due_date, ReminderStage.stage)
        )
        claimed.update(tuple(row) for row in db.session.execute(statement))
    return [n for n in notices if (n.item_id, n.due_date, n.stage) in claimed]


def send_reminders(now: datetime, *, dry_run: bool = False) -> ReminderRun:
    """Queue today's reminders (the caller commits, then delivers the outbox)."""
    today, notices, skipped = find_notices(now)
    run = ReminderRun(day=today, skipped_reason=skipped)
    if skipped or not notices:
        return run
    if dry_run:
        run.notices = notices
        return run
    notices = claim(notices, now)
    run.notices = notices
    agencies = {
        a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_({n.agency_id for n in notices})))
    }
    by_agency: dict[int, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_agency[notice.agency_id].append(notice)
    base_url = current_app.config["BASE_URL"].rstrip("/")
    for agency_id, agency_notices in sorted(by_agency.items()):
        agency = agencies[agency_id]
        # the tightest stage per item and role; escalations go to the head in a mail of their own
        items = _one_line_per_item([n for n in agency_notices if n.stage != "escalation"])
        escalated = [n for n in agency_notices if n.stage == "escalation"]
        if items:
            run.emails += _queue(
                "reminders",
                agency,
                agency.notice_emails,
                items,
                today,
                now,
                base_url,
                run,
                template="reminders/agency",
            )
        if escalated:
            run.emails += _queue(
                "escalation",
                agency,
                [agency.head_email] if agency.head_email else [],
                escalated,
                today,
                now,
                base_url,
                run,
                template="reminders/escalation",
            )
    return run


def _one_line_per_item(notices: list[Notice]) -> list[Notice]:
    order = {"due_soon_1": 0, "due_soon_7": 1, "due_soon": 2}
    best: dict[tuple[int, str], Notice] = {}
    for notice in notices:
        key = (notice.item_id, notice.role)
        current = best.get(key)
        if current is None or order.get(notice.stage, -1) < order.get(current.stage, -1):
            best[key] = notice
    return sorted(best.values(), key=lambda n: (n.due_date, n.task_number))


def _queue(kind, agency, recipients, notices, today, now, base_url, run, *, template) -> int:
    recipients = [r for r in recipients if r]
    if not recipients:
        run.agencies_without_address.append(agency.name)
        log.warning("%s has no address for %s notices", agency.code, kind)
        return 0
    fingerprint = hashlib.sha1(  # noqa: S324 - a key for the ledger, not a secret
        ",".join(sorted(f"{n.item_id}:{n.stage}" for n in notices)).encode()
    ).hexdigest()[:16]
    if not claim_notice(kind, agency.code, f"{today.isoformat()}#{fingerprint}", now):
        return 0
    overdue = [n for n in notices if n.due_date < today]
    due_soon = [n for n in notices if n.due_date >= today]
    queue_email(
        kind=kind,
        recipients=recipients,
        template=template,
        context={"agency": agency, "overdue": overdue, "due_soon": due_soon, "today": today, "base_url": base_url},
        now=now,
    )
    return 1
