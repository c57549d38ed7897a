"""The monthly list of late units on the web: any month, with the same .xlsx and .docx as the email."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional, ValidationError

from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.dates import format_number
from tracker.core.forms import VnDateField, VnIntegerField
from tracker.core.models import AuditEvent
from tracker.core.versions import VersionedCache
from tracker.core.web import year_arg
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.plans.status import STATUS_LABELS, STATUS_ORDER
from tracker.reports import charts
from tracker.reports.charts import Bar
from tracker.reports.jobs import chairman_office_recipients
from tracker.reports.models import get_setting, set_setting
from tracker.reports.monthly import DOCX, XLSX, build_monthly_report, previous_month, report_docx, report_xlsx
from tracker.reports.summary import AGEING, Summary, summary_for

bp = Blueprint("reports", __name__, url_prefix="/reports")
READERS = (Role.ADMIN, Role.MONITOR, Role.LEADER)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReportSettingsForm(FlaskForm):
    recipients = TextAreaField("Địa chỉ nhận báo cáo tháng (mỗi dòng một địa chỉ)")
    min_items = VnIntegerField("Đề xuất phê bình khi có từ … nhiệm vụ quá hạn")
    min_days = VnIntegerField("… hoặc có nhiệm vụ quá hạn từ … ngày")


def _month() -> tuple[int, int]:
    value = request.args.get("month", "")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    if match and 1 <= int(match.group(2)) <= 12 and year_arg(int(match.group(1))):
        return int(match.group(1)), int(match.group(2))
    return previous_month(clock.today())


#: How the ranking may be sorted: key → (label, sort key of a line)
RANKINGS = {
    "rank": ("Xếp hạng", lambda line: line.rank),
    "name": ("Cơ quan, đơn vị", lambda line: line.name),
    "overdue": ("Quá hạn", lambda line: (-line.overdue_count, line.rank)),
    "longest": ("Quá hạn lâu nhất", lambda line: (-line.longest, line.rank)),
    "done_late": ("Hoàn thành quá hạn", lambda line: (-line.counts.get("done_late", 0), line.rank)),
    "done_on_time": ("Hoàn thành đúng hạn", lambda line: (-line.counts.get("done_on_time", 0), line.rank)),
}
#: How many overdue items the page lists under an agency (the rest are one click away, in the items list)
ITEMS_SHOWN = 20


def _month_choices(today, shown: tuple[int, int]) -> list[tuple[str, str]]:
    """The months one may pick, newest first ("2026-11", "11/2026"), with the one shown: no browser month widget."""
    out = []
    year, month = max((today.year, today.month), shown)
    for _ in range(36):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    if shown not in out:
        out.append(shown)
    return [(f"{y}-{m:02d}", f"{m:02d}/{y}") for y, m in out]


#: The monthly page's reports, per month and day, kept until the data changes (tracker.core.versions)
MONTHLY_PAGES = VersionedCache(size=48)


@bp.get("/monthly")
@roles_required(*READERS)
def monthly():
    today = clock.today()
    live = request.args.get("view") == "today"
    year, month = (today.year, today.month) if live else _month()
    # per-agency rows only: an agency's overdue items load when its row is opened (monthly_agency); kept until the
    # data or the settings change
    as_of = today if live else None
    report = MONTHLY_PAGES.get(
        (year, month, as_of, current_app.config["TIMEZONE"]),
        lambda: build_monthly_report(year, month, as_of=as_of, items_per_agency=0),
    )
    sort = request.args.get("sort", "rank")
    if sort not in RANKINGS:
        sort = "rank"
    lines = sorted(report.lines, key=RANKINGS[sort][1])
    form = None
    if current_user.role == Role.ADMIN:
        form = ReportSettingsForm(
            data={
                "recipients": "\n".join(chairman_office_recipients()),
                "min_items": report.criticism_min_items,
                "min_days": report.criticism_min_days,
            }
        )
    return render_template(
        "reports/monthly.html",
        report=report,
        lines=lines,
        form=form,
        live=live,
        sort=sort,
        rankings=RANKINGS,
        months=_month_choices(today, (year, month)),
        items_shown=ITEMS_SHOWN,
    )


@bp.get("/monthly/agency/<int:agency_id>")
@roles_required(*READERS)
def monthly_agency(agency_id: int):
    """One agency's most overdue items of the month's list: the fragment its row loads when opened (and a page of
    its own without JavaScript)."""
    from tracker.reports.monthly import overdue_items

    if agency_id >= 2**31:
        abort(404)
    today = clock.today()
    live = request.args.get("view") == "today"
    year, month = (today.year, today.month) if live else _month()
    report, line = overdue_items(agency_id, year, month, as_of=today if live else None, limit=ITEMS_SHOWN)
    if line is None:
        abort(404)
    template = "reports/_monthly_items.html" if "fragment" in request.args else "reports/monthly_agency.html"
    back = url_for("reports.monthly", view="today") if live else url_for("reports.monthly", month=f"{year}-{month:02d}")
    return render_template(template, report=report, line=line, items_shown=ITEMS_SHOWN, back=back)


@bp.get("/monthly.<kind>")
@roles_required(*READERS)
def monthly_file(kind: str):
    year, month = _month()
    report = build_monthly_report(year, month, items_per_agency=0)  # the workbook streams the items
    name = f"danh-sach-cham-hoan-thanh-{year}-{month:02d}.{kind}"
    if kind == "xlsx":
        data, mimetype = report_xlsx(report), XLSX
    elif kind == "docx":
        data, mimetype = report_docx(report, issued_on=clock.today()), DOCX
    else:
        abort(404)
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/settings")
@roles_required(Role.ADMIN)
def settings():
    form = ReportSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    addresses = [line.strip() for line in (form.recipients.data or "").replace(",", "\n").splitlines() if line.strip()]
    bad = [a for a in addresses if not _EMAIL.match(a)]
    numbers_ok = (form.min_items.data or 0) >= 1 and (form.min_days.data or 0) >= 1
    if bad or not numbers_ok:
        flash(f"Địa chỉ email không hợp lệ: {', '.join(bad)}" if bad else "Ngưỡng phải là số dương.", "error")
        return redirect(url_for("reports.monthly"))
    before = {"recipients": get_setting("chairman_office_emails")}
    set_setting("chairman_office_emails", addresses)
    set_setting("criticism_min_items", form.min_items.data)
    set_setting("criticism_min_days", form.min_days.data)
    db.session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=current_user.id,
            object_type="settings",
            object_id=0,
            action="report_settings_saved",
            before=before,
            after={"recipients": addresses},
        )
    )
    db.session.commit()
    flash("Đã lưu thiết lập báo cáo tháng.", "success")
    return redirect(url_for("reports.monthly"))


# --- the overview of leaders and the office ----------------------------------------------------------------


class OverviewForm(FlaskForm):
    """The overview's date and plan: a GET form (nothing changes, no token)."""

    class Meta:
        csrf = False

    as_of = VnDateField("Tính đến ngày", validators=[Optional()])
    plan = SelectField("Kế hoạch", coerce=int, default=0, validators=[Optional()])

    def validate_as_of(self, field) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError("Ngày phải trong khoảng năm 2000 đến 2100.")


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%".replace(".", ",") if whole else "—"


def overview_charts(summary: Summary) -> dict:
    """The page's SVG charts from the summary's figures."""
    segments = [
        Bar(STATUS_LABELS[st], summary.counts[st], format_number(summary.counts[st]), css=f"st-{st}")
        for st in STATUS_ORDER
    ]
    return {
        "classes": charts.donut(segments, "Tình trạng các nhiệm vụ"),
        "agencies": charts.hbars(
            [
                Bar(
                    a.name,
                    a.overdue,
                    format_number(a.overdue),
                    href=url_for("workflow.items", agency=a.agency_id, status="open_overdue", role="lead"),
                    css="st-open_overdue",
                )
                for a in summary.top_agencies
            ],
            "Số nhiệm vụ quá hạn của các cơ quan, đơn vị",
        ),
        "ageing": charts.columns(
            [
                Bar(label, summary.ageing[key], format_number(summary.ageing[key]), css="st-open_overdue")
                for key, label, _first, _last in AGEING
            ],
            "Nhiệm vụ quá hạn theo số ngày quá hạn",
        ),
        "rate": charts.columns(
            [
                Bar(
                    m.label[:2] + "/" + m.label[-2:],
                    None if m.rate is None else m.rate * 100,
                    "" if m.rate is None else f"{m.rate * 100:.0f}%",
                    css="st-done_on_time",
                )
                for m in summary.monthly_on_time_rate
            ],
            "Tỷ lệ hoàn thành đúng hạn theo tháng",
            top=100,
        ),
        "plans": {
            p.plan_id: charts.stacked(
                [Bar(STATUS_LABELS[st], p.counts[st], str(p.counts[st]), css=f"st-{st}") for st in STATUS_ORDER],
                f"Tình trạng nhiệm vụ của {p.reference}",
            )
            for p in summary.by_plan
        },
    }


@bp.get("/overview")
@roles_required(*READERS)
def overview():
    form = OverviewForm(request.args)
    plans = db.session.execute(
        select(Plan.id, Plan.doc_kind, Plan.doc_number, Plan.title)
        .where(Plan.status.in_(("active", "closed")))
        .order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc())
    ).all()
    form.plan.choices = [SelectChoice(0, "Tất cả kế hoạch")] + [
        SelectChoice(p.id, f"{p.doc_kind} {p.doc_number} – {p.title[:70]}".replace("  ", " ")) for p in plans
    ]
    valid = form.validate()
    as_of = form.as_of.data if valid and form.as_of.data else clock.today()
    if valid:
        form.as_of.data, form.as_of.raw_data = as_of, None  # the box shows the date the figures are for
    plan_id = form.plan.data if valid and form.plan.data in {p.id for p in plans} else None
    summary = summary_for(as_of, current_app.config["TIMEZONE"], plan_id=plan_id)
    return render_template(
        "reports/overview.html",
        form=form,
        summary=summary,
        charts=overview_charts(summary),
        percent=_percent,
        AGEING=AGEING,
    ), (200 if valid else 400)
