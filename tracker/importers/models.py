"""An import waiting for a person's review: the parsed appendix, editable, not yet a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class ImportDraft(db.Model):
    """An uploaded appendix between upload and commit."""

    __tablename__ = "import_drafts"
    __table_args__ = (CheckConstraint("status IN ('open', 'committed', 'discarded')", name="valid_status"),)

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

    created_by = relationship("User")
