"""Pages at scale, served as in production: gunicorn (2 sync workers) on loopback over a database of many items,
requested by concurrent clients as the office and as an agency; requests per second and p50/p99 latency of each
page beside a hello-world endpoint (/healthz) of the same server in the same run, and the bytes each page sends.

Run: .venv/bin/python benchmarks/pages.py [--items 100000] [--agencies 300] [--requests 200] [--clients 4]
Set TRACKER_BENCH_DATABASE_URL to run it on PostgreSQL (an empty database: the benchmark empties it again);
SQLite in a temporary folder otherwise. The data is benchmarks/reminders.py's (items due over 2024, two in five
completed); the server's clock is the real one, so the pages are read as of today.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from overview import complete_some  # noqa: E402
from reminders import MOMENT, _app, generate  # noqa: E402

PASSWORD = "mat-khau-thu-nghiem-1"  # noqa: S105 - the benchmark's own users, in its own database
SECRET = "benchmark-secret-key"  # noqa: S105


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, path: str, cookie: str = "", method: str = "GET", body: str = "") -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Set-Cookie") or "", data


def login(port: int, email: str) -> str:
    status, set_cookie, page = _request(port, "/login")
    cookie = set_cookie.split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    token = (token.group(1) or token.group(2)).decode()
    body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    status, set_cookie, _ = _request(port, "/login", cookie, "POST", body)
    if status != 302:
        sys.exit(f"login of {email} failed ({status})")
    return set_cookie.split(";", 1)[0]


@contextmanager
def gunicorn(url: str, workers: int = 2):
    """The app served by gunicorn on a free loopback port, over the database at ``url``; yields the port."""
    port = _port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": SECRET,
        "TRACKER_COOKIE_SECURE": "false",
        "TRACKER_SMTP_HOST": "",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, on loopback
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def load(port: int, path: str, cookie: str, requests: int, clients: int) -> dict:
    """``requests`` GETs of ``path`` by ``clients`` threads: throughput, latencies, size, statuses."""
    # warm both workers (compiled queries, templates, the figures each keeps until the data changes): concurrent
    # requests, so that each worker answers some
    for _ in range(3):
        warm = [threading.Thread(target=_request, args=(port, path, cookie)) for _ in range(clients)]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
    latencies: list[float] = []
    statuses: set[int] = set()
    sizes: list[int] = []
    lock = threading.Lock()
    left = [requests]

    def client():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            status, _, data = _request(port, path, cookie)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.add(status)
                sizes.append(len(data))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": requests / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "size": statistics.median(sizes),
        "statuses": sorted(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import downgrade, upgrade

            from tracker.accounts.operations import create_user
            from tracker.agencies.models import Agency
            from tracker.extensions import db

            upgrade()
            generate(db, args.items, args.agencies)
            complete_some(db)
            agency = db.session.get(Agency, 1)
            for email, role, unit in (
                ("vanphong@example.org", "monitor", None),
                ("cv@example.org", "agency_staff", agency),
            ):
                create_user(
                    email=email, full_name=email, role=role, agency=unit, password=PASSWORD, by=None, now=MOMENT
                )
            db.session.commit()
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
            try:
                with gunicorn(url) as port:
                    office, clerk = login(port, "vanphong@example.org"), login(port, "cv@example.org")
                    pages = [
                        ("hello world (/healthz)", "/healthz", "", args.requests * 5),
                        ("items list, office", "/items", office, args.requests),
                        ("items list overdue, office", "/items?status=open_overdue", office, args.requests),
                        ("items list, agency", "/items", clerk, args.requests),
                        ("review queue, office", "/review", office, args.requests),
                        ("plan page, office", "/plans/1", office, args.requests // 4),
                        ("task page, office", "/tasks/1", office, args.requests),
                        ("monthly page, office", "/reports/monthly?month=2024-05", office, args.requests // 4),
                        ("overview, office", "/reports/overview", office, args.requests // 4),
                    ]
                    results = {label: load(port, path, cookie, n, args.clients) for label, path, cookie, n in pages}
            finally:
                if os.environ.get("TRACKER_BENCH_DATABASE_URL"):
                    downgrade(revision="base")
    hello = results["hello world (/healthz)"]["rps"]
    print(f"{dialect}, {args.items:,} items, {args.agencies} agencies, {args.clients} clients, gunicorn -w 2")
    print(f"{'page':<30} {'req/s':>8} {'of hello':>9} {'p50 ms':>8} {'p99 ms':>8} {'KB':>8}  status")
    for label, r in results.items():
        print(
            f"{label:<30} {r['rps']:8.1f} {100 * r['rps'] / hello:8.1f}% {r['p50'] * 1000:8.1f} "
            f"{r['p99'] * 1000:8.1f} {r['size'] / 1024:8.1f}  {r['statuses']}"
        )


if __name__ == "__main__":
    main()
