""" "Nhiệm vụ của đơn vị": the items of the user's agency (or of all agencies for the office and leaders)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, select

from tracker.accounts.models import AGENCY_ROLES, ALL_ROLES, Role
from tracker.accounts.security import roles_required
from tracker.agencies.models import Agency
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.plans.models import Assignment, DueItem, Plan, Task
from tracker.workflow.forms import ProgressForm
from tracker.workflow.operations import WorkflowError, update_progress
from tracker.workflow.queries import editable_scope, item_scope, items_query, status_counts
from tracker.workflow.status import STATUS_LABELS, status_class

bp = Blueprint("workflow", __name__)


@bp.get("/items")
@roles_required(*ALL_ROLES)
def items():
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    is_agency = current_user.role in AGENCY_ROLES
    query = items_query(current_user, today, tz)
    conditions = [item_scope(current_user)]

    plan_id = request.args.get("plan", type=int)
    if plan_id:
        conditions.append(Task.plan_id == plan_id)
    within = request.args.get("within", type=int)
    if within is not None and 0 <= within <= 3650:
        conditions.append(and_(DueItem.due_date >= today, DueItem.due_date <= today + timedelta(days=within)))
    role = request.args.get("role", "")
    if role in ("lead", "coordinator"):
        conditions.append(Assignment.role == role)
    agency_id = request.args.get("agency", type=int)
    if is_agency:
        # An agency's list is its own items; coordinated tasks are reached from the task page
        conditions.append(Assignment.agency_id == current_user.agency_id)
    elif agency_id:
        conditions.append(Assignment.agency_id == agency_id)

    # The counts show every class under the other filters; the list shows the chosen class
    counts = status_counts(conditions, today, tz)
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        query = query.where(status_class(today, tz) == status)
    query = query.where(*conditions).order_by(
        DueItem.due_date.is_(None), DueItem.due_date, Task.plan_id, Task.position, Agency.name
    )
    page = paginate(query, request.args.get("page", 1, type=int), scalars=False)
    plans = db.session.scalars(select(Plan).order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc())).all()
    agencies = [] if is_agency else db.session.scalars(select(Agency).order_by(Agency.kind, Agency.name)).all()
    notices = recent_notices(current_user.agency_id, clock.now()) if is_agency else []
    return render_template(
        "workflow/items.html",
        notices=notices,
        page=page,
        counts=counts,
        plans=plans,
        agencies=agencies,
        filters={"plan": plan_id, "status": status, "within": within, "role": role, "agency": agency_id},
        is_agency=is_agency,
    )


def _stage_label(stage: str) -> str:
    if stage.startswith("due_soon"):
        return "Sắp đến hạn"
    return "Quá hạn" if stage.startswith("overdue") else "Đã báo lãnh đạo đơn vị"


def recent_notices(agency_id: int | None, now, days: int = 14, limit: int = 20):
    """The reminders the agency was sent lately (the same as its emails), newest first, in one query."""
    from datetime import timedelta

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


@bp.post("/items/<int:item_id>/progress")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def item_progress(item_id: int):
    # The agency check is in the query: another agency's id finds nothing
    item = db.session.scalar(
        select(DueItem)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(DueItem.id == item_id, editable_scope(current_user))
    )
    if item is None:
        abort(404)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            update_progress(
                item, progress=form.progress.data, note=form.note.data or "", by=current_user, now=clock.now()
            )
        except WorkflowError as error:
            db.session.rollback()
            for messages in error.errors.values():
                flash(" ".join(messages), "error")
        else:
            db.session.commit()
            flash("Đã cập nhật tiến độ.", "success")
    else:
        for messages in form.errors.values():
            flash(" ".join(messages), "error")
    return redirect(url_for("plans.task", task_id=item.assignment.task_id) + f"#item-{item.id}")
