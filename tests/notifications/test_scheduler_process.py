"""`tracker scheduler` as an operator starts it: a process of its own that lists its jobs and keeps running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scheduler_process_starts_lists_its_jobs_and_stops(tmp_path):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    tracker = [sys.executable, "-c", "from tracker.cli import main; main()"]
    subprocess.run([*tracker, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [*tracker, "scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,  # noqa: S603
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(lines) < 3:
            line = process.stdout.readline()
            if line.strip():
                lines.append(line.strip())
        assert process.poll() is None  # still running, waiting for its next run
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    listed = [
        line.split()[:2] for line in lines if line.split()[0] in {"reminders", "monthly-late-report", "leader-digest"}
    ]
    assert listed == [["reminders", "30"], ["monthly-late-report", "0"], ["leader-digest", "0"]]


def test_run_offers_to_serve_without_the_scheduler():
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, ["run", "--help"])
    assert "--no-scheduler" in result.output
