"""The tracked items' queries: who may read which items and tasks (the agency check lives in the query, not in
the template), and counts per status class in one statement."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, false, func, select, true
from sqlalchemy.orm import aliased, selectinload

from tracker.accounts.models import AGENCY_ROLES, User
from tracker.agencies.models import Agency
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, Plan, Task
from tracker.plans.status import days_late, status_class


def select_items(*columns) -> Select:
    """``SELECT columns FROM due_items`` joined to their assignment, task and plan: the shape every report reads."""
    return (
        select(*columns)
        .select_from(DueItem)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
    )


class UnitsAsOf:
    """Which unit answers for an item as of a day: the unit a succession after that day took it from (the earliest
    such move), else its assignment's. ``unit`` is the column; ``items()`` is select_items with what it needs. With
    no succession after the day (nearly always) it is the assignment's agency and no join is added."""

    def __init__(self, as_of: date) -> None:
        from tracker.agencies.models import ItemMove

        self.as_of = as_of
        self.moved = db.session.scalar(select(ItemMove.id).where(ItemMove.moved_on > as_of).limit(1)) is not None
        self.move = aliased(ItemMove)
        self.unit = Assignment.agency_id
        if self.moved:
            self.unit = func.coalesce(self.move.from_agency_id, Assignment.agency_id)
        if self.moved:
            earlier = aliased(ItemMove)
            self.join_on = and_(
                self.move.item_id == DueItem.id,
                self.move.moved_on > as_of,
                self.move.absorbed_into_id.is_(None),
                ~select(earlier.id)
                .where(
                    earlier.item_id == self.move.item_id,
                    earlier.moved_on > as_of,
                    earlier.absorbed_into_id.is_(None),
                    (earlier.moved_on < self.move.moved_on)
                    | ((earlier.moved_on == self.move.moved_on) & (earlier.id < self.move.id)),
                )
                .exists(),
            )

    def items(self, *columns) -> Select:
        statement = select_items(*columns)
        return statement.outerjoin(self.move, self.join_on) if self.moved else statement


def tasks_of_agency(agency_id: int) -> Select:
    """Ids of the tasks an agency leads or coordinates."""
    mine = aliased(Assignment)
    return select(mine.task_id).where(mine.agency_id == agency_id)


def task_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on Task: the tasks ``user`` may read."""
    if user.role in AGENCY_ROLES:
        if user.agency_id is None:
            return false()
        return Task.id.in_(tasks_of_agency(user.agency_id))
    return true()


def item_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on Assignment: the items ``user`` may read.

    An agency reads its own items and, read-only, the items of tasks it coordinates or leads with others.
    """
    if user.role in AGENCY_ROLES:
        if user.agency_id is None:
            return false()
        return Assignment.task_id.in_(tasks_of_agency(user.agency_id))
    return true()


def editable_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on Assignment: the items ``user`` may report on (its agency's own)."""
    if user.role in AGENCY_ROLES and user.agency_id is not None:
        return Assignment.agency_id == user.agency_id
    return false()


def items_query(user: User, as_of: date, tz: str) -> Select:
    """Items with their status and days late, joined to what a list shows, scoped to ``user``."""
    status = status_class(as_of, tz).label("status")
    late = days_late(as_of, tz).label("days_late")
    return (
        select(DueItem, Assignment, Task, Plan, Agency, status, late)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(item_scope(user))
    )


def status_counts(conditions: list[ColumnElement[bool]], as_of: date, tz: str) -> dict[str, int]:
    """How many items fall in each status class, in one query."""
    status = status_class(as_of, tz)
    rows = db.session.execute(select_items(status, func.count()).where(and_(true(), *conditions)).group_by(status))
    return {klass: count for klass, count in rows}


def status_counts_by(key: ColumnElement, conditions: list[ColumnElement[bool]], as_of: date, tz: str):
    """Counts per status class for each value of ``key`` (a plan, a task …), in one query."""
    status = status_class(as_of, tz)
    rows = db.session.execute(
        select_items(key, status, func.count()).where(and_(true(), *conditions)).group_by(key, status)
    )
    counts: dict = defaultdict(dict)
    for value, klass, count in rows:
        counts[value][klass] = count
    return counts


def lead_only() -> ColumnElement[bool]:
    return Assignment.role == AssignmentRole.LEAD.value


def visible_task(user: User, task_id: int) -> Task | None:
    """The task (its plan loaded) if ``user`` may read it (another agency's id finds nothing)."""
    return db.session.scalar(select(Task).options(selectinload(Task.plan)).where(Task.id == task_id, task_scope(user)))


def visible_item(user: User, item_id: int) -> DueItem | None:
    """The item if ``user`` may read it (another agency's id finds nothing)."""
    return db.session.scalar(
        select(DueItem)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(DueItem.id == item_id, item_scope(user))
    )
