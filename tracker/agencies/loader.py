"""Load agencies from a CSV file (the communes of a district, a reorganisation): all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select

from tracker.agencies.models import Agency, AgencyKind
from tracker.agencies.operations import AgencyError, save_agency
from tracker.extensions import db

COLUMNS = ["code", "name", "short_name", "kind", "parent_code", "notice_emails", "head_email", "active_from", "aliases"]


class LoadError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _rows(data: bytes, required: tuple[str, ...], columns: list[str]) -> list[dict[str, str]]:
    """The CSV's rows as dicts (LoadError if it is not UTF-8, empty, or lacks a required column)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(["Tệp không phải UTF-8: hãy lưu lại với bảng mã UTF-8."]) from error
    rows = list(csv.DictReader(io.StringIO(text)))
    missing = [c for c in required if not rows or c not in rows[0]]
    if missing:
        raise LoadError([f"Thiếu cột: {', '.join(missing)} (các cột: {', '.join(columns)})."])
    return rows


def _save_row(existing: dict[str, Agency], row, line: int, errors: list[str], *, parent, **fields) -> Agency | None:
    """Create or update the row's agency (its code, name, addresses and aliases from the row, the rest given);
    None and the reasons in ``errors`` if it cannot be."""
    code = (row.get("code") or "").strip().upper()
    try:
        agency = save_agency(
            existing.get(code),
            code=code,
            name=(row.get("name") or "").strip(),
            parent_id=parent.id if parent else None,
            notice_emails=[e.strip() for e in (row.get("notice_emails") or "").split(";") if e.strip()],
            successor_id=None,
            aliases=[a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()],
            **fields,
        )
    except AgencyError as error:
        errors.extend(f"Dòng {line}: {' '.join(m)}" for m in error.errors.values())
        return None
    db.session.flush()
    existing[agency.code] = agency
    return agency


def load_agencies_csv(data: bytes, *, by, now: datetime) -> int:
    """Create or update the agencies of a CSV (UTF-8; columns as COLUMNS; lists separated by ";").

    Every row is checked; one bad row and nothing is written (the caller rolls back on LoadError).
    """
    rows = _rows(data, ("code", "name", "kind"), COLUMNS)
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    errors: list[str] = []
    done = 0
    for line, row in enumerate(rows, start=2):
        kind = (row.get("kind") or "").strip()
        parent_code = (row.get("parent_code") or "").strip().upper()
        if kind not in {k.value for k in AgencyKind}:
            errors.append(f"Dòng {line}: loại đơn vị “{kind}” không hợp lệ.")
            continue
        parent = existing.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            errors.append(f"Dòng {line}: không có đơn vị cấp trên mã {parent_code}.")
            continue
        try:
            active_from = date.fromisoformat(row["active_from"].strip()) if row.get("active_from") else now.date()
        except ValueError:
            errors.append(f"Dòng {line}: ngày bắt đầu hoạt động phải theo dạng YYYY-MM-DD.")
            continue
        agency = _save_row(
            existing,
            row,
            line,
            errors,
            short_name=(row.get("short_name") or "").strip(),
            kind=kind,
            parent=parent,
            head_email=(row.get("head_email") or "").strip(),
            active_from=active_from,
            active_to=None,
            by=by,
            now=now,
        )
        if agency is not None:
            done += 1
    if errors:
        raise LoadError(errors)
    return done


COMMUNE_COLUMNS = [
    "code",
    "name",
    "district_code",
    "active_from",
    "active_to",
    "successor_code",
    "aliases",
    "notice_emails",
]


def load_communes_csv(data: bytes, *, by, now: datetime) -> int:
    """Create or update a province's communes, wards and towns from a CSV (UTF-8; columns as COMMUNE_COLUMNS; lists
    separated by ";"): each under its district (empty once districts end), with the days it was active and the
    ward that took it over (listed in the same file or already known). All rows or none (LoadError)."""
    rows = _rows(data, ("code", "name", "active_from"), COMMUNE_COLUMNS)
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    errors: list[str] = []
    successors: list[tuple[int, Agency, str]] = []
    done = 0
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip().upper()
        district_code = (row.get("district_code") or "").strip().upper()
        district = existing.get(district_code) if district_code else None
        if district_code and district is None:
            errors.append(f"Dòng {line}: không có huyện, thị xã, thành phố mã {district_code}.")
            continue
        try:
            active_from = date.fromisoformat((row.get("active_from") or "").strip())
            active_to = date.fromisoformat(row["active_to"].strip()) if (row.get("active_to") or "").strip() else None
        except ValueError:
            errors.append(f"Dòng {line}: ngày phải theo dạng YYYY-MM-DD (active_from bắt buộc).")
            continue
        agency = _save_row(
            existing,
            row,
            line,
            errors,
            short_name="",
            kind=AgencyKind.COMMUNE.value,
            parent=district,
            head_email=existing[code].head_email if code in existing else "",
            active_from=active_from,
            active_to=active_to,
            by=by,
            now=now,
        )
        if agency is None:
            continue
        successor = (row.get("successor_code") or "").strip().upper()
        if successor:
            successors.append((line, agency, successor))
        done += 1
    for line, agency, successor in successors:
        if successor not in existing or successor == agency.code:
            errors.append(f"Dòng {line}: không có đơn vị kế thừa mã {successor}.")
        elif agency.active_to is None:
            errors.append(f"Dòng {line}: có đơn vị kế thừa thì cần ngày kết thúc (active_to).")
        else:
            agency.successor_id = existing[successor].id
    if errors:
        raise LoadError(errors)
    return done
