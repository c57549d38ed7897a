"""Changes to items: progress, completion reports, the office's review, extensions, files, comments, assignment.

Operations check who acts, validate, change, record an AuditEvent and flush; views, the API and jobs commit.
Each check names the field it is about, so the web form and the API report errors per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from tracker.accounts.models import AGENCY_ROLES, Role, User
from tracker.agencies.models import Agency
from tracker.core.models import record_audit
from tracker.core.text import clean_text
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, DueKind, ItemState, LateReason, Plan, Task
from tracker.workflow.evidence import parse_evidence
from tracker.workflow.models import (
    Comment,
    CommentKind,
    EvidenceDocument,
    ExtensionRequest,
    ExtensionState,
    ItemFile,
    UserNotice,
)

#: Who reviews completion reports and decides extensions
OFFICE_ROLES = frozenset({Role.MONITOR, Role.ADMIN})
MAX_TEXT = 4000
STALE_MESSAGE = "Nội dung đã được người khác thay đổi. Vui lòng xem lại tình trạng hiện tại rồi gửi lại."


class WorkflowError(ValueError):
    """Bad input: messages per field, in Vietnamese."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class StaleVersion(WorkflowError):
    """The form or request was made on an older version of the item."""

    def __init__(self, item: DueItem) -> None:
        super().__init__({"version": [STALE_MESSAGE]})
        self.item = item


@dataclass
class LateReasonData:
    category: str = ""
    agency_code: str | None = None
    text: str = ""


@dataclass
class CompletionData:
    completed_on: date | None
    result: str = ""
    evidence: list[str] = field(default_factory=list)
    late_reason: LateReasonData | None = None


# --- who may act ----------------------------------------------------------------------------------


def _user(user):
    # Views pass flask-login's proxy
    return user._get_current_object() if hasattr(user, "_get_current_object") else user


def is_office(user: User) -> bool:
    return user.role in OFFICE_ROLES


def can_report(item: DueItem, user: User) -> bool:
    """The lead agency's own staff and head report on its item; not a coordinator, a leader or the office."""
    return (
        user.role in AGENCY_ROLES
        and user.agency_id is not None
        and item.assignment.agency_id == user.agency_id
        and item.assignment.role == AssignmentRole.LEAD.value
    )


def ensure_can_report(item: DueItem, user: User) -> None:
    if not can_report(item, user):
        raise Forbidden()


def ensure_own_item(item: DueItem, user: User) -> None:
    """Progress: the agency that holds the item (lead or coordinator) notes how far it is."""
    if user.role not in AGENCY_ROLES or user.agency_id is None or item.assignment.agency_id != user.agency_id:
        raise Forbidden()


def ensure_office(user: User) -> None:
    if not is_office(user):
        raise Forbidden()


def check_version(item: DueItem, version: int | None) -> None:
    """Refuse a change made on an older version (None: the caller did not say, as a job)."""
    if version is not None and version != item.version:
        raise StaleVersion(item)


def flush_or_stale(item: DueItem) -> None:
    """Write now; a change another request committed in between (the version moved under us) is a stale form."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.flush()
    except StaleDataError as error:
        raise StaleVersion(item) from error


def _local_today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _text(value: str | None) -> str:
    """Typed text, trimmed, without control characters (a NUL cannot be stored, a vertical tab breaks .xlsx)."""
    return clean_text(value or "").strip()


def _too_long(errors: dict[str, list[str]], name: str, value: str, limit: int = MAX_TEXT) -> None:
    if len(value) > limit:
        errors.setdefault(name, []).append(f"Tối đa {limit:,} ký tự.".replace(",", "."))


# --- progress -------------------------------------------------------------------------------------


def update_progress(
    item: DueItem, *, progress: int | None, note: str, by: User, now: datetime, version: int | None = None
) -> None:
    """Record the agency's progress (percent and a note) on one of its open items."""
    ensure_own_item(item, by)
    check_version(item, version)
    errors: dict[str, list[str]] = {}
    note = _text(note)
    if progress is None or not 0 <= progress <= 100:
        errors["progress"] = ["Tiến độ phải từ 0 đến 100%."]
    _too_long(errors, "note", note)
    if item.state in (ItemState.REPORTED, ItemState.ACCEPTED):
        errors["state"] = [f"Nhiệm vụ đang ở trạng thái “{item.state_label}”: không cập nhật tiến độ được nữa."]
    if errors:
        raise WorkflowError(errors)
    before = {"progress": item.progress, "note": item.progress_note}
    item.progress = progress
    item.progress_note = note
    item.updated_at = now
    record_audit(item, "progress_updated", by=by, now=now, before=before, after={"progress": progress, "note": note})


# --- completion -----------------------------------------------------------------------------------


def _plan_start(plan: Plan) -> date | None:
    return plan.period_start or plan.issued_on


def _coordinators(task_id: int) -> dict[str, Agency]:
    rows = db.session.scalars(
        select(Agency)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .where(Assignment.task_id == task_id, Assignment.role == AssignmentRole.COORDINATOR.value)
    )
    return {agency.code: agency for agency in rows}


def report_completion(
    item: DueItem, data: CompletionData, *, by: User, now: datetime, version: int | None = None
) -> None:
    """The lead agency reports its item done: it waits for the office ("Chờ xác nhận")."""
    ensure_can_report(item, by)
    check_version(item, version)
    errors: dict[str, list[str]] = {}
    today = _local_today(now)
    task = item.assignment.task
    plan = task.plan
    if item.state == ItemState.REPORTED:
        errors["state"] = ["Nhiệm vụ đã được báo cáo hoàn thành và đang chờ Văn phòng xác nhận."]
    elif item.state == ItemState.ACCEPTED:
        errors["state"] = ["Nhiệm vụ đã được xác nhận hoàn thành."]
    completed_on = data.completed_on
    start = _plan_start(plan)
    if completed_on is None:
        errors["completed_on"] = ["Vui lòng nhập ngày hoàn thành."]
    elif completed_on > today:
        errors["completed_on"] = ["Ngày hoàn thành không được sau ngày hôm nay."]
    elif start is not None and completed_on < start:
        errors["completed_on"] = [f"Ngày hoàn thành không được trước ngày bắt đầu của kế hoạch ({start:%d/%m/%Y})."]
    result = _text(data.result)
    if not result:
        errors["result"] = ["Vui lòng nêu kết quả thực hiện."]
    _too_long(errors, "result", result)
    evidence = [_text(line) for line in data.evidence if _text(line)]
    if len(evidence) > 20:
        errors["evidence"] = ["Tối đa 20 văn bản."]
    elif any(len(line) > 500 for line in evidence):
        errors["evidence"] = ["Mỗi văn bản tối đa 500 ký tự."]

    late = completed_on is not None and item.due_date is not None and completed_on > item.due_date
    reason = data.late_reason or LateReasonData()
    category, reason_text, reason_agency = _text(reason.category), _text(reason.text), None
    if late:
        if category not in set(LateReason):
            errors["late_reason.category"] = [
                f"Hoàn thành sau hạn ({item.due_date:%d/%m/%Y}): vui lòng chọn nguyên nhân chậm."
            ]
        if not reason_text:
            errors["late_reason.text"] = ["Vui lòng nêu rõ nguyên nhân chậm."]
        _too_long(errors, "late_reason.text", reason_text)
        if category == LateReason.PHOI_HOP:
            coordinators = _coordinators(task.id)
            code = _text(reason.agency_code)
            if not coordinators:
                errors["late_reason.agency"] = ["Nhiệm vụ không có cơ quan phối hợp: vui lòng chọn nguyên nhân khác."]
            elif code not in coordinators:
                errors["late_reason.agency"] = [
                    "Vui lòng chọn cơ quan phối hợp trả lời chậm (một cơ quan phối hợp của nhiệm vụ)."
                ]
            else:
                reason_agency = coordinators[code]
    if errors:
        raise WorkflowError(errors)

    before = {"state": item.state, "completed_on": _iso(item.completed_on), "progress": item.progress}
    item.state = ItemState.REPORTED.value
    item.completed_on = completed_on
    item.result = result
    item.progress = 100
    item.reported_at = now
    item.reported_by_id = _user(by).id
    item.accepted_at = None
    item.accepted_by_id = None
    item.late_reason = category if late else None
    item.late_reason_text = reason_text if late else ""
    item.late_reason_agency_id = reason_agency.id if late and reason_agency else None
    item.updated_at = now
    db.session.execute(EvidenceDocument.__table__.delete().where(EvidenceDocument.due_item_id == item.id))
    for line in evidence:
        number, doc_date = parse_evidence(line)
        db.session.add(
            EvidenceDocument(
                due_item_id=item.id,
                text=line,
                doc_number=number,
                doc_date=doc_date,
                created_at=now,
                created_by_id=by.id,
            )
        )
    after = {"state": item.state, "completed_on": _iso(completed_on), "result": result, "evidence": evidence}
    if late:
        after["late_reason"] = {"category": category, "agency": reason_agency.name if reason_agency else None}
        after["late_reason_text"] = reason_text
    record_audit(item, "completion_reported", by=by, now=now, before=before, after=after)


def review_completion(
    item: DueItem, *, decision: str, comment: str, by: User, now: datetime, version: int | None = None
) -> None:
    """The office accepts a completion report (done on the reported date) or returns it with a comment."""
    ensure_office(by)
    check_version(item, version)
    comment = _text(comment)
    errors: dict[str, list[str]] = {}
    if decision not in ("accept", "return"):
        errors["decision"] = ["Vui lòng chọn xác nhận hoặc trả lại."]
    if item.state != ItemState.REPORTED:
        errors["state"] = [f"Nhiệm vụ không chờ xác nhận (trạng thái hiện tại: “{item.state_label}”)."]
    if decision == "return" and not comment:
        errors["comment"] = ["Vui lòng nêu lý do trả lại để đơn vị bổ sung."]
    _too_long(errors, "comment", comment)
    if errors:
        raise WorkflowError(errors)
    before = {"state": item.state}
    if decision == "accept":
        item.state = ItemState.ACCEPTED.value
        item.accepted_at = now
        item.accepted_by_id = _user(by).id
        if comment:
            item.review_comment = comment
        action = "completion_accepted"
        _close_coordinator_items(item, by=by, now=now)
    else:
        item.state = ItemState.RETURNED.value
        item.accepted_at = None
        item.accepted_by_id = None
        item.review_comment = comment
        action = "completion_returned"
    item.updated_at = now
    record_audit(item, action, by=by, now=now, before=before, after={"state": item.state, "comment": comment})
    if decision == "return":
        notify_agency(
            item.assignment.agency,
            kind="returned",
            task=item.assignment.task,
            item=item,
            message=f"Báo cáo hoàn thành bị trả lại: {comment}",
            now=now,
        )


def _close_coordinator_items(item: DueItem, *, by: User, now: datetime) -> None:
    """Coordinators do not report: their part of a period is done when every lead's item of it is accepted."""
    if item.assignment.role != AssignmentRole.LEAD.value:
        return
    task_id = item.assignment.task_id
    period = (
        (DueItem.original_due_date == item.original_due_date)
        if item.original_due_date
        else (DueItem.original_due_date.is_(None))
    )
    rows = db.session.execute(
        select(DueItem, Assignment.role)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(Assignment.task_id == task_id, period)
    ).all()
    leads = [i for i, role in rows if role == AssignmentRole.LEAD.value]
    if any(lead.state != ItemState.ACCEPTED for lead in leads):
        return
    completed_on = max(lead.completed_on for lead in leads)
    for other, role in rows:
        if role == AssignmentRole.COORDINATOR.value and other.state != ItemState.ACCEPTED:
            before = {"state": other.state}
            other.state = ItemState.ACCEPTED.value
            other.completed_on = completed_on
            other.accepted_at = now
            other.accepted_by_id = _user(by).id
            other.updated_at = now
            record_audit(
                other,
                "completion_accepted",
                by=by,
                now=now,
                before=before,
                after={
                    "state": other.state,
                    "comment": "Cơ quan chủ trì đã hoàn thành",
                    "completed_on": _iso(completed_on),
                },
            )


def accept_completions(items: list[DueItem], *, by: User, now: datetime) -> int:
    """Accept several reports at once: all or none (one item not waiting refuses the whole batch)."""
    ensure_office(by)
    if not items:
        raise WorkflowError({"items": ["Vui lòng chọn ít nhất một nhiệm vụ."]})
    waiting = [item for item in items if item.state != ItemState.REPORTED]
    if waiting:
        raise WorkflowError(
            {"items": [f"{len(waiting)} nhiệm vụ đã chọn không còn chờ xác nhận: vui lòng tải lại danh sách."]}
        )
    for item in items:
        review_completion(item, decision="accept", comment="", by=by, now=now)
    return len(items)


# --- extensions -----------------------------------------------------------------------------------


def pending_extension(item: DueItem) -> ExtensionRequest | None:
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.due_item_id == item.id, ExtensionRequest.state == ExtensionState.PENDING.value
        )
    )


def request_extension(
    item: DueItem, *, due_date: date | None, reason: str, by: User, now: datetime, version: int | None = None
) -> ExtensionRequest:
    """The lead agency asks for a new due date; one pending request per item."""
    ensure_can_report(item, by)
    check_version(item, version)
    reason = _text(reason)
    errors: dict[str, list[str]] = {}
    if item.kind != DueKind.DATED or item.due_date is None:
        errors["due_date"] = ["Nhiệm vụ chưa có hạn nên không gia hạn được."]
    elif due_date is None:
        errors["due_date"] = ["Vui lòng nhập hạn mới đề nghị."]
    elif due_date <= item.due_date:
        errors["due_date"] = [f"Hạn mới phải sau hạn hiện tại ({item.due_date:%d/%m/%Y})."]
    elif due_date < _local_today(now):
        errors["due_date"] = ["Hạn mới không được trước ngày hôm nay."]
    elif due_date.year > item.due_date.year + 5:
        errors["due_date"] = ["Hạn mới quá xa (tối đa 5 năm sau hạn hiện tại)."]
    if item.state in (ItemState.REPORTED, ItemState.ACCEPTED):
        errors["state"] = [f"Nhiệm vụ đang ở trạng thái “{item.state_label}”: không đề nghị gia hạn được."]
    if not reason:
        errors["reason"] = ["Vui lòng nêu lý do đề nghị gia hạn."]
    _too_long(errors, "reason", reason)
    if pending_extension(item) is not None:
        errors["due_date"] = ["Nhiệm vụ đã có một đề nghị gia hạn đang chờ quyết định."]
    if errors:
        raise WorkflowError(errors)
    request = ExtensionRequest(
        item=item,
        state=ExtensionState.PENDING.value,
        current_due_date=item.due_date,
        due_date=due_date,
        reason=reason,
        requested_by_id=_user(by).id,
        requested_at=now,
        decision_comment="",
    )
    db.session.add(request)
    item.updated_at = now  # the item's version moves: a form opened before the request is stale
    record_audit(
        item,
        "extension_requested",
        by=by,
        now=now,
        before={"due_date": _iso(item.due_date)},
        after={"due_date": due_date.isoformat(), "reason": reason},
    )
    return request


def decide_extension(request: ExtensionRequest, *, decision: str, comment: str, by: User, now: datetime) -> None:
    """The office approves (the due date in force moves; the plan's date is kept) or refuses with a comment."""
    ensure_office(by)
    comment = _text(comment)
    errors: dict[str, list[str]] = {}
    if decision not in ("approve", "refuse"):
        errors["decision"] = ["Vui lòng chọn đồng ý hoặc không đồng ý."]
    if request.state != ExtensionState.PENDING:
        errors["state"] = ["Đề nghị gia hạn này đã được quyết định."]
    if decision == "refuse" and not comment:
        errors["comment"] = ["Vui lòng nêu lý do không đồng ý gia hạn."]
    _too_long(errors, "comment", comment)
    if errors:
        raise WorkflowError(errors)
    item = request.item
    request.decided_by_id = _user(by).id
    request.decided_at = now
    request.decision_comment = comment
    before = {"due_date": _iso(item.due_date)}
    if decision == "approve":
        request.state = ExtensionState.APPROVED.value
        if item.original_due_date is None:
            item.original_due_date = item.due_date
        item.due_date = request.due_date
        message = f"Đồng ý gia hạn đến {request.due_date:%d/%m/%Y}" + (f": {comment}" if comment else ".")
        action, kind = "extension_approved", "extension_approved"
    else:
        request.state = ExtensionState.REFUSED.value
        message = f"Không đồng ý gia hạn đến {request.due_date:%d/%m/%Y}: {comment}"
        action, kind = "extension_refused", "extension_refused"
    item.updated_at = now
    record_audit(
        item,
        action,
        by=by,
        now=now,
        before=before,
        after={"due_date": _iso(item.due_date), "requested": request.due_date.isoformat(), "comment": comment},
    )
    notify_agency(item.assignment.agency, kind=kind, task=item.assignment.task, item=item, message=message, now=now)


# --- files, comments, assignment ------------------------------------------------------------------


def attach_file(item: DueItem, *, data: bytes, name: str, by: User, now: datetime) -> ItemFile:
    """Check and store a file for the lead agency's item (nothing is stored when a check fails)."""
    from tracker.workflow import files

    ensure_can_report(item, by)
    if item.state == ItemState.ACCEPTED:
        raise WorkflowError({"file": ["Nhiệm vụ đã được xác nhận hoàn thành: không đính kèm thêm tệp được."]})
    try:
        checked = files.check_file(data, name)
        stored_name, digest = files.store(checked)
    except files.FileRefused as error:
        raise WorkflowError({"file": [str(error)]}) from error
    attached = ItemFile(
        due_item_id=item.id,
        original_name=checked.name,
        stored_name=stored_name,
        size=len(checked.data),
        content_type=checked.content_type,
        sha256=digest,
        uploaded_by_id=_user(by).id,
        uploaded_at=now,
    )
    db.session.add(attached)
    # A file is part of the item: a later change must know of it
    item.updated_at = now
    record_audit(item, "file_attached", by=by, now=now, after={"name": checked.name, "size": len(checked.data)})
    return attached


def comment_kind_for(task: Task, user: User) -> str | None:
    """What ``user`` may write on ``task``: a comment (office, lead agencies), a contribution note (coordinators)."""
    if is_office(user):
        return CommentKind.COMMENT.value
    if user.role not in AGENCY_ROLES or user.agency_id is None:
        return None
    roles = set(
        db.session.scalars(
            select(Assignment.role).where(Assignment.task_id == task.id, Assignment.agency_id == user.agency_id)
        )
    )
    if AssignmentRole.LEAD.value in roles:
        return CommentKind.COMMENT.value
    if AssignmentRole.COORDINATOR.value in roles:
        return CommentKind.CONTRIBUTION.value
    return None


def add_comment(task: Task, *, text: str, by: User, now: datetime) -> Comment:
    """A comment on a task; the office's comments are sent to the task's lead agencies."""
    kind = comment_kind_for(task, by)
    if kind is None:
        raise Forbidden()
    text = _text(text)
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = ["Vui lòng nhập nội dung."]
    _too_long(errors, "text", text)
    if errors:
        raise WorkflowError(errors)
    comment = Comment(
        task_id=task.id,
        kind=kind,
        author_id=_user(by).id,
        agency_id=None if is_office(by) else by.agency_id,
        text=text,
        created_at=now,
    )
    db.session.add(comment)
    record_audit(task, "comment_added", by=by, now=now, after={"kind": kind, "text": text})
    if is_office(by):
        leads = db.session.scalars(
            select(Agency)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.task_id == task.id, Assignment.role == AssignmentRole.LEAD.value)
        ).all()
        for agency in leads:
            notify_agency(
                agency, kind="comment", task=task, item=None, message=f"Ý kiến của Văn phòng: {text}", now=now
            )
    return comment


def assign_item(item: DueItem, *, assignee: User | None, by: User, now: datetime, version: int | None = None) -> None:
    """The agency's head gives its item to one of its staff (or takes it back)."""
    if by.role != Role.AGENCY_HEAD or item.assignment.agency_id != by.agency_id:
        raise Forbidden()
    check_version(item, version)
    if assignee is not None and (assignee.agency_id != by.agency_id or assignee.role not in AGENCY_ROLES):
        raise WorkflowError({"assignee": ["Chỉ giao được cho cán bộ của đơn vị."]})
    before = {"assignee": item.assignee.full_name if item.assignee else None}
    item.assignee_id = assignee.id if assignee else None
    item.updated_at = now
    record_audit(
        item,
        "item_assigned",
        by=by,
        now=now,
        before=before,
        after={"assignee": assignee.full_name if assignee else None},
    )


# --- notices --------------------------------------------------------------------------------------


def notify_agency(agency: Agency, *, kind: str, task: Task, item: DueItem | None, message: str, now: datetime) -> None:
    """An in-app notice and an email to the agency's notice addresses (sent after the caller commits)."""
    from tracker.notifications.mail import queue_email

    db.session.add(
        UserNotice(
            agency_id=agency.id,
            kind=kind,
            task_id=task.id,
            due_item_id=item.id if item else None,
            message=message,
            created_at=now,
        )
    )
    recipients = [address for address in agency.notice_emails if address]
    if recipients:
        queue_email(
            kind=f"workflow-{kind}",
            recipients=recipients,
            template="workflow/notice",
            context={
                "agency": agency,
                "task": task,
                "item": item,
                "kind": kind,
                "message": message,
                "base_url": current_app.config["BASE_URL"].rstrip("/"),
            },
            now=now,
        )


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


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
