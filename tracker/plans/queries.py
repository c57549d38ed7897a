"""Reads of plans: the tree of an appendix with status counts, in a bounded number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.core.pagination import Page
from tracker.core.versions import VersionedCache
from tracker.extensions import db
from tracker.plans.items import item_scope, lead_only, status_counts_by, task_scope
from tracker.plans.models import Assignment, Plan, Section, Task


@dataclass
class Node:
    """A row of the plan tree: a section heading or a task."""

    kind: str  # "section" or "task"
    obj: Any  # a row of the section or the task (id, number, position, parent …)
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


#: Status counts per plan and per task of a plan, for each reader's scope and day, kept until the data changes
COUNTS = VersionedCache(size=256)


def _scope_key(user: User) -> tuple:
    """Readers who count the same items: the office and the leaders alike, each agency its own."""
    return ("agency", user.agency_id) if user.is_agency_user else ("office",)


def plan_counts(user: User, as_of: date, tz: str) -> dict[int, dict[str, int]]:
    """Status counts per plan, in one query (none while the data is unchanged)."""
    return COUNTS.get(
        ("plans", _scope_key(user), as_of, tz),
        lambda: dict(status_counts_by(Task.plan_id, _count_conditions(user), as_of, tz)),
    )


def plan_tree(plan: Plan, user: User, as_of: date, tz: str) -> list[Node]:
    """The plan's sections and tasks in document order, each with status counts (sections roll up)."""
    # rows, not objects: a national plan has thousands of tasks, and the page shows a few fields of each
    sections = db.session.execute(
        select(
            Section.id, Section.parent_id, Section.position, Section.number, Section.title, Section.deadline_text
        ).where(Section.plan_id == plan.id)
    ).all()
    tasks = db.session.execute(
        select(
            Task.id,
            Task.section_id,
            Task.parent_id,
            Task.position,
            Task.number,
            Task.content,
            Task.lead_text,
            Task.deadline_text,
        ).where(Task.plan_id == plan.id, task_scope(user))
    ).all()
    per_task = COUNTS.get(
        ("tasks", plan.id, _scope_key(user), as_of, tz),
        lambda: dict(status_counts_by(Task.id, [Task.plan_id == plan.id, *_count_conditions(user)], as_of, tz)),
    )

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
    task_nodes = []
    for task in tasks:
        node = Node("task", task, task_depth(task), Counter(per_task.get(task.id, {})))
        task_nodes.append(node)
        section_id = task.section_id
        while section_id is not None and section_id in section_nodes:
            section_nodes[section_id].counts.update(node.counts)
            section_id = section_by_id[section_id].parent_id
    nodes = _document_order(section_nodes, task_nodes, section_by_id)
    if user.is_agency_user:
        # An agency sees the headings over its own tasks only
        over_tasks: set[int] = set()
        for task in tasks:
            current = task.section_id
            while current is not None and current not in over_tasks and current in section_by_id:
                over_tasks.add(current)
                current = section_by_id[current].parent_id
        nodes = [n for n in nodes if n.kind == "task" or n.obj.id in over_tasks]
    return nodes


def _document_order(section_nodes: dict[int, Node], task_nodes: list[Node], section_by_id) -> list[Node]:
    """Headings and tasks as the appendix prints them: each heading followed by what it holds (its tasks, a
    task's sub-tasks after it, and its sub-headings), each level in its positions' order."""
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in section_nodes.values():
        parent = node.obj.parent_id if node.obj.parent_id in section_by_id else None
        children[parent].append(node)
    for node in task_nodes:
        children[node.obj.section_id if node.obj.section_id in section_by_id else None].append(node)
    ordered: list[Node] = []
    stack = sorted(children[None], key=lambda n: n.obj.position, reverse=True)
    while stack:
        node = stack.pop()
        ordered.append(node)
        if node.kind == "section":
            stack.extend(sorted(children[node.obj.id], key=lambda n: n.obj.position, reverse=True))
    return ordered


def tree_page(nodes: list[Node], number: int, per_page: int) -> Page:
    """One page of a plan's tree: ``per_page`` tasks, with the headings among them and, on a later page, the
    headings the first of them sits under (so a page never starts mid-section without saying which)."""
    total = sum(1 for n in nodes if n.kind == "task")
    number = min(max(1, number), max(1, -(-total // per_page)))
    first, last = (number - 1) * per_page, number * per_page
    shown: list[Node] = []
    headings: list[Node] = []  # the sections open at this point of the document, outermost first
    seen = 0
    for node in nodes:
        if node.kind == "section":
            headings = [h for h in headings if h.depth < node.depth] + [node]
            if first <= seen < last or (seen == total and last >= total):  # headings after the last task: last page
                shown.append(node)
            continue
        if first <= seen < last:
            if seen == first and seen > 0:
                shown.extend(h for h in headings if h not in shown)
            shown.append(node)
        seen += 1
    return Page(items=shown, number=number, per_page=per_page, total=total)
