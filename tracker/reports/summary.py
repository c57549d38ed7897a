"""The overview ("Tổng quan") of leaders and the office as of a date: the five status classes overall and per plan,
overdue items by agency, the ageing of what is overdue, the monthly on-time rate, and the office's queues.

One set of figures for the page and ``GET /api/v1/reports/summary``: one pass over the items for the classes, the
ageing and the queues, one over the last twelve months' due dates, and two lookups of names, whatever the number of
items. The
scope is the monthly report's: lead items (one per lead agency; coordinators are not counted) of the plans being
tracked or closed, so the overdue count of an agency here is the one the monthly list gives on the same date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, extract, func, select

from tracker.agencies.models import Agency
from tracker.core.versions import VersionedCache
from tracker.extensions import db
from tracker.plans.items import UnitsAsOf
from tracker.plans.models import Assignment, AssignmentRole, DueItem, ItemState, Plan, Task
from tracker.plans.status import STATUS_ORDER, StatusClass, days_late, status_class
from tracker.workflow.models import ExtensionRequest, ExtensionState

SCOPE = "lead"
SCOPE_LABEL = (
    "Tính trên nhiệm vụ chủ trì (mỗi đơn vị chủ trì một nhiệm vụ; không tính đơn vị phối hợp) "
    "của các kế hoạch đang theo dõi và đã kết thúc."
)
#: Ageing of open overdue items: (key, label, first day, last day or None)
AGEING = (
    ("1_30", "Đến 30 ngày", 1, 30),
    ("31_90", "31–90 ngày", 31, 90),
    ("91_180", "91–180 ngày", 91, 180),
    ("over_180", "Trên 180 ngày", 181, None),
)
#: How many agencies the page's chart shows (the API gives them all)
TOP_AGENCIES = 15
MONTHS = 12


@dataclass
class AgencyCounts:
    agency_id: int
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> int:
        return self.counts.get(StatusClass.OPEN_OVERDUE, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PlanCounts:
    plan_id: int
    reference: str
    title: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts.get(StatusClass.DONE_ON_TIME, 0) + self.counts.get(StatusClass.DONE_LATE, 0)

    @property
    def done_share(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass
class MonthRate:
    month: str  # "2026-07"
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """Items due in the month completed by their date, over the items due in it (None: nothing was due)."""
        return round(self.on_time / self.due, 4) if self.due else None

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{month}/{year}"


@dataclass
class Summary:
    as_of: date
    plan_id: int | None
    counts: dict[str, int]
    by_agency: list[AgencyCounts]
    by_plan: list[PlanCounts]
    ageing: dict[str, int]
    monthly_on_time_rate: list[MonthRate]
    waiting_review: int
    extensions_pending: int
    scope: str = SCOPE
    scope_label: str = SCOPE_LABEL

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def top_agencies(self) -> list[AgencyCounts]:
        return [a for a in self.by_agency if a.overdue][:TOP_AGENCIES]

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of,
            "plan": self.plan_id,
            "scope": self.scope,
            "scope_label": self.scope_label,
            "counts": self.counts,
            "by_agency": [{"code": a.code, "name": a.name, "counts": a.counts} for a in self.by_agency],
            "by_plan": [{"id": p.plan_id, "reference": p.reference, "counts": p.counts} for p in self.by_plan],
            "ageing": self.ageing,
            "monthly_on_time_rate": [
                {"month": m.month, "due": m.due, "on_time": m.on_time, "rate": m.rate}
                for m in self.monthly_on_time_rate
            ],
            "waiting_review": self.waiting_review,
            "extensions_pending": self.extensions_pending,
        }


def _months_back(as_of: date, count: int) -> list[tuple[int, int]]:
    months, year, month = [], as_of.year, as_of.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


#: The figures of the overview, kept per (day, plan) until the tracked data changes (tracker.core.versions)
SUMMARIES = VersionedCache()


def summary_for(as_of: date, tz: str, *, plan_id: int | None = None) -> Summary:
    """``build_summary``, computed once per version of the data: the overview and the API read it from memory until
    an item, a task, a plan, an agency or an extension changes (one query to read the version)."""
    return SUMMARIES.get((as_of, tz, plan_id), lambda: build_summary(as_of, tz, plan_id=plan_id))


def build_summary(as_of: date, tz: str, *, plan_id: int | None = None) -> Summary:
    status = status_class(as_of, tz)
    scope = [Plan.status.in_(("active", "closed")), Assignment.role == AssignmentRole.LEAD.value]
    if plan_id:
        scope.append(Task.plan_id == plan_id)
    empty = {klass.value: 0 for klass in STATUS_ORDER}

    months = _months_back(as_of, MONTHS)
    first = date(months[0][0], months[0][1], 1)

    # 1. one pass over the items: the classes per plan and agency, the ageing of the overdue ones, the queues and
    # the on-time rate of the items due in each of the last twelve months (up to the day).
    # The class and the days late are computed once per item (a subquery), then grouped.
    pending = select(ExtensionRequest.due_item_id).where(ExtensionRequest.state == ExtensionState.PENDING.value)
    units = UnitsAsOf(as_of)  # as of a day before a succession, the unit that had the item then
    item = (
        units.items(
            Task.plan_id.label("plan_id"),
            units.unit.label("agency_id"),
            status.label("status"),
            days_late(as_of, tz).label("late"),
            case((DueItem.state == ItemState.REPORTED.value, 1), else_=0).label("reported"),
            case((DueItem.id.in_(pending), 1), else_=0).label("extension"),
            # the month of the due date, for the on-time rate of the last twelve months (0: outside them)
            case(
                (
                    and_(DueItem.due_date >= first, DueItem.due_date <= as_of),
                    extract("year", DueItem.due_date) * 100 + extract("month", DueItem.due_date),
                ),
                else_=0,
            ).label("month"),
        )
        .where(*scope)
        .subquery()
    )
    bucket = case(
        (item.c.status != StatusClass.OPEN_OVERDUE.value, ""),
        *((item.c.late <= last, key) for key, _label, _first, last in AGEING if last is not None),
        else_=AGEING[-1][0],
    )
    rows = db.session.execute(
        select(
            item.c.plan_id,
            item.c.agency_id,
            item.c.status,
            bucket,
            item.c.month,
            func.count(),
            func.sum(item.c.reported),
            func.sum(item.c.extension),
        ).group_by(item.c.plan_id, item.c.agency_id, item.c.status, bucket, item.c.month)
    ).all()
    counts = dict(empty)
    per_plan: dict[int, dict[str, int]] = {}
    per_agency: dict[int, dict[str, int]] = {}
    ageing = {key: 0 for key, *_ in AGEING}
    waiting = extensions = 0
    rates = {f"{y}-{m:02d}": MonthRate(f"{y}-{m:02d}", 0, 0) for y, m in months}
    for pid, agency_id, klass, key, month, count, reported, extension in rows:
        if month:
            rate = rates.get(f"{int(month) // 100}-{int(month) % 100:02d}")
            if rate is not None:
                rate.due += count
                rate.on_time += count if klass == StatusClass.DONE_ON_TIME else 0
        counts[klass] += count
        per_plan.setdefault(pid, dict(empty))[klass] += count
        per_agency.setdefault(agency_id, dict(empty))[klass] += count
        if key:
            ageing[key] += count
        waiting += int(reported or 0)
        extensions += int(extension or 0)

    # 2. the names of the plans and agencies counted (two small lookups)
    plans = db.session.execute(
        select(Plan.id, Plan.doc_kind, Plan.doc_number, Plan.title).where(Plan.id.in_(list(per_plan)))
    ).all()
    by_plan = [
        PlanCounts(pid, f"{kind} số {number}" if number else kind, title, counts=per_plan[pid])
        for pid, kind, number, title in sorted(plans)
    ]
    names = db.session.execute(select(Agency.id, Agency.code, Agency.name).where(Agency.id.in_(list(per_agency))))
    agencies = sorted(
        (AgencyCounts(agency_id, code, name, counts=per_agency[agency_id]) for agency_id, code, name in names),
        key=lambda a: (-a.overdue, -a.total, a.name),
    )

    return Summary(
        as_of=as_of,
        plan_id=plan_id,
        counts=counts,
        by_agency=agencies,
        by_plan=by_plan,
        ageing=ageing,
        monthly_on_time_rate=list(rates.values()),
        waiting_review=waiting,
        extensions_pending=extensions,
    )
