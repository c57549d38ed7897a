"""Agencies (units are renamed and merged: they are data with active dates) and groups of them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
