"""Agencies (units are renamed and merged: they are data with active dates) and groups of them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class AgencyKind(StrEnum):
    DEPARTMENT = "department"
    PROVINCIAL_BODY = "provincial_body"
    DISTRICT = "district"
    COMMUNE = "commune"
    OFFICE = "office"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    AgencyKind.DEPARTMENT: "Sở, ban, ngành",
    AgencyKind.PROVINCIAL_BODY: "Cơ quan, đơn vị khác cấp tỉnh",
    AgencyKind.DISTRICT: "UBND cấp huyện",
    AgencyKind.COMMUNE: "UBND cấp xã",
    AgencyKind.OFFICE: "Văn phòng, cơ quan tham mưu",
}


class Agency(db.Model):
    """A unit that can lead or coordinate a task."""

    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('department', 'provincial_body', 'district', 'commune', 'office')", name="valid_kind"
        ),
        CheckConstraint("active_to IS NULL OR active_to >= active_from", name="active_dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: Addresses that receive the agency's notices (reminders)
    notice_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The head's address, for escalations
    head_email: Mapped[str] = mapped_column(String(254), default="")
    active_from: Mapped[date] = mapped_column(Date)
    #: Last day the unit existed under this name; None while it still does
    active_to: Mapped[date | None] = mapped_column(Date)
    #: The unit that took over after a rename or merge
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))

    parent = relationship("Agency", remote_side=[id], foreign_keys=[parent_id])
    successor = relationship("Agency", remote_side=[id], foreign_keys=[successor_id])
    aliases = relationship(
        "AgencyAlias", back_populates="agency", cascade="all, delete-orphan", order_by="AgencyAlias.alias"
    )

    @property
    def kind_label(self) -> str:
        return AgencyKind(self.kind).label

    def is_active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class AgencyAlias(db.Model):
    """Another way documents write an agency's name ("Sở TT&TT", "VP UBND tỉnh")."""

    __tablename__ = "agency_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    #: The alias as the resolver compares it (see tracker.agencies.names.normalize_name)
    normalized: Mapped[str] = mapped_column(String(255), unique=True)

    agency = relationship("Agency", back_populates="aliases")


agency_group_members = Table(
    "agency_group_members",
    db.metadata,
    Column("group_id", ForeignKey("agency_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)


class AgencyGroup(db.Model):
    """A named set of agencies: built in by kind (ALL_DISTRICTS …) or listed by an administrator."""

    __tablename__ = "agency_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    #: For a built-in group, the agency kinds it holds; None for a group with listed members
    member_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    members = relationship("Agency", secondary=agency_group_members, order_by="Agency.name")


class SuccessionKind(StrEnum):
    RENAME = "rename"
    MERGER = "merger"
    SPLIT = "split"
    TRANSFER = "transfer"

    @property
    def label(self) -> str:
        return SUCCESSION_KIND_LABELS[self]


SUCCESSION_KIND_LABELS = {
    SuccessionKind.RENAME: "Đổi tên",
    SuccessionKind.MERGER: "Hợp nhất, sáp nhập",
    SuccessionKind.SPLIT: "Chia tách",
    SuccessionKind.TRANSFER: "Chuyển giao một số nhiệm vụ",
}

succession_agencies = Table(
    "succession_agencies",
    db.metadata,
    Column("succession_id", ForeignKey("agency_successions.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    #: "from" (a unit that ends) or "to" (a successor); the first successor listed is the default
    Column("side", String(4), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    CheckConstraint("side IN ('from', 'to')", name="valid_side"),
)


class Succession(db.Model):
    """A change of the directory on a date: units end and their open work passes to their successors."""

    __tablename__ = "agency_successions"
    __table_args__ = (
        CheckConstraint("kind IN ('rename', 'merger', 'split', 'transfer')", name="valid_kind"),
        CheckConstraint("users IN ('move', 'disable')", name="valid_users"),
        CheckConstraint("state IN ('applied', 'reverted')", name="valid_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: The first day the successors carry the work (the units that end were active until the day before)
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    #: What happens to the accounts of the units that end: moved to the (default) successor, or disabled
    users: Mapped[str] = mapped_column(String(10), default="move")
    state: Mapped[str] = mapped_column(String(10), default="applied")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What a revert restores beyond the item moves: the units' dates, agencies created, accounts, assignments
    undo: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    moves = relationship("ItemMove", back_populates="succession", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return SuccessionKind(self.kind).label


class ItemMove(db.Model):
    """One due item handed from a unit to its successor by a succession (or absorbed into the successor's own
    item of the same due date: two merged leads become one)."""

    __tablename__ = "item_moves"
    __table_args__ = (Index(None, "item_id", "moved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    succession_id: Mapped[int] = mapped_column(ForeignKey("agency_successions.id", ondelete="CASCADE"), index=True)
    #: The item (no foreign key: an absorbed item is gone, its columns kept in ``snapshot``)
    item_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    from_assignment_id: Mapped[int] = mapped_column(Integer)
    to_assignment_id: Mapped[int] = mapped_column(Integer)
    moved_on: Mapped[date] = mapped_column(Date)
    #: The item's version right after the move: a revert is refused once someone changed it
    version: Mapped[int] = mapped_column(Integer)
    #: The successor's item this one was merged into, with what the item was and whose rows followed it
    absorbed_into_id: Mapped[int | None] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    succession = relationship("Succession", back_populates="moves")
    from_agency = relationship("Agency", foreign_keys=[from_agency_id])
    to_agency = relationship("Agency", foreign_keys=[to_agency_id])
