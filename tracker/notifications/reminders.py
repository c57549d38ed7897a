"""Reminders: due soon, overdue (repeated), escalation to the head: one email per agency per run, each stage once.

Each item's stages are claimed in ``reminder_stages`` (INSERT … ON CONFLICT DO NOTHING) before anything is queued,
so a job run twice, run on two servers at once, or run after a missed day sends every stage exactly once. Nothing
is sent on weekends and holidays; the next working day catches up.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, String, case, cast, exists, func, literal, literal_column, select, text, union_all

from tracker.agencies.models import Agency
from tracker.core.db import UTCDateTime, days_between
from tracker.deadlines.calendar import WorkCalendar
from tracker.extensions import db
from tracker.notifications.ledger import dialect_insert, record_notices
from tracker.notifications.mail import queue_emails, render_email
from tracker.notifications.models import ReminderStage
from tracker.plans.items import select_items
from tracker.plans.models import Assignment, DueItem, ItemState, Plan, Task

log = logging.getLogger(__name__)


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
    #: the stages this run claimed are the rows of reminder_stages with its run_id
    run_id: str = ""
    count: int = 0
    stages: Counter = field(default_factory=Counter)
    #: only for a dry run, which lists what a run would tell
    notices: list[Notice] = field(default_factory=list)
    emails: int = 0
    agencies_without_address: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped_reason:
            return f"{self.day:%d/%m/%Y}: {self.skipped_reason}"
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(self.stages.items())) or "không có gì cần nhắc"
        return f"{self.day:%d/%m/%Y}: {self.count} nhắc nhở ({parts}); {self.emails} email"


def _stage_rules(today: date, limits: dict[int, date], repeat: int, escalate: int) -> list[tuple]:
    """(stage, conditions) per kind of stage reached today, in SQL, for every item at once (one statement each):
    a lead item due within a due-soon limit reaches that limit's stage ("due_soon_7", "due_soon_1"); a coordinator's
    item "due_soon", once; an overdue lead item "overdue_N" (N: days late // the repeat) and, late enough, "escalation".
    """
    late = days_between(today, DueItem.due_date)
    base = (
        Plan.status == "active",
        DueItem.kind == "dated",
        DueItem.due_date.is_not(None),
        # a report waiting for the office is not reminded; a returned one is, again
        DueItem.state.in_([ItemState.OPEN.value, ItemState.RETURNED.value]),
    )
    lead = Assignment.role == "lead"
    rules = [
        (literal(f"due_soon_{n}", String), (*base, lead, DueItem.due_date >= today, DueItem.due_date <= limit))
        for n, limit in sorted(limits.items())
    ]
    # coordinators hear once, at the first notice
    coordinator = Assignment.role == "coordinator"
    last = max(limits.values())
    rules.append(
        (literal("due_soon", String), (*base, coordinator, DueItem.due_date >= today, DueItem.due_date <= last))
    )
    rules.append((literal("overdue_", String) + cast(late // repeat, String), (*base, lead, DueItem.due_date < today)))
    escalated = DueItem.due_date <= today - timedelta(days=escalate)
    rules.append((literal("escalation", String), (*base, lead, escalated)))
    return rules


def _context(now: datetime):
    config = current_app.config
    today = now.astimezone(ZoneInfo(config["TIMEZONE"])).date()
    calendar = WorkCalendar.from_database()
    if not calendar.is_working_day(today):
        return today, None
    limits = {n: calendar.add_working_days(today, n) for n in config["REMINDER_DUE_SOON_WORKING_DAYS"]}
    rules = _stage_rules(today, limits, config["REMINDER_OVERDUE_REPEAT_DAYS"], config["REMINDER_ESCALATE_AFTER_DAYS"])
    return today, rules


NOT_WORKING = "không phải ngày làm việc: không gửi nhắc nhở"


def find_notices(now: datetime) -> tuple[date, list[Notice], str]:
    """What today's run would tell, before claiming (a read, for the dry run: it lists every notice)."""
    today, rules = _context(now)
    if rules is None:
        return today, [], NOT_WORKING
    wanted = union_all(
        *(
            select_items(DueItem.id.label("due_item_id"), stage.label("stage")).where(
                *conditions,
                ~exists().where(
                    ReminderStage.due_item_id == DueItem.id,
                    ReminderStage.due_date == DueItem.due_date,
                    ReminderStage.stage == stage,
                ),
            )
            for stage, conditions in rules
        )
    ).subquery()
    statement = _details().join(wanted, wanted.c.due_item_id == DueItem.id).add_columns(wanted.c.stage)
    rows = db.session.execute(statement.order_by(wanted.c.stage)).all()
    return today, [_notice(row, today) for row in rows], ""


def _details() -> Select:
    """Each item's lines in a mail, ordered by agency, then as the mail lists them."""
    return select_items(
        DueItem.id.label("item_id"),
        DueItem.due_date,
        DueItem.period_label,
        Assignment.role,
        Assignment.agency_id,
        Task.id.label("task_id"),
        Task.number,
        Task.content,
        Plan.doc_kind,
        Plan.doc_number,
        Plan.title,
    ).order_by(Assignment.agency_id, DueItem.due_date, Task.number, Task.id, DueItem.id, Assignment.role)


def _notice(row, today: date) -> Notice:
    item_id, due, label, role, agency_id, task_id, number, content, kind, doc_number, title, stage = row
    return Notice(
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


def claim(now: datetime, run_id: str, rules: list | None = None) -> int:
    """Record today's stages, one INSERT … SELECT … ON CONFLICT DO NOTHING per kind of stage, each row marked with
    ``run_id``: only the rows this run recorded (not a concurrent one's) are told. Returns how many."""
    if rules is None:
        rules = _context(now)[1]
    claimed = 0
    for stage, conditions in rules or []:
        statement = select_items(
            DueItem.id, DueItem.due_date, stage, literal(now, UTCDateTime()), literal(run_id, String)
        ).where(*conditions)
        insert = (
            dialect_insert(ReminderStage)
            .from_select(["due_item_id", "due_date", "stage", "sent_at", "run_id"], statement)
            .on_conflict_do_nothing(index_elements=["due_item_id", "due_date", "stage"])
        )
        claimed += db.session.execute(insert.execution_options(preserve_rowcount=True)).rowcount
    return claimed


def send_reminders(now: datetime, *, dry_run: bool = False) -> ReminderRun:
    """Queue today's reminders (the caller commits, then delivers the outbox).

    Set-based: the stages are claimed in SQL (a statement per kind of stage); one query ranks this run's lines per
    agency and mail and returns only those the mails list, with each section's count; each mail is rendered once,
    recorded in the ledger and queued (each of these in one executemany). Queries follow the mails, never the items,
    and memory holds the listed lines only.
    """
    if dry_run:
        today, notices, skipped = find_notices(now)
        run = ReminderRun(day=today, skipped_reason=skipped, notices=notices, count=len(notices))
        for notice in notices:
            run.stages[_family(notice.stage)] += 1
        return run
    today, rules = _context(now)
    run = ReminderRun(day=today, run_id=secrets.token_hex(8))
    if rules is None:
        run.skipped_reason = NOT_WORKING
        return run
    if not claim(now, run.run_id, rules):
        return run
    if db.session.get_bind().dialect.name == "postgresql":
        # the planner has no idea of the rows just claimed (it would nest loops over them): let it count them (an
        # ANALYZE in the job's transaction counts its own rows), and sort them in memory
        db.session.execute(text("ANALYZE reminder_stages"))
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    for stage, count in db.session.execute(
        select(ReminderStage.stage, func.count())
        .where(ReminderStage.run_id == run.run_id)
        .group_by(ReminderStage.stage)
    ):
        run.count += count
        run.stages[_family(stage)] += count
    mails = _mails(run.run_id, today)
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_({m[0] for m in mails})))}
    base_url = current_app.config["BASE_URL"].rstrip("/")
    queued = []
    for (agency_id, kind), mail in sorted(mails.items()):
        agency = agencies[agency_id]
        recipients = agency.notice_emails if kind == "reminders" else [agency.head_email]
        recipients = [r for r in recipients or [] if r]
        if not recipients:
            run.agencies_without_address.append(agency.name)
            log.warning("%s has no address for %s notices", agency.code, kind)
            continue
        queued.append((kind, agency, recipients, mail))
    # one ledger entry per mail (the run's id makes it unique: a run's claims are its own)
    period = f"{today.isoformat()}#{run.run_id}"
    record_notices([(kind, agency.code, period) for kind, agency, _, _ in queued], now)
    messages = [
        render_email(
            kind,
            recipients,
            "reminders/agency" if kind == "reminders" else "reminders/escalation",
            {
                "agency": agency,
                "overdue": mail.lines["overdue"],
                "due_soon": mail.lines["due_soon"],
                "overdue_count": mail.counts["overdue"],
                "due_soon_count": mail.counts["due_soon"],
                "today": today,
                "base_url": base_url,
            },
            now,
        )
        for kind, agency, recipients, mail in queued
    ]
    queue_emails(messages)
    run.emails = len(messages)
    return run


@dataclass
class AgencyMail:
    """One agency's mail of a run: the lines it lists per section, and how many items each section has."""

    lines: dict[str, list[Notice]] = field(default_factory=lambda: {"overdue": [], "due_soon": []})
    counts: dict[str, int] = field(default_factory=lambda: {"overdue": 0, "due_soon": 0})


def _mails(run_id: str, today: date) -> dict[tuple[int, str], AgencyMail]:
    """The mails of a run, (agency, "reminders" | "escalation") → its lines, from one ranking query.

    Each item appears once per mail, at its tightest stage ("due_soon_1" before "due_soon_7"); the lines of a section
    are the most overdue (or the nearest) first, and only the first MAIL_LINES of them leave the database.
    """
    # one expression, grouped by and selected (PostgreSQL wants the very same expression, constants inline)
    mail = case(
        (ReminderStage.stage == literal_column("'escalation'"), literal_column("'escalation'")),
        else_=literal_column("'reminders'"),
    )
    stages = (
        select(ReminderStage.due_item_id, func.min(ReminderStage.stage).label("stage"), mail.label("mail"))
        .where(ReminderStage.run_id == run_id)
        .group_by(ReminderStage.due_item_id, mail)
        .subquery()
    )
    section = case((DueItem.due_date < today, "overdue"), else_="due_soon")
    window = {"partition_by": (Assignment.agency_id, stages.c.mail, section)}
    # ranked on narrow rows; the texts are joined for the lines listed only
    ranked = (
        select(
            DueItem.id.label("ranked_id"),
            stages.c.stage,
            stages.c.mail,
            section.label("section"),
            func.row_number()
            .over(**window, order_by=(DueItem.due_date, Task.number, Task.id, DueItem.id))
            .label("line"),
            func.count().over(**window).label("total"),
        )
        .select_from(stages)
        .join(DueItem, stages.c.due_item_id == DueItem.id)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .subquery()
    )
    statement = (
        _details()
        .order_by(None)
        .add_columns(ranked.c.stage, ranked.c.mail, ranked.c.section, ranked.c.line, ranked.c.total)
        .join(ranked, ranked.c.ranked_id == DueItem.id)
        .where(ranked.c.line <= MAIL_LINES)
        .order_by(Assignment.agency_id, ranked.c.mail, ranked.c.line)
    )
    mails: dict[tuple[int, str], AgencyMail] = {}
    for row in db.session.execute(statement):
        mail = mails.setdefault((row.agency_id, row.mail), AgencyMail())
        mail.counts[row.section] = row.total
        mail.lines[row.section].append(_notice(row[:12], today))
    return mails


def _family(stage: str) -> str:
    return stage.rsplit("_", 1)[0] if stage.startswith("overdue") else stage


#: The lines a mail lists in each of its sections (most overdue and nearest first); the rest are counted, with a
#: link to the agency's list: a mail stays readable on a phone however many items an agency has
MAIL_LINES = 20
