"""The agency directory: a list for everyone, editing for the administrator."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import ALL_ROLES, Role
from tracker.accounts.security import roles_required
from tracker.agencies.forms import AgencyForm, GroupForm
from tracker.agencies.models import KIND_LABELS, Agency, AgencyAlias, AgencyGroup, AgencyKind
from tracker.agencies.names import normalize_name
from tracker.agencies.operations import AgencyError, save_agency, save_group
from tracker.agencies.queries import active_on, group_labels, group_members_query
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db

bp = Blueprint("agencies", __name__)


@bp.get("/agencies")
@roles_required(*ALL_ROLES)
def agencies():
    query = select(Agency).options(selectinload(Agency.aliases)).order_by(Agency.kind, Agency.name)
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
