"""A revised appendix of a plan already in the system: matched tasks keep their progress and history.

Tasks are matched by number and content, then by content alone (a corrected typo, a renumbered row); what is left
is added or removed, and the person confirms those lists before anything changes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.agencies.names import normalize_name
from tracker.core.models import record_audit
from tracker.extensions import db
from tracker.importers.pipeline import ParsedPlan, ParsedTask
from tracker.plans.models import Assignment, AssignmentRole, Plan, Section, Task
from tracker.plans.operations import agencies_for, due_items_for

#: How alike two contents must be to be the same task (difflib's ratio on normalized text)
SAME_TASK = 0.85


@dataclass
class PlanDiff:
    #: (task in the system, index of the parsed task)
    matched: list[tuple[Task, int]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    removed: list[Task] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.added or self.removed)


#: Abbreviations a revision may spell out
_ABBREVIATIONS = {
    "tthc": "thu tuc hanh chinh",
    "cchc": "cai cach hanh chinh",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "qppl": "quy pham phap luat",
    "dvc": "dich vu cong",
}
#: Alike enough when the number is the same
SAME_NUMBER = 0.6


def _key(text: str) -> str:
    words = normalize_name(text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def diff_plan(plan: Plan, parsed: ParsedPlan) -> PlanDiff:
    existing = list(db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)))
    diff = PlanDiff()
    free = {t.id: t for t in existing}
    pending: list[int] = []
    by_number_content = {(t.number, _key(t.content)): t for t in existing}  # the same row, unchanged
    for i, task in enumerate(parsed.tasks):
        hit = by_number_content.get((task.number, _key(task.content)))
        if hit is not None and hit.id in free:
            diff.matched.append((free.pop(hit.id), i))
        else:
            pending.append(i)
    for i in pending:
        content = _key(parsed.tasks[i].content)
        best, score, threshold = None, 0.0, SAME_TASK
        for candidate in free.values():
            ratio = difflib.SequenceMatcher(None, content, _key(candidate.content)).ratio()
            if ratio > score:
                best, score = candidate, ratio
                threshold = SAME_NUMBER if candidate.number == parsed.tasks[i].number else SAME_TASK
        if best is not None and score >= threshold:
            diff.matched.append((free.pop(best.id), i))
        else:
            diff.added.append(i)
    diff.removed = list(free.values())
    diff.matched.sort(key=lambda pair: pair[1])
    return diff


def apply_reimport(plan: Plan, parsed: ParsedPlan, *, by, now: datetime) -> PlanDiff:
    """Bring the plan in line with the revised appendix; the caller commits once."""
    diff = diff_plan(plan, parsed)
    on = plan.period_start or now.date()
    for task in diff.removed:
        db.session.delete(task)
    db.session.execute(Task.__table__.update().where(Task.plan_id == plan.id).values(section_id=None, parent_id=None))
    for section in db.session.scalars(select(Section).where(Section.plan_id == plan.id)):
        db.session.delete(section)
    db.session.flush()

    position = 0
    section_ids: dict[str, int] = {}
    for spec in parsed.sections:
        position += 1
        section = Section(
            plan_id=plan.id,
            number=spec.number,
            title=spec.title,
            deadline_text=spec.deadline_text,
            position=position,
            parent_id=section_ids.get(spec.parent_key) if spec.parent_key else None,
        )
        db.session.add(section)
        db.session.flush()
        section_ids[spec.key] = section.id

    matched = {index: task for task, index in diff.matched}
    tasks_by_index: dict[int, Task] = {}
    for index, parsed_task in enumerate(parsed.tasks):
        position += 1
        task = matched.get(index) or Task(plan_id=plan.id)
        _fill(task, parsed_task, position, section_ids, tasks_by_index)
        db.session.add(task)
        db.session.flush()
        tasks_by_index[index] = task
        _reconcile_assignments(task, parsed_task, on)
    record_audit(
        plan,
        "plan_reimported",
        by=by,
        now=now,
        after={"matched": len(diff.matched), "added": len(diff.added), "removed": len(diff.removed)},
    )
    return diff


def _fill(task: Task, parsed: ParsedTask, position: int, section_ids, tasks_by_index) -> None:
    task.number = parsed.number
    task.position = position
    task.content = parsed.content
    task.deliverable = parsed.deliverable
    task.lead_text = parsed.lead_text
    task.coordinators_text = parsed.coordinators_text
    task.deadline_text = parsed.deadline_text
    task.schedule_kind = parsed.schedule.kind
    task.schedule = parsed.schedule.to_stored()
    task.section_id = section_ids.get(parsed.section_key) if parsed.section_key else None
    parent = tasks_by_index.get(parsed.parent_index) if parsed.parent_index is not None else None
    task.parent_id = parent.id if parent is not None else None


def _reconcile_assignments(task: Task, parsed: ParsedTask, on) -> None:
    existing = {
        (a.agency_id, a.role): a
        for a in db.session.scalars(
            select(Assignment).options(selectinload(Assignment.items)).where(Assignment.task_id == task.id)
        )
    }
    wanted: dict[tuple[int, str], str] = {}
    named: set[int] = set()  # one assignment per agency and task, lead first
    for role, resolution in ((AssignmentRole.LEAD, parsed.lead), (AssignmentRole.COORDINATOR, parsed.coordinators)):
        for agency, via in agencies_for([*resolution.agency_codes, *resolution.groups], on):
            if agency.id not in named:
                named.add(agency.id)
                wanted[(agency.id, role.value)] = via
    schedule = task.schedule
    for key, assignment in existing.items():
        if key not in wanted:
            db.session.delete(assignment)
        else:
            _reconcile_items(assignment, schedule)
    for (agency_id, role), via in wanted.items():
        if (agency_id, role) not in existing:
            assignment = Assignment(task_id=task.id, agency_id=agency_id, role=role, via_group=via)
            assignment.items = due_items_for(schedule)
            db.session.add(assignment)


def _reconcile_items(assignment: Assignment, schedule: dict) -> None:
    """The same items (progress, reports) moved to the revised due dates; an extension is kept."""
    new = due_items_for(schedule)
    old = sorted(assignment.items, key=lambda i: (i.original_due_date is None, i.original_due_date or i.id, i.id))
    extended = {item.id: item.is_extended for item in old}
    for item in old:
        item.original_due_date = None  # dates move between items: clear them first (one date per item)
    db.session.flush()
    for item, template in zip(old, new, strict=False):
        extended_item = extended[item.id]
        item.kind = template.kind
        item.period_label = template.period_label
        item.original_due_date = template.original_due_date
        if not extended_item or template.due_date is None or (item.due_date and item.due_date < template.due_date):
            item.due_date = template.due_date
    for template in new[len(old) :]:
        assignment.items.append(template)
    for item in old[len(new) :]:
        if not item.progress and item.completed_on is None and item.state == "open":
            db.session.delete(item)  # an occurrence the revision dropped, with nothing reported on it
    db.session.flush()
