"""Plans with tasks and due items for tests, built through the same operation the product uses."""

from __future__ import annotations

from datetime import date

from tracker.plans.models import Plan
from tracker.plans.operations import TaskSpec, create_plan


def dated(*days: date) -> dict:
    return {
        "kind": "date" if len(days) == 1 else "recurring",
        "due_dates": [d.isoformat() for d in days],
        "relative": None,
        "needs_review": False,
    }


def make_plan(
    db,
    clock,
    tasks: list[TaskSpec],
    *,
    title: str = "Kế hoạch thử nghiệm năm 2024",
    sections: list[dict] | None = None,
    issued_on: date = date(2024, 1, 15),
) -> Plan:
    plan = create_plan(
        {
            "doc_kind": "Kế hoạch",
            "doc_number": "99/KH-UBND",
            "issued_on": issued_on,
            "title": title,
            "issuer": "UBND tỉnh Quảng Nam",
            "period_start": date(issued_on.year, 1, 1),
            "period_end": date(issued_on.year, 12, 31),
            "status": "active",
        },
        sections or [],
        tasks,
        by=None,
        now=clock.now(),
    )
    db.session.commit()
    return plan
