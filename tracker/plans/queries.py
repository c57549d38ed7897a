"""Reads of plans: the tree of an appendix with status counts, in a bounded number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan, Section, Task
from tracker.workflow.queries import item_scope, lead_only, status_counts_by, task_scope


@dataclass
class Node:
    """A row of the plan tree: a section heading or a task."""

    kind: str  # "section" or "task"
    obj: Section | Task
    depth: int
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _count_conditions(user: User):
    # The office counts what lead agencies owe; an agency counts its own items
    return [item_scope(user), lead_only()] if not user.is_agency_user else [item_scope(user), _own(user)]


def _own(user: User):
    return Assignment.agency_id == user.agency_id


def visible_plans_query(user: User):
    """Plans ``user`` may read (an agency: those with a task it leads or coordinates), newest first."""
    query = select(Plan).order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc())
    if user.is_agency_user:
        query = query.where(Plan.id.in_(select(Task.plan_id).where(task_scope(user))))
    return query


def plan_counts(user: User, as_of: date, tz: str) -> dict[int, dict[str, int]]:
    """Status counts per plan, in one query."""
    return status_counts_by(Task.plan_id, _count_conditions(user), as_of, tz)


def plan_tree(plan: Plan, user: User, as_of: date, tz: str) -> list[Node]:
    """The plan's sections and tasks in document order, each with status counts (sections roll up)."""
    sections = db.session.scalars(select(Section).where(Section.plan_id == plan.id)).all()
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id, task_scope(user))).all()
    per_task = status_counts_by(Task.id, [Task.plan_id == plan.id, *_count_conditions(user)], as_of, tz)

    section_by_id = {s.id: s for s in sections}
    task_by_id = {t.id: t for t in tasks}
    depth_cache: dict[tuple[str, int], int] = {}

    def section_depth(section: Section) -> int:
        key = ("section", section.id)
        if key not in depth_cache:
            parent = section_by_id.get(section.parent_id) if section.parent_id else None
            depth_cache[key] = 0 if parent is None else section_depth(parent) + 1
        return depth_cache[key]

    def task_depth(task: Task) -> int:
        key = ("task", task.id)
        if key not in depth_cache:
            if task.parent_id and task.parent_id in task_by_id:
                depth_cache[key] = task_depth(task_by_id[task.parent_id]) + 1
            elif task.section_id and task.section_id in section_by_id:
                depth_cache[key] = section_depth(section_by_id[task.section_id]) + 1
            else:
                depth_cache[key] = 0
        return depth_cache[key]

    section_nodes = {s.id: Node("section", s, section_depth(s)) for s in sections}
    nodes: list[Node] = list(section_nodes.values())
    for task in tasks:
        node = Node("task", task, task_depth(task), Counter(per_task.get(task.id, {})))
        nodes.append(node)
        section_id = task.section_id
        while section_id is not None and section_id in section_nodes:
            section_nodes[section_id].counts.update(node.counts)
            section_id = section_by_id[section_id].parent_id
    nodes.sort(key=lambda n: n.obj.position)
    if user.is_agency_user:
        # An agency sees the headings over its own tasks only
        nodes = [n for n in nodes if n.kind == "task" or _has_tasks(n.obj.id, tasks, section_by_id)]
    return nodes


def _has_tasks(section_id: int, tasks: list[Task], section_by_id: dict[int, Section]) -> bool:
    for task in tasks:
        current = task.section_id
        while current is not None:
            if current == section_id:
                return True
            current = section_by_id[current].parent_id if current in section_by_id else None
    return False
