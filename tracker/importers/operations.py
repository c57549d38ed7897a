"""Saving a parsed appendix: one plan with its sections, tasks, assignments and due items, in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.extensions import db
from tracker.importers.pipeline import ParsedPlan
from tracker.plans.models import Indicator, IndicatorTarget, Plan
from tracker.plans.operations import TaskSpec, agencies_for, create_plan


def plan_fields(parsed: ParsedPlan, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan's own details: what the document says, then what the person entered."""
    details = {**parsed.plan, **(overrides or {})}
    year = details.get("year")
    return {
        "doc_kind": details.get("doc_kind") or "Kế hoạch",
        "doc_number": details.get("doc_number", ""),
        "issued_on": details.get("issued_on"),
        "title": details.get("title") or details.get("source_filename") or "Kế hoạch",
        "issuer": details.get("issuer") or "",
        "signer": details.get("signer") or "",
        "period_start": details.get("period_start") or (date(year, 1, 1) if year else None),
        "period_end": details.get("period_end") or (date(year, 12, 31) if year else None),
        "status": details.get("status", "draft"),
        "source_filename": details.get("source_filename", ""),
    }


def save_parsed_plan(parsed: ParsedPlan, *, by, now: datetime, overrides: dict[str, Any] | None = None) -> Plan:
    """Create the plan; the caller commits once (or rolls back: nothing is written by halves)."""
    sections = [
        {
            "key": s.key,
            "number": s.number,
            "title": s.title,
            "deadline_text": s.deadline_text,
            "parent": s.parent_key,
        }
        for s in parsed.sections
    ]
    tasks = [
        TaskSpec(
            key=f"t{i}",
            content=t.content,
            number=t.number,
            section_key=t.section_key,
            parent_key=f"t{t.parent_index}" if t.parent_index is not None else None,
            deliverable=t.deliverable,
            lead_text=t.lead_text,
            coordinators_text=t.coordinators_text,
            deadline_text=t.deadline_text,
            schedule=t.schedule.to_stored(),
            lead_codes=[*t.lead.agency_codes, *t.lead.groups],
            coordinator_codes=[*t.coordinators.agency_codes, *t.coordinators.groups],
        )
        for i, t in enumerate(parsed.tasks)
    ]
    plan = create_plan(plan_fields(parsed, overrides), sections, tasks, by=by, now=now)
    save_indicators(plan, parsed, now=now)
    return plan


def save_indicators(plan: Plan, parsed: ParsedPlan, *, now: datetime) -> None:
    """The plan's indicators, each lead agency with the central target (DOMAIN.md's rule without last year's
    result: the central target; the target is raised once the agency's previous result is entered)."""
    on = plan.period_start or now.date()
    for position, row in enumerate(parsed.indicators, start=1):
        value = Decimal(str(row["target_value"])) if row.get("target_value") is not None else None
        indicator = Indicator(
            plan_id=plan.id,
            number=row["number"],
            position=position,
            content=row["content"],
            unit=row.get("unit", ""),
            target_text=row.get("target_text", ""),
            target_value=value,
            lead_text=row.get("lead_text", ""),
            coordinators_text=row.get("coordinators_text", ""),
        )
        seen: set[int] = set()
        for agency, _via in agencies_for(row["lead_codes"], on):
            if agency.id not in seen:
                seen.add(agency.id)
                indicator.targets.append(IndicatorTarget(agency=agency, target_value=value))
        db.session.add(indicator)
