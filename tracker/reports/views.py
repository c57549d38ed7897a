"""The monthly list of late units on the web: any month, with the same .xlsx and .docx as the email."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.forms import VnIntegerField
from tracker.core.models import AuditEvent
from tracker.extensions import db
from tracker.reports.jobs import chairman_office_recipients
from tracker.reports.models import get_setting, set_setting
from tracker.reports.monthly import DOCX, XLSX, build_monthly_report, previous_month, report_docx, report_xlsx

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
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    return previous_month(clock.today())


@bp.get("/monthly")
@roles_required(*READERS)
def monthly():
    year, month = _month()
    report = build_monthly_report(year, month)
    form = None
    if current_user.role == Role.ADMIN:
        form = ReportSettingsForm(
            data={
                "recipients": "\n".join(chairman_office_recipients()),
                "min_items": report.criticism_min_items,
                "min_days": report.criticism_min_days,
            }
        )
    return render_template("reports/monthly.html", report=report, form=form)


@bp.get("/monthly.<kind>")
@roles_required(*READERS)
def monthly_file(kind: str):
    year, month = _month()
    report = build_monthly_report(year, month)
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
