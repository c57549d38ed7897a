"""`tracker scheduler` and `tracker jobs`: the scheduler's own process, and any job by hand as of any moment."""

from __future__ import annotations

import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.scheduler.registry import JOBS


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in its own process (production): reminders, the monthly report, the digest."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from tracker.scheduler.jobs import configure, schedules

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    configure(scheduler, app)
    for job, (crontab, enabled) in schedules(app).items():
        click.echo(f"{job:24} {crontab:20} {'bật' if enabled else 'tắt'}")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs, also runnable by hand as of any moment."""


@jobs_group.command("list")
def jobs_list() -> None:
    """The jobs and what they do."""
    for name, job in JOBS.items():
        click.echo(f"{name:24} {job.description}")


@jobs_group.command("run")
@click.argument("job", type=click.Choice(list(JOBS)))
@click.option("--at", "at", help="Run as of this local moment (YYYY-MM-DDTHH:MM); default: now")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write and send nothing")
@with_appcontext
def jobs_run(job: str, at: str | None, dry_run: bool) -> None:
    """Run a job now, or as of a moment; deliver what it queued before exiting."""
    from tracker.core import clock
    from tracker.scheduler.jobs import deliver, run_locked

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        moment = datetime.fromisoformat(at).replace(tzinfo=tz) if at else clock.now()
    except ValueError as error:
        raise click.BadParameter("dùng dạng YYYY-MM-DDTHH:MM", param_hint="--at") from error
    outcome = run_locked(job, moment, dry_run=dry_run)
    if outcome is None:
        click.echo(f"{job}: đang chạy ở nơi khác (bộ lập lịch hoặc một lệnh khác); lần này không chạy.")
    else:
        click.echo(outcome.summary)
        for line in outcome.details:
            click.echo(line)
    if dry_run:
        return
    # send what is due before the command exits (as of the job's moment when that is later)
    delivered = deliver(max(clock.now(), moment))
    if delivered is None:
        click.echo("Cơ sở dữ liệu đang bận: thư chờ bộ lập lịch gửi (mỗi phút).")
        return
    click.echo(f"Đã gửi {delivered['sent']} thư; {delivered['retry']} thư sẽ gửi lại; {delivered['failed']} thư lỗi.")


COMMANDS = [scheduler_command, jobs_group]
