"""Changes an agency makes to its items."""

from __future__ import annotations

from datetime import datetime

from werkzeug.exceptions import Forbidden

from tracker.accounts.models import User
from tracker.core.models import record_audit
from tracker.plans.models import DueItem


class WorkflowError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def ensure_can_report(item: DueItem, user: User) -> None:
    """Only the agency that holds the assignment reports on it."""
    if user.agency_id is None or item.assignment.agency_id != user.agency_id:
        raise Forbidden()


def update_progress(item: DueItem, *, progress: int, note: str, by: User, now: datetime) -> None:
    """Record the agency's progress (percent and a note) on one item."""
    ensure_can_report(item, by)
    errors: dict[str, list[str]] = {}
    if not 0 <= progress <= 100:
        errors["progress"] = ["Tiến độ phải từ 0 đến 100%."]
    if len(note) > 4000:
        errors["note"] = ["Ghi chú quá dài (tối đa 4.000 ký tự)."]
    if errors:
        raise WorkflowError(errors)
    before = {"progress": item.progress, "note": item.progress_note}
    item.progress = progress
    item.progress_note = note.strip()
    item.updated_at = now
    record_audit(item, "progress_updated", by=by, now=now, before=before, after={"progress": progress, "note": note})


def set_pending_due_date(
    items: list[DueItem], *, due_date, event_date=None, note: str = "", by: User, now: datetime
) -> None:
    """Give items waiting for a date (relative or external deadlines) their due date, in one unit of work.

    For a relative deadline the caller computes ``due_date`` from ``event_date`` with the working-day calendar.
    """
    for item in items:
        if item.kind != "pending":
            raise WorkflowError({"items": ["Chỉ nhập hạn cho nhiệm vụ đang chờ hạn."]})
        before = {"kind": item.kind, "due_date": None}
        item.kind = "dated"
        item.due_date = due_date
        item.original_due_date = due_date
        item.updated_at = now
        after = {"kind": "dated", "due_date": due_date.isoformat(), "note": note}
        if event_date is not None:
            after["event_date"] = event_date.isoformat()
        record_audit(item, "due_date_set", by=by, now=now, before=before, after=after)
