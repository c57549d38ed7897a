"""Demo data: the agency directory, one user per role, and the seed plans the project carries."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from flask import current_app
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
#: The seed plans end in 2021–2024: so that a newcomer also sees a province at work this year (items falling due,
#: overdue for days rather than years, a monthly on-time rate), the demo carries one plan for the current year,
#: 004's tasks, agencies and indicators with its deadlines read for that year, under a title that says it is an
#: illustration and without a number (the plan page flags it, as it flags any plan without one)
ILLUSTRATION = "004_4bf868cb18751383.txt"
ILLUSTRATION_NOTE = " (dữ liệu minh họa)"
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


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
    illustration = import_illustrative_plan(now=now)
    if illustration is not None:
        imported.append(illustration)
    if imported:
        from tracker.demo_history import record_demo_history, record_demo_indicators

        db.session.flush()
        record_demo_history(imported, now=now)
        if illustration is not None:
            record_demo_indicators(illustration, now=now)
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


def demo_year(today: date) -> int:
    """The year the illustrative plan runs in: this one (last year's in the first month, so that some is due)."""
    return (today - timedelta(days=30)).year


def import_illustrative_plan(*, now: datetime) -> Plan | None:
    """004's appendix with its deadlines read for the demo's year (see ILLUSTRATION), unless it is already in."""
    from tracker.agencies.resolver import AliasIndex
    from tracker.deadlines.parser import parse_deadline
    from tracker.importers.operations import save_parsed_plan
    from tracker.importers.pipeline import build_plan
    from tracker.importers.readers import read_bytes

    year = demo_year(now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date())
    source = f"minh-hoa-{year}-{ILLUSTRATION}"
    if db.session.scalar(select(func.count()).where(Plan.source_filename == source)):
        return None
    data = resources.files("tracker.plans").joinpath("demo", ILLUSTRATION).read_bytes()
    parsed = build_plan(read_bytes(data, ILLUSTRATION), AliasIndex.from_database())
    shift = year - parsed.plan["year"]

    def shifted(text: str) -> str:
        return YEAR.sub(lambda m: str(int(m.group(1)) + shift), text or "")

    period = (date(year, 1, 1), date(year, 12, 31))
    for section in parsed.sections:
        section.deadline_text = shifted(section.deadline_text)
    for task in parsed.tasks:
        task.deadline_text = shifted(task.deadline_text)
        task.schedule = parse_deadline(task.deadline_text, year, period)
    overrides = {
        "status": "active",
        "doc_number": "",
        "issued_on": None,
        "title": shifted(parsed.plan["title"]) + ILLUSTRATION_NOTE,
        "year": year,
        "period_start": period[0],
        "period_end": period[1],
        "source_filename": source,
    }
    return save_parsed_plan(parsed, by=None, now=now, overrides=overrides)
