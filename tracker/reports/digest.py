"""The leaders' digest: every plan at a glance, the change since the last digest, who is most overdue, what is
newly overdue. Sent each Monday to every leader, once per week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.agencies.models import Agency
from tracker.extensions import db
from tracker.notifications.ledger import claim_notice
from tracker.notifications.mail import queue_email
from tracker.plans.items import select_items
from tracker.plans.models import Assignment, AssignmentRole, DueItem, Plan, Task
from tracker.plans.status import STATUS_ORDER, StatusClass, status_class
from tracker.reports.models import get_setting, set_setting


@dataclass
class Digest:
    day: date
    since: date | None
    plans: list[tuple[Plan, dict[str, int]]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    change: dict[str, int] = field(default_factory=dict)
    top_overdue: list[tuple[str, int]] = field(default_factory=list)
    newly_overdue: list[tuple[str, str, str, date]] = field(default_factory=list)


def build_digest(day: date) -> Digest:
    tz = current_app.config["TIMEZONE"]
    status = status_class(day, tz)
    lead = Assignment.role == AssignmentRole.LEAD.value
    previous = get_setting("leader_digest_last") or {}
    since = date.fromisoformat(previous["day"]) if previous.get("day") else None
    digest = Digest(day=day, since=since)
    rows = db.session.execute(
        select_items(Task.plan_id, status, func.count())
        .where(lead, Plan.status == "active")
        .group_by(Task.plan_id, status)
    ).all()
    per_plan: dict[int, dict[str, int]] = {}
    for plan_id, klass, count in rows:
        per_plan.setdefault(plan_id, {})[klass] = count
        digest.totals[klass] = digest.totals.get(klass, 0) + count
    plans = db.session.scalars(select(Plan).where(Plan.id.in_(per_plan)).order_by(Plan.id)).all()
    digest.plans = [(plan, per_plan[plan.id]) for plan in plans]
    if previous.get("totals"):
        digest.change = {k: digest.totals.get(k, 0) - previous["totals"].get(k, 0) for k in STATUS_ORDER}
    overdue = status == StatusClass.OPEN_OVERDUE.value
    digest.top_overdue = [
        (name, count)
        for name, count in db.session.execute(
            select_items(Agency.name, func.count())
            .join(Agency, Assignment.agency_id == Agency.id)
            .where(lead, Plan.status == "active", overdue)
            .group_by(Agency.name)
            .order_by(func.count().desc(), Agency.name)
            .limit(5)
        )
    ]
    start = since or day - timedelta(days=7)
    digest.newly_overdue = [
        (name, number, content, due)
        for name, number, content, due in db.session.execute(
            select_items(Agency.name, Task.number, Task.content, DueItem.due_date)
            .join(Agency, Assignment.agency_id == Agency.id)
            .where(lead, Plan.status == "active", overdue, DueItem.due_date >= start, DueItem.due_date < day)
            .order_by(DueItem.due_date, Agency.name)
            .limit(200)
        )
    ]
    return digest


def send_leader_digest(now: datetime, *, dry_run: bool = False) -> tuple[Digest, int]:
    """Queue the digest for every active leader, once per ISO week; return it and how many mails were queued."""
    day = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    digest = build_digest(day)
    if dry_run:
        return digest, 0
    year, week, _ = day.isocalendar()
    period = f"{year}-W{week:02d}"
    leaders = db.session.scalars(
        select(User).where(User.role == Role.LEADER.value, User.is_enabled.is_(True)).order_by(User.email)
    ).all()
    queued = 0
    for leader in leaders:
        if claim_notice("leader-digest", leader.email, period, now):
            queue_email(
                kind="leader-digest",
                recipients=[leader.email],
                template="reports/digest",
                context={"digest": digest, "leader": leader, "base_url": current_app.config["BASE_URL"].rstrip("/")},
                now=now,
            )
            queued += 1
    if queued:
        set_setting("leader_digest_last", {"day": day.isoformat(), "totals": digest.totals})
    return digest, queued
