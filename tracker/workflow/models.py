"""What the completion workflow records beside an item: evidence, files, extension requests, comments, notices."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class EvidenceDocument(db.Model):
    """A document the agency cites as evidence ("Công văn số 123/SNV-CCHC ngày 05/3/2024"), number and date read."""

    __tablename__ = "evidence_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    due_item_id: Mapped[int] = mapped_column(ForeignKey("due_items.id", ondelete="CASCADE"), index=True)
    #: As the agency typed it
    text: Mapped[str] = mapped_column(Text)
    #: "123/SNV-CCHC", read from the text ("" when it names none)
    doc_number: Mapped[str] = mapped_column(String(80), default="")
    doc_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ItemFile(db.Model):
    """A file attached to an item, stored under the instance folder with a generated name."""

    __tablename__ = "item_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    due_item_id: Mapped[int] = mapped_column(ForeignKey("due_items.id", ondelete="CASCADE"), index=True)
    #: The name the user's file had (shown, never used as a path)
    original_name: Mapped[str] = mapped_column(String(255))
    #: The generated name under instance/files/
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    #: Read from the content, not from the name
    content_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    uploaded_by = relationship("User")


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


EXTENSION_STATE_LABELS = {"pending": "Chờ quyết định", "approved": "Đã đồng ý", "refused": "Không đồng ý"}


class ExtensionRequest(db.Model):
    """An agency's request for a new due date; the monitoring office approves or refuses it."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'approved', 'refused')", name="valid_state"),
        # One pending request per item
        Index(
            "uq_extension_requests_one_pending",
            "due_item_id",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(None, "state", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    due_item_id: Mapped[int] = mapped_column(ForeignKey("due_items.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=ExtensionState.PENDING.value)
    #: The due date in force when the request was made, and the one asked for
    current_due_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    item = relationship("DueItem")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return EXTENSION_STATE_LABELS[self.state]


class CommentKind(StrEnum):
    #: Between the office and the agencies of the task
    COMMENT = "comment"
    #: A coordinating agency's note of what it contributed
    CONTRIBUTION = "contribution"


class Comment(db.Model):
    """A comment on a task, or a coordinator's contribution note."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("kind IN ('comment', 'contribution')", name="valid_kind"),
        Index(None, "task_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default=CommentKind.COMMENT.value)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The author's agency when the author writes for one (None for the office)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    author = relationship("User")
    agency = relationship("Agency")


class UserNotice(db.Model):
    """An in-app notice to an agency (a report returned, an extension decided, a comment from the office)."""

    __tablename__ = "user_notices"
    __table_args__ = (Index(None, "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: "returned", "extension_approved", "extension_refused", "comment"
    kind: Mapped[str] = mapped_column(String(30))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    due_item_id: Mapped[int | None] = mapped_column(ForeignKey("due_items.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
