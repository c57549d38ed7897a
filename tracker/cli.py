"""The ``tracker`` command: Flask's CLI bound to the app factory, with the project's commands."""

from __future__ import annotations

import contextlib
import json
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from config import Config, ProductionConfig


def _create_app():
    from tracker import create_app

    config = ProductionConfig if os.environ.get("TRACKER_ENV") == "production" else Config
    return create_app(config)


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Theo dõi nhiệm vụ: tracker's commands (run, db upgrade, seed-demo, users …)."""


@click.command("run", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--no-scheduler", is_flag=True, help="Serve without the in-process scheduler")
@click.pass_context
def run_with_scheduler(ctx: click.Context, no_scheduler: bool) -> None:
    """Development server, with the scheduler running inside it (production runs `tracker scheduler`)."""
    from flask.cli import ScriptInfo, run_command

    reloading = os.environ.get("WERKZEUG_RUN_MAIN") is None and "--reload" in ctx.args
    if not no_scheduler and not reloading:
        from apscheduler.schedulers.background import BackgroundScheduler

        from tracker.scheduler.jobs import configure

        app = ctx.ensure_object(ScriptInfo).load_app()
        scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
        configure(scheduler, app)
        scheduler.start()
        click.echo("Bộ lập lịch đang chạy trong tiến trình web (nhắc hạn, báo cáo tháng, bản tin lãnh đạo).")
    ctx.invoke(run_command, **run_command.make_context("run", list(ctx.args), parent=ctx.parent).params)


main.add_command(run_with_scheduler, "run")


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


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the agency directory, one demo user per role and the demo plans."""
    from tracker.core import clock
    from tracker.demo import seed_demo
    from tracker.extensions import db

    created = seed_demo(now=clock.now())
    db.session.commit()
    if created:
        click.echo("Tài khoản demo (mật khẩu chỉ in một lần):")
        for email, role, password in created:
            click.echo(f"  {email:32} {password:20} {role}")
    else:
        from tracker.demo import DEMO_USERS

        click.echo("Dữ liệu demo đã có. Tài khoản demo (mật khẩu đã in ở lần chạy đầu):")
        for email, _name, role, _agency in DEMO_USERS:
            click.echo(f"  {email:32} {role.label}")
        click.echo("Đặt lại mật khẩu: tracker users reset-password --email <email>")


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "monitor", "leader", "agency_head", "agency_staff"]))
@click.option("--agency", "agency_code", help="Agency code, for the agency roles")
@click.option("--name", "full_name", help="Full name (defaults to the email)")
@click.option("--password", help="Password (default: generated and printed once)")
@with_appcontext
def users_create(email: str, role: str, agency_code: str | None, full_name: str | None, password: str | None) -> None:
    """Create a user account."""
    from tracker.accounts.operations import AccountError, create_user, generate_password
    from tracker.agencies.models import Agency
    from tracker.core import clock
    from tracker.extensions import db

    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
        if agency is None:
            raise click.ClickException(f"Không có cơ quan, đơn vị mã {agency_code}")
    shown = password is None
    password = password or generate_password()
    try:
        user = create_user(
            email=email,
            full_name=full_name or email,
            role=role,
            agency=agency,
            password=password,
            by=None,
            now=clock.now(),
        )
    except AccountError as error:
        db.session.rollback()
        messages = "; ".join(f"{field}: {' '.join(m)}" for field, m in error.errors.items())
        raise click.ClickException(messages) from error
    db.session.commit()
    click.echo(f"Đã tạo {user.email} ({role})" + (f"; mật khẩu: {password}" if shown else ""))
    current_app.logger.info("user %s created from the command line", user.email)


@users_group.command("reset-password")
@click.option("--email", required=True)
@with_appcontext
def users_reset_password(email: str) -> None:
    """Give a user a new generated password (printed once) and end their sessions."""
    from tracker.accounts.models import User
    from tracker.accounts.operations import generate_password, normalize_email, set_password
    from tracker.core import clock
    from tracker.extensions import db

    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"Không có tài khoản {email}")
    password = generate_password()
    set_password(user, password, by=None, now=clock.now())
    db.session.commit()
    click.echo(f"Mật khẩu mới của {user.email}: {password}")


@click.group("tokens")
def tokens_group() -> None:
    """Personal access tokens for the JSON API."""


@tokens_group.command("create")
@click.option("--email", required=True, help="the user the token acts for")
@click.option("--name", default="", help="a name to tell the token apart")
@click.option("--days", default=None, type=int, help="days until it expires (default TRACKER_API_TOKEN_DAYS)")
@with_appcontext
def tokens_create(email: str, name: str, days: int | None) -> None:
    """Create a token; its secret is printed alone on the last line, once."""
    from tracker.accounts.models import User
    from tracker.accounts.tokens import create_token
    from tracker.core import clock
    from tracker.extensions import db

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_enabled:
        raise click.ClickException(f"Không có tài khoản đang hoạt động với email {email}")
    try:
        token, secret = create_token(
            user, name=name, days=days or current_app.config["API_TOKEN_DAYS"], by=None, now=clock.now()
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Khoá {token.prefix}… cho {user.email}, hết hạn {token.expires_at:%d/%m/%Y %H:%M} (UTC):")
    click.echo(secret)


@click.command("parse-deadline")
@click.argument("text")
@click.option("--year", type=int, help="The plan year (for texts without one, and the period of recurring duties)")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with TEXT '-')")
def parse_deadline_command(text: str, year: int | None, as_json: bool) -> None:
    """Read a Vietnamese deadline; TEXT '-' reads one per line from standard input."""
    from tracker.deadlines.parser import parse_deadline

    texts = [line.rstrip("\r\n") for line in sys.stdin] if text == "-" else [text]
    for item in texts:
        schedule = parse_deadline(item, year)
        if as_json:
            click.echo(json.dumps(schedule.to_json(), ensure_ascii=False))
        else:
            dates = ", ".join(d.strftime("%d/%m/%Y") for d in schedule.due_dates) or "—"
            review = " (cần kiểm tra)" if schedule.needs_review else ""
            click.echo(f"{item}: {schedule.kind}; {dates}{review}")


@click.group("agencies")
def agencies_group() -> None:
    """The agency directory."""


@agencies_group.command("resolve")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with TEXT '-')")
@with_appcontext
def agencies_resolve(text: str, as_json: bool) -> None:
    """Read a lead or coordinator cell; TEXT '-' reads one cell per line from standard input."""
    from tracker.agencies.resolver import resolve_cell

    index = _alias_index()
    cells = [line.rstrip("\r\n") for line in sys.stdin] if text == "-" else [text]
    for cell in cells:
        result = resolve_cell(cell, index).to_json()
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            parts = [*result["agencies"], *result["groups"], *(f"?{u}" for u in result["unresolved"])]
            click.echo(f"{cell}: {'; '.join(parts) or '—'}")


@agencies_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def agencies_load(path: str) -> None:
    """Create or update agencies from a CSV (code,name,short_name,kind,parent_code,notice_emails,head_email,
    active_from,aliases); every row checked, nothing written if one is wrong."""
    from pathlib import Path

    from tracker.agencies.loader import LoadError, load_agencies_csv
    from tracker.core import clock
    from tracker.extensions import db

    try:
        count = load_agencies_csv(Path(path).read_bytes(), by=None, now=clock.now())
    except LoadError as error:
        db.session.rollback()
        for message in error.messages:
            click.echo(message, err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"Đã cập nhật {count} cơ quan, đơn vị.")


def _alias_index():
    """The database's directory; the shipped one when the database has none yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.agencies.directory import read_directory
    from tracker.agencies.resolver import AliasIndex

    try:
        index = AliasIndex.from_database()
    except SQLAlchemyError:
        index = None
    if index is None or not index.display:
        index = AliasIndex.from_directory(read_directory())
    return index


@click.command("import-plan")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--year", type=int, help="The plan year, when the document does not say it")
@click.option("--dry-run", is_flag=True, help="Only read and print; write nothing")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed plan as JSON")
@click.option("--draft", is_flag=True, help="Keep the plan as a draft (not tracked, no reminders) until activated")
@with_appcontext
def import_plan_command(path: str, year: int | None, dry_run: bool, as_json: bool, draft: bool) -> None:
    """Import a plan's appendix (.docx, .xlsx, .csv, tab-separated .txt)."""
    from tracker.core import clock
    from tracker.extensions import db
    from tracker.importers.operations import save_parsed_plan
    from tracker.importers.pipeline import build_plan
    from tracker.importers.readers import ReadError, read_path

    try:
        parsed = build_plan(read_path(path), _alias_index(), year=year)
    except ReadError as error:
        click.echo(f"{path}: {error}", err=True)
        sys.exit(2)
    output = parsed.to_json()
    if not dry_run:
        plan = save_parsed_plan(parsed, by=None, now=clock.now(), overrides={"status": "draft" if draft else "active"})
        db.session.commit()
        output["plan"] = {**output["plan"], "id": plan.id}
    if as_json:
        click.echo(json.dumps(output, ensure_ascii=False, default=str))
    else:
        flagged = sum(1 for t in parsed.tasks if t.flags)
        action = "Đọc" if dry_run else "Đã nhập"
        click.echo(f"{action} {len(parsed.tasks)} nhiệm vụ, {len(parsed.sections)} mục; {flagged} cần kiểm tra.")
        for note in parsed.plan.get("notes", {}).values():  # what the document left blank, for the office
            click.echo(f"Thông tin văn bản: {note}")


JOBS = {
    "reminders": "Nhắc hạn, nhắc quá hạn và báo lãnh đạo đơn vị (ngày làm việc, 07:30)",
    "monthly-late-report": "Danh sách đơn vị chậm hoàn thành nhiệm vụ tháng trước, gửi Văn phòng (ngày 1, 08:00)",
    "leader-digest": "Tình hình các kế hoạch gửi lãnh đạo tỉnh (thứ Hai, 08:00)",
}


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs, also runnable by hand as of any moment."""


@jobs_group.command("list")
def jobs_list() -> None:
    """The jobs and what they do."""
    for name, description in JOBS.items():
        click.echo(f"{name:24} {description}")


@jobs_group.command("run")
@click.argument("job", type=click.Choice(sorted(JOBS)))
@click.option("--at", "at", help="Run as of this local moment (YYYY-MM-DDTHH:MM); default: now")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write and send nothing")
@with_appcontext
def jobs_run(job: str, at: str | None, dry_run: bool) -> None:
    """Run a job now, or as of a moment; deliver what it queued before exiting."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.core import clock
    from tracker.extensions import db
    from tracker.notifications.reminders import send_reminders

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        moment = datetime.fromisoformat(at).replace(tzinfo=tz) if at else clock.now()
    except ValueError as error:
        raise click.BadParameter("dùng dạng YYYY-MM-DDTHH:MM", param_hint="--at") from error
    if job == "leader-digest":
        from tracker.reports.digest import send_leader_digest

        digest, queued = send_leader_digest(moment, dry_run=dry_run)
        overdue = digest.totals.get("open_overdue", 0)
        click.echo(f"{digest.day:%d/%m/%Y}: {overdue} nhiệm vụ quá hạn; {queued} thư gửi lãnh đạo")
        if dry_run:
            db.session.rollback()
            return
        db.session.commit()
        _deliver(moment)
        return
    if job == "monthly-late-report":
        from tracker.reports.jobs import send_monthly_late_report

        monthly = send_monthly_late_report(moment, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
            click.echo(monthly.summary())
            return
        db.session.commit()
        click.echo(monthly.summary())
        _deliver(moment)
        return
    run = send_reminders(moment, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(run.summary() + " (chạy thử: không gửi)")
        for notice in run.notices:
            click.echo(
                f"  {notice.stage:14} {notice.due_date:%d/%m/%Y}  {notice.task_number} {notice.task_content[:70]}"
            )
        return
    db.session.commit()
    click.echo(run.summary())
    for name in run.agencies_without_address:
        click.echo(f"  chưa có địa chỉ email nhận thông báo: {name}")
    _deliver(moment)


def _deliver(moment=None) -> None:
    """Send what the job queued before the command exits (as of the job's moment when that is later)."""
    from tracker.core import clock
    from tracker.notifications.mail import drain_outbox

    now = clock.now()
    delivered = drain_outbox(max(now, moment) if moment else now)
    click.echo(f"Đã gửi {delivered['sent']} thư; {delivered['retry']} thư sẽ gửi lại; {delivered['failed']} thư lỗi.")


def register_commands(app) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(import_plan_command)
    app.cli.add_command(agencies_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(users_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(parse_deadline_command)
