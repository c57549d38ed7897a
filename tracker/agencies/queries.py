"""Reads of the agency directory."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, or_, select

from tracker.agencies.models import Agency, AgencyGroup, agency_group_members
from tracker.core.dates import format_number
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


def group_labels(day: date) -> dict[str, str]:
    """Each group's name with its size on ``day`` ("Các sở, ban, ngành (20 đơn vị)"), in three queries."""
    groups = list(db.session.scalars(select(AgencyGroup)))
    # a Result has keys(): dict() would read it as a mapping
    kinds = select(Agency.kind, func.count()).where(active_on(day)).group_by(Agency.kind)
    by_kind = {kind: n for kind, n in db.session.execute(kinds)}
    by_list = {
        group_id: n
        for group_id, n in db.session.execute(
            select(agency_group_members.c.group_id, func.count())
            .join(Agency, Agency.id == agency_group_members.c.agency_id)
            .where(active_on(day))
            .group_by(agency_group_members.c.group_id)
        )
    }
    labels = {}
    for group in groups:
        size = (
            sum(by_kind.get(kind, 0) for kind in group.member_kinds)
            if group.member_kinds is not None
            else by_list.get(group.id, 0)
        )
        labels[group.code] = f"{group.name} ({format_number(size)} đơn vị)"  # the name keeps its commas
    return labels
