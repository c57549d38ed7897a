"""Delivery: how long the mails of a reminders run take to a local SMTP server (aiosmtpd on loopback), drained
batch after batch by the job that queued them.

Run: .venv/bin/python benchmarks/delivery.py [--items 10000] [--agencies 300]
The reminders job over the generated items queues two mails per agency (600 for 300 agencies); the benchmark
times drain_outbox until the outbox is empty and counts what the server received.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reminders import MOMENT, _app, generate  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received += 1
        return "250 OK"


def main() -> None:
    import socket

    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--agencies", type=int, default=300)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Counter()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = _app(f"sqlite:///{folder}/bench.db", folder)
            app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
            with app.app_context():
                from flask_migrate import upgrade

                from tracker.extensions import db
                from tracker.notifications.mail import drain_outbox
                from tracker.notifications.reminders import send_reminders

                upgrade()
                generate(db, args.items, args.agencies)
                run = send_reminders(MOMENT)
                db.session.commit()
                started = time.perf_counter()
                counts = drain_outbox(MOMENT)
                elapsed = time.perf_counter() - started
                print(
                    f"{run.emails} mails queued; drained in {elapsed:.2f} s "
                    f"({run.emails / elapsed:.0f} mails/s): {counts}, the server received {server.received}"
                )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
