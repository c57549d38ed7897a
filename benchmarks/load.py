"""A province at the end of the month, on loopback: 50 agency clerks report progress and completion on their items,
two office users accept reports from the review queue and two leaders read the overview, all at once, while the
reminders job (twice at once) and the monthly job run. Then the database is checked: every write the server
accepted is there, no mail went out twice, no answer was a 5xx and no user saw "database is locked".

Run: .venv/bin/python benchmarks/load.py [--items 20000] [--rounds 3]
Set TRACKER_BENCH_DATABASE_URL to an empty PostgreSQL database for PostgreSQL (the benchmark empties it again);
SQLite in a temporary folder otherwise. Bounded: each clerk works on `--rounds` items, three requests each.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import PASSWORD, SECRET, _request, gunicorn, login  # noqa: E402
from reminders import MOMENT, _app, generate  # noqa: E402

CLERKS = 50
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
REVIEWED = re.compile(r'name="item" value="(\d+)"')


class Recorder:
    """Every answer: its kind, time and status; what the server accepted, to be found in the database after."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[int, int] = defaultdict(int)
        self.locked = 0
        self.progress: dict[int, int] = {}  # item → the last progress the server accepted
        self.reported: set[int] = set()
        self.accepted: set[int] = set()

    def request(self, kind: str, port: int, path: str, cookie: str, body: dict | None = None):
        started = time.perf_counter()
        data = urlencode(body) if body is not None else ""
        status, _, page = _request(port, path, cookie, "POST" if body is not None else "GET", data)
        with self.lock:
            self.times[kind].append(time.perf_counter() - started)
            self.statuses[status] += 1
            if b"database is locked" in page:
                self.locked += 1
        return status, page.decode("utf-8", "replace")


def _form(page: str) -> dict[str, str]:
    token, version = TOKEN.search(page), VERSION.search(page)
    return {"csrf_token": token.group(1) if token else "", "version": version.group(1) if version else ""}


def clerk(recorder: Recorder, port: int, cookie: str, items: list[int]) -> None:
    for item in items:
        recorder.request("clerk: list", port, "/items", cookie)
        for progress in (40, 80):
            _, page = recorder.request("clerk: item", port, f"/items/{item}", cookie)
            status, _ = recorder.request(
                "clerk: progress", port, f"/items/{item}/progress", cookie, {**_form(page), "progress": progress}
            )
            if status == 302:
                with recorder.lock:
                    recorder.progress[item] = progress
        _, page = recorder.request("clerk: item", port, f"/items/{item}", cookie)
        body = {
            **_form(page),
            "completed_on": "01/12/2026",
            "result": "Đã hoàn thành, có văn bản kèm theo.",
            "late_reason": "thao_tac",
            "late_reason_text": "Chuyên viên xử lý chậm do nhiều việc cuối năm.",
        }
        status, _ = recorder.request("clerk: completion", port, f"/items/{item}/completion", cookie, body)
        if status == 302:
            with recorder.lock:
                recorder.reported.add(item)


def office(recorder: Recorder, port: int, cookie: str, stop: threading.Event) -> None:
    while not stop.is_set():
        _, page = recorder.request("office: review queue", port, "/review", cookie)
        ids = REVIEWED.findall(page)[:10]
        if not ids:
            time.sleep(0.2)
            continue
        body = [("csrf_token", _form(page)["csrf_token"]), *(("item", i) for i in ids)]
        started = time.perf_counter()
        status, _, _answer = _request(port, "/review/accept", cookie, "POST", urlencode(body))
        with recorder.lock:
            recorder.times["office: accept"].append(time.perf_counter() - started)
            recorder.statuses[status] += 1
        if status == 302:
            # accepted by this user, or by the other one a moment before (the page then says so): either way each
            # of these reports must end accepted — only the office moves a report on, and only to accepted
            with recorder.lock:
                recorder.accepted.update(int(i) for i in ids)


def leader(recorder: Recorder, port: int, cookie: str, stop: threading.Event) -> None:
    while not stop.is_set():
        recorder.request("leader: overview", port, "/reports/overview", cookie)
        time.sleep(0.1)


def jobs(url: str, folder: str, outputs: list[str]) -> None:
    """The reminders job twice at once (the scheduler's and an operator's), then the monthly job."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": SECRET, "TRACKER_INSTANCE_PATH": folder}
    tracker = [sys.executable, "-c", "from tracker.cli import main; main()"]
    at = MOMENT.strftime("%Y-%m-%dT%H:%M")
    runs = [
        subprocess.Popen(  # noqa: S603 - our own command
            [*tracker, "jobs", "run", "reminders", "--at", at], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for run in runs:
        out, _ = run.communicate(timeout=600)
        outputs.append(f"reminders (exit {run.returncode}): {out.strip().splitlines()[0] if out.strip() else ''}")
    monthly = subprocess.run(  # noqa: S603 - our own command
        [*tracker, "jobs", "run", "monthly-late-report", "--at", "2024-06-01T08:00"],
        cwd=ROOT,
        env={**env, "TRACKER_CHAIRMAN_OFFICE_EMAILS": "chanhvanphong@example.org"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    outputs.append(f"monthly (exit {monthly.returncode}): {monthly.stdout.strip().splitlines()[0]}")


def check(db, recorder: Recorder) -> list[str]:
    """What the database must show; each problem found, as a line."""
    from sqlalchemy import func, select

    from tracker.notifications.models import NoticeLedger, OutboxMessage
    from tracker.plans.models import DueItem

    problems = []
    items = {i.id: i for i in db.session.scalars(select(DueItem).where(DueItem.id.in_(list(recorder.progress))))}
    for item_id, progress in recorder.progress.items():
        item = items[item_id]
        if item_id in recorder.reported:
            if item.state not in ("reported", "accepted"):
                problems.append(f"item {item_id}: reported, but its state is {item.state}")
        elif item.progress != progress:
            problems.append(f"item {item_id}: progress {progress} accepted, {item.progress} stored")
    accepted = set(db.session.scalars(select(DueItem.id).where(DueItem.state == "accepted")))
    problems += [f"item {i}: accepted by the office, not in the database" for i in recorder.accepted - accepted]
    mails = Counter(
        (kind, subject, ",".join(recipients))  # counted here: PostgreSQL cannot group by a JSON column
        for kind, subject, recipients in db.session.execute(
            select(OutboxMessage.kind, OutboxMessage.subject, OutboxMessage.recipients).where(
                OutboxMessage.kind.in_(["reminders", "escalation", "monthly-late-report"])
            )
        )
    )
    problems += [f"mail queued {n} times: {key}" for key, n in mails.items() if n > 1]
    ledger = db.session.execute(
        select(NoticeLedger.kind, NoticeLedger.recipient, NoticeLedger.period, func.count())
        .group_by(NoticeLedger.kind, NoticeLedger.recipient, NoticeLedger.period)
        .having(func.count() > 1)
    ).all()
    problems += [f"notice recorded twice: {row}" for row in ledger]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="items each clerk reports on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/load.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import downgrade, upgrade
            from sqlalchemy import select

            from tracker.accounts.operations import create_user
            from tracker.agencies.models import Agency
            from tracker.extensions import db
            from tracker.plans.models import Assignment, DueItem

            upgrade()
            generate(db, args.items, 300)
            work: dict[str, list[int]] = {}
            for agency in db.session.scalars(select(Agency).order_by(Agency.id).limit(CLERKS)):
                email = f"cv.{agency.code.lower()}@example.org"
                create_user(
                    email=email,
                    full_name=email,
                    role="agency_staff",
                    agency=agency,
                    password=PASSWORD,
                    by=None,
                    now=MOMENT,
                )
                work[email] = list(
                    db.session.scalars(
                        select(DueItem.id)
                        .join(Assignment)
                        .where(Assignment.agency_id == agency.id, Assignment.role == "lead")
                        .order_by(DueItem.due_date, DueItem.id)
                        .limit(args.rounds)
                    )
                )
            others = [("vp1@example.org", "monitor"), ("vp2@example.org", "monitor")]
            others += [("ct@example.org", "leader"), ("pct@example.org", "leader")]
            for email, role in others:
                create_user(
                    email=email, full_name=email, role=role, agency=None, password=PASSWORD, by=None, now=MOMENT
                )
            db.session.commit()
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
            recorder, stop, outputs = Recorder(), threading.Event(), []
            try:
                with gunicorn(url) as port:
                    cookies = {email: login(port, email) for email in [*work, *(e for e, _ in others)]}
                    started = time.perf_counter()
                    clerks = [threading.Thread(target=clerk, args=(recorder, port, cookies[e], work[e])) for e in work]
                    background = [
                        threading.Thread(target=office, args=(recorder, port, cookies[e], stop)) for e, _ in others[:2]
                    ]
                    background += [
                        threading.Thread(target=leader, args=(recorder, port, cookies[e], stop)) for e, _ in others[2:]
                    ]
                    background.append(threading.Thread(target=jobs, args=(url, folder, outputs)))
                    for thread in [*clerks, *background]:
                        thread.start()
                    for thread in clerks:
                        thread.join()
                    stop.set()
                    for thread in background:
                        thread.join()
                    wall = time.perf_counter() - started
                db.session.remove()
                problems = check(db, recorder)
            finally:
                db.session.remove()
                if os.environ.get("TRACKER_BENCH_DATABASE_URL"):
                    downgrade(revision="base")
    total = sum(recorder.statuses.values())
    print(f"{dialect}, {args.items:,} items, {CLERKS} clerks + 2 office users + 2 leaders + the jobs, gunicorn -w 2")
    print(f"{total:,} requests in {wall:.1f} s; statuses {dict(sorted(recorder.statuses.items()))}")
    print(f"{'kind':<24} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, times in sorted(recorder.times.items()):
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        print(f"{kind:<24} {len(times):6d} {statistics.median(times) * 1000:8.0f} {p99 * 1000:8.0f}")
    for line in outputs:
        print(line)
    errors = sum(n for status, n in recorder.statuses.items() if status >= 500)
    print(f"5xx answers: {errors}; 'database is locked' shown to a user: {recorder.locked}")
    print(
        f"checked: {len(recorder.progress)} items' progress, {len(recorder.reported)} reports, "
        f"{len(recorder.accepted)} acceptances, every job mail once"
    )
    print("problems: none" if not problems else "problems:\n  " + "\n  ".join(problems))
    if problems or errors or recorder.locked:
        sys.exit(1)


if __name__ == "__main__":
    main()
