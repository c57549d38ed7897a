"""The working-day calendar: Vietnam's public holidays, and the swaps the administrator enters each year."""

from __future__ import annotations

import holidays
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import extract, select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.forms import VnDateField
from tracker.core.models import record_audit
from tracker.core.web import year_arg
from tracker.deadlines.models import CalendarOverride
from tracker.extensions import db

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


class OverrideForm(FlaskForm):
    day = VnDateField("Ngày", validators=[InputRequired("Vui lòng nhập ngày.")])
    is_working_day = SelectField("Ngày đó là", choices=["1", "0"])
    note = StringField("Căn cứ (văn bản hoán đổi ngày làm việc)", validators=[Length(max=255)])


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    year = year_arg(request.args.get("year", type=int)) or clock.today().year
    form = OverrideForm()
    form.is_working_day.choices = [("1", "Ngày làm việc (làm bù)"), ("0", "Ngày nghỉ (nghỉ bù)")]
    if form.validate_on_submit():
        existing = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == form.day.data))
        if existing is not None:
            form.day.errors = [*form.day.errors, "Ngày này đã có trong danh sách điều chỉnh."]
        else:
            override = CalendarOverride(
                day=form.day.data, is_working_day=form.is_working_day.data == "1", note=(form.note.data or "").strip()
            )
            db.session.add(override)
            record_audit(
                override,
                "calendar_override_added",
                by=current_user,
                now=clock.now(),
                after={"day": override.day.isoformat(), "is_working_day": override.is_working_day},
            )
            db.session.commit()
            flash("Đã lưu ngày điều chỉnh.", "success")
            return redirect(url_for("calendar.index", year=form.day.data.year))
    overrides = db.session.scalars(
        select(CalendarOverride).where(extract("year", CalendarOverride.day) == year).order_by(CalendarOverride.day)
    ).all()
    public = sorted(holidays.country_holidays("VN", years=year, language="vi").items())
    return render_template(
        "calendar/index.html", form=form, overrides=overrides, public=public, year=year, delete_form=EmptyForm()
    )


@bp.post("/<int:override_id>/delete")
@roles_required(Role.ADMIN)
def delete(override_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    override = db.get_or_404(CalendarOverride, override_id)
    year = override.day.year
    record_audit(
        override,
        "calendar_override_removed",
        by=current_user,
        now=clock.now(),
        before={"day": override.day.isoformat(), "is_working_day": override.is_working_day},
    )
    db.session.delete(override)
    db.session.commit()
    flash("Đã xóa ngày điều chỉnh.", "info")
    return redirect(url_for("calendar.index", year=year))
