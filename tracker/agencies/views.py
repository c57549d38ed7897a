"""The agency directory: a list for everyone, editing for the administrator."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import ALL_ROLES, Role
from tracker.accounts.security import roles_required
from tracker.agencies.forms import AgencyForm, GroupForm, SuccessionForm
from tracker.agencies.models import (
    KIND_LABELS,
    SUCCESSION_KIND_LABELS,
    Agency,
    AgencyAlias,
    AgencyGroup,
    AgencyKind,
    Succession,
    succession_agencies,
)
from tracker.agencies.names import normalize_name
from tracker.agencies.operations import AgencyError, save_agency, save_group
from tracker.agencies.queries import active_on, group_labels, group_members_query
from tracker.agencies.successions import SuccessionSpec, apply_succession, revert_succession
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db

bp = Blueprint("agencies", __name__)


@bp.get("/agencies")
@roles_required(*ALL_ROLES)
def agencies():
    query = (
        select(Agency)
        .options(selectinload(Agency.aliases), selectinload(Agency.successor))
        .order_by(Agency.kind, Agency.name)
    )
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    show_inactive = request.args.get("inactive") == "1"
    if q:
        alias_match = select(AgencyAlias.agency_id).where(AgencyAlias.normalized.contains(normalize_name(q)))
        query = query.where(or_(Agency.id.in_(alias_match), func.lower(Agency.code).contains(q.lower())))
    if kind in KIND_LABELS:
        query = query.where(Agency.kind == kind)
    if not show_inactive:
        query = query.where(active_on(clock.today()))
    page = paginate(query, request.args.get("page", 1, type=int), per_page=100)
    groups = db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.is_builtin.desc(), AgencyGroup.code)).all()
    return render_template(
        "agencies/list.html",
        group_labels=group_labels(clock.today()),
        page=page,
        q=q,
        kind=kind,
        show_inactive=show_inactive,
        kinds=KIND_LABELS,
        groups=groups,
        can_edit=current_user.role == Role.ADMIN,
        show_contacts=current_user.role in (Role.ADMIN, Role.MONITOR),
    )


def _fill_agency_choices(form: AgencyForm, agency: Agency | None) -> None:
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.kind, Agency.name)).all()
    others = [(row.id, row.name) for row in rows if agency is None or row.id != agency.id]
    form.kind.choices = [(kind.value, kind.label) for kind in AgencyKind]
    form.parent_id.choices = [(0, "— Không có —"), *others]
    form.successor_id.choices = [(0, "— Không có —"), *others]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _alias_lines(text: str | None) -> list[str]:
    # Names hold commas ("Sở Văn hóa, Thể thao và Du lịch"): one alias per line
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/admin/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/admin/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def agency_edit(agency_id: int | None):
    agency = db.get_or_404(Agency, agency_id) if agency_id is not None else None
    form = AgencyForm()
    _fill_agency_choices(form, agency)
    if request.method == "GET":
        if agency is not None:
            form.process(obj=agency)
            form.parent_id.data = agency.parent_id or 0
            form.successor_id.data = agency.successor_id or 0
            form.notice_emails.data = "\n".join(agency.notice_emails or [])
            form.aliases.data = "\n".join(
                a.alias for a in agency.aliases if a.alias not in (agency.name, agency.short_name)
            )
        else:
            form.active_from.data = clock.today()
    if form.validate_on_submit():
        try:
            saved = save_agency(
                agency,
                code=form.code.data,
                name=form.name.data,
                short_name=form.short_name.data or "",
                kind=form.kind.data,
                parent_id=form.parent_id.data or None,
                notice_emails=_lines(form.notice_emails.data),
                head_email=form.head_email.data or "",
                active_from=form.active_from.data,
                active_to=form.active_to.data,
                successor_id=form.successor_id.data or None,
                aliases=_alias_lines(form.aliases.data),
                by=current_user,
                now=clock.now(),
            )
        except AgencyError as error:
            db.session.rollback()
            for field, messages in error.errors.items():
                getattr(form, field).errors = list(getattr(form, field).errors) + messages
        else:
            db.session.commit()
            flash(f"Đã lưu {saved.name}.", "success")
            return redirect(url_for("agencies.agencies"))
    return render_template("agencies/form.html", form=form, agency=agency)


@bp.get("/admin/groups")
@roles_required(Role.ADMIN)
def groups():
    groups = db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.is_builtin.desc(), AgencyGroup.code)).all()
    today = clock.today()
    counts = {
        group.id: db.session.scalar(select(func.count()).select_from(group_members_query(group, today).subquery()))
        for group in groups  # a handful of groups, not one query per agency
    }
    return render_template("agencies/groups.html", groups=groups, counts=counts)


@bp.route("/admin/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/admin/groups/<int:group_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def group_edit(group_id: int | None):
    group = db.get_or_404(AgencyGroup, group_id) if group_id is not None else None
    form = GroupForm()
    form.members.choices = [
        (row.id, row.name)
        for row in db.session.execute(select(Agency.id, Agency.name).order_by(Agency.kind, Agency.name))
    ]
    if request.method == "GET" and group is not None:
        form.process(obj=group)
        form.members.data = [a.id for a in group.members]
    if form.validate_on_submit():
        try:
            save_group(
                group,
                code=form.code.data,
                name=form.name.data,
                description=form.description.data or "",
                member_ids=form.members.data or [],
                by=current_user,
                now=clock.now(),
            )
        except AgencyError as error:
            db.session.rollback()
            form.code.errors = list(form.code.errors) + error.errors["code"]
        else:
            db.session.commit()
            flash("Đã lưu nhóm đơn vị.", "success")
            return redirect(url_for("agencies.groups"))
    return render_template("agencies/group_form.html", form=form, group=group)


# --- successions ------------------------------------------------------------------------------------------


@bp.get("/admin/successions")
@roles_required(Role.ADMIN)
def successions():
    rows = db.session.scalars(select(Succession).order_by(Succession.effective_on.desc(), Succession.id.desc())).all()
    sides: dict[int, dict[str, list[str]]] = {}
    for succession_id, side, name in db.session.execute(
        select(succession_agencies.c.succession_id, succession_agencies.c.side, Agency.name)
        .join(Agency, Agency.id == succession_agencies.c.agency_id)
        .order_by(succession_agencies.c.position)
    ):
        sides.setdefault(succession_id, {"from": [], "to": []})[side].append(name)
    return render_template("agencies/successions.html", successions=rows, sides=sides, form=EmptyForm())


@bp.route("/admin/successions/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def succession_new():
    """The administrator records a change: the form, then a preview of every task it moves (a split's choice per
    task), then the change, in one transaction."""
    form = SuccessionForm()
    agencies = db.session.execute(
        select(Agency.id, Agency.name, Agency.active_to).order_by(Agency.kind, Agency.name)
    ).all()
    form.kind.choices = [SelectChoice(kind.value, label) for kind, label in SUCCESSION_KIND_LABELS.items()]
    names = [
        SelectChoice(row.id, row.name if row.active_to is None else f"{row.name} (đến {row.active_to:%d/%m/%Y})")
        for row in agencies
    ]
    form.sources.choices = names
    form.target.choices = [SelectChoice(0, "— Chọn —"), *names]
    form.other_targets.choices = names
    if request.method == "GET":
        form.effective_on.data = clock.today()
        return render_template("agencies/succession_form.html", form=form, result=None)
    if not form.validate_on_submit():
        return render_template("agencies/succession_form.html", form=form, result=None), 400
    by_id = {a.id: a for a in db.session.scalars(select(Agency))}
    targets = [by_id[form.target.data]] if form.target.data in by_id else []
    targets += [by_id[i] for i in form.other_targets.data if i in by_id and i != form.target.data]
    choices = {}
    for key, value in request.form.items():
        if key.startswith("task-") and key[5:].isdigit() and value.isdigit() and int(value):
            choices[int(key[5:])] = int(value)
    spec = SuccessionSpec(
        kind=form.kind.data,
        effective_on=form.effective_on.data,
        sources=[by_id[i] for i in form.sources.data if i in by_id],
        targets=targets,
        choices=choices,
        users=form.users.data,
        note=form.note.data or "",
    )
    if spec.kind == "transfer" and not choices and targets and spec.sources:
        # nothing chosen yet: the unit's tasks, to choose which ones pass
        page = render_template(
            "agencies/succession_form.html", form=form, result=None, tasks=_tasks_of(spec), choices={}, spec=spec
        )
        return page
    tasks = _tasks_of(spec) if spec.kind in ("split", "transfer") else []  # before their parts change hands
    try:
        result = apply_succession(spec, by=current_user, now=clock.now())
    except AgencyError as error:
        db.session.rollback()
        for field, messages in error.errors.items():
            target_field = {"targets": "target", "choices": "other_targets", "state": "kind"}.get(field, field)
            getattr(form, target_field).errors = list(getattr(form, target_field).errors) + messages
        return render_template("agencies/succession_form.html", form=form, result=None), 400
    if request.form.get("action") != "apply":
        # the preview is the change itself, rolled back: it shows exactly what "Áp dụng" will do
        page = render_template(
            "agencies/succession_form.html", form=form, result=result, tasks=tasks, choices=choices, spec=spec
        )
        db.session.rollback()
        return page
    db.session.commit()
    flash(
        f"Đã ghi nhận: chuyển {result.moved} mục đang thực hiện, gộp {result.merged} mục cùng hạn, giữ "
        f"{result.kept} mục đã hoàn thành; {result.users_moved} tài khoản được chuyển, "
        f"{result.users_disabled} bị khóa.",
        "success",
    )
    return redirect(url_for("agencies.successions"))


def _tasks_of(spec: SuccessionSpec) -> list:
    """The tasks of a split's or transfer's unit, for a choice per task (the successor it goes to)."""
    from tracker.plans.models import Assignment, Plan, Task

    return db.session.execute(
        select(Task.id, Task.number, Task.content, Plan.doc_kind, Plan.doc_number)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id.in_([a.id for a in spec.sources]))))
        .order_by(Plan.id, Task.position)
    ).all()


@bp.post("/admin/successions/<int:succession_id>/revert")
@roles_required(Role.ADMIN)
def succession_revert(succession_id: int):
    succession = db.get_or_404(Succession, succession_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        revert_succession(succession, by=current_user, now=clock.now())
    except AgencyError as error:
        db.session.rollback()
        flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
    else:
        db.session.commit()
        flash("Đã hoàn tác thay đổi: các nhiệm vụ, đơn vị và tài khoản trở lại như trước.", "success")
    return redirect(url_for("agencies.successions"))
