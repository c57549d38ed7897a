""" "Nhiệm vụ của đơn vị", one item with what its agency and the office do on it, and the evidence files."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from tracker.accounts.models import AGENCY_ROLES, ALL_ROLES, Role, User
from tracker.accounts.security import roles_required
from tracker.agencies.models import Agency
from tracker.agencies.successions import moved_from
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.core.text import sheet_cells
from tracker.core.versions import VersionedCache
from tracker.core.web import MAX_ID, id_arg
from tracker.extensions import db
from tracker.plans.items import editable_scope, item_scope, items_query, status_counts, visible_item, visible_task
from tracker.plans.models import (
    ITEM_STATE_LABELS,
    Assignment,
    AssignmentRole,
    DueItem,
    Plan,
    Section,
    Task,
)
from tracker.plans.status import STATUS_LABELS, days_late, status_class
from tracker.workflow import files as file_store
from tracker.workflow.forms import (
    AssignForm,
    CommentForm,
    CompletionForm,
    ExtensionForm,
    FileForm,
    ProgressForm,
    ReviewForm,
)
from tracker.workflow.history import task_history
from tracker.workflow.models import EvidenceDocument, ExtensionRequest, ItemFile
from tracker.workflow.operations import (
    CompletionData,
    LateReasonData,
    StaleVersion,
    WorkflowError,
    add_comment,
    assign_item,
    attach_file,
    can_report,
    comment_kind_for,
    flush_or_stale,
    is_office,
    report_completion,
    request_extension,
    review_completion,
    update_progress,
)
from tracker.workflow.queries import (
    SORTS,
    ItemFilter,
    agency_workspace,
    filter_choices,
    item_list_conditions,
    item_order,
    recent_user_notices,
    task_comments,
    visible_file,
)

bp = Blueprint("workflow", __name__)


def _item_list(today, tz):
    """The list's query from its arguments, for the page and its export alike: (query, conditions, filters)."""
    is_agency = current_user.role in AGENCY_ROLES
    query = items_query(current_user, today, tz)
    plan_id = id_arg("plan")
    within = request.args.get("within", type=int)
    role = request.args.get("role", "")
    state = request.args.get("state", "")
    agency_id = None if is_agency else id_arg("agency")
    q = request.args.get("q", "").strip()[:200]
    sort = request.args.get("sort", "")
    flt = ItemFilter(
        plan_id=plan_id,
        agency_id=agency_id,
        state=state,
        role=role,
        extension_pending=request.args.get("extension") == "pending",
        q=q,
    )
    conditions = item_list_conditions(current_user, flt, today, tz, with_status=False)
    if within is not None and 0 <= within <= 3650:
        conditions.append(and_(DueItem.due_date >= today, DueItem.due_date <= today + timedelta(days=within)))
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        query = query.where(status_class(today, tz) == status)
    query = query.where(*conditions).order_by(*item_order(sort, today, tz))
    filters = {
        "plan": plan_id,
        "status": status,
        "within": within,
        "role": role,
        "agency": agency_id,
        "state": state,
        "q": q,
        "sort": sort if sort in SORTS else "",
    }
    return query, conditions, filters


#: The status counts of the item lists, per scope, filters and day, kept until the data changes
LIST_COUNTS = VersionedCache(size=256)


def _row_columns(today, tz) -> tuple:
    """What a row of the list shows."""
    return (
        DueItem.id,
        DueItem.due_date,
        DueItem.original_due_date,
        DueItem.period_label,
        DueItem.state,
        DueItem.progress,
        Assignment.role,
        Task.number,
        Task.content,
        Task.deadline_text,
        Plan.doc_kind,
        Plan.doc_number,
        Plan.title.label("plan_title"),
        Agency.id.label("agency_id"),
        Agency.name.label("agency_name"),
        status_class(today, tz).label("status"),
        days_late(today, tz).label("late"),
    )


@bp.get("/items")
@roles_required(*ALL_ROLES)
def items():
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    is_agency = current_user.role in AGENCY_ROLES
    query, conditions, filters = _item_list(today, tz)
    # The counts show every class under the other filters; the list shows the chosen class
    # The counts of the same scope and filters are kept until the data changes (tracker.core.versions)
    key = (current_user.role, current_user.agency_id, today, tz)
    key += tuple(sorted((name, value) for name, value in filters.items() if name not in ("status", "sort")))
    key += (request.args.get("extension") == "pending",)
    counts = LIST_COUNTS.get(key, lambda: status_counts(conditions, today, tz))
    # the list is the counts' items, of the chosen class: its length is known without a second scan
    total = counts.get(filters["status"], 0) if filters["status"] else sum(counts.values())
    # the rows as plain columns, not five objects each: a page of 50 rows is read, never changed
    rows = query.with_only_columns(*_row_columns(today, tz), maintain_column_froms=True)
    page = paginate(rows, request.args.get("page", 1, type=int), scalars=False, total=total)
    plans, agencies = filter_choices(with_agencies=not is_agency)
    now = clock.now()
    return render_template(
        "workflow/items.html",
        notices=recent_notices(current_user.agency_id, now) if is_agency else [],
        workflow_notices=recent_user_notices(current_user.agency_id, now) if is_agency else [],
        workspace=agency_workspace(current_user, today, tz) if is_agency else None,
        page=page,
        counts=counts,
        plans=plans,
        agencies=agencies,
        filters=filters,
        is_agency=is_agency,
    )


#: The most rows one export writes (a province's list is far shorter; the page says to filter)
EXPORT_MAX_ROWS = 100_000


@bp.get("/items/export.xlsx")
@roles_required(*ALL_ROLES)
def export_items():
    """Exactly the filtered list (the same arguments as the page) as an Excel workbook, streamed row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    query, _conditions, _filters = _item_list(today, tz)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")
    header = [
        "STT",
        "Nhiệm vụ",
        "Cơ quan, đơn vị",
        "Kế hoạch",
        "Vai trò",
        "Hạn",
        "Tình trạng",
        "Số ngày quá hạn",
        "Trạng thái báo cáo",
        "Tiến độ (%)",
    ]
    for column, width in zip("ABCDEFGHIJ", (6, 70, 36, 40, 10, 12, 26, 10, 22, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    titles = []
    for label in header:
        title = WriteOnlyCell(sheet, value=label)
        title.font = Font(bold=True)
        titles.append(title)
    sheet.append(titles)
    count = 0
    rows = db.session.execute(query.limit(EXPORT_MAX_ROWS).execution_options(yield_per=2000))
    for item, assignment, task, plan, agency, status, late in rows:
        count += 1
        due = WriteOnlyCell(sheet, value=item.due_date)
        due.number_format = "dd/mm/yyyy"
        sheet.append(
            sheet_cells(
                sheet,
                [
                    count,
                    f"{task.number}. {task.content}" if task.number else task.content,
                    agency.name,
                    f"{plan.reference} – {plan.title}",
                    "Chủ trì" if assignment.role == "lead" else "Phối hợp",
                    due if item.due_date else (task.deadline_text or ""),
                    STATUS_LABELS.get(status, status),
                    int(late) if late else None,
                    ITEM_STATE_LABELS.get(item.state, item.state),
                    item.progress,
                ],
            )
        )
    sheet.auto_filter.ref = f"A1:J{count + 1}"
    out = io.BytesIO()
    book.save(out)
    name = f"nhiem-vu-{today:%Y-%m-%d}.xlsx"
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _stage_label(stage: str) -> str:
    if stage.startswith("due_soon"):
        return "Sắp đến hạn"
    return "Quá hạn" if stage.startswith("overdue") else "Đã báo lãnh đạo đơn vị"


def recent_notices(agency_id: int | None, now, days: int = 14, limit: int = 20):
    """The reminders the agency was sent lately (the same as its emails), newest first, in one query."""
    from tracker.notifications.models import ReminderStage

    if agency_id is None:
        return []
    rows = db.session.execute(
        select(ReminderStage.stage, ReminderStage.sent_at, DueItem.due_date, Task.id, Task.number, Task.content)
        .join(DueItem, ReminderStage.due_item_id == DueItem.id)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Assignment.agency_id == agency_id, ReminderStage.sent_at >= now - timedelta(days=days))
        .order_by(ReminderStage.sent_at.desc(), Task.id)
        .limit(limit)
    ).all()
    return [
        {"label": _stage_label(stage), "at": at, "due": due, "task_id": task_id, "number": number, "content": content}
        for stage, at, due, task_id, number, content in rows
    ]


# --- one item ------------------------------------------------------------------------------------


def _item_or_404(item_id: int) -> DueItem:
    # The agency check is in the query: another agency's id finds nothing
    item = visible_item(current_user, item_id)
    if item is None:
        abort(404)
    return item


def _coordinator_choices(task_id: int) -> list[SelectChoice]:
    rows = db.session.execute(
        select(Agency.code, Agency.name)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .where(Assignment.task_id == task_id, Assignment.role == AssignmentRole.COORDINATOR.value)
        .order_by(Agency.name)
    ).all()
    return [SelectChoice("", "— Chọn cơ quan phối hợp —"), *(SelectChoice(code, name) for code, name in rows)]


def _staff_choices(agency_id: int) -> list[SelectChoice]:
    rows = db.session.execute(
        select(User.id, User.full_name)
        .where(User.agency_id == agency_id, User.is_enabled.is_(True), User.role.in_([r.value for r in AGENCY_ROLES]))
        .order_by(User.full_name)
    ).all()
    return [SelectChoice(0, "— Chưa giao —"), *(SelectChoice(user_id, name) for user_id, name in rows)]


def _render_item(item: DueItem, *, code: int = 200, **forms):
    """The item page; forms given keep what the user typed (after an error or a stale version)."""
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    status, late = db.session.execute(
        select(status_class(today, tz), days_late(today, tz)).where(DueItem.id == item.id)
    ).one()
    assignment = item.assignment
    task = assignment.task
    may_report = can_report(item, current_user)
    may_progress = current_user.is_agency_user and assignment.agency_id == current_user.agency_id
    defaults = {"version": item.version}
    evidence = db.session.scalars(
        select(EvidenceDocument).where(EvidenceDocument.due_item_id == item.id).order_by(EvidenceDocument.id)
    ).all()
    completion = forms.get("completion")
    if completion is None:
        # A returned report comes back as it was sent, to be completed rather than typed again
        previous = (
            {
                "completed_on": item.completed_on,
                "result": item.result,
                "evidence": "\n".join(e.text for e in evidence),
                "late_reason": item.late_reason,
                "late_reason_agency": item.late_reason_agency.code if item.late_reason_agency else "",
                "late_reason_text": item.late_reason_text,
            }
            if item.state == "returned"
            else {}
        )
        completion = CompletionForm(formdata=None, **defaults, **previous)
    completion.late_reason_agency.choices = _coordinator_choices(task.id)
    progress = forms.get("progress") or ProgressForm(
        formdata=None, progress=item.progress, note=item.progress_note, **defaults
    )
    assign = forms.get("assign") or AssignForm(formdata=None, assignee=item.assignee_id or 0, **defaults)
    if current_user.role == Role.AGENCY_HEAD and may_progress:
        assign.assignee.choices = _staff_choices(assignment.agency_id)
    files = db.session.scalars(
        select(ItemFile).where(ItemFile.due_item_id == item.id).order_by(ItemFile.uploaded_at, ItemFile.id)
    ).all()
    extensions = db.session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.due_item_id == item.id)
        .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
    ).all()
    return (
        render_template(
            "workflow/item.html",
            item=item,
            assignment=assignment,
            task=task,
            plan=task.plan,
            status=status,
            late=late,
            may_report=may_report,
            may_progress=may_progress,
            is_office=is_office(current_user),
            is_head=current_user.role == Role.AGENCY_HEAD and may_progress,
            completion_form=completion,
            progress_form=progress,
            extension_form=forms.get("extension") or ExtensionForm(formdata=None, **defaults),
            review_form=forms.get("review") or ReviewForm(formdata=None, **defaults),
            file_form=FileForm(formdata=None),
            assign_form=assign,
            files=files,
            evidence=evidence,
            extensions=extensions,
            pending=next((e for e in extensions if e.state == "pending"), None),
            history=task_history(task.id, [item.id]),
            stale=forms.get("stale", False),
        ),
        code,
    )


#: Operation error keys → the form field that shows them
FIELD_OF = {
    "late_reason.category": "late_reason",
    "late_reason.agency": "late_reason_agency",
    "late_reason.text": "late_reason_text",
}


def _failed(item: DueItem, error: WorkflowError, form_name: str, form):
    """Roll back, show the errors where they belong, keep what was typed; 409 for a stale version."""
    db.session.rollback()
    if isinstance(error, StaleVersion):
        # The page says so above its forms, with the current state, and keeps what was typed
        db.session.refresh(item)
        return _render_item(item, code=409, stale=True, **{form_name: form})
    for key, messages in error.errors.items():
        field = getattr(form, FIELD_OF.get(key, key), None)
        if field is not None and key not in ("version", "decision"):
            field.errors = [*field.errors, *messages]
        else:
            flash(" ".join(messages), "error")
    return _render_item(item, code=422, **{form_name: form})


def _invalid(item: DueItem, form_name: str, form):
    flash("Vui lòng kiểm tra lại các trường được đánh dấu.", "error")
    return _render_item(item, code=422, **{form_name: form})


def _done(item: DueItem, message: str, target: str | None = None):
    """Commit, send what the change queued (a returned report, a decision), and show the message where it goes."""
    db.session.commit()
    from tracker.notifications.mail import deliver_outbox

    deliver_outbox(clock.now(), limit=20)
    flash(message, "success")
    return redirect(target or url_for("workflow.item", item_id=item.id))


@bp.get("/items/<int:item_id>")
@roles_required(*ALL_ROLES)
def item(item_id: int):
    return _render_item(_item_or_404(item_id))


@bp.post("/items/<int:item_id>/progress")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def item_progress(item_id: int):
    item = db.session.scalar(
        select(DueItem)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(DueItem.id == item_id, editable_scope(current_user))
    )
    if item is None:
        abort(404)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _invalid(item, "progress", form)
    try:
        update_progress(
            item,
            progress=form.progress.data,
            note=form.note.data or "",
            by=current_user,
            now=clock.now(),
            version=form.version_number,
        )
        flush_or_stale(item)
    except WorkflowError as error:
        return _failed(item, error, "progress", form)
    return _done(item, "Đã cập nhật tiến độ.")


def _uploads(form_files) -> list:
    return [f for f in (form_files or []) if f and f.filename]


def _attach_all(item: DueItem, uploads) -> list[str]:
    """Check and store each file; the stored names, so that a failure later can remove them."""
    stored: list[str] = []
    try:
        for upload in uploads:
            attached = attach_file(item, data=upload.read(), name=upload.filename, by=current_user, now=clock.now())
            stored.append(attached.stored_name)
    except Exception:
        file_store.remove_all(stored)
        raise
    return stored


def _with_files(item: DueItem, change, form_name: str, form):
    """Run a change that stores files; on any failure nothing stays, neither rows nor files."""
    stored: list[str] = []
    try:
        stored = change()
        flush_or_stale(item)
    except WorkflowError as error:
        file_store.remove_all(stored)
        return _failed(item, error, form_name, form)
    except Exception:
        file_store.remove_all(stored)
        raise
    return None


@bp.post("/items/<int:item_id>/completion")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def item_completion(item_id: int):
    item = _item_or_404(item_id)
    form = CompletionForm()
    form.late_reason_agency.choices = _coordinator_choices(item.assignment.task_id)
    if not form.validate_on_submit():
        return _invalid(item, "completion", form)
    data = CompletionData(
        completed_on=form.completed_on.data,
        result=form.result.data or "",
        evidence=(form.evidence.data or "").splitlines(),
        late_reason=LateReasonData(
            category=form.late_reason.data or "",
            agency_code=form.late_reason_agency.data or None,
            text=form.late_reason_text.data or "",
        ),
    )
    uploads = _uploads(form.files.data)

    def change():
        report_completion(item, data, by=current_user, now=clock.now(), version=form.version_number)
        return _attach_all(item, uploads)

    failed = _with_files(item, change, "completion", form)
    return failed or _done(item, "Đã gửi báo cáo hoàn thành; nhiệm vụ chờ Văn phòng UBND tỉnh xác nhận.")


@bp.post("/items/<int:item_id>/files")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def item_files(item_id: int):
    item = _item_or_404(item_id)
    form = FileForm()
    if not form.validate_on_submit():
        abort(400)
    uploads = _uploads(form.files.data)
    if not uploads:
        flash("Vui lòng chọn tệp để tải lên.", "error")
        return redirect(url_for("workflow.item", item_id=item.id))
    failed = _with_files(item, lambda: _attach_all(item, uploads), "files", form)
    return failed or _done(item, f"Đã tải lên {len(uploads)} tệp.")


@bp.post("/items/<int:item_id>/extension")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def item_extension(item_id: int):
    item = _item_or_404(item_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        return _invalid(item, "extension", form)
    try:
        request_extension(
            item,
            due_date=form.due_date.data,
            reason=form.reason.data or "",
            by=current_user,
            now=clock.now(),
            version=form.version_number,
        )
        flush_or_stale(item)
    except WorkflowError as error:
        return _failed(item, error, "extension", form)
    return _done(item, "Đã gửi đề nghị gia hạn; chờ Văn phòng UBND tỉnh quyết định.")


@bp.post("/items/<int:item_id>/review")
@roles_required(Role.MONITOR, Role.ADMIN)
def item_review(item_id: int):
    item = _item_or_404(item_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _invalid(item, "review", form)
    try:
        review_completion(
            item,
            decision=form.decision.data or "",
            comment=form.comment.data or "",
            by=current_user,
            now=clock.now(),
            version=form.version_number,
        )
        flush_or_stale(item)
    except WorkflowError as error:
        return _failed(item, error, "review", form)
    message = "Đã xác nhận hoàn thành." if item.state == "accepted" else "Đã trả lại báo cáo; đơn vị đã được thông báo."
    return _done(item, message, url_for("review.queue") if request.form.get("next") == "review" else None)


@bp.post("/items/<int:item_id>/assign")
@roles_required(Role.AGENCY_HEAD)
def item_assign(item_id: int):
    item = _item_or_404(item_id)
    form = AssignForm()
    form.assignee.choices = _staff_choices(item.assignment.agency_id)
    if not form.validate_on_submit():
        return _invalid(item, "assign", form)
    assignee = None
    if form.assignee.data:
        # an id past what the database holds is no one (PostgreSQL and SQLite would refuse it with an error)
        assignee = (
            db.session.scalar(
                select(User).where(User.id == form.assignee.data, User.agency_id == item.assignment.agency_id)
            )
            if 0 < form.assignee.data <= MAX_ID
            else None
        )
        if assignee is None:
            form.assignee.errors = ["Chỉ giao được cho cán bộ của đơn vị."]
            return _render_item(item, code=422, assign=form)
    try:
        assign_item(item, assignee=assignee, by=current_user, now=clock.now(), version=form.version_number)
        flush_or_stale(item)
    except WorkflowError as error:
        return _failed(item, error, "assign", form)
    return _done(item, f"Đã giao nhiệm vụ cho {assignee.full_name}." if assignee else "Đã bỏ giao nhiệm vụ.")


@bp.get("/files/<int:file_id>")
@roles_required(*ALL_ROLES)
def file(file_id: int):
    # Served only to users who may see the item: the scope is in the query
    response = file_store.send(visible_file(current_user, file_id))
    if response is None:
        abort(404)
    return response


# --- the task page: its items, comments and history ---------------------------------------------------


def _visible_task(task_id: int) -> Task:
    task = visible_task(current_user, task_id)
    if task is None:
        abort(404)
    return task


@bp.get("/tasks/<int:task_id>")
@roles_required(*ALL_ROLES)
def task(task_id: int):
    return _render_task(_visible_task(task_id))


#: The items of other agencies a task page lists at a time
TASK_ITEMS_PER_PAGE = 50


def _render_task(task: Task, *, comment_form: CommentForm | None = None, code: int = 200):
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    # The agency's own items first and whole: a task with hundreds of items must not hide its few
    base = (
        select(DueItem, Assignment, status_class(today, tz), days_late(today, tz))
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .options(selectinload(Assignment.agency))
        .where(Assignment.task_id == task.id, item_scope(current_user))
    )
    mine = Assignment.agency_id == (current_user.agency_id if current_user.is_agency_user else -1)
    order = (Assignment.role.desc(), Assignment.agency_id, DueItem.due_date, DueItem.id)
    own = db.session.execute(base.where(mine).order_by(*order)).all()
    # the others a page at a time: a task assigned to every commune, monthly, has thousands of items
    others = paginate(
        base.where(~mine).order_by(*order), request.args.get("page", 1, type=int), TASK_ITEMS_PER_PAGE, scalars=False
    )
    assignments = db.session.scalars(
        select(Assignment).options(selectinload(Assignment.agency)).where(Assignment.task_id == task.id)
    ).all()
    comments = task_comments(task.id)
    kind = comment_kind_for(task, current_user)
    return (
        render_template(
            "workflow/task.html",
            task=task,
            own=own,
            others=others,
            leads=[a for a in assignments if a.role == "lead"],
            coordinators=[a for a in assignments if a.role == "coordinator"],
            previously=moved_from([task.id]),
            section_path=_section_path(task),
            history=task_history(task.id),
            comments=comments,
            comment_kind=kind,
            comment_form=comment_form or CommentForm(formdata=None),
        ),
        code,
    )


@bp.post("/tasks/<int:task_id>/comments")
@roles_required(Role.MONITOR, Role.ADMIN, Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def task_comment(task_id: int):
    task = _visible_task(task_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_task(task, comment_form=form, code=422)
    try:
        add_comment(task, text=form.text.data or "", by=current_user, now=clock.now())
    except WorkflowError as error:
        db.session.rollback()
        form.text.errors = [*form.text.errors, *error.errors.get("text", [])]
        return _render_task(task, comment_form=form, code=422)
    db.session.commit()
    from tracker.notifications.mail import deliver_outbox

    deliver_outbox(clock.now(), limit=50)
    flash("Đã gửi ý kiến.", "success")
    return redirect(url_for("workflow.task", task_id=task.id) + "#comments")


def _section_path(task: Task) -> list[Section]:
    if task.section_id is None:
        return []
    sections = {s.id: s for s in db.session.scalars(select(Section).where(Section.plan_id == task.plan_id))}
    path, current = [], sections.get(task.section_id)
    while current is not None:
        path.append(current)
        current = sections.get(current.parent_id) if current.parent_id else None
    return list(reversed(path))
