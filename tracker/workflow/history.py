"""The history of a task in Vietnamese: every AuditEvent as a sentence with its before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.plans.models import ITEM_STATE_LABELS, LATE_REASON_LABELS, PLAN_STATUS_LABELS, Assignment, DueItem
from tracker.workflow.models import EXTENSION_STATE_LABELS


@dataclass
class HistoryLine:
    at: datetime
    actor: str
    #: "Sở Nội vụ · Quý I/2024", or "" for the task itself
    subject: str
    text: str
    action: str


def _d(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _state(value: str | None) -> str:
    return ITEM_STATE_LABELS.get(value or "", value or "—")


def describe(event: AuditEvent) -> str:
    """One sentence for an event; an action this function does not know is said plainly, never as its code."""
    before, after = event.before or {}, event.after or {}
    action = event.action
    if action == "progress_updated":
        text = f"Cập nhật tiến độ {before.get('progress', 0)}% → {after.get('progress')}%"
        return text + (f": “{after['note']}”" if after.get("note") else "")
    if action == "completion_reported":
        text = f"Báo cáo hoàn thành ngày {_d(after.get('completed_on'))}"
        if after.get("result"):
            text += f"; kết quả: “{after['result']}”"
        if after.get("evidence"):
            text += f"; văn bản: {'; '.join(after['evidence'])}"
        reason = after.get("late_reason")
        if reason:
            text += f"; nguyên nhân chậm: {LATE_REASON_LABELS.get(reason.get('category'), reason.get('category'))}"
            if reason.get("agency"):
                text += f" ({reason['agency']})"
            if after.get("late_reason_text"):
                text += f" – “{after['late_reason_text']}”"
        return text + f" (trạng thái: {_state(before.get('state'))} → {_state(after.get('state'))})"
    if action == "completion_accepted":
        text = "Xác nhận hoàn thành"
        return text + (f": “{after['comment']}”" if after.get("comment") else "")
    if action == "completion_returned":
        return f"Trả lại báo cáo hoàn thành: “{after.get('comment', '')}”"
    if action == "extension_requested":
        dates = f"từ {_d(before.get('due_date'))} đến {_d(after.get('due_date'))}"
        return f"Đề nghị gia hạn {dates}: “{after.get('reason', '')}”"
    if action == "extension_approved":
        text = f"Đồng ý gia hạn: hạn {_d(before.get('due_date'))} → {_d(after.get('due_date'))}"
        return text + (f" (“{after['comment']}”)" if after.get("comment") else "")
    if action == "extension_refused":
        return f"Không đồng ý gia hạn đến {_d(after.get('requested'))}: “{after.get('comment', '')}”"
    if action == "file_attached":
        size = after.get("size") or 0
        return f"Đính kèm tệp “{after.get('name', '')}” ({max(1, round(size / 1024))} KB)"
    if action == "comment_added":
        label = "Ghi nhận phần phối hợp" if after.get("kind") == "contribution" else "Ý kiến"
        return f"{label}: “{after.get('text', '')}”"
    if action == "item_assigned":
        return f"Giao cho cán bộ: {before.get('assignee') or 'chưa giao'} → {after.get('assignee') or 'chưa giao'}"
    if action == "due_date_set":
        text = f"Nhập hạn hoàn thành {_d(after.get('due_date'))}"
        if after.get("event_date"):
            text += f" (tính từ ngày {_d(after['event_date'])})"
        return text + (f"; căn cứ: {after['note']}" if after.get("note") else "")
    if action == "plan_status_changed":
        return (
            f"Kế hoạch chuyển trạng thái: {PLAN_STATUS_LABELS.get(before.get('status'), '—')} → "
            f"{PLAN_STATUS_LABELS.get(after.get('status'), '—')}"
        )
    if action == "plan_created":
        return f"Tạo kế hoạch ({after.get('tasks', 0)} nhiệm vụ)"
    if action in EXTENSION_STATE_LABELS:
        return EXTENSION_STATE_LABELS[action]
    return "Thay đổi khác"


def task_history(task_id: int, item_ids: list[int] | None = None, limit: int = 200) -> list[HistoryLine]:
    """The task's events and its items' (all of them, or ``item_ids``), newest first, in two queries."""
    from tracker.agencies.models import Agency

    items = (
        select(DueItem.id).join(Assignment, DueItem.assignment_id == Assignment.id).where(Assignment.task_id == task_id)
    )
    if item_ids is not None:
        items = items.where(DueItem.id.in_(item_ids))
    conditions = [(AuditEvent.object_type == "due_items") & AuditEvent.object_id.in_(items)]
    if item_ids is None:
        conditions.append((AuditEvent.object_type == "tasks") & (AuditEvent.object_id == task_id))
    events = db.session.scalars(
        select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
    named = {e.object_id for e in events if e.object_type == "due_items"}
    subjects = {
        item_id: f"{name}{' · ' + label if label else ''}"
        for item_id, label, name in db.session.execute(
            select(DueItem.id, DueItem.period_label, Agency.name)
            .join(Assignment, DueItem.assignment_id == Assignment.id)
            .join(Agency, Assignment.agency_id == Agency.id)
            .where(DueItem.id.in_(named))
        )
    }
    return [
        HistoryLine(
            at=event.at,
            actor=event.actor.full_name if event.actor else "Hệ thống",
            subject=subjects.get(event.object_id, "") if event.object_type == "due_items" else "",
            text=describe(event),
            action=event.action,
        )
        for event in events
    ]
