"""The monthly list of late units and the leaders' digest over many due items, beside a bare SQL aggregate of the
same counts (the classes per agency) in the same process on the same data: time, the ratio, queries, peak memory.

Run: .venv/bin/python benchmarks/reports.py [--items 10000|100000|1000000] [--agencies 300] [--repeats 5]
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database: the benchmark empties it again);
SQLite in a temporary folder otherwise. Generated as benchmarks/reminders.py does (items due over 2024); the jobs run
as of 03/06/2024 (the list of May, with its .xlsx and .docx; the digest to three leaders), each measurement in a
fresh child process, warmed (templates compiled). Prints medians.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reminders import MOMENT, _app, _peak_mb, arguments, generate, resident_mb, run_children, timed  # noqa: E402
from sqlalchemy import text  # noqa: E402

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
        from tracker.extensions import db
        from tracker.reports.digest import send_leader_digest
        from tracker.reports.jobs import send_monthly_late_report

        for name in ("reports/monthly", "reports/digest"):
            for suffix in ("txt", "html"):
                app.jinja_env.get_template(f"emails/{name}.{suffix}")
        db.session.execute(text("SELECT 1"))
        result: dict = {"start_mb": resident_mb()}
        for label, job in (
            ("monthly", lambda: send_monthly_late_report(MOMENT).queued),
            ("digest", lambda: send_leader_digest(MOMENT)[1]),
        ):
            result[label], result[f"{label}_queries"], mails = timed(db, job)
            result[f"{label}_mails"] = int(mails)
        result["peak_mb"] = _peak_mb()
        started = time.perf_counter()
        rows = db.session.execute(text(BARE), {"as_of": date(2024, 5, 31)}).all()
        result["bare"] = time.perf_counter() - started
        result["bare_rows"] = len(rows)
    return result


def main() -> None:
    args = arguments(__doc__)
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import upgrade

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
            # the digest's "since last time" starts afresh before each measure
            med = run_children(
                __file__, url, folder, args.repeats, db, before=lambda: db.session.query(Setting).delete()
            )
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
