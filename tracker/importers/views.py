"""The monitoring office's import: upload → preview of every task → edit any row → commit in one transaction."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.agencies.queries import group_labels
from tracker.agencies.resolver import AliasIndex
from tracker.core import clock
from tracker.core.models import record_audit
from tracker.core.text import file_name
from tracker.extensions import db
from tracker.importers.drafts import check_parse, create_draft, start_parse, stop_parse
from tracker.importers.forms import PlanDetailsForm, TaskEditForm, UploadForm
from tracker.importers.models import ImportDraft
from tracker.importers.operations import save_parsed_plan
from tracker.importers.pipeline import from_draft
from tracker.importers.readers import ReadError
from tracker.importers.reimport import apply_reimport, diff_plan
from tracker.plans.models import SCHEDULE_KIND_LABELS, Plan

bp = Blueprint("imports", __name__, url_prefix="/imports")
OFFICE = (Role.MONITOR, Role.ADMIN)

FLAG_LABELS = {
    "no_lead": "Thiếu cơ quan chủ trì",
    "lead_unresolved": "Có tên cơ quan chủ trì chưa nhận ra",
    "coordinators_unresolved": "Có tên cơ quan phối hợp chưa nhận ra",
    "deadline_inherited": "Thời hạn lấy theo mục cha",
    "no_deadline": "Không có thời hạn",
    "deadline_needs_review": "Thời hạn cần kiểm tra",
    "deadline_relative": "Hạn tính từ một sự kiện",
    "deadline_external": "Hạn theo văn bản khác",
    "deadline_unknown": "Chưa đọc được thời hạn",
}


def _open_draft(draft_id: int, statuses: tuple[str, ...] = ("open",)) -> ImportDraft:
    draft = db.session.scalar(select(ImportDraft).where(ImportDraft.id == draft_id, ImportDraft.status.in_(statuses)))
    if draft is None:
        abort(404)
    return draft


def _parsed(draft: ImportDraft, period=None):
    return from_draft(draft.payload, AliasIndex.from_database(), year=draft.year, period=period)


def _plan_choices(form: UploadForm) -> None:
    plans = db.session.execute(select(Plan.id, Plan.doc_kind, Plan.doc_number, Plan.title).order_by(Plan.id.desc()))
    form.plan_id.choices = [(0, "— Kế hoạch mới —")] + [
        (row.id, f"{row.doc_kind} {row.doc_number} – {row.title[:80]}".strip()) for row in plans
    ]


def _target_plan(draft: ImportDraft) -> Plan | None:
    plan_id = draft.payload.get("replace_plan_id")
    return db.session.get(Plan, plan_id) if plan_id else None


@bp.route("", methods=["GET", "POST"])
@roles_required(*OFFICE)
def index():
    form = UploadForm()
    _plan_choices(form)
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            draft = create_draft(
                upload.read(),
                file_name(upload.filename or "", default="phu-luc"),
                year=form.year.data,
                replace_plan_id=form.plan_id.data or None,
                by=current_user,
                now=clock.now(),
            )
        except ReadError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            if draft.status == "parsing":
                start_parse(draft.id)
            return redirect(url_for("imports.preview", draft_id=draft.id))
    drafts = db.session.scalars(
        select(ImportDraft)
        .where(ImportDraft.status.in_(("parsing", "failed", "open")))
        .order_by(ImportDraft.created_at.desc())
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template("imports/index.html", form=form, error=error, drafts=drafts), status


@bp.get("/<int:draft_id>")
@roles_required(*OFFICE)
def preview(draft_id: int):
    draft = _open_draft(draft_id, ("parsing", "failed", "open"))
    check_parse(draft, clock.now())
    if draft.status != "open":  # still being read (the page reloads itself) or failed
        return render_template("imports/parsing.html", draft=draft, form=EmptyForm())
    parsed = _parsed(draft)
    target = _target_plan(draft)
    known = (
        {name: getattr(target, name) for name in ("doc_kind", "doc_number", "issued_on", "title", "issuer", "signer")}
        if target
        else parsed.plan
    )
    end = target.period_end if target else parsed.plan.get("period_end")
    details = PlanDetailsForm(
        data={
            "doc_kind": known.get("doc_kind") or "Kế hoạch",
            **{name: known.get(name) or "" for name in ("doc_number", "title", "issuer", "signer")},
            "issued_on": known.get("issued_on"),
            "year": draft.year,
            "end_year": end.year if end and draft.year and end.year != draft.year else None,
        }
    )
    return _render_preview(draft, parsed, details)


def _render_preview(draft, parsed, details, status: int = 200):
    flagged = sum(1 for t in parsed.tasks if t.flags)
    target = _target_plan(draft)
    # what the document left blank or unsure, for the office (a revision keeps the plan's own details)
    notes = {} if target is not None else draft.payload["plan"].get("notes", {})
    return (
        render_template(
            "imports/preview.html",
            draft=draft,
            parsed=parsed,
            details=details,
            notes=notes,
            flagged=flagged,
            target=target,
            diff=diff_plan(target, parsed) if target is not None else None,
            flag_labels=FLAG_LABELS,
            kind_labels=SCHEDULE_KIND_LABELS,
            group_labels=group_labels(clock.today()),
        ),
        status,
    )


@bp.route("/<int:draft_id>/tasks/<int:position>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_task(draft_id: int, position: int):
    draft = _open_draft(draft_id)
    tasks = draft.payload["tasks"]
    if not 0 <= position < len(tasks):
        abort(404)
    row = tasks[position]
    form = TaskEditForm(data=row if request.method == "GET" else None)
    if form.validate_on_submit():
        payload = dict(draft.payload)
        payload["tasks"] = list(tasks)
        payload["tasks"][position] = {
            **row,
            **{
                name: (getattr(form, name).data or "").strip()
                for name in ("number", "content", "deliverable", "lead_text", "coordinators_text", "deadline_text")
            },
            "deadline_inherited": False
            if form.deadline_text.data != row["deadline_text"]
            else row["deadline_inherited"],
        }
        draft.payload = payload  # a new object, so the JSON column is written
        db.session.commit()
        flash(f"Đã sửa dòng {row['line']}.", "success")
        return redirect(url_for("imports.preview", draft_id=draft.id) + f"#task-{position}")
    return render_template("imports/edit_task.html", draft=draft, form=form, row=row, position=position)


@bp.post("/<int:draft_id>/commit")
@roles_required(*OFFICE)
def commit(draft_id: int):
    draft = _open_draft(draft_id)
    details = PlanDetailsForm()
    if not details.validate_on_submit():
        parsed = _parsed(draft)
        return _render_preview(draft, parsed, details, status=400)
    values = details.plan_values()
    draft.year = details.year.data
    parsed = _parsed(draft, period=details.period())
    now = clock.now()
    target = _target_plan(draft)
    if target is not None:
        diff = diff_plan(target, parsed)
        if diff.needs_confirmation and not details.confirm_changes.data:
            details.confirm_changes.errors = ["Vui lòng xem và xác nhận các nhiệm vụ thêm mới, bị bỏ."]
            return _render_preview(draft, parsed, details, status=400)
        for name, value in values.items():
            if name != "year":
                setattr(target, name, value)
        target.source_filename = draft.filename
        diff = apply_reimport(target, parsed, by=current_user, now=now)
        draft.status = "committed"
        draft.plan_id = target.id
        db.session.commit()
        flash(
            f"Đã cập nhật kế hoạch: giữ {len(diff.matched)} nhiệm vụ, thêm {len(diff.added)}, bỏ {len(diff.removed)}.",
            "success",
        )
        return redirect(url_for("plans.plan", plan_id=target.id))
    try:
        plan = save_parsed_plan(
            parsed,
            by=current_user,
            now=now,
            overrides={**values, "source_filename": draft.filename, "status": "active"},
        )
        draft.status = "committed"
        draft.plan_id = plan.id
        record_audit(draft, "import_committed", by=current_user, now=now, after={"tasks": len(parsed.tasks)})
        db.session.commit()
    except LookupError as error:
        db.session.rollback()
        flash(f"Không nhập được: {error}", "error")
        return redirect(url_for("imports.preview", draft_id=draft_id))
    flash(f"Đã nhập {len(parsed.tasks)} nhiệm vụ vào kế hoạch.", "success")
    return redirect(url_for("plans.plan", plan_id=plan.id))


@bp.post("/<int:draft_id>/discard")
@roles_required(*OFFICE)
def discard(draft_id: int):
    draft = _open_draft(draft_id, ("parsing", "failed", "open"))
    if not EmptyForm().validate_on_submit():
        abort(400)
    stop_parse(draft)
    draft.status, draft.source = "discarded", None
    db.session.commit()
    flash("Đã hủy bản nhập.", "info")
    return redirect(url_for("imports.index"))
