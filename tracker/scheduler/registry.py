"""The one list of scheduled jobs: name, labels, default schedule, the mails they queue and the function that runs them.

The CLI (`tracker jobs`), the scheduler, the schedules page and the outbox's filter all read it. A job's function
takes the moment it runs as of and whether it is a dry run, and returns an Outcome; it writes in the caller's
transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Outcome:
    """What a run did: one line for the log and the CLI, and the lines a dry run lists."""

    summary: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    name: str
    #: Short label, for the schedules page and the outbox's filter
    label: str
    #: What it does and when, for `tracker jobs list`
    description: str
    #: Default crontab, in the configured time zone (the administrator may change it)
    schedule: str
    #: The outbox kinds of the mails it queues
    kinds: tuple[str, ...]
    run: Callable[..., Outcome]


def _reminders(now: datetime, *, dry_run: bool = False) -> Outcome:
    from tracker.notifications.reminders import send_reminders

    run = send_reminders(now, dry_run=dry_run)
    if dry_run:
        return Outcome(
            run.summary() + " (chạy thử: không gửi)",
            [f"  {n.stage:14} {n.due_date:%d/%m/%Y}  {n.task_number} {n.task_content[:70]}" for n in run.notices],
        )
    missing = [f"  chưa có địa chỉ email nhận thông báo: {name}" for name in run.agencies_without_address]
    return Outcome(run.summary(), missing)


def _monthly(now: datetime, *, dry_run: bool = False) -> Outcome:
    from tracker.reports.jobs import send_monthly_late_report

    return Outcome(send_monthly_late_report(now, dry_run=dry_run).summary())


def _digest(now: datetime, *, dry_run: bool = False) -> Outcome:
    from tracker.reports.digest import send_leader_digest

    digest, queued = send_leader_digest(now, dry_run=dry_run)
    overdue = digest.totals.get("open_overdue", 0)
    return Outcome(f"{digest.day:%d/%m/%Y}: {overdue} nhiệm vụ quá hạn; {queued} thư gửi lãnh đạo")


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "reminders",
            "Nhắc hạn, quá hạn (ngày làm việc)",
            "Nhắc hạn, nhắc quá hạn và báo lãnh đạo đơn vị (ngày làm việc, 07:30)",
            "30 7 * * mon-fri",
            ("reminders", "escalation"),
            _reminders,
        ),
        Job(
            "monthly-late-report",
            "Danh sách đơn vị chậm hoàn thành nhiệm vụ (hằng tháng)",
            "Danh sách đơn vị chậm hoàn thành nhiệm vụ tháng trước, gửi Văn phòng (ngày 1, 08:00)",
            "0 8 1 * *",
            ("monthly-late-report",),
            _monthly,
        ),
        Job(
            "leader-digest",
            "Bản tin gửi lãnh đạo tỉnh (hằng tuần)",
            "Tình hình các kế hoạch gửi lãnh đạo tỉnh (thứ Hai, 08:00)",
            "0 8 * * mon",
            ("leader-digest",),
            _digest,
        ),
    )
}

#: The outbox's filter: each job's mails, and those the pages queue (a report returned, a comment …)
OTHER_KINDS_LABEL = "Thông báo từ thao tác trên trang"
