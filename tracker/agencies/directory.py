"""Load an agency directory (the data file shipped for Quảng Nam 2023–2024) into the database."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select

from tracker.agencies.models import Agency, AgencyAlias, AgencyGroup
from tracker.agencies.names import normalize_name
from tracker.extensions import db

DIRECTORY = "quangnam_2024.json"


def read_directory(name: str = DIRECTORY) -> dict[str, Any]:
    return json.loads(resources.files("tracker.agencies").joinpath("data", name).read_text("utf-8"))


def load_directory(data: dict[str, Any], *, demo_emails: bool = False) -> int:
    """Insert the agencies, aliases and built-in groups not yet present; return how many agencies were added.

    With ``demo_emails`` each agency gets its own notice and head address under example.org.
    """
    existing = {code for (code,) in db.session.execute(select(Agency.code))}
    taken = {norm for (norm,) in db.session.execute(select(AgencyAlias.normalized))}
    active_from = date.fromisoformat(data.get("active_from", "2020-01-01"))
    added = 0
    for row in data["agencies"]:
        if row["code"] in existing:
            continue
        slug = row["code"].lower().replace("_", "-")
        agency = Agency(
            code=row["code"],
            name=row["name"],
            short_name=row.get("short_name", ""),
            kind=row["kind"],
            active_from=date.fromisoformat(row["active_from"]) if row.get("active_from") else active_from,
            notice_emails=[f"{slug}@example.org"] if demo_emails else row.get("notice_emails", []),
            head_email=f"lanhdao.{slug}@example.org" if demo_emails else row.get("head_email", ""),
        )
        for alias in [row["name"], row.get("short_name", ""), *row.get("aliases", [])]:
            norm = normalize_name(alias)
            if norm and norm not in taken:
                taken.add(norm)
                agency.aliases.append(AgencyAlias(alias=alias, normalized=norm))
        db.session.add(agency)
        added += 1
    groups = {code for (code,) in db.session.execute(select(AgencyGroup.code))}
    for row in data.get("groups", []):
        if row["code"] not in groups:
            db.session.add(
                AgencyGroup(code=row["code"], name=row["name"], member_kinds=row["member_kinds"], is_builtin=True)
            )
    db.session.flush()
    return added
