"""Who may see which items: the agency check lives in the queries, not in the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import AGENCY_ROLES, User
from tracker.agencies.models import Agency
from tracker.core.html import options
from tracker.core.search import matches
from tracker.core.versions import VersionedCache
from tracker.extensions import db
from tracker.plans.items import item_scope, items_query, select_items
from tracker.plans.models import Assignment, DueItem, ItemState, Plan, Task, plan_reference
from tracker.plans.status import StatusClass, days_late, status_class
from tracker.workflow.models import ExtensionRequest, ExtensionState, UserNotice


def visible_file(user: User, file_id: int):
    """An item's file if ``user`` may read the item (the scope is in the query)."""
    from tracker.workflow.models import ItemFile

    return db.session.scalar(
        select(ItemFile)
        .join(DueItem, ItemFile.due_item_id == DueItem.id)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(ItemFile.id == file_id, item_scope(user))
    )


def review_queue_query(
    user: User, as_of: date, tz: str, *, plan_id: int | None = None, agency_id: int | None = None, q: str = ""
):
    """Reports waiting for the office, oldest first, with what a list shows."""
    query = items_query(user, as_of, tz).where(DueItem.state == ItemState.REPORTED.value)
    if q:
        query = query.where(matches(Task.search_text, q))
    if plan_id:
        query = query.where(Task.plan_id == plan_id)
    if agency_id:
        query = query.where(Assignment.agency_id == agency_id)
    return query.order_by(DueItem.reported_at, DueItem.id)


def pending_extensions_query(*, plan_id: int | None = None, agency_id: int | None = None, q: str = "") -> Select:
    """Extension requests waiting for a decision, oldest first, with their item, task, plan and agency."""
    query = (
        select(ExtensionRequest, DueItem, Task, Plan, Agency)
        .join(DueItem, ExtensionRequest.due_item_id == DueItem.id)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(ExtensionRequest.state == ExtensionState.PENDING.value)
    )
    if plan_id:
        query = query.where(Task.plan_id == plan_id)
    if agency_id:
        query = query.where(Assignment.agency_id == agency_id)
    if q:
        query = query.where(matches(Task.search_text, q))
    return query.order_by(ExtensionRequest.requested_at, ExtensionRequest.id)


@dataclass
class Workspace:
    """The agency's panel: what needs it now, each list short, each count whole."""

    due_soon: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    reported: list = field(default_factory=list)
    extension_pending: list = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    due_soon_until: date | None = None


#: Each agency's panel, per day, kept until the data changes
WORKSPACES = VersionedCache(size=512)


def agency_workspace(user: User, as_of: date, tz: str, *, limit: int = 5) -> Workspace:
    """The panel of an agency's list: due within 7 working days, overdue, returned, waiting, extension pending
    (each with its count and first rows: plain rows, kept until the data changes)."""
    return WORKSPACES.get((user.agency_id, as_of, tz, limit), lambda: _workspace(user, as_of, tz, limit))


def _workspace(user: User, as_of: date, tz: str, limit: int) -> Workspace:
    from tracker.deadlines.calendar import WorkCalendar

    until = WorkCalendar.from_database().add_working_days(as_of, 7)
    status = status_class(as_of, tz)
    own = [Assignment.agency_id == user.agency_id, Plan.status == "active"]
    pending = select(ExtensionRequest.due_item_id).where(ExtensionRequest.state == ExtensionState.PENDING.value)
    lists = {
        "due_soon": (
            and_(status == StatusClass.OPEN_ON_TIME.value, DueItem.due_date.is_not(None), DueItem.due_date <= until),
            DueItem.due_date,
        ),
        "overdue": (
            and_(status == StatusClass.OPEN_OVERDUE.value, DueItem.state != ItemState.REPORTED.value),
            DueItem.due_date,
        ),
        "returned": (DueItem.state == ItemState.RETURNED.value, DueItem.updated_at.desc()),
        "reported": (DueItem.state == ItemState.REPORTED.value, DueItem.reported_at),
        "extension_pending": (DueItem.id.in_(pending), DueItem.due_date),
    }
    workspace = Workspace(due_soon_until=until)
    # One query for the five counts
    counts_row = db.session.execute(
        select_items(*(func.count(case((condition, 1))) for condition, _ in lists.values())).where(*own)
    ).one()
    workspace.counts = dict(zip(lists, counts_row, strict=True))
    late = days_late(as_of, tz).label("days_late")
    for name, (condition, order) in lists.items():
        if not workspace.counts[name]:
            continue
        rows = db.session.execute(
            select_items(DueItem.id, DueItem.due_date, Task.number, Task.content, late)
            .where(*own, condition)
            .order_by(order, DueItem.id)
            .limit(limit)
        ).all()
        setattr(workspace, name, rows)
    return workspace


def recent_user_notices(agency_id: int | None, now, days: int = 30, limit: int = 10):
    """The agency's in-app notices of the workflow (returned, extension decided, the office's comments)."""
    from datetime import timedelta

    if agency_id is None:
        return []
    return db.session.execute(
        select(UserNotice, Task)
        .join(Task, UserNotice.task_id == Task.id)
        .where(UserNotice.agency_id == agency_id, UserNotice.created_at >= now - timedelta(days=days))
        .order_by(UserNotice.created_at.desc(), UserNotice.id.desc())
        .limit(limit)
    ).all()


@dataclass
class ItemFilter:
    """The filters of an item list, the same for the web list and the API."""

    plan_id: int | None = None
    agency_id: int | None = None
    agency_code: str | None = None
    status: str | None = None
    state: str | None = None
    role: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    #: Only items with an extension request waiting for the office
    extension_pending: bool = False
    #: Free text: each word must appear in the task's number or content, diacritics and case ignored
    q: str = ""


def item_list_conditions(user: User, flt: ItemFilter, as_of: date, tz: str, *, with_status: bool = True) -> list:
    """SQL conditions of a list: the caller's scope first (an agency lists its own items), then the filters."""
    conditions: list[ColumnElement[bool]] = [item_scope(user)]
    if user.role in AGENCY_ROLES:
        conditions.append(Assignment.agency_id == user.agency_id)
    if flt.agency_id:
        conditions.append(Assignment.agency_id == flt.agency_id)
    if flt.agency_code:
        conditions.append(Assignment.agency_id.in_(select(Agency.id).where(Agency.code == flt.agency_code)))
    if flt.plan_id:
        conditions.append(Task.plan_id == flt.plan_id)
    if flt.state in ITEM_STATES:
        conditions.append(DueItem.state == flt.state)
    if flt.role in ("lead", "coordinator"):
        conditions.append(Assignment.role == flt.role)
    if flt.due_from:
        conditions.append(DueItem.due_date >= flt.due_from)
    if flt.due_to:
        conditions.append(DueItem.due_date <= flt.due_to)
    if flt.extension_pending:
        conditions.append(
            DueItem.id.in_(
                select(ExtensionRequest.due_item_id).where(ExtensionRequest.state == ExtensionState.PENDING.value)
            )
        )
    if flt.q:
        conditions.append(matches(Task.search_text, flt.q))
    if with_status and flt.status in STATUS_CLASSES:
        conditions.append(status_class(as_of, tz) == flt.status)
    return conditions


#: The orders of an item list: due date (default), latest due first, most days late, agency, plan
SORTS = ("due", "-due", "late", "agency", "plan")


def item_order(sort: str | None, as_of: date, tz: str) -> list:
    """ORDER BY of an item list (an unknown sort is the default: by due date)."""
    tail = [DueItem.id]
    if sort == "-due":
        return [DueItem.due_date.is_(None), DueItem.due_date.desc(), Task.plan_id, Task.position, *tail]
    if sort == "late":
        return [days_late(as_of, tz).desc().nulls_last(), DueItem.due_date, *tail]
    if sort == "agency":
        return [Agency.name, DueItem.due_date.is_(None), DueItem.due_date, *tail]
    if sort == "plan":
        return [Task.plan_id, Task.position, DueItem.due_date, *tail]
    # by due date, the undated last; within a day in the order the items were created (a plan's tasks in order):
    # the order an index on due_date serves, so the first page does not sort the whole table
    return [DueItem.due_date.asc().nulls_last(), *tail]


ITEM_STATES = frozenset(s.value for s in ItemState)
STATUS_CLASSES = frozenset(s.value for s in StatusClass)


#: The filters' plan and agency options, kept until the data changes
FILTER_CHOICES = VersionedCache(size=4)


def filter_choices(*, with_agencies: bool) -> tuple[Markup, Markup]:
    """The list filters' plans (newest first) and, for the office, agencies, as ``<option>`` elements."""

    def build() -> tuple[Markup, Markup]:
        rows = db.session.execute(
            select(Plan.id, Plan.doc_kind, Plan.doc_number, Plan.title).order_by(
                Plan.issued_on.desc().nulls_last(), Plan.id.desc()
            )
        )
        plans = [
            (id_, do_truncate(current_app.jinja_env, f"{plan_reference(kind, number)} – {title}", 90))
            for id_, kind, number, title in rows
        ]
        agencies = []
        if with_agencies:
            agencies = list(db.session.execute(select(Agency.id, Agency.name).order_by(Agency.kind, Agency.name)))
        return options(plans), options(agencies)

    return FILTER_CHOICES.get(with_agencies, build)


#: The office's two queues, counted, kept until the data changes (items and extension requests bump the version)
OFFICE_QUEUE = VersionedCache(size=1)


def office_queue_counts() -> dict[str, int]:
    """Reports waiting for review and extensions waiting for a decision: the office's menu and the queue's pages."""

    def count() -> dict[str, int]:
        return {
            "reported": db.session.scalar(select(func.count()).where(DueItem.state == ItemState.REPORTED.value)),
            "extensions": db.session.scalar(
                select(func.count()).where(ExtensionRequest.state == ExtensionState.PENDING.value)
            ),
        }

    return OFFICE_QUEUE.get("office", count)


def task_comments(task_id: int) -> list:
    """A task's comments, oldest first, with their authors and agencies (the page and the API alike)."""
    from tracker.workflow.models import Comment

    return db.session.scalars(
        select(Comment)
        .options(selectinload(Comment.author), selectinload(Comment.agency))
        .where(Comment.task_id == task_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
