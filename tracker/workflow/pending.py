"""Tasks waiting for a date: the monitoring office records the event (or the other document's date) once per task."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import Length, Optional, ValidationError

from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.forms import VnDateField
from tracker.core.pagination import paginate
from tracker.deadlines.calendar import WorkCalendar
from tracker.extensions import db
from tracker.plans.models import Assignment, DueItem, Plan, Task
from tracker.workflow.operations import WorkflowError, set_pending_due_date

bp = Blueprint("pending", __name__, url_prefix="/pending")
OFFICE = (Role.MONITOR, Role.ADMIN)


class DueDateForm(FlaskForm):
    event_date = VnDateField("Ngày của sự kiện (văn bản ban hành, quyết định công bố …)", validators=[Optional()])
    due_date = VnDateField("Hoặc nhập thẳng hạn hoàn thành", validators=[Optional()])
    note = StringField("Căn cứ", validators=[Length(max=300)])

    def validate_event_date(self, field) -> None:
        _plausible(field)

    def validate_due_date(self, field) -> None:
        _plausible(field)


def _plausible(field) -> None:
    """A date a plan can have (9999-12-31 plus working days is no date at all)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError("Ngày phải trong khoảng năm 2000 đến 2100.")


@bp.get("")
@roles_required(*OFFICE)
def index():
    query = (
        select(Task, Plan, func.count(DueItem.id))
        .join(Assignment, Assignment.task_id == Task.id)
        .join(DueItem, DueItem.assignment_id == Assignment.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(DueItem.kind == "pending", Plan.status == "active")
        .group_by(Task.id, Plan.id)
        .order_by(Plan.id, Task.position)
    )
    page = paginate(query, request.args.get("page", 1, type=int), scalars=False)
    return render_template("workflow/pending.html", page=page)


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def task(task_id: int):
    task = db.get_or_404(Task, task_id)
    items = db.session.scalars(
        select(DueItem).join(Assignment).where(Assignment.task_id == task.id, DueItem.kind == "pending")
    ).all()
    if not items:
        abort(404)
    relative = task.schedule.get("relative") or {}
    form = DueDateForm()
    preview = None
    if form.validate_on_submit():
        due = form.due_date.data
        if due is None and form.event_date.data is not None:
            if relative.get("amount") is None:
                form.event_date.errors = ["Thời hạn này không nêu số ngày: hãy nhập thẳng hạn hoàn thành."]
            elif relative.get("unit") == "working_days":
                due = WorkCalendar.from_database().add_working_days(form.event_date.data, relative["amount"])
            else:
                from datetime import timedelta

                due = form.event_date.data + timedelta(days=relative["amount"])
        elif due is None:
            form.due_date.errors = ["Vui lòng nhập ngày của sự kiện hoặc hạn hoàn thành."]
        if due is not None and not form.errors:
            try:
                set_pending_due_date(
                    items,
                    due_date=due,
                    event_date=form.event_date.data,
                    note=(form.note.data or "").strip(),
                    by=current_user,
                    now=clock.now(),
                )
            except WorkflowError as error:
                db.session.rollback()
                flash(" ".join(error.errors["items"]), "error")
            else:
                db.session.commit()
                flash(f"Đã nhập hạn {due:%d/%m/%Y} cho {len(items)} đơn vị.", "success")
                return redirect(url_for("pending.index"))
        preview = due
    return render_template(
        "workflow/pending_task.html",
        task=task,
        items=items,
        form=form,
        relative=relative,
        preview=preview,
        tz=current_app.config["TIMEZONE"],
    )
