"""The monitoring office's queues: completion reports waiting ("Chờ xác nhận") and extension requests."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.core.web import id_arg
from tracker.extensions import db
from tracker.plans.items import item_scope
from tracker.plans.models import Assignment, DueItem
from tracker.workflow.forms import DecisionForm, ReviewForm
from tracker.workflow.models import ExtensionRequest
from tracker.workflow.operations import WorkflowError, accept_completions, decide_extension
from tracker.workflow.queries import filter_choices, office_queue_counts, pending_extensions_query, review_queue_query

bp = Blueprint("review", __name__)
OFFICE = (Role.MONITOR, Role.ADMIN)


def _filters() -> dict:
    return {
        "plan": id_arg("plan"),
        "agency": id_arg("agency"),
        "q": request.args.get("q", "").strip()[:200],
    }


def _deliver() -> None:
    from tracker.notifications.mail import deliver_outbox

    deliver_outbox(clock.now(), limit=50)


@bp.get("/review")
@roles_required(*OFFICE)
def queue():
    filters = _filters()
    query = review_queue_query(
        current_user,
        clock.today(),
        current_app.config["TIMEZONE"],
        plan_id=filters["plan"],
        agency_id=filters["agency"],
        q=filters["q"],
    )
    # the whole queue's length is the menu's count, kept until the data changes; a filtered one is counted
    total = None if any(filters.values()) else office_queue_counts()["reported"]
    page = paginate(query, request.args.get("page", 1, type=int), scalars=False, total=total)
    plans, agencies = filter_choices(with_agencies=True)
    return render_template(
        "workflow/review.html", page=page, filters=filters, plans=plans, agencies=agencies, form=ReviewForm()
    )


@bp.post("/review/accept")
@roles_required(*OFFICE)
def accept_selected():
    """Accept the selected reports in one transaction: all of them or none."""
    form = ReviewForm()
    back = redirect(request.referrer or url_for("review.queue"))
    if not form.validate_on_submit():
        flash("Biểu mẫu không hợp lệ, vui lòng tải lại trang.", "error")
        return back
    ids = [int(value) for value in request.form.getlist("item") if value.isdigit()][:500]
    items = db.session.scalars(
        select(DueItem)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .where(DueItem.id.in_(ids), item_scope(current_user))
        .with_for_update()
    ).all()
    try:
        if len(items) != len(set(ids)):
            raise WorkflowError({"items": ["Một số nhiệm vụ đã chọn không còn tồn tại: vui lòng tải lại danh sách."]})
        count = accept_completions(list(items), by=current_user, now=clock.now())
        db.session.flush()
    except StaleDataError:
        # another office user accepted (or an agency changed) one of them in between (SQLite has no row locks)
        db.session.rollback()
        flash("Một số nhiệm vụ đã chọn vừa được người khác xử lý: vui lòng tải lại danh sách và chọn lại.", "error")
        return back
    except WorkflowError as error:
        db.session.rollback()
        flash(" ".join(error.errors.get("items", ["Không xác nhận được."])), "error")
        return back
    db.session.commit()
    flash(f"Đã xác nhận hoàn thành {count} nhiệm vụ.", "success")
    return back


@bp.get("/extensions")
@roles_required(*OFFICE)
def extensions():
    filters = _filters()
    query = pending_extensions_query(plan_id=filters["plan"], agency_id=filters["agency"], q=filters["q"])
    total = None if any(filters.values()) else office_queue_counts()["extensions"]
    page = paginate(query, request.args.get("page", 1, type=int), scalars=False, total=total)
    plans, agencies = filter_choices(with_agencies=True)
    return render_template(
        "workflow/extensions.html", page=page, filters=filters, plans=plans, agencies=agencies, form=DecisionForm()
    )


@bp.post("/extensions/<int:request_id>/decision")
@roles_required(*OFFICE)
def decide(request_id: int):
    extension = db.get_or_404(ExtensionRequest, request_id)
    form = DecisionForm()
    on_item = request.form.get("back") == "item"
    back = redirect(
        url_for("workflow.item", item_id=extension.due_item_id) if on_item else url_for("review.extensions")
    )
    if not form.validate_on_submit():
        flash("Biểu mẫu không hợp lệ, vui lòng tải lại trang.", "error")
        return back
    try:
        decide_extension(
            extension,
            decision=form.decision.data or "",
            comment=form.comment.data or "",
            by=current_user,
            now=clock.now(),
        )
    except WorkflowError as error:
        db.session.rollback()
        for messages in error.errors.values():
            flash(" ".join(messages), "error")
        return back
    db.session.commit()
    _deliver()
    flash(
        f"Đã đồng ý gia hạn đến {extension.due_date:%d/%m/%Y}."
        if extension.state == "approved"
        else "Đã không đồng ý gia hạn; đơn vị đã được thông báo.",
        "success",
    )
    return back
