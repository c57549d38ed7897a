"""Users, their roles, and the login attempts that throttle guessing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    MONITOR = "monitor"
    LEADER = "leader"
    AGENCY_HEAD = "agency_head"
    AGENCY_STAFF = "agency_staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.MONITOR: "Theo dõi, đôn đốc (Văn phòng UBND tỉnh)",
    Role.LEADER: "Lãnh đạo UBND tỉnh",
    Role.AGENCY_HEAD: "Lãnh đạo đơn vị",
    Role.AGENCY_STAFF: "Chuyên viên đơn vị",
}
#: Roles that act for one agency and see only its items
AGENCY_ROLES = frozenset({Role.AGENCY_HEAD, Role.AGENCY_STAFF})
#: Roles that see every agency
ALL_AGENCY_ROLES = frozenset({Role.ADMIN, Role.MONITOR, Role.LEADER})
ALL_ROLES = frozenset(Role)


class User(UserMixin, db.Model):
    """A person who logs in with an email address and a password."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'monitor', 'leader', 'agency_head', 'agency_staff')", name="valid_role"),
        CheckConstraint(
            "role NOT IN ('agency_head', 'agency_staff') OR agency_id IS NOT NULL", name="agency_role_has_agency"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The login, stored in lower case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: Bumped to end every session of the user (log out everywhere, new password, disabled)
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agency = relationship("Agency", lazy="joined")

    @property
    def is_active(self) -> bool:  # flask-login: a disabled account cannot log in
        return self.is_enabled

    def get_id(self) -> str:
        # The session carries the version: bumping it makes every older session unreadable
        return f"{self.id}:{self.session_version}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_agency_user(self) -> bool:
        return self.role in AGENCY_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class LoginAttempt(db.Model):
    """A login attempt, kept so that throttling holds across worker processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "account" (the email tried), "address" (the client's IP address) or "token" (an API token tried from it)
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginSession(db.Model):
    """One login, so that logging out ends it on the server: a session cookie copied before the logout no longer
    opens anything. Rows past the absolute lifetime are removed at the next login."""

    __tablename__ = "login_sessions"

    #: The random id the session cookie carries
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(db.Model):
    """A personal access token for the JSON API: stored as a SHA-256 hash, revocable, expiring."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    #: The first characters of the token, to tell tokens apart on the account page
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
