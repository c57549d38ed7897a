"""Plans: the list, one plan as a tree of sections and tasks, and one task in detail."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import ALL_ROLES, Role, User
from tracker.accounts.security import roles_required
from tracker.agencies.models import Agency
from tracker.core import clock
from tracker.core.dates import format_date, format_decimal
from tracker.core.models import AuditEvent, record_audit
from tracker.core.web import id_arg
from tracker.extensions import db
from tracker.importers.details import read_number
from tracker.plans.forms import PlanForm
from tracker.plans.indicators import (
    IndicatorReport,
    Period,
    is_rate,
    period_label,
    periods_for,
    reached,
    record_indicator_report,
)
from tracker.plans.models import (
    PLAN_STATUS_LABELS,
    Indicator,
    IndicatorTarget,
    Plan,
)
from tracker.plans.queries import plan_counts, plan_tree, tree_page, visible_plans_query

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


#: Tasks a plan page lists at a time (real appendices have 7 to 90; a national plan may have thousands)
PLAN_TASKS_PER_PAGE = 200


@bp.get("/plans/<int:plan_id>")
@roles_required(*ALL_ROLES)
def plan(plan_id: int):
    plan = db.session.scalar(_visible_plans_query().where(Plan.id == plan_id))
    if plan is None:
        abort(404)
    tz = current_app.config["TIMEZONE"]
    tree = plan_tree(plan, current_user, clock.today(), tz)
    nodes = tree_page(tree, request.args.get("page", 1, type=int), PLAN_TASKS_PER_PAGE)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
    ).all()
    office = current_user.role in (Role.MONITOR, Role.ADMIN)
    return render_template(
        "plans/detail.html",
        plan=plan,
        nodes=nodes,
        indicators=indicators,
        gaps=plan_gaps(plan) if office else [],
        changes=_plan_changes(plan) if office else [],
    )


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


#: The plan's own details, as the edit form names them
DETAIL_FIELDS = ("doc_kind", "doc_number", "issued_on", "title", "issuer", "signer", "period_start", "period_end")


PLAN_ACTIONS = {
    "plan_details_changed": "sửa thông tin văn bản",
    "plan_status_changed": "đổi trạng thái",
    "plan_reimported": "nhập lại phụ lục (bản sửa đổi)",
    "plan_created": "nhập kế hoạch",
}
PLAN_FIELDS = {
    "doc_kind": "loại văn bản",
    "doc_number": "số, ký hiệu",
    "issued_on": "ngày ban hành",
    "title": "tên",
    "issuer": "cơ quan ban hành",
    "signer": "người ký",
    "period_start": "từ ngày",
    "period_end": "đến ngày",
}


def plan_gaps(plan: Plan) -> list[str]:
    """What the plan's details still lack (a draft's placeholder number, no date), for the office to fill in."""
    gaps = []
    if not read_number(plan.doc_number or "")[0]:
        gaps.append(f"chưa có số, ký hiệu (đang ghi “{plan.doc_number}”)" if plan.doc_number else "chưa có số, ký hiệu")
    if plan.issued_on is None:
        gaps.append("chưa có ngày ban hành")
    if not plan.issuer:
        gaps.append("chưa có cơ quan ban hành")
    if not plan.period_start:
        gaps.append("chưa có năm của kế hoạch")
    return gaps


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MONITOR, Role.ADMIN)
def edit_plan(plan_id: int):
    """The office corrects the plan's own details after the import (each change in its history)."""
    plan = db.get_or_404(Plan, plan_id)
    data = {name: getattr(plan, name) for name in ("doc_kind", "doc_number", "issued_on", "title", "issuer", "signer")}
    if plan.period_start:
        data["year"] = plan.period_start.year
        if plan.period_end and plan.period_end.year != plan.period_start.year:
            data["end_year"] = plan.period_end.year
    form = PlanForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        values = form.plan_values()
        values.pop("year")
        before = {name: getattr(plan, name) for name in DETAIL_FIELDS}
        changed = {name: value for name, value in values.items() if before[name] != value}
        if changed:
            for name, value in changed.items():
                setattr(plan, name, value)
            record_audit(
                plan,
                "plan_details_changed",
                by=current_user,
                now=clock.now(),
                before=_jsonable({name: before[name] for name in changed}),
                after=_jsonable(changed),
            )
            db.session.commit()
            flash("Đã lưu thông tin văn bản của kế hoạch.", "success")
        else:
            flash("Không có thông tin nào thay đổi.", "info")
        return redirect(url_for("plans.plan", plan_id=plan.id))
    return render_template("plans/edit.html", plan=plan, form=form), (400 if request.method == "POST" else 200)


def _jsonable(values: dict) -> dict:
    return {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in values.items()}


def _shown(value) -> str:
    """A stored value as the page shows it: ISO dates as dd/mm/yyyy, nothing as "—"."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(date.fromisoformat(value))
    return str(value) if value not in (None, "") else "—"


def _plan_changes(plan: Plan) -> list[tuple]:
    """The plan's history (import, details, status), newest first: (when, who, what) in Vietnamese."""
    rows = db.session.execute(
        select(AuditEvent, User.full_name)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.object_type == "plans", AuditEvent.object_id == plan.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    out = []
    for event, who in rows:
        what = PLAN_ACTIONS.get(event.action, event.action)
        after, before = event.after or {}, event.before or {}
        if event.action == "plan_details_changed":
            what += ": " + "; ".join(
                f"{PLAN_FIELDS.get(name, name)} “{_shown(before.get(name))}” → “{_shown(value)}”"
                for name, value in after.items()
            )
        elif event.action == "plan_status_changed" and after.get("status") in PLAN_STATUS_LABELS:
            what += f" ({PLAN_STATUS_LABELS[after['status']]})"
        out.append((event.at, who or "Hệ thống", what))
    return out


@bp.get("/plans/<int:plan_id>/report.<kind>")
@roles_required(Role.MONITOR, Role.ADMIN, Role.LEADER)
def plan_report(plan_id: int, kind: str):
    """The plan's report as of today (or ``?as_of=dd/mm/yyyy``), as an official .docx or an .xlsx."""
    from tracker.core.dates import parse_date
    from tracker.reports.monthly import DOCX, XLSX
    from tracker.reports.plan_report import build_plan_report, plan_report_docx, plan_report_xlsx

    if kind not in ("docx", "xlsx"):
        abort(404)
    plan = db.session.scalar(_visible_plans_query().where(Plan.id == plan_id))
    if plan is None:
        abort(404)
    try:
        as_of = parse_date(request.args["as_of"]) if request.args.get("as_of") else clock.today()
    except ValueError:
        abort(400, "Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm).")
    if not 2000 <= as_of.year <= 2100:
        abort(400, "Ngày phải trong khoảng năm 2000 đến 2100.")
    report = build_plan_report(plan, as_of, current_app.config["TIMEZONE"])
    data = plan_report_docx(report, issued_on=clock.today()) if kind == "docx" else plan_report_xlsx(report)
    name = f"bao-cao-ke-hoach-{plan.id}-{as_of:%Y-%m-%d}.{kind}"
    return Response(
        data,
        mimetype=DOCX if kind == "docx" else XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


# --- indicators (chỉ tiêu) ---------------------------------------------------------------------------------


def _decimal(text: str | None, *, rate: bool, label: str) -> Decimal | None:
    """A value typed as people write it ("45,5" or "45.5"); empty is nothing yet."""
    text = (text or "").strip().replace(" ", "").replace("%", "")
    if not text:
        return None
    if len(text) > 20:
        raise ValueError(f"{label}: số không hợp lệ.")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{label}: vui lòng nhập một số (ví dụ 45 hoặc 45,5).") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e9"):
        raise ValueError(f"{label}: số không hợp lệ.")
    if rate and value > 100:
        raise ValueError(f"{label}: tỷ lệ không quá 100%.")
    return value


def _indicator_rows(where) -> list:
    """(target, indicator, plan, agency, periods) rows, each target's values loaded with it (two queries)."""
    rows = db.session.execute(
        select(IndicatorTarget, Indicator, Plan, Agency)
        .join(Indicator, IndicatorTarget.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .join(Agency, IndicatorTarget.agency_id == Agency.id)
        .where(where)
        .options(selectinload(IndicatorTarget.values))
        .order_by(Plan.period_end.desc().nulls_last(), Plan.id.desc(), Indicator.position, Agency.name)
    ).all()
    periods: dict[int, list[Period]] = {}
    return [
        (
            target,
            indicator,
            plan,
            agency,
            periods.setdefault(plan.id, periods_for(plan.period_start, plan.period_end, plan.issued_on)),
        )
        for target, indicator, plan, agency in rows
    ]


@bp.get("/indicators")
@roles_required(*ALL_ROLES)
def indicators():
    """An agency's indicators to report on; for the office and leaders, every agency's, target against actual."""
    if current_user.is_agency_user:
        return _agency_indicators()
    from tracker.reports import charts
    from tracker.reports.charts import Bar

    # the plans that set indicators, the latest first: the page shows one plan's (the latest unless one is picked)
    plans = db.session.execute(
        select(Plan.id, Plan.title, Plan.period_end)
        .where(Plan.id.in_(select(Indicator.plan_id).distinct()), Plan.status.in_(("active", "closed")))
        .order_by(Plan.period_end.desc().nulls_last(), Plan.id.desc())
    ).all()
    plan_id = id_arg("plan")
    if plan_id not in {plan.id for plan in plans}:
        plan_id = plans[0].id if plans else None
    agency_id = id_arg("agency")
    where = [Indicator.plan_id == (plan_id or -1)]
    agency = db.session.get(Agency, agency_id) if agency_id and agency_id < 2**31 else None
    if agency is not None:
        where.append(IndicatorTarget.agency_id == agency.id)
    rows = _indicator_rows(and_(*where))
    grouped: dict[int, dict] = {}
    for target, indicator, plan, row_agency, periods in rows:
        entry = grouped.setdefault(
            indicator.id, {"indicator": indicator, "plan": plan, "periods": periods, "targets": []}
        )
        values = {value.period: value.value for value in target.values}
        entry["targets"].append((target, row_agency, values, reached(target.target_value, target.actual_value)))
    bars = []
    for entry in grouped.values():
        reported = [r for r in entry["targets"] if r[3] is not None]
        entry["summary"] = (sum(1 for r in reported if r[3]), len(reported), len(entry["targets"]))
        label = f"{entry['indicator'].number}. {entry['indicator'].content}"
        if agency is not None:
            # one agency: how far its latest result is towards its own target, per indicator
            target = entry["targets"][0][0]
            share = _share(target.target_value, target.actual_value)
            text = (
                f"{format_decimal(target.actual_value)}/{format_decimal(target.target_value)}"
                if share is not None
                else "—"
            )
            css = "st-done_on_time" if entry["targets"][0][3] else "st-open_overdue"
            bars.append(Bar(label, min(share or 0, 100), text, css=css))
        else:
            share = 100 * entry["summary"][0] / len(reported) if reported else None
            text = f"{share:.0f}%" if share is not None else "—"
            bars.append(Bar(label, share or 0, text, css="st-done_on_time"))
    caption = (
        f"Kết quả mới nhất so với chỉ tiêu của {agency.name}"
        if agency is not None
        else "Tỷ lệ đơn vị đạt chỉ tiêu (trong số đơn vị đã báo cáo)"
    )
    chart = charts.hbars(bars, caption) if bars else ""
    agencies = db.session.execute(
        select(Agency.id, Agency.name)
        .where(
            Agency.id.in_(
                select(IndicatorTarget.agency_id)
                .join(Indicator, IndicatorTarget.indicator_id == Indicator.id)
                .where(Indicator.plan_id == (plan_id or -1))
            )
        )
        .order_by(Agency.name)
    ).all()
    return render_template(
        "plans/indicators.html",
        groups=list(grouped.values()),
        chart=chart,
        agency=agency,
        agencies=agencies,
        plans=plans,
        plan_id=plan_id,
        period_label=period_label,
    )


def _share(target: Decimal | None, actual: Decimal | None) -> float | None:
    if target is None or actual is None:
        return None
    return 100.0 if target == 0 else float(100 * actual / target)


def _agency_indicators(errors: dict | None = None, submitted: dict | None = None, status: int = 200):
    rows = _indicator_rows(IndicatorTarget.agency_id == (current_user.agency_id or -1))
    page = render_template(
        "plans/indicators_agency.html",
        rows=rows,
        reached=reached,
        today=clock.today(),
        errors=errors or {},
        submitted=submitted or {},
        period_label=period_label,
    )
    return page, status


@bp.post("/indicators/<int:target_id>")
@roles_required(Role.AGENCY_HEAD, Role.AGENCY_STAFF)
def indicator_report(target_id: int):
    """The agency enters its previous result and its value for each period begun; its target follows the rule.

    Bad input re-renders the page with each message beside its field, and changes nothing.
    """
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = db.session.execute(
        select(IndicatorTarget, Indicator, Plan)
        .join(Indicator, IndicatorTarget.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .where(IndicatorTarget.id == target_id, IndicatorTarget.agency_id == current_user.agency_id)
        .options(selectinload(IndicatorTarget.values))
    ).one_or_none()
    if row is None:
        abort(404)
    target, indicator, plan = row
    rate = is_rate(indicator.unit)
    today = clock.today()
    periods = periods_for(plan.period_start, plan.period_end, plan.issued_on)
    errors: dict[str, str] = {}
    report = IndicatorReport(previous=target.previous_value)
    if "previous_value" in request.form:
        try:
            report.previous = _decimal(request.form["previous_value"], rate=rate, label="Kết quả năm trước")
        except ValueError as error:
            errors["previous_value"] = str(error)
    for period in periods:
        name = f"value_{period.key}"
        if name not in request.form:
            continue  # a period the form did not offer keeps what it has
        try:
            value = _decimal(request.form.get(name), rate=rate, label=f"Kết quả {period.label}")
        except ValueError as error:
            errors[name] = str(error)
            continue
        if value is not None and not period.started(today):
            errors[name] = f"Kết quả {period.label}: kỳ báo cáo này chưa bắt đầu."
        report.values[period.key] = value
    if errors:
        return _agency_indicators({target.id: errors}, {target.id: request.form.to_dict()}, 422)
    record_indicator_report(
        target, indicator, periods, report, by=current_user, now=clock.now(), mode=current_app.config["INDICATOR_RAISE"]
    )
    db.session.commit()
    flash(f"Đã lưu kết quả chỉ tiêu {indicator.number}.", "success")
    return redirect(url_for("plans.indicators") + f"#target-{target.id}")
