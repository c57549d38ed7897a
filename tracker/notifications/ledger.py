"""Claims that make a notice go out once: INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.notifications.models import NoticeLedger


def dialect_insert(model):
    """``INSERT`` with the dialect's ``on_conflict_do_nothing``."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def claim_notice(kind: str, recipient: str, period: str, now: datetime) -> bool:
    """True if this call recorded the notice (so it must be sent); False if it was already recorded."""
    statement = (
        dialect_insert(NoticeLedger)
        .values(kind=kind, recipient=recipient, period=period, created_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "recipient", "period"])
        .returning(NoticeLedger.id)
    )
    return db.session.execute(statement).first() is not None


def record_notices(keys: list[tuple[str, str, str]], now: datetime) -> None:
    """Record notices whose keys no one else can hold (their period names the run that sends them), in one
    executemany: nothing to resolve, nothing returned."""
    if keys:
        db.session.execute(
            insert(NoticeLedger),
            [
                {"kind": kind, "recipient": recipient, "period": period, "created_at": now}
                for kind, recipient, period in keys
            ],
        )
