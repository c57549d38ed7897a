"""A life for the demo plans: reports, reviews, extensions and progress recorded through the workflow's own
operations, as of the dates they would have happened, so a newcomer sees every status class and every queue filled.

Deterministic: each lead item's fate follows from a hash of its plan, task, agency and due date, never from ids or
the wall clock's randomness; only the recent events (waiting for review, returned, extensions) follow "now".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.operations import create_user, generate_password
from tracker.agencies.models import Agency
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, DueKind, Plan, Task
from tracker.workflow.operations import (
    CompletionData,
    LateReasonData,
    decide_extension,
    report_completion,
    request_extension,
    review_completion,
    update_progress,
)

#: The share of lead items (out of 100) in each fate, in this order
FATES = [
    ("on_time", 62),
    ("late", 12),
    ("waiting", 5),
    ("returned", 3),
    ("extension_pending", 3),
    ("extended", 3),
    ("overdue", 12),
]
LATE_REASONS = [
    ("thao_tac", "Chuyên viên thụ lý chậm do kiêm nhiệm nhiều việc."),
    ("tham_muu", "Dự thảo phải xin ý kiến lại lãnh đạo Sở trước khi trình."),
    ("phoi_hop", "Cơ quan phối hợp gửi ý kiến góp ý chậm so với đề nghị."),
    ("khac", "Chờ văn bản hướng dẫn của Bộ, ngành Trung ương."),
]
RESULTS = [
    "Đã ban hành văn bản triển khai và gửi các đơn vị liên quan.",
    "Đã tổ chức thực hiện; báo cáo kết quả gửi Sở Nội vụ tổng hợp.",
    "Đã hoàn thành, kết quả đăng tải trên Cổng thông tin điện tử của đơn vị.",
    "Đã rà soát, cập nhật và công khai theo quy định.",
]
RETURN_COMMENTS = [
    "Đề nghị bổ sung văn bản chứng minh kết quả (số, ngày văn bản).",
    "Kết quả chưa đúng sản phẩm theo kế hoạch: đề nghị bổ sung báo cáo.",
]


def _hash(*parts: object) -> int:
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:12], 16)


def fate_of(value: int) -> str:
    bucket = value % 100
    for fate, share in FATES:
        if bucket < share:
            return fate
        bucket -= share
    return "overdue"


class DemoPeople:
    """One staff member per lead agency (the demo's own where it has one), and the office."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.staff: dict[int, User] = {}
        users = db.session.scalars(select(User).where(User.role == Role.AGENCY_STAFF.value)).all()
        for user in users:
            self.staff.setdefault(user.agency_id, user)
        self.office = db.session.scalar(
            select(User).where(User.role == Role.MONITOR.value).order_by(User.id)
        ) or self._make("vanphong@example.org", "Chuyên viên Văn phòng UBND tỉnh", Role.MONITOR, None)

    def _make(self, email: str, name: str, role: Role, agency: Agency | None) -> User:
        # A password nobody is told: the administrator gives one when a person needs the account
        return create_user(
            email=email,
            full_name=name,
            role=role.value,
            agency=agency,
            password=generate_password(),
            by=None,
            now=self.now,
        )

    def staff_of(self, agency: Agency) -> User:
        if agency.id not in self.staff:
            self.staff[agency.id] = self._make(
                f"chuyenvien.{agency.code.lower()}@example.org",
                f"Chuyên viên {agency.short_name or agency.name}",
                Role.AGENCY_STAFF,
                agency,
            )
        return self.staff[agency.id]


def record_demo_history(plans: list[Plan], *, now: datetime) -> Counter:
    """Give the lead items of ``plans`` their history; return how many items met each fate."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    today = now.astimezone(tz).date()
    people = DemoPeople(now)
    fates: Counter = Counter()
    rows = db.session.execute(
        select(DueItem, Assignment, Task, Plan, Agency)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Plan.id.in_([p.id for p in plans]), Assignment.role == AssignmentRole.LEAD.value)
        .order_by(Plan.id, Task.position, Agency.code, DueItem.due_date)
    ).all()

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=tz)

    # Flushed in batches, not before every query of every operation: each item's events touch only itself
    # (and, once its lead is accepted, its coordinators), which the identity map already holds
    with db.session.no_autoflush:
        for number, (item, _assignment, task, plan, agency) in enumerate(rows, 1):
            _live(item, task, plan, agency, people, fates, today, at)
            if number % 250 == 0:
                db.session.flush()
    db.session.flush()
    return fates


def _live(item, task, plan, agency, people, fates, today, at) -> None:
    """One lead item's history."""
    key = _hash(plan.source_filename, task.position, task.number, agency.code, item.original_due_date)
    staff = people.staff_of(agency)
    if item.kind == DueKind.CONTINUOUS:
        if key % 2:
            update_progress(
                item,
                progress=20 + key % 7 * 10,
                note="Thực hiện thường xuyên; cập nhật kết quả hằng quý.",
                by=staff,
                now=people.now - timedelta(days=3 + key % 20),
            )
        fates["continuous"] += 1
        return
    if item.kind != DueKind.DATED or item.due_date is None or item.due_date >= today:
        return
    fate = fate_of(key)
    fates[fate] += 1
    due = item.due_date
    start = plan.period_start or plan.issued_on or due
    result = RESULTS[key % len(RESULTS)]
    symbol = "UBND" if agency.code.startswith("UBND") else agency.code
    evidence = [f"Công văn số {100 + key % 900}/{symbol}-VP ngày {{:%d/%m/%Y}}"]
    if fate == "on_time" and start > due:
        fate = "late"  # a date the plan itself set before its start cannot be met on time
    if fate == "on_time":
        done = max(start, due - timedelta(days=key % 9))
        _report(item, staff, done, result, evidence, None, at(done, 16))
        review_completion(item, decision="accept", comment="", by=people.office, now=at(done + timedelta(days=2), 9))
    elif fate == "late":
        done = max(start, min(today - timedelta(days=1), due + timedelta(days=5 + key % 40)))
        _report(item, staff, done, result, evidence, _reason(key, task), at(done, 16))
        review_completion(item, decision="accept", comment="", by=people.office, now=at(done + timedelta(days=3), 9))
    elif fate == "waiting":
        done = today - timedelta(days=1 + key % 10)
        _report(item, staff, done, result, evidence, _reason(key, task), at(done, 15))
    elif fate == "returned":
        done = today - timedelta(days=10 + key % 5)
        _report(item, staff, done, result, [], _reason(key, task), at(done, 15))
        review_completion(
            item,
            decision="return",
            comment=RETURN_COMMENTS[key % len(RETURN_COMMENTS)],
            by=people.office,
            now=at(done + timedelta(days=3), 10),
        )
    elif fate in ("extension_pending", "extended"):
        asked = today - timedelta(days=(20 if fate == "extended" else 1 + key % 6))
        update_progress(item, progress=40 + key % 5 * 10, note="Đang hoàn thiện dự thảo.", by=staff, now=at(asked, 9))
        request = request_extension(
            item,
            due_date=today + timedelta(days=(15 if fate == "extended" else 30) + key % 60),
            reason="Nội dung phụ thuộc hướng dẫn của Trung ương chưa ban hành; đề nghị gia hạn để hoàn thiện.",
            by=staff,
            now=at(asked, 10),
        )
        if fate == "extended":
            decide_extension(
                request, decision="approve", comment="", by=people.office, now=at(asked + timedelta(days=2), 9)
            )
    else:  # still overdue, some progress
        update_progress(
            item,
            progress=10 + key % 8 * 10,
            note="Đang triển khai, chưa hoàn thành.",
            by=staff,
            now=at(min(today - timedelta(days=1), due + timedelta(days=3)), 9),
        )


def _reason(key: int, task: Task) -> LateReasonData:
    category, text = LATE_REASONS[key // 100 % len(LATE_REASONS)]
    if category == "phoi_hop":
        code = db.session.scalar(
            select(Agency.code)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.task_id == task.id, Assignment.role == AssignmentRole.COORDINATOR.value)
            .order_by(Agency.code)
        )
        if code is None:
            category, text = LATE_REASONS[3]
        return LateReasonData(category=category, agency_code=code, text=text)
    return LateReasonData(category=category, text=text)


def _report(item, staff, done: date, result: str, evidence: list[str], reason, now: datetime) -> None:
    report_completion(
        item,
        CompletionData(
            completed_on=done,
            result=result,
            evidence=[line.format(done) for line in evidence],
            late_reason=reason,
        ),
        by=staff,
        now=now,
    )


def record_demo_indicators(plan: Plan, *, now: datetime) -> int:
    """Most agencies of ``plan`` report their indicators: last year's result, then a cumulative value for each
    quarter ended, a few days after its end, through the indicators' own operation. Returns the reports made."""
    from tracker.plans.indicators import IndicatorReport, periods_for, record_indicator_report
    from tracker.plans.models import Indicator, IndicatorTarget

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    today = now.astimezone(tz).date()
    people = DemoPeople(now)
    periods = periods_for(plan.period_start, plan.period_end, plan.issued_on)
    mode = current_app.config["INDICATOR_RAISE"]
    rows = db.session.execute(
        select(IndicatorTarget, Indicator, Agency)
        .join(Indicator, IndicatorTarget.indicator_id == Indicator.id)
        .join(Agency, IndicatorTarget.agency_id == Agency.id)
        .where(Indicator.plan_id == plan.id)
        .order_by(Indicator.position, Agency.code)
    ).all()
    reports = 0
    for target, indicator, agency in rows:
        key = _hash(plan.source_filename, indicator.number, agency.code)
        central = indicator.target_value
        if key % 100 < 15 or central is None:
            continue  # has not reported yet
        previous = min(Decimal(100), (central * Decimal(70 + key % 50) / 100).quantize(Decimal("0.1")))
        values: dict[str, Decimal | None] = {}
        for number, period in enumerate(periods, start=1):
            if period.end + timedelta(days=5) >= today:
                break
            step = (key >> (4 * number)) % 25
            value = min(Decimal(100), (previous * Decimal(90 + step) / 100).quantize(Decimal("0.1")))
            values[period.key] = value
            record_indicator_report(
                target,
                indicator,
                periods,
                IndicatorReport(previous=previous, values=dict(values)),
                by=people.staff_of(agency),
                now=datetime.combine(period.end + timedelta(days=3 + key % 3), time(10), tzinfo=tz),
                mode=mode,
            )
            reports += 1
        if not values:
            record_indicator_report(
                target,
                indicator,
                periods,
                IndicatorReport(previous=previous),
                by=people.staff_of(agency),
                now=now - timedelta(days=2),
                mode=mode,
            )
            reports += 1
    db.session.flush()
    return reports
