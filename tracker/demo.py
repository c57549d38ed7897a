"""Demo data: the agency directory, one user per role, and the seed plans the project carries."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from sqlalchemy import func, select

from tracker.accounts.models import Role, User
from tracker.accounts.operations import create_user, generate_password
from tracker.agencies.directory import load_directory, read_directory
from tracker.agencies.models import Agency
from tracker.extensions import db
from tracker.plans.models import Plan

DEMO_USERS = [
    ("admin@example.org", "Quản trị hệ thống", Role.ADMIN, None),
    ("vanphong@example.org", "Chuyên viên Văn phòng UBND tỉnh", Role.MONITOR, None),
    ("lanhdao@example.org", "Phó Chủ tịch UBND tỉnh", Role.LEADER, None),
    ("giamdoc.snv@example.org", "Giám đốc Sở Nội vụ", Role.AGENCY_HEAD, "SNV"),
    ("chuyenvien.snv@example.org", "Chuyên viên Sở Nội vụ", Role.AGENCY_STAFF, "SNV"),
    ("chuyenvien.syt@example.org", "Chuyên viên Sở Y tế", Role.AGENCY_STAFF, "SYT"),
]
#: The seed plans, carried as the province published them, loaded through the importer
DEMO_APPENDICES = ["002_691fbd729f25c83e.txt", "003_parindex_sipas_2023.txt", "004_4bf868cb18751383.txt"]
#: What the documents do not say of themselves (the 003 appendix was published without its plan's signature page)
DEMO_DETAILS = {"003_parindex_sipas_2023.txt": {"signer": "Lê Trí Thanh"}}


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
    imported = [plan for plan in (import_demo_appendix(name, now=now) for name in DEMO_APPENDICES) if plan]
    if imported:
        from tracker.demo_history import record_demo_history

        db.session.flush()
        record_demo_history(imported, now=now)
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
    return save_parsed_plan(parsed, by=None, now=now, overrides={"status": "active", **DEMO_DETAILS.get(name, {})})
