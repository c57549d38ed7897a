"""The reminders job over many due items, beside a bare SQL scan of the same due and overdue items with their
agencies, in the same process on the same data: time, the ratio, queries, and the job's peak memory.

Run: .venv/bin/python benchmarks/reminders.py [--items 10000|100000|1000000] [--agencies 300] [--repeats 5]
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database: the benchmark empties it again);
SQLite in a temporary folder otherwise. The data is generated in this process, which also empties the claims,
outbox and ledger before each measurement; each measurement runs in a fresh child process (its peak memory is the
job's own), warmed as the scheduler's process is (holiday tables loaded, mail templates compiled). Prints medians.
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
    # the statistics a database in use has (PostgreSQL's autovacuum gathers them within a minute of a bulk load;
    # without them its planner takes the fresh tables for empty and nests loops over 100,000 rows)
    from sqlalchemy import text

    db.session.execute(text("ANALYZE"))
    db.session.commit()


#: The bare scan: the items the job looks at (dated, open or returned, due by the last due-soon day) with their
#: agency and task, written by hand and read row by row
BARE = """
SELECT d.id, d.due_date, a.role, a.agency_id, g.name, g.notice_emails, t.number, t.content, p.title
FROM due_items d JOIN assignments a ON d.assignment_id = a.id JOIN tasks t ON a.task_id = t.id
JOIN plans p ON t.plan_id = p.id JOIN agencies g ON a.agency_id = g.id
WHERE p.status = 'active' AND d.kind = 'dated' AND d.state IN ('open', 'returned') AND d.due_date <= :last
"""
MOMENT = datetime(2024, 6, 3, 7, 30, tzinfo=VN)  # a Monday


def _app(url: str, folder: str):
    app = create_app(Config, instance_path=folder, SQLALCHEMY_DATABASE_URI=url)
    app.extensions["tracker.clock"] = FixedClock(MOMENT)
    return app


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: not ru_maxrss, which keeps the high-water mark of the parent a
    child was forked from)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def resident_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(db, call) -> tuple[float, int, object]:
    """``call()`` then a commit: the seconds it took, the statements it sent, and what it returned."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        value = call()
        db.session.commit()
        return time.perf_counter() - started, len(statements), value
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def arguments(doc: str):
    """The benchmarks' command line: --items, --agencies, --repeats (and --measure, for the child process)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--measure", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    return parser.parse_args()


def run_children(script: str, url: str, folder: str, repeats: int, db, before=None) -> dict:
    """Measure ``repeats`` times, each in a fresh ``script --measure`` process after ``before()`` and ``reset``;
    a PostgreSQL database is emptied again afterwards. Returns the medians of what the children printed."""
    import json
    import statistics
    import subprocess

    from flask_migrate import downgrade

    runs = []
    try:
        for _ in range(repeats):
            if before is not None:
                before()
            reset(db)
            child = subprocess.run(  # noqa: S603 - this script, with our own arguments
                [sys.executable, script, "--measure", url, folder], check=False, capture_output=True, text=True
            )
            if child.returncode:
                sys.exit(f"the measuring process failed:\n{child.stderr[-3000:]}")
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    finally:
        if os.environ.get("TRACKER_BENCH_DATABASE_URL"):
            reset(db)
            downgrade(revision="base")
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure(url: str, folder: str) -> dict:
    """In a fresh process: the first and second runs (peak memory around them), then the bare scan."""
    from sqlalchemy import text

    app = _app(url, folder)
    with app.app_context():
        from tracker.extensions import db
        from tracker.notifications.reminders import send_reminders

        # warm, as the scheduler's long-lived process is: the holiday tables loaded, the mail templates compiled
        send_reminders(MOMENT - timedelta(days=2), dry_run=True)  # a Saturday: nothing to find
        for name in ("agency", "escalation"):
            for suffix in ("txt", "html"):
                app.jinja_env.get_template(f"emails/reminders/{name}.{suffix}")
        db.session.rollback()
        db.session.execute(text("SELECT 1"))  # connected before the measure
        result: dict = {"start_mb": resident_mb()}
        for label in ("first", "second"):
            result[label], result[f"{label}_queries"], run = timed(db, lambda: send_reminders(MOMENT))
            result[f"{label}_notices"], result[f"{label}_emails"] = run.count, run.emails
        result["peak_mb"] = _peak_mb()
        last = MOMENT.date() + timedelta(days=14)
        started = time.perf_counter()
        rows = 0
        for _row in db.session.execute(text(BARE), {"last": last}):
            rows += 1
        result["bare"] = time.perf_counter() - started
        result["bare_rows"] = rows
    return result


def reset(db) -> None:
    """Empty what a run leaves (claims, outbox, ledger), in this process: the child measures the job alone."""
    from sqlalchemy import delete, text

    from tracker.notifications.models import NoticeLedger, OutboxMessage, ReminderStage

    for model in (ReminderStage, OutboxMessage, NoticeLedger):
        db.session.execute(delete(model))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":  # the write-ahead log folded into the database, as a quiet server's is
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.remove()
    db.engine.dispose()  # no connection of ours open while the child measures


def main() -> None:
    import json

    args = arguments(__doc__)
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import upgrade

            from tracker.extensions import db

            upgrade()
            started = time.perf_counter()
            generate(db, args.items, args.agencies)
            print(
                f"{db.engine.dialect.name}: generated {args.items:,} due items for {args.agencies} agencies "
                f"in {time.perf_counter() - started:.1f} s"
            )
            med = run_children(__file__, url, folder, args.repeats, db)
        print(f"bare scan: {med['bare'] * 1000:,.0f} ms ({med['bare_rows']:,.0f} rows)")
        for label in ("first", "second"):
            print(
                f"{label} run: {med[label]:.2f} s = {med[label] / med['bare']:.1f}x the bare scan, "
                f"{med[label + '_notices']:,.0f} notices in {med[label + '_emails']:,.0f} emails, "
                f"{med[label + '_queries']:,.0f} queries"
            )
        print(
            f"peak memory of the process: {med['peak_mb']:.0f} MB, of which {med['peak_mb'] - med['start_mb']:.0f} MB "
            f"over its {med['start_mb']:.0f} MB before the job (medians of {args.repeats})"
        )


if __name__ == "__main__":
    main()
