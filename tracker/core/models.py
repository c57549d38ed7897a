"""The audit trail: who changed what, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class DataVersion(db.Model):
    """A counter bumped by every transaction that changes the tracked data (tracker.core.versions)."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditEvent(db.Model):
    """One change to one object."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "object_type", "object_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: None for changes the scheduler or a command makes
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = db.relationship("User", lazy="joined")


def record_audit(
    obj: Any,
    action: str,
    *,
    by: Any | None,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for ``obj`` (flushed with the caller's unit of work)."""
    # Views pass flask-login's current_user, a proxy: record the user itself
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    if getattr(obj, "id", None) is None:
        db.session.flush()  # the object needs its id
    event = AuditEvent(
        at=now,
        actor_id=getattr(by, "id", None),
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        action=action,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
