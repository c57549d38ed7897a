"""The administrator's outbox ("Hộp thư đi") and job schedules; agencies' in-app notices live on their item list."""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import Role
from tracker.accounts.security import roles_required
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db
from tracker.notifications.models import OutboxMessage
from tracker.scheduler import words
from tracker.scheduler.models import JobSchedule
from tracker.scheduler.registry import JOBS, OTHER_KINDS_LABEL

bp = Blueprint("outbox", __name__, url_prefix="/admin")
STATUS_LABELS = {"queued": "Chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi", "failed": "Lỗi"}


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def index():
    status = request.args.get("status", "")
    source = request.args.get("source", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in STATUS_LABELS:
        query = query.where(OutboxMessage.status == status)
    if source in JOBS:
        query = query.where(OutboxMessage.kind.in_(JOBS[source].kinds))
    elif source == PAGES:
        query = query.where(OutboxMessage.kind.not_in([kind for job in JOBS.values() for kind in job.kinds]))
    page = paginate(query, request.args.get("page", 1, type=int))
    return render_template(
        "outbox/index.html",
        page=page,
        status=status,
        source=source,
        labels=STATUS_LABELS,
        sources={**{name: job.label for name, job in JOBS.items()}, PAGES: OTHER_KINDS_LABEL},
        source_of=source_of,
        retry_form=EmptyForm(),
    )


#: The outbox filter's value for the mails the pages queue rather than a job
PAGES = "pages"


def source_of(kind: str) -> str:
    """The job that queues mails of this kind, by its label; or the pages."""
    return next((job.label for job in JOBS.values() if kind in job.kinds), OTHER_KINDS_LABEL)


@bp.get("/outbox/<int:message_id>")
@roles_required(Role.ADMIN)
def show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template(
        "outbox/show.html", message=message, labels=STATUS_LABELS, source_of=source_of, retry_form=EmptyForm()
    )


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
        "Lịch dạng crontab (phút giờ ngày tháng thứ), thay cho các ô trên nếu điền",
        validators=[Optional(), Length(max=100, message="Lịch dài quá 100 ký tự.")],
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
    if job not in JOBS:
        abort(404)
    row = db.session.get(JobSchedule, job)
    current = row.crontab if row else JOBS[job].schedule
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
        "outbox/schedule.html", form=form, job=job, label=JOBS[job].label, current=words.describe(current)
    )


@bp.get("/schedules")
@roles_required(Role.ADMIN)
def schedules():
    stored = {s.job: s for s in db.session.scalars(select(JobSchedule))}
    rows = [
        (
            name,
            job.label,
            words.describe(stored[name].crontab if name in stored else job.schedule),
            stored[name].is_enabled if name in stored else True,
        )
        for name, job in JOBS.items()
    ]
    return render_template("outbox/schedules.html", rows=rows)
