"""The overview ("Tổng quan") and GET /api/v1/reports/summary over many items, beside a bare SQL aggregate of the
same counts run in the same process on the same data.

Run: .venv/bin/python benchmarks/overview.py [ITEMS] [AGENCIES] [REPEATS]   (default 100000 items, 300 agencies, 20)
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database); SQLite in a temporary folder otherwise.
Prints the median and the 95th percentile of each, and the queries each request makes. The page and the API keep
their figures until the data changes (tracker.core.versions): each is measured with the data unchanged (the figures
kept) and right after a change (computed again).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reminders import generate  # noqa: E402
from sqlalchemy import bindparam, event, text, update  # noqa: E402

from config import Config  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.core.clock import FixedClock  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2024, 9, 30)
#: The benchmark's own leader, in its own temporary database
PASSWORD = "mat-khau-thu-nghiem-1"  # noqa: S105
#: The same five classes as tracker.plans.status.status_class, written by hand
BARE = """
SELECT a.agency_id,
       CASE
         WHEN d.state = 'accepted' AND d.completed_on <= :as_of AND d.accepted_at < :day_end
              AND (d.due_date IS NULL OR d.completed_on <= d.due_date) THEN 'done_on_time'
         WHEN d.state = 'accepted' AND d.completed_on <= :as_of AND d.accepted_at < :day_end THEN 'done_late'
         WHEN d.due_date < :as_of THEN 'open_overdue'
         WHEN d.due_date IS NOT NULL OR d.kind = 'continuous' THEN 'open_on_time'
         ELSE 'no_due_date'
       END AS status,
       count(*)
FROM due_items d
JOIN assignments a ON a.id = d.assignment_id
JOIN tasks t ON t.id = a.task_id
JOIN plans p ON p.id = t.plan_id
WHERE p.status IN ('active', 'closed') AND a.role = 'lead'
GROUP BY 1, 2
"""


def complete_some(db) -> None:
    """Two in five items completed and accepted: most on time, one in four of them late."""
    from tracker.plans.models import DueItem

    rows = db.session.execute(text("SELECT id, due_date FROM due_items WHERE id % 5 IN (0, 1)")).all()
    changes = []
    for item_id, due in rows:
        due = due if isinstance(due, date) else date.fromisoformat(due)
        done = due + timedelta(days=4 if item_id % 4 == 0 else -1)
        changes.append(
            {
                "b_id": item_id,
                "state": "accepted",
                "completed_on": done,
                "accepted_at": datetime.combine(done, datetime.min.time(), tzinfo=VN) + timedelta(hours=15),
                "progress": 100,
            }
        )
    statement = update(DueItem).where(DueItem.id == bindparam("b_id"))
    for start in range(0, len(changes), 5000):
        db.session.connection().execute(statement, changes[start : start + 5000])
    db.session.commit()


def measure(label: str, call, repeats: int, engine) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    call()  # warm: the first request compiles the queries and fills the caches
    times = []
    for _ in range(repeats):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", count)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label:<42} median {statistics.median(times) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"{len(statements)} queries"
    )
    return statistics.median(times)


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    agencies = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app(Config, instance_path=folder, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
        app.config["SESSION_COOKIE_SECURE"] = False
        app.extensions["tracker.clock"] = FixedClock(datetime(2024, 9, 30, 9, 0, tzinfo=VN))
        with app.app_context():
            from flask_migrate import upgrade

            from tracker.accounts.operations import create_user
            from tracker.accounts.tokens import create_token
            from tracker.core.versions import bump
            from tracker.extensions import db
            from tracker.reports.summary import build_summary

            upgrade()
            started = time.perf_counter()
            generate(db, items, agencies)
            complete_some(db)
            with db.engine.connect() as connection:  # the statistics a live database keeps (autovacuum, ANALYZE)
                connection.execute(text("ANALYZE"))
                connection.commit()
            took = time.perf_counter() - started
            print(f"{db.engine.dialect.name}: {items:,} due items, {agencies} agencies ({took:.1f} s)")
            now = app.extensions["tracker.clock"].now()
            user = create_user(
                email="lanhdao@example.org",
                full_name="Lãnh đạo",
                role="leader",
                agency=None,
                password=PASSWORD,
                by=None,
                now=now,
            )
            _, secret = create_token(user, name="bench", days=30, by=None, now=now)
            db.session.commit()
            day_end = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), tzinfo=VN)

            def bare():
                with db.engine.connect() as connection:
                    return connection.execute(text(BARE), {"as_of": AS_OF, "day_end": day_end}).all()

            def summary():
                build_summary(AS_OF, app.config["TIMEZONE"])
                db.session.rollback()

            web = app.test_client()
            web.post("/login", data={"email": "lanhdao@example.org", "password": PASSWORD})
            api = app.test_client()
            headers = {"Authorization": f"Bearer {secret}"}

            def page():
                response = web.get("/reports/overview?as_of=30/09/2024")
                assert response.status_code == 200, response.status_code

            def endpoint():
                response = api.get("/api/v1/reports/summary?as_of=2024-09-30", headers=headers)
                assert response.status_code == 200, response.status_code

            def changed(call):
                """The request right after a change: the kept figures are computed again."""

                def after_a_change():
                    bump()
                    db.session.commit()
                    call()

                return after_a_change

            try:
                base = measure("bare SQL aggregate (classes per agency)", bare, repeats, db.engine)
                for label, call in (
                    ("build_summary (all the figures)", summary),
                    ("GET /reports/overview, data unchanged", page),
                    ("GET /reports/overview, after a change", changed(page)),
                    ("GET /api/v1/reports/summary, unchanged", endpoint),
                    ("GET /api/v1/reports/summary, after a change", changed(endpoint)),
                ):
                    median = measure(label, call, repeats, db.engine)
                    print(f"{'':<42} {median / base:.1f}× the bare aggregate")
            finally:
                if os.environ.get("TRACKER_BENCH_DATABASE_URL"):  # the database empty again, as it was given
                    from flask_migrate import downgrade

                    db.session.rollback()
                    db.session.remove()
                    downgrade(revision="base")


if __name__ == "__main__":
    main()
