"""Plans, their appendices' sections and tasks, who is assigned, and the tracked due items."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


def plan_reference(doc_kind: str, doc_number: str) -> str:
    """ "Quyết định số 3532/QĐ-UBND" from the kind and number of a document."""
    return f"{doc_kind} số {doc_number}" if doc_number else doc_kind


def is_extended(due_date: date | None, original_due_date: date | None) -> bool:
    """Whether an approved extension moved the due date."""
    return original_due_date is not None and due_date != original_due_date


PLAN_STATUS_LABELS = {"draft": "Dự thảo", "active": "Đang thực hiện", "closed": "Đã kết thúc"}


class Plan(db.Model):
    """A plan issued by a decision or under its own number, with its appendix of tasks."""

    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("status IN ('draft', 'active', 'closed')", name="valid_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "Quyết định", "Kế hoạch"
    doc_kind: Mapped[str] = mapped_column(String(40))
    #: As printed: "3532/QĐ-UBND"; drafts carry "#sovb" or nothing
    doc_number: Mapped[str] = mapped_column(String(80), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(255), default="")
    signer: Mapped[str] = mapped_column(String(255), default="")
    #: The plan period: a year (2024) or a span (2021–2025)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.DRAFT)
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sections = relationship("Section", back_populates="plan", cascade="all, delete-orphan")
    tasks = relationship("Task", back_populates="plan", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return PLAN_STATUS_LABELS[self.status]

    @property
    def reference(self) -> str:
        """ "Quyết định số 3532/QĐ-UBND" as documents cite it."""
        return plan_reference(self.doc_kind, self.doc_number)

    @property
    def period_label(self) -> str:
        if not self.period_start or not self.period_end:
            return ""
        if self.period_start.year == self.period_end.year:
            return f"Năm {self.period_start.year}"
        return f"{self.period_start.year}–{self.period_end.year}"


class Section(db.Model):
    """A heading of the appendix: A / I / 1 … with no lead of its own."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    #: As printed: "A", "II", "3"
    number: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(Text)
    #: Deadline text printed on the heading, inherited by tasks without one
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    plan = relationship("Plan", back_populates="sections")


class Task(db.Model):
    """A task that a plan's appendix assigns."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    #: The number as printed in the appendix: "2.1", "-", "" …
    number: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    deliverable: Mapped[str] = mapped_column(Text, default="")
    #: The lead and coordinator cells as printed
    lead_text: Mapped[str] = mapped_column(Text, default="")
    coordinators_text: Mapped[str] = mapped_column(Text, default="")
    #: The deadline cell as printed; the parsed schedule lives beside it
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    #: date, recurring, continuous, relative, external, unknown
    schedule_kind: Mapped[str] = mapped_column(String(12), default="unknown")
    #: The parsed schedule: {"kind", "due_dates": [...], "relative": {...} | None, "needs_review"}
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Number and content folded for search (tracker.core.search), kept by the ORM on every insert and update
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        Index(
            "ix_tasks_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    plan = relationship("Plan", back_populates="tasks")
    section = relationship("Section")
    parent = relationship("Task", remote_side=[id])
    assignments = relationship("Assignment", back_populates="task", cascade="all, delete-orphan")

    @property
    def schedule_kind_label(self) -> str:
        return SCHEDULE_KIND_LABELS.get(self.schedule_kind, self.schedule_kind)


SCHEDULE_KIND_LABELS = {
    "date": "Một thời hạn",
    "recurring": "Định kỳ",
    "continuous": "Thường xuyên (không có hạn)",
    "relative": "Tính từ một sự kiện",
    "external": "Theo văn bản khác",
    "unknown": "Chưa xác định",
}


class AssignmentRole(StrEnum):
    LEAD = "lead"
    COORDINATOR = "coordinator"


class Assignment(db.Model):
    """One agency's part in a task: lead (chủ trì) or coordinator (phối hợp)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "agency_id", "role"),
        CheckConstraint("role IN ('lead', 'coordinator')", name="valid_role"),
        Index(None, "agency_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(12))
    #: The group the assignment came from ("ALL_DISTRICTS"), if any
    via_group: Mapped[str] = mapped_column(String(40), default="")

    task = relationship("Task", back_populates="assignments")
    agency = relationship("Agency")
    items = relationship("DueItem", back_populates="assignment", cascade="all, delete-orphan")


class DueKind(StrEnum):
    DATED = "dated"
    #: "Thường xuyên": never overdue
    CONTINUOUS = "continuous"
    #: Relative, external or unreadable deadline: waits for a date to be entered
    PENDING = "pending"


class ItemState(StrEnum):
    """Where an item stands in the completion workflow (the status class is computed from it and the dates)."""

    OPEN = "open"
    #: The agency reported completion; the monitoring office has not decided yet ("Chờ xác nhận")
    REPORTED = "reported"
    #: The office returned the report: open again
    RETURNED = "returned"
    #: The office accepted: completed on ``completed_on``
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return ITEM_STATE_LABELS[self.value]


ITEM_STATE_LABELS = {
    "open": "Đang thực hiện",
    "reported": "Chờ xác nhận",
    "returned": "Bị trả lại",
    "accepted": "Đã xác nhận hoàn thành",
}


class LateReason(StrEnum):
    """The four late-reason categories of seed 000."""

    THAO_TAC = "thao_tac"
    THAM_MUU = "tham_muu"
    PHOI_HOP = "phoi_hop"
    KHAC = "khac"

    @property
    def label(self) -> str:
        return LATE_REASON_LABELS[self.value]


LATE_REASON_LABELS = {
    "thao_tac": "Thao tác (chuyên viên xử lý chậm)",
    "tham_muu": "Tham mưu (xây dựng, tham mưu văn bản chậm)",
    "phoi_hop": "Phối hợp (cơ quan phối hợp trả lời chậm)",
    "khac": "Lý do khác",
}


class DueItem(db.Model):
    """The tracked unit: one assignment for one due date (one per period of a recurring task)."""

    __tablename__ = "due_items"
    __table_args__ = (
        CheckConstraint("kind IN ('dated', 'continuous', 'pending')", name="valid_kind"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("kind <> 'dated' OR due_date IS NOT NULL", name="dated_has_due_date"),
        CheckConstraint("state IN ('open', 'reported', 'returned', 'accepted')", name="valid_state"),
        CheckConstraint(
            "late_reason IS NULL OR late_reason IN ('thao_tac', 'tham_muu', 'phoi_hop', 'khac')",
            name="valid_late_reason",
        ),
        CheckConstraint(
            "state <> 'accepted' OR (completed_on IS NOT NULL AND accepted_at IS NOT NULL)", name="accepted_is_complete"
        ),
        UniqueConstraint("assignment_id", "original_due_date"),
        Index(None, "due_date"),
        Index(None, "state", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: "Quý I/2024", "Tháng 3/2024" for a period of a recurring task
    period_label: Mapped[str] = mapped_column(String(60), default="")
    #: The due date in force (moved by an approved extension)
    due_date: Mapped[date | None] = mapped_column(Date)
    #: The due date the plan set
    original_due_date: Mapped[date | None] = mapped_column(Date)
    #: The day the agency reports the work was done
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: Completion counts once the monitoring office accepts it
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: open, reported ("Chờ xác nhận"), returned, accepted
    state: Mapped[str] = mapped_column(String(10), default=ItemState.OPEN.value, server_default=text("'open'"))
    #: Bumped by every change: a form or an API call made on an older version is refused
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    #: What the agency reports it produced
    result: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: For a completion after the due date in force: one category of seed 000, the coordinator at fault, a text
    late_reason: Mapped[str | None] = mapped_column(String(10))
    late_reason_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    late_reason_text: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    #: The office's comment when it returned the report last
    review_comment: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    #: The staff member of the agency the head gave the item to
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    assignment = relationship("Assignment", back_populates="items")
    late_reason_agency = relationship("Agency", foreign_keys=[late_reason_agency_id])
    assignee = relationship("User", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self) -> str:
        return ITEM_STATE_LABELS[self.state]

    @property
    def is_extended(self) -> bool:
        return is_extended(self.due_date, self.original_due_date)


class Indicator(db.Model):
    """A target (chỉ tiêu) the plan sets, with a central value."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(40), default="")
    target_text: Mapped[str] = mapped_column(Text, default="")
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    lead_text: Mapped[str] = mapped_column(Text, default="")
    coordinators_text: Mapped[str] = mapped_column(Text, default="")

    targets = relationship("IndicatorTarget", back_populates="indicator", cascade="all, delete-orphan")


class IndicatorTarget(db.Model):
    """One agency's target for an indicator and the value it reports."""

    __tablename__ = "indicator_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    previous_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    #: The latest result reported (the value of the latest period with one), and that period's key
    actual_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    actual_period: Mapped[str] = mapped_column(String(7), default="", server_default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    indicator = relationship("Indicator", back_populates="targets")
    agency = relationship("Agency")
    values = relationship(
        "IndicatorValue", back_populates="target", cascade="all, delete-orphan", order_by="IndicatorValue.period"
    )


class IndicatorValue(db.Model):
    """The result an agency reports for one period of an indicator (cumulative from the start of the year):
    "2024-Q2" for a quarter of a one-year plan, "2023" for a year of a plan over several."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("target_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("indicator_targets.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    target = relationship("IndicatorTarget", back_populates="values")


@event.listens_for(Task, "before_insert")
@event.listens_for(Task, "before_update")
def _fold_for_search(mapper, connection, task: Task) -> None:
    from tracker.core.search import fold

    task.search_text = fold(f"{task.number or ''} {task.content or ''}")
