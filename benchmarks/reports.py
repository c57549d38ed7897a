"""The monthly list of late units and the leaders' digest over many due items, beside a bare SQL aggregate of the
same counts (the classes per agency) in the same process on the same data: time, the ratio, queries, peak memory.

Run: .venv/bin/python benchmarks/reports.py [--items 10000|100000|1000000] [--agencies 300] [--repeats 5]
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database: the benchmark empties it again);
SQLite in a temporary folder otherwise. Generated as benchmarks/reminders.py does (items due over 2024); the jobs run
as of 03/06/2024 (the list of May, with its .xlsx and .docx; the digest to three leaders), each measurement in a
fresh child process, warmed (templates compiled). Prints medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reminders import MOMENT, _app, _peak_mb, generate, reset  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

#: The classes per agency of the lead items due by the end of May, written by hand
BARE = """
SELECT a.agency_id,
       CASE
         WHEN d.state = 'accepted' AND d.completed_on <= :as_of THEN 'done'
         WHEN d.due_date < :as_of THEN 'open_overdue'
         ELSE 'open_on_time'
       END AS klass,
       count(*)
FROM due_items d JOIN assignments a ON d.assignment_id = a.id JOIN tasks t ON a.task_id = t.id
JOIN plans p ON t.plan_id = p.id
WHERE p.status IN ('active', 'closed') AND a.role = 'lead' AND d.kind = 'dated' AND d.due_date <= :as_of
GROUP BY a.agency_id, klass
"""


def measure(url: str, folder: str) -> dict:
    from datetime import date

    app = _app(url, folder)
    app.config.update(CHAIRMAN_OFFICE_EMAILS="vp@example.org")
    with app.app_context():
        from tracker.accounts.models import User
        from tracker.extensions import db
        from tracker.reports.digest import send_leader_digest
        from tracker.reports.jobs import send_monthly_late_report

        for name in ("reports/monthly", "reports/digest"):
            for suffix in ("txt", "html"):
                app.jinja_env.get_template(f"emails/{name}.{suffix}")
        db.session.execute(text("SELECT 1"))
        with open("/proc/self/statm") as statm:
            result: dict = {"start_mb": int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20}
        for label, job in (
            ("monthly", lambda: send_monthly_late_report(MOMENT).queued),
            ("digest", lambda: send_leader_digest(MOMENT)[1]),
        ):
            statements: list[str] = []

            def count(conn, cursor, statement, *args, _seen=statements):
                _seen.append(statement)

            event.listen(db.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            result[f"{label}_mails"] = int(job())
            db.session.commit()
            result[label] = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", count)
            result[f"{label}_queries"] = len(statements)
        result["peak_mb"] = _peak_mb()
        started = time.perf_counter()
        rows = db.session.execute(text(BARE), {"as_of": date(2024, 5, 31)}).all()
        result["bare"] = time.perf_counter() - started
        result["bare_rows"] = len(rows)
        assert db.session.query(User).count() >= 3
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--measure", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import downgrade, upgrade

            from tracker.accounts.operations import create_user
            from tracker.extensions import db
            from tracker.reports.models import Setting

            upgrade()
            started = time.perf_counter()
            generate(db, args.items, args.agencies)
            for n in range(3):
                create_user(
                    email=f"lanhdao{n}@example.org",
                    full_name=f"Lãnh đạo {n}",
                    role="leader",
                    agency=None,
                    password="mat-khau-thu-nghiem-1",  # noqa: S106 - a leader of the benchmark's own database
                    by=None,
                    now=MOMENT,
                )
            db.session.commit()
            print(
                f"{db.engine.dialect.name}: generated {args.items:,} due items for {args.agencies} agencies "
                f"in {time.perf_counter() - started:.1f} s"
            )
            try:
                runs = []
                for _ in range(args.repeats):
                    db.session.query(Setting).delete()
                    reset(db)
                    child = subprocess.run(  # noqa: S603 - this script, with our own arguments
                        [sys.executable, __file__, "--measure", url, folder],
                        check=False,
                        capture_output=True,
                        text=True,
                    )
                    if child.returncode:
                        sys.exit(f"the measuring process failed:\n{child.stderr[-3000:]}")
                    runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            finally:
                if os.environ.get("TRACKER_BENCH_DATABASE_URL"):
                    reset(db)
                    downgrade(revision="base")
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"bare aggregate (classes per agency): {med['bare'] * 1000:,.0f} ms ({med['bare_rows']:,.0f} rows)")
        for label, what in (("monthly", "monthly list with its .xlsx and .docx"), ("digest", "leaders' digest")):
            print(
                f"{what}: {med[label]:.2f} s = {med[label] / med['bare']:.1f}x the bare aggregate, "
                f"{med[label + '_mails']:.0f} mails, {med[label + '_queries']:.0f} queries"
            )
        print(
            f"peak memory of the process: {med['peak_mb']:.0f} MB, of which {med['peak_mb'] - med['start_mb']:.0f} MB "
            f"over its {med['start_mb']:.0f} MB before the jobs (medians of {args.repeats})"
        )


if __name__ == "__main__":
    main()
