"""Claims that make a notice go out once: INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

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


#: Rows per INSERT of a batch of claims (four parameters each, well under SQLite's limit)
BATCH = 1000


def claim_notices(keys: list[tuple[str, str, str]], now: datetime) -> set[tuple[str, str, str]]:
    """``claim_notice`` for many (kind, recipient, period) at once, a statement per thousand: the keys this call
    recorded (each to be sent), not those already recorded."""
    claimed: set[tuple[str, str, str]] = set()
    for start in range(0, len(keys), BATCH):
        statement = (
            dialect_insert(NoticeLedger)
            .values(
                [
                    {"kind": kind, "recipient": recipient, "period": period, "created_at": now}
                    for kind, recipient, period in keys[start : start + BATCH]
                ]
            )
            .on_conflict_do_nothing(index_elements=["kind", "recipient", "period"])
            .returning(NoticeLedger.kind, NoticeLedger.recipient, NoticeLedger.period)
        )
        claimed.update(tuple(row) for row in db.session.execute(statement))
    return claimed
