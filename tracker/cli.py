"""The ``tracker`` command: Flask's CLI bound to the app factory, with the project's commands."""

from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup, with_appcontext

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


def register_commands(app) -> None:
    """Each domain's commands, from its own cli.py."""
    from tracker.accounts.cli import COMMANDS as accounts
    from tracker.agencies.cli import COMMANDS as agencies
    from tracker.deadlines.cli import COMMANDS as deadlines
    from tracker.importers.cli import COMMANDS as importers
    from tracker.scheduler.cli import COMMANDS as scheduler

    for command in (*scheduler, *importers, *agencies, *accounts, *deadlines, seed_demo_command):
        app.cli.add_command(command)
    from tracker.core.backup import register

    register(app)  # `tracker db backup` and `tracker db restore`
