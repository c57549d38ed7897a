"""The reminders job over many due items: time and number of queries (it must not grow with the items).

Run: .venv/bin/python benchmarks/reminders.py [ITEMS] [AGENCIES]   (default 100000 items, 300 agencies)
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database); SQLite in a temporary folder otherwise.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert  # noqa: E402

from config import Config  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.core.clock import FixedClock  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def generate(db, items: int, agencies: int, seed: int = 7) -> None:
    """Synthetic data: ``agencies`` units, one active plan of 2024, ``items`` dated lead items spread over the year."""
    from tracker.agencies.models import Agency
    from tracker.plans.models import Assignment, DueItem, Plan, Task

    rng = random.Random(seed)
    now = datetime(2024, 1, 2, tzinfo=VN)
    kinds = ["department"] * 30 + ["district"] * 30 + ["commune"] * (agencies - 60)
    db.session.execute(
        insert(Agency),
        [
            {
                "id": i + 1,
                "code": f"A{i:04d}",
                "name": f"Đơn vị thử nghiệm {i:04d}",
                "short_name": "",
                "kind": kinds[i],
                "notice_emails": [f"a{i:04d}@example.org"],
                "head_email": f"lanhdao.a{i:04d}@example.org",
                "active_from": date(2020, 1, 1),
            }
            for i in range(agencies)
        ],
    )
    db.session.execute(
        insert(Plan),
        [
            {
                "id": 1,
                "doc_kind": "Kế hoạch",
                "doc_number": "1/KH-UBND",
                "title": "Thử",
                "issuer": "",
                "signer": "",
                "status": "active",
                "source_filename": "",
                "period_start": date(2024, 1, 1),
                "period_end": date(2024, 12, 31),
                "created_at": now,
            }
        ],
    )
    tasks = max(1, items // 50)
    db.session.execute(
        insert(Task),
        [
            {
                "id": t + 1,
                "plan_id": 1,
                "number": str(t + 1),
                "position": t + 1,
                "content": f"Nhiệm vụ thử nghiệm {t + 1}",
                "deliverable": "",
                "lead_text": "",
                "coordinators_text": "",
                "deadline_text": "",
                "schedule_kind": "date",
                "schedule": {},
            }
            for t in range(tasks)
        ],
    )
    assignments, due_items = [], []
    for n in range(items):
        task, agency = n % tasks + 1, rng.randrange(agencies) + 1
        assignments.append({"id": n + 1, "task_id": task, "agency_id": agency, "role": "lead", "via_group": ""})
        due = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
        due_items.append(
            {
                "id": n + 1,
                "assignment_id": n + 1,
                "kind": "dated",
                "period_label": "",
                "due_date": due,
                "original_due_date": due,
                "progress": 0,
                "progress_note": "",
            }
        )
    # (task, agency) repeats are allowed here: the unique key is (task, agency, role); keep the first of each
    seen, kept = set(), []
    for row in assignments:
        key = (row["task_id"], row["agency_id"])
        row["agency_id"] = row["agency_id"] if key not in seen else (row["agency_id"] % agencies) + 1
        while (row["task_id"], row["agency_id"]) in seen:
            row["agency_id"] = row["agency_id"] % agencies + 1
        seen.add((row["task_id"], row["agency_id"]))
        kept.append(row)
    for start in range(0, items, 5000):
        db.session.execute(insert(Assignment), kept[start : start + 5000])
        db.session.execute(insert(DueItem), due_items[start : start + 5000])
    db.session.commit()


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    agencies = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app(Config, instance_path=folder, SQLALCHEMY_DATABASE_URI=url)
        moment = datetime(2024, 6, 3, 7, 30, tzinfo=VN)  # a Monday
        app.extensions["tracker.clock"] = FixedClock(moment)
        with app.app_context():
            from flask_migrate import upgrade

            from tracker.extensions import db
            from tracker.notifications.reminders import send_reminders

            upgrade()
            started = time.perf_counter()
            generate(db, items, agencies)
            print(f"generated {items:,} due items for {agencies} agencies in {time.perf_counter() - started:.1f} s")
            for label in ("first run", "second run"):
                statements: list[str] = []

                def count(conn, cursor, statement, *args, _seen=statements):
                    _seen.append(statement)

                event.listen(db.engine, "before_cursor_execute", count)
                started = time.perf_counter()
                run = send_reminders(moment)
                db.session.commit()
                elapsed = time.perf_counter() - started
                event.remove(db.engine, "before_cursor_execute", count)
                print(
                    f"{label}: {len(run.notices):,} notices, {run.emails} emails queued, {elapsed:.2f} s, "
                    f"{len(statements)} queries"
                )


if __name__ == "__main__":
    main()
