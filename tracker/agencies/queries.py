"""Reads of the agency directory."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select

from tracker.agencies.models import Agency, AgencyGroup, agency_group_members
from tracker.extensions import db


def active_on(day: date):
    """SQL condition: the agency exists on ``day``."""
    return (Agency.active_from <= day) & or_(Agency.active_to.is_(None), Agency.active_to >= day)


def group_members_query(group: AgencyGroup, day: date) -> Select:
    """The agencies a group stands for on ``day`` (a built-in group by kind, another by its list)."""
    query = select(Agency).where(active_on(day)).order_by(Agency.kind, Agency.name)
    if group.member_kinds is not None:
        return query.where(Agency.kind.in_(group.member_kinds))
    return query.join(agency_group_members, agency_group_members.c.agency_id == Agency.id).where(
        agency_group_members.c.group_id == group.id
    )


def resolve_group(code: str, day: date) -> list[Agency]:
    group = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == code))
    if group is None:
        raise LookupError(code)
    return list(db.session.scalars(group_members_query(group, day)))
