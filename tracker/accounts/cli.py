"""`tracker users` and `tracker tokens`: accounts and API tokens from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select


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


COMMANDS = [users_group, tokens_group]
