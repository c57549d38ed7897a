"""A reorganisation over many due items: a third of the agencies (100 of 300) merged into one more, then the
merger reverted, with the time and the statements each takes (the statements must not grow with the items).

Run: .venv/bin/python benchmarks/successions.py [--items 10000|100000] [--agencies 300] [--repeats 3]
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database: the benchmark empties it again);
SQLite in a temporary folder otherwise. The data is the reminders benchmark's (items spread over the agencies at
random, so the merged units often share a task with the successor and their items of one due date merge). Each
repeat applies and reverts on the same data. Prints medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.reminders import VN, _app, arguments, generate, reset, timed  # noqa: E402

#: The units that end (ids 1 to MERGED); their successor is the next one
MERGED = 100


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import downgrade, upgrade
            from sqlalchemy import func, select

            from tracker.agencies.models import Agency, Succession
            from tracker.agencies.successions import SuccessionSpec, apply_succession, revert_succession
            from tracker.extensions import db
            from tracker.plans.models import Assignment, DueItem

            upgrade()
            started = time.perf_counter()
            generate(db, args.items, args.agencies)
            print(
                f"{db.engine.dialect.name}: generated {args.items:,} due items for {args.agencies} agencies "
                f"in {time.perf_counter() - started:.1f} s"
            )
            now = datetime(2024, 6, 3, 8, 0, tzinfo=VN)
            sources = list(db.session.scalars(select(Agency).where(Agency.id <= MERGED).order_by(Agency.id)))
            target = db.session.get(Agency, MERGED + 1)
            theirs = db.session.scalar(
                select(func.count())
                .select_from(DueItem)
                .join(Assignment)
                .where(Assignment.agency_id.in_([a.id for a in sources]))
            )
            runs = []
            try:
                for _ in range(args.repeats):
                    spec = SuccessionSpec("merger", date(2024, 7, 1), sources, [target])
                    applied, applied_queries, result = timed(db, lambda s=spec: apply_succession(s, by=None, now=now))
                    succession = db.session.get(Succession, result.succession.id)
                    reverted, reverted_queries, _ = timed(
                        db, lambda s=succession: revert_succession(s, by=None, now=now)
                    )
                    runs.append((applied, applied_queries, reverted, reverted_queries, result.moved, result.merged))
                    sources = list(db.session.scalars(select(Agency).where(Agency.id <= MERGED).order_by(Agency.id)))
                    target = db.session.get(Agency, MERGED + 1)
            finally:
                if os.environ.get("TRACKER_BENCH_DATABASE_URL"):
                    reset(db)
                    downgrade(revision="base")

    def median(index: int) -> float:
        return statistics.median(run[index] for run in runs)

    print(f"{MERGED} units with {theirs:,} items merged into one more: {median(4):,.0f} moved, {median(5):,.0f} merged")
    print(
        f"apply: {median(0):.2f} s, {median(1):,.0f} statements; revert: {median(2):.2f} s, {median(3):,.0f} statements"
    )
    print(f"(medians of {args.repeats})")


if __name__ == "__main__":
    main()
