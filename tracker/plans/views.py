"""Plans: the list, one plan as a tree of sections and tasks, and one task in detail."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, literal, select
from sqlalchemy.orm import selectinload

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import ALL_ROLES, Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.models import record_audit
from tracker.extensions import db
from tracker.plans.models import PLAN_STATUS_LABELS, Assignment, DueItem, Indicator, Plan, Section, Task
from tracker.plans.queries import plan_counts, plan_tree, visible_plans_query
from tracker.workflow.forms import CommentForm
from tracker.workflow.history import task_history
from tracker.workflow.models import Comment
from tracker.workflow.operations import WorkflowError, add_comment, comment_kind_for
from tracker.workflow.queries import item_scope, task_scope
from tracker.workflow.status import days_late, status_class

bp = Blueprint("plans", __name__)


def _visible_plans_query():
    return visible_plans_query(current_user)


@bp.get("/plans")
@roles_required(*ALL_ROLES)
def plans():
    tz = current_app.config["TIMEZONE"]
    plans = db.session.scalars(_visible_plans_query()).all()
    counts = plan_counts(current_user, clock.today(), tz)
    return render_template("plans/list.html", plans=plans, counts=counts)


@bp.get("/plans/<int:plan_id>")
@roles_required(*ALL_ROLES)
def plan(plan_id: int):
    plan = db.session.scalar(_visible_plans_query().where(Plan.id == plan_id))
    if plan is None:
        abort(404)
    tz = current_app.config["TIMEZONE"]
    nodes = plan_tree(plan, current_user, clock.today(), tz)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
    ).all()
    return render_template("plans/detail.html", plan=plan, nodes=nodes, indicators=indicators)


@bp.post("/plans/<int:plan_id>/status")
@roles_required(Role.MONITOR, Role.ADMIN)
def plan_status(plan_id: int):
    """The office starts tracking a draft plan, or closes a finished one."""
    plan = db.get_or_404(Plan, plan_id)
    status = request.form.get("status", "")
    if not EmptyForm().validate_on_submit():
        abort(400)
    if status not in PLAN_STATUS_LABELS:
        flash("Trạng thái không hợp lệ.", "error")
        return redirect(url_for("plans.plan", plan_id=plan.id))
    before = plan.status
    plan.status = status
    record_audit(
        plan,
        "plan_status_changed",
        by=current_user,
        now=clock.now(),
        before={"status": before},
        after={"status": status},
    )
    db.session.commit()
    flash(f"Kế hoạch chuyển sang “{PLAN_STATUS_LABELS[status]}”.", "success")
    return redirect(url_for("plans.plan", plan_id=plan.id))


def _visible_task(task_id: int) -> Task:
    task = db.session.scalar(
        select(Task).options(selectinload(Task.plan)).where(Task.id == task_id, task_scope(current_user))
    )
    if task is None:
        abort(404)
    return task


@bp.get("/tasks/<int:task_id>")
@roles_required(*ALL_ROLES)
def task(task_id: int):
    return _render_task(_visible_task(task_id))


def _render_task(task: Task, *, comment_form: CommentForm | None = None, code: int = 200):
    tz = current_app.config["TIMEZONE"]
    today = clock.today()
    # The agency's own items come first: a task with hundreds of items must not hide its few
    own_first = (
        case((Assignment.agency_id == current_user.agency_id, 0), else_=1)
        if current_user.is_agency_user
        else literal(0)
    )
    rows = db.session.execute(
        select(DueItem, Assignment, status_class(today, tz), days_late(today, tz))
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .options(selectinload(Assignment.agency))
        .where(Assignment.task_id == task.id, item_scope(current_user))
        .order_by(own_first, Assignment.role.desc(), Assignment.agency_id, DueItem.due_date)
    ).all()
    assignments = db.session.scalars(
        select(Assignment).options(selectinload(Assignment.agency)).where(Assignment.task_id == task.id)
    ).all()
    own = [row for row in rows if current_user.is_agency_user and row[1].agency_id == current_user.agency_id]
    own_ids = {row[0].id for row in own}
    others = [row for row in rows if row[0].id not in own_ids]
    comments = db.session.scalars(
        select(Comment)
        .options(selectinload(Comment.author), selectinload(Comment.agency))
        .where(Comment.task_id == task.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    kind = comment_kind_for(task, current_user)
    return (
        render_template(
            "plans/task.html",
            task=task,
            own=own,
            others=others,
            leads=[a for a in assignments if a.role == "lead"],
            coordinators=[a for a in assignments if a.role == "coordinator"],
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
    return redirect(url_for("plans.task", task_id=task.id) + "#comments")


def _section_path(task: Task) -> list[Section]:
    if task.section_id is None:
        return []
    sections = {s.id: s for s in db.session.scalars(select(Section).where(Section.plan_id == task.plan_id))}
    path, current = [], sections.get(task.section_id)
    while current is not None:
        path.append(current)
        current = sections.get(current.parent_id) if current.parent_id else None
    return list(reversed(path))
