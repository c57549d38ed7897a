"""Demo data: the agency directory, one user per role, and the seed plans the project carries."""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib import resources

from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.accounts.operations import create_user, generate_password
from tracker.agencies.directory import load_directory, read_directory
from tracker.agencies.models import Agency
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.plans.operations import TaskSpec, create_plan

DEMO_USERS = [
    ("admin@example.org", "Quản trị hệ thống", Role.ADMIN, None),
    ("vanphong@example.org", "Chuyên viên Văn phòng UBND tỉnh", Role.MONITOR, None),
    ("lanhdao@example.org", "Phó Chủ tịch UBND tỉnh", Role.LEADER, None),
    ("giamdoc.snv@example.org", "Giám đốc Sở Nội vụ", Role.AGENCY_HEAD, "SNV"),
    ("chuyenvien.snv@example.org", "Chuyên viên Sở Nội vụ", Role.AGENCY_STAFF, "SNV"),
    ("chuyenvien.syt@example.org", "Chuyên viên Sở Y tế", Role.AGENCY_STAFF, "SYT"),
]
DEMO_PLANS = ["002_cchc_2021_2025.json"]
#: Appendices carried as the province published them, loaded through the importer
DEMO_APPENDICES = ["003_parindex_sipas_2023.txt"]


def load_demo_plan(name: str, *, now: datetime) -> Plan | None:
    """Load one of the carried demo plans unless a plan from the same source file exists."""
    data = json.loads(resources.files("tracker.plans").joinpath("demo", name).read_text("utf-8"))
    fields = dict(data["plan"])
    if db.session.scalar(select(func.count()).where(Plan.source_filename == fields["source_filename"])):
        return None
    for key in ("issued_on", "period_start", "period_end"):
        fields[key] = date.fromisoformat(fields[key]) if fields.get(key) else None
    tasks = [
        TaskSpec(
            content=t["content"],
            number=t.get("number", ""),
            section_key=t.get("section"),
            deliverable=t.get("deliverable", ""),
            lead_text=t.get("lead_text", ""),
            coordinators_text=t.get("coordinators_text", ""),
            deadline_text=t.get("deadline_text", ""),
            schedule=t["schedule"],
            lead_codes=t.get("lead", []),
            coordinator_codes=t.get("coordinators", []),
        )
        for t in data["tasks"]
    ]
    return create_plan(fields, data.get("sections", []), tasks, by=None, now=now)


def seed_demo(*, now: datetime) -> list[tuple[str, str, str]]:
    """Load the demo data; return the (email, role label, password) of each user created now."""
    load_directory(read_directory(), demo_emails=True)
    created = []
    for email, name, role, agency_code in DEMO_USERS:
        if db.session.scalar(select(func.count()).where(User.email == email)):
            continue
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
        password = generate_password()
        create_user(email=email, full_name=name, role=role.value, agency=agency, password=password, by=None, now=now)
        created.append((email, role.label, password))
    for name in DEMO_PLANS:
        load_demo_plan(name, now=now)
    for name in DEMO_APPENDICES:
        import_demo_appendix(name, now=now)
    return created


def import_demo_appendix(name: str, *, now: datetime) -> Plan | None:
    """Import one of the carried appendices, as the monitoring office would, unless it is already in."""
    from tracker.agencies.resolver import AliasIndex
    from tracker.importers.operations import save_parsed_plan
    from tracker.importers.pipeline import build_plan
    from tracker.importers.readers import read_bytes

    if db.session.scalar(select(func.count()).where(Plan.source_filename == name)):
        return None
    data = resources.files("tracker.plans").joinpath("demo", name).read_bytes()
    parsed = build_plan(read_bytes(data, name), AliasIndex.from_database())
    return save_parsed_plan(parsed, by=None, now=now, overrides={"status": "active", "signer": "Lê Trí Thanh"})
