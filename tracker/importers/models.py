"""An import waiting for a person's review: the parsed appendix, editable, not yet a plan. A large upload is parsed by
a process of its own first (status "parsing", with its progress), so the web worker never holds it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class ImportDraft(db.Model):
    """An uploaded appendix between upload and commit."""

    __tablename__ = "import_drafts"
    __table_args__ = (
        CheckConstraint("status IN ('parsing', 'failed', 'open', 'committed', 'discarded')", name="valid_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(String(255))
    #: The plan year the person gave (or the document's)
    year: Mapped[int | None] = mapped_column(Integer)
    #: tracker.importers.pipeline.to_draft(): the texts of every section and task
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="open")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    #: The uploaded file while its parse waits or runs (cleared once read)
    source: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: The parse's progress, 0–100, and what it is doing, for the page that waits on it
    progress: Mapped[int | None] = mapped_column(Integer)
    progress_note: Mapped[str | None] = mapped_column(String(200))
    #: The process parsing it, "host:pid", so a page can tell one that was killed
    worker: Mapped[str | None] = mapped_column(String(100))
    #: Why the parse failed, for the office
    error: Mapped[str | None] = mapped_column(Text)

    created_by = relationship("User")
