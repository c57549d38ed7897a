"""The administrator's outbox ("Hộp thư đi") and job schedules; agencies' in-app notices live on their item list."""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage
from tracker.scheduler import words
from tracker.scheduler.models import DEFAULT_SCHEDULES, JobSchedule

bp = Blueprint("outbox", __name__, url_prefix="/admin")
STATUS_LABELS = {"queued": "Chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi", "failed": "Lỗi"}
JOB_LABELS = {
    "reminders": "Nhắc hạn, quá hạn (ngày làm việc)",
    "monthly-late-report": "Danh sách đơn vị chậm hoàn thành nhiệm vụ (hằng tháng)",
    "leader-digest": "Bản tin gửi lãnh đạo tỉnh (hằng tuần)",
}


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def index():
    status = request.args.get("status", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUS_LABELS:
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, request.args.get("page", 1, type=int))
    return render_template("outbox/index.html", page=page, status=status, labels=STATUS_LABELS, retry_form=EmptyForm())


@bp.get("/outbox/<int:message_id>")
@roles_required(Role.ADMIN)
def show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("outbox/show.html", message=message, labels=STATUS_LABELS, retry_form=EmptyForm())


@bp.post("/outbox/<int:message_id>/retry")
@roles_required(Role.ADMIN)
def retry(message_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=clock.now())
    ).rowcount
    db.session.commit()
    flash("Thư sẽ được gửi lại." if changed else "Chỉ gửi lại được thư bị lỗi.", "info" if changed else "error")
    return redirect(url_for("outbox.show", message_id=message_id))


class ScheduleForm(FlaskForm):
    """When a job runs, in words; the crontab line only as an advanced field."""

    time = StringField("Giờ chạy (giờ:phút)", validators=[Optional()])
    frequency = SelectField(
        "Ngày chạy", choices=[SelectChoice(k, v) for k, v in words.FREQUENCIES.items()], default="weekdays"
    )
    weekday = SelectField(
        "Thứ (nếu chạy một ngày mỗi tuần)",
        choices=[SelectChoice(k, v) for k, v in words.WEEKDAYS.items()],
        default="mon",
    )
    day = SelectField(
        "Ngày trong tháng (nếu chạy một ngày mỗi tháng)",
        choices=[SelectChoice(str(d), f"Ngày {d}") for d in range(1, 29)],
        default="1",
    )
    crontab = StringField(
        "Lịch dạng crontab (phút giờ ngày tháng thứ), thay cho các ô trên nếu điền", validators=[Optional()]
    )
    is_enabled = BooleanField("Đang bật")

    def validate_time(self, field) -> None:
        if self.crontab.data and self.crontab.data.strip():
            return
        match = re.fullmatch(r"\s*(\d{1,2})[:hg.](\d{2})\s*", field.data or "")
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValidationError("Giờ chạy phải có dạng giờ:phút, ví dụ 07:30.")
        field.data = f"{int(match.group(1)):02d}:{match.group(2)}"

    def chosen(self) -> str:
        """The crontab line the form says: the advanced field when filled, else the words'."""
        if self.crontab.data and self.crontab.data.strip():
            return self.crontab.data.strip()
        return words.build(self.time.data, self.frequency.data, self.weekday.data, int(self.day.data))


@bp.route("/schedules/<job>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def schedule(job: str):
    if job not in DEFAULT_SCHEDULES:
        abort(404)
    row = db.session.get(JobSchedule, job)
    current = row.crontab if row else DEFAULT_SCHEDULES[job]
    in_words = words.parse(current)
    data = {"is_enabled": row.is_enabled if row else True}
    if in_words:
        data.update({**in_words, "day": str(in_words["day"])})
    else:
        data["crontab"] = current
    form = ScheduleForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        crontab = form.chosen()
        try:
            CronTrigger.from_crontab(crontab)
        except ValueError:
            form.crontab.errors = [
                "Lịch không hợp lệ (ví dụ: “30 7 * * mon-fri” là 07:30 các ngày thứ Hai đến thứ Sáu)."
            ]
        else:
            if row is None:
                row = JobSchedule(job=job)
                db.session.add(row)
            row.crontab = crontab
            row.is_enabled = form.is_enabled.data
            db.session.commit()
            flash(f"Đã lưu lịch: {words.describe(crontab)}. Bộ lập lịch dùng lịch mới khi khởi động lại.", "success")
            return redirect(url_for("outbox.schedules"))
    return render_template(
        "outbox/schedule.html", form=form, job=job, label=JOB_LABELS[job], current=words.describe(current)
    )


@bp.get("/schedules")
@roles_required(Role.ADMIN)
def schedules():
    stored = {s.job: s for s in db.session.scalars(select(JobSchedule))}
    rows = [
        (
            job,
            JOB_LABELS[job],
            words.describe(stored[job].crontab if job in stored else crontab),
            stored[job].is_enabled if job in stored else True,
        )
        for job, crontab in DEFAULT_SCHEDULES.items()
    ]
    return render_template("outbox/schedules.html", rows=rows)
