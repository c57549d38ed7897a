"""Personal access tokens for the JSON API: shown once, stored as a SHA-256 hash, revocable, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker.accounts.models import ApiToken, User
from tracker.core.models import record_audit
from tracker.extensions import db

PREFIX = "trk_"
MAX_DAYS = 366


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, name: str, days: int, by: User | None, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"Thời hạn của khoá phải từ 1 đến {MAX_DAYS} ngày.")
    name = (name or "").strip()[:100]
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:12],
        token_hash=_digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    record_audit(user, "api_token_created", by=by, now=now, after={"name": name, "days": days, "prefix": token.prefix})
    return token, secret


def user_for_token(secret: str, *, now: datetime) -> User | None:
    """The enabled user a valid (known, unexpired, unrevoked) token acts for."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = token.user
    if user is None or not user.is_enabled:
        return None
    # Written at most once an hour: a busy client does not turn every read into a write
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
        db.session.commit()
    return user


def revoke_token(token: ApiToken, *, by: User, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        record_audit(token.user, "api_token_revoked", by=by, now=now, after={"prefix": token.prefix})


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
