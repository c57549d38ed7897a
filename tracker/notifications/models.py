"""The outbox every message passes through, and the markers that make each notice go out exactly once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class OutboxMessage(db.Model):
    """An email: queued in the transaction that decided to send it, delivered after that transaction commits."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="valid_status"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: "reminders", "escalation", "monthly-late-report", "leader-digest"
    kind: Mapped[str] = mapped_column(String(40))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default=text("'queued'"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NoticeLedger(db.Model):
    """One notice of a kind to a recipient for a period: claimed before queuing, so it is never sent twice."""

    __tablename__ = "notice_ledger"
    __table_args__ = (UniqueConstraint("kind", "recipient", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(300))
    #: The period or run the notice covers ("2024-04", "2024-03-01")
    period: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))


class ReminderStage(db.Model):
    """A reminder stage reached by one item for one due date ("due_soon_7", "overdue_0", "escalation" …).

    The due date is part of the key: an approved extension gives the item the stages of its new date.
    """

    __tablename__ = "reminder_stages"

    due_item_id: Mapped[int] = mapped_column(ForeignKey("due_items.id", ondelete="CASCADE"), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    stage: Mapped[str] = mapped_column(String(30), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The run that claimed it: a run tells exactly the stages it recorded, never a concurrent run's
    run_id: Mapped[str | None] = mapped_column(String(16), index=True)
