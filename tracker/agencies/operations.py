"""Changes to the agency directory."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from tracker.agencies.models import Agency, AgencyAlias, AgencyGroup, AgencyKind
from tracker.agencies.names import normalize_name
from tracker.core.models import record_audit
from tracker.extensions import db

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AgencyError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _snapshot(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent_id": agency.parent_id,
        "notice_emails": list(agency.notice_emails or []),
        "head_email": agency.head_email,
        "active_from": agency.active_from.isoformat() if agency.active_from else None,
        "active_to": agency.active_to.isoformat() if agency.active_to else None,
        "successor_id": agency.successor_id,
        "aliases": sorted(a.alias for a in agency.aliases),
    }


def save_agency(
    agency: Agency | None,
    *,
    code: str,
    name: str,
    short_name: str,
    kind: str,
    parent_id: int | None,
    notice_emails: list[str],
    head_email: str,
    active_from: date,
    active_to: date | None,
    successor_id: int | None,
    aliases: list[str],
    by,
    now: datetime,
) -> Agency:
    """Create (``agency`` None) or update an agency with its aliases, checking every field first."""
    errors: dict[str, list[str]] = {}
    code = code.strip().upper()
    clash = db.session.scalar(select(Agency).where(Agency.code == code))
    if clash is not None and clash is not agency:
        errors["code"] = ["Mã đơn vị đã tồn tại."]
    if kind not in {k.value for k in AgencyKind}:
        errors["kind"] = ["Loại đơn vị không hợp lệ."]
    bad = [email for email in [*notice_emails, head_email] if email and not _EMAIL.match(email)]
    if bad:
        errors["notice_emails"] = [f"Địa chỉ email không hợp lệ: {', '.join(bad)}"]
    if active_to is not None and active_to < active_from:
        errors["active_to"] = ["Ngày kết thúc phải sau ngày bắt đầu hoạt động."]
    if agency is not None and agency.id in (parent_id, successor_id):
        errors["parent_id"] = ["Một đơn vị không thể là cấp trên hoặc đơn vị kế thừa của chính nó."]
    names = {normalize_name(n): n for n in [name, short_name, *aliases] if normalize_name(n)}
    owners = dict(
        db.session.execute(
            select(AgencyAlias.normalized, AgencyAlias.agency_id).where(AgencyAlias.normalized.in_(names))
        ).all()
    )
    taken = [names[norm] for norm, owner in owners.items() if agency is None or owner != agency.id]
    if taken:
        errors["aliases"] = [f"Tên đã dùng cho đơn vị khác: {', '.join(taken)}"]
    if errors:
        raise AgencyError(errors)

    before = _snapshot(agency) if agency is not None else None
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.code = code
    agency.name = name.strip()
    agency.short_name = short_name.strip()
    agency.kind = kind
    agency.parent_id = parent_id
    agency.notice_emails = [e.strip() for e in notice_emails if e.strip()]
    agency.head_email = head_email.strip()
    agency.active_from = active_from
    agency.active_to = active_to
    agency.successor_id = successor_id
    current = {a.normalized: a for a in agency.aliases}
    for norm in list(current):
        if norm not in names:
            agency.aliases.remove(current[norm])
    db.session.flush()  # deletions first, so a re-added spelling does not clash
    for norm, alias in names.items():
        if norm not in current:
            agency.aliases.append(AgencyAlias(alias=alias.strip(), normalized=norm))
    record_audit(agency, "agency_saved", by=by, now=now, before=before, after=_snapshot(agency))
    return agency


def save_group(
    group: AgencyGroup | None, *, code: str, name: str, description: str, member_ids: list[int], by, now: datetime
) -> AgencyGroup:
    code = code.strip().upper()
    clash = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == code))
    if clash is not None and clash is not group:
        raise AgencyError({"code": ["Mã nhóm đã tồn tại."]})
    if group is not None and group.is_builtin:
        raise AgencyError({"code": ["Nhóm có sẵn của hệ thống không sửa được."]})
    if group is None:
        group = AgencyGroup(is_builtin=False, member_kinds=None)
        db.session.add(group)
    before = {"members": sorted(a.id for a in group.members)} if group.id else None
    group.code = code
    group.name = name.strip()
    group.description = description.strip()
    group.members = list(db.session.scalars(select(Agency).where(Agency.id.in_(member_ids))))
    record_audit(group, "group_saved", by=by, now=now, before=before, after={"members": sorted(member_ids)})
    return group
