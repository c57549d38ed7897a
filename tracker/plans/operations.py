"""Creating a plan with its sections, tasks, assignments and due items in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.queries import group_members_query
from tracker.core.models import record_audit
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, DueKind, Plan, Section, Task


@dataclass
class TaskSpec:
    """A task as the importer (or demo data) describes it: agencies and groups by code."""

    content: str
    number: str = ""
    section_key: str | None = None
    parent_key: str | None = None
    key: str | None = None
    deliverable: str = ""
    lead_text: str = ""
    coordinators_text: str = ""
    deadline_text: str = ""
    schedule: dict[str, Any] = field(default_factory=lambda: {"kind": "unknown", "due_dates": []})
    lead_codes: list[str] = field(default_factory=list)
    coordinator_codes: list[str] = field(default_factory=list)


def due_items_for(schedule: dict[str, Any]) -> list[DueItem]:
    """The tracked units one assignment gets from a schedule: one per due date, else one undated."""
    kind = schedule.get("kind", "unknown")
    dates = [date.fromisoformat(d) for d in schedule.get("due_dates", [])]
    if dates:
        labels = schedule.get("period_labels") or [""] * len(dates)
        return [
            DueItem(kind=DueKind.DATED.value, due_date=d, original_due_date=d, period_label=label, progress=0)
            for d, label in zip(dates, labels, strict=False)
        ]
    undated = DueKind.CONTINUOUS if kind == "continuous" else DueKind.PENDING
    return [DueItem(kind=undated.value, progress=0)]


def agencies_for(codes: list[str], on: date) -> list[tuple[Agency, str]]:
    """Agencies named by code, and the members of groups named by code (with the group's code)."""
    if not codes:
        return []
    found: list[tuple[Agency, str]] = []
    agencies = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))}
    groups = {g.code: g for g in db.session.scalars(select(AgencyGroup).where(AgencyGroup.code.in_(codes)))}
    for code in codes:
        if code in agencies:
            found.append((agencies[code], ""))
        elif code in groups:
            found.extend((member, code) for member in db.session.scalars(group_members_query(groups[code], on)))
        else:
            raise LookupError(f"Không tìm thấy cơ quan, đơn vị hoặc nhóm có mã {code}")
    return found


def create_plan(
    plan_fields: dict[str, Any],
    sections: list[dict[str, Any]],
    tasks: list[TaskSpec],
    *,
    by,
    now: datetime,
) -> Plan:
    """Create a plan and everything under it; the caller commits (or rolls back) once."""
    plan = Plan(created_at=now, **plan_fields)
    db.session.add(plan)
    position = 0
    section_by_key: dict[str, Section] = {}
    for spec in sections:
        position += 1
        section = Section(
            plan=plan,
            number=spec.get("number", ""),
            title=spec["title"],
            deadline_text=spec.get("deadline_text", ""),
            position=position,
            parent_id=section_by_key[spec["parent"]].id if spec.get("parent") else None,
        )
        db.session.add(section)
        db.session.flush()  # children refer to it by id
        section_by_key[spec["key"]] = section
    db.session.flush()
    on = plan.issued_on or plan.period_start or now.date()  # groups stand for their members of the plan's date
    task_by_key: dict[str, Task] = {}
    for spec in tasks:
        position += 1
        task = Task(
            plan=plan,
            section_id=section_by_key[spec.section_key].id if spec.section_key else None,
            parent_id=task_by_key[spec.parent_key].id if spec.parent_key else None,
            number=spec.number,
            position=position,
            content=spec.content,
            deliverable=spec.deliverable,
            lead_text=spec.lead_text,
            coordinators_text=spec.coordinators_text,
            deadline_text=spec.deadline_text,
            schedule_kind=spec.schedule.get("kind", "unknown"),
            schedule=spec.schedule,
        )
        db.session.add(task)
        # One assignment per agency and task, lead first: an agency that leads is not also its coordinator
        seen: set[int] = set()
        roles = ((AssignmentRole.LEAD, spec.lead_codes), (AssignmentRole.COORDINATOR, spec.coordinator_codes))
        for role, codes in roles:
            for agency, via in agencies_for(codes, on):
                if agency.id in seen:
                    continue
                seen.add(agency.id)
                assignment = Assignment(task=task, agency=agency, role=role.value, via_group=via)
                assignment.items = due_items_for(spec.schedule)
                db.session.add(assignment)
        if spec.key:
            db.session.flush()
            task_by_key[spec.key] = task
    record_audit(plan, "plan_created", by=by, now=now, after={"tasks": len(tasks)})
    return plan
