"""Password hashing (argon2id), login throttling, session lifetimes and role checks."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, session
from flask_login import current_user, logout_user
from sqlalchemy import delete, func, select, update

from tracker.accounts.models import LoginAttempt, LoginSession, Role
from tracker.extensions import db

F = TypeVar("F", bound=Callable)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


#: A hash to verify against when the account does not exist, so that timing does not tell
_DUMMY_HASHES: dict[tuple, str] = {}


def verify_dummy(password: str) -> None:
    config = current_app.config
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"])
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hash_password("not-a-password")
    verify_password(_DUMMY_HASHES[key], password)


# --- throttling ---------------------------------------------------------------------------------


def _failures(email: str, address: str, *, now: datetime) -> dict[str, int]:
    """Failed attempts within the window, for the account and for the address."""
    since = now - current_app.config["LOGIN_WINDOW"]
    return dict(
        db.session.execute(
            select(LoginAttempt.scope, func.count())
            .where(
                LoginAttempt.at >= since,
                LoginAttempt.succeeded.is_(False),
                ((LoginAttempt.scope == "account") & (LoginAttempt.key == email))
                | ((LoginAttempt.scope == "address") & (LoginAttempt.key == address)),
            )
            .group_by(LoginAttempt.scope)
        ).all()
    )


def begin_attempt(email: str, address: str, *, now: datetime) -> tuple[list[LoginAttempt], bool]:
    """Record a password attempt as a failure before the password is checked (committed), then count, this attempt
    included: (its rows, whether it is refused). Counting after recording is what holds under parallel guesses:
    the sixth to be recorded sees six, whatever the others are doing, so at most five are ever checked."""
    config = current_app.config
    rows = [
        LoginAttempt(scope="account", key=email, at=now, succeeded=False),
        LoginAttempt(scope="address", key=address, at=now, succeeded=False),
    ]
    db.session.add_all(rows)
    # Keep the table small: attempts older than the window no longer count
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 2 * config["LOGIN_WINDOW"]))
    db.session.commit()
    counts = _failures(email, address, now=now)
    refused = (
        counts.get("account", 0) > config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or counts.get("address", 0) > config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )
    return rows, refused


def attempt_succeeded(rows: list[LoginAttempt], email: str) -> None:
    """The password was right: the attempt was no failure, and the account's count starts again (not the
    address's: one address may guess many accounts)."""
    for row in rows:
        row.succeeded = True
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.scope == "account", LoginAttempt.key == email, LoginAttempt.succeeded.is_(False)
        )
    )


def token_guesses_throttled(address: str, *, now: datetime) -> bool:
    """Too many wrong API tokens from this address within the window (the same limit as a login's address)."""
    config = current_app.config
    count = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.scope == "token",
            LoginAttempt.key == address,
            LoginAttempt.at >= now - config["LOGIN_WINDOW"],
            LoginAttempt.succeeded.is_(False),
        )
    )
    return (count or 0) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def record_token_guess(address: str, *, now: datetime) -> None:
    db.session.add(LoginAttempt(scope="token", key=address, at=now, succeeded=False))
    db.session.commit()


# --- session lifetimes --------------------------------------------------------------------------


def start_session(user, *, now: datetime) -> None:
    """Open a login for ``user`` (after ``login_user``): a row the session cookie names, ended by the logout."""
    config = current_app.config
    db.session.execute(delete(LoginSession).where(LoginSession.started_at < now - config["SESSION_ABSOLUTE_TIMEOUT"]))
    sid = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=sid, user_id=user.id, started_at=now))
    db.session.commit()
    session["sid"] = sid
    session["login_at"] = now.timestamp()
    session["seen_at"] = now.timestamp()
    session.permanent = True


def end_session(*, now: datetime) -> None:
    """End this login on the server (then in the cookie): a copy of the cookie opens nothing any more."""
    sid = session.get("sid")
    if sid:
        db.session.execute(
            update(LoginSession).where(LoginSession.id == sid, LoginSession.ended_at.is_(None)).values(ended_at=now)
        )
        db.session.commit()
    logout_user()
    session.clear()


def check_session_lifetime(*, now: datetime) -> bool:
    """End the login if it has been idle or alive too long; True if it was ended."""
    if not current_user.is_authenticated:
        return False
    config = current_app.config
    stamp = now.timestamp()
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    if (
        stamp - login_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        or stamp - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds()
    ):
        end_session(now=now)
        return True
    session["seen_at"] = stamp
    return False


# --- role checks --------------------------------------------------------------------------------


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only logged-in users with one of ``roles`` through; others get 403 (or the login page)."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view that anyone may open (the login page)."""
    view.allowed_roles = "public"  # type: ignore[attr-defined]
    return view
