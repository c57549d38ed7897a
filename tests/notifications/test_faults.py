"""Faults (issue 11, part 2): the reminders job killed (SIGKILL) at a random point of its run, then run again, sends
every mail, none twice — or, when the kill fell between the server taking a mail and the row saying so, the same
mail again under the same Message-ID, which a mail client shows once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRACKER = [sys.executable, "-c", "from tracker.cli import main; main()"]
AT = "2024-06-03T07:30"  # a Monday, as benchmarks/reminders.py runs it
SETUP = """
import sys
sys.path.insert(0, "benchmarks")
from reminders import _app, generate
app = _app(sys.argv[1], sys.argv[2])
with app.app_context():
    from flask_migrate import upgrade
    from tracker.extensions import db
    upgrade()
    generate(db, 6000, 60)
"""


def _env(path: Path, smtp) -> dict[str, str]:
    return {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{path}",
        "TRACKER_INSTANCE_PATH": str(path.parent),
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(smtp.port),
        "TRACKER_SMTP_SECURITY": "none",
        "TRACKER_MAIL_FROM": "tracker@example.org",
    }


def _run(path: Path, smtp, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [*TRACKER, *args], env=_env(path, smtp), cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("faults")
    path = folder / "base.db"
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SETUP, f"sqlite:///{path}", str(folder)], cwd=ROOT, check=True, capture_output=True
    )
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reminders_job_killed_at_a_random_point_and_run_again_sends_every_mail_once(
    generated, tmp_path, app, smtp, seed
):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip(
            "the job processes run on a SQLite file of their own; on PostgreSQL a killed run's advisory lock "
            "ends with its connection"
        )
    reference = tmp_path / "reference.db"
    shutil.copy(generated, reference)
    _run(reference, smtp, "jobs", "run", "reminders", "--at", AT)
    expected_stages = _rows(reference, "SELECT count(*) FROM reminder_stages")[0][0]
    expected_mails = sorted(_rows(reference, "SELECT kind, recipients, subject FROM outbox_messages"))
    assert expected_stages > 5000 and len(expected_mails) > 60
    smtp.messages.clear()

    path = tmp_path / "killed.db"
    shutil.copy(generated, path)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [*TRACKER, "jobs", "run", "reminders", "--at", AT],
        env=_env(path, smtp),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(seed).uniform(0.5, 4.0))  # noqa: S311 - a point in the run, not a secret
    process.send_signal(signal.SIGKILL)
    process.wait()
    _run(path, smtp, "jobs", "run", "reminders", "--at", AT)  # the operator (or the scheduler) runs it again
    # a mail the killed process held ("sending") is taken again once its claim runs out
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE outbox_messages SET status = 'queued', next_attempt_at = created_at WHERE status = 'sending'"
        )
    _run(path, smtp, "jobs", "run", "reminders", "--at", AT)

    assert _rows(path, "SELECT count(*) FROM reminder_stages")[0][0] == expected_stages
    assert sorted(_rows(path, "SELECT kind, recipients, subject FROM outbox_messages")) == expected_mails
    assert _rows(path, "SELECT DISTINCT status FROM outbox_messages") == [("sent",)]
    received = [message["Message-ID"] for _, message in smtp.messages]
    assert len(set(received)) == len(expected_mails)  # every mail arrived; a mail sent twice kept its Message-ID
    assert len(received) - len(set(received)) <= 1  # at most the one mail in flight when the process died


IMPORT_SETUP = """
import sys
from tests.conftest import make_app
from tracker.agencies.directory import load_directory, read_directory
app = make_app(sys.argv[1], sys.argv[2])
with app.app_context():
    from flask_migrate import upgrade
    from tracker.extensions import db
    upgrade()
    load_directory(read_directory())
    db.session.commit()
"""


COUNTS = "SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM tasks), (SELECT count(*) FROM due_items)"


@pytest.fixture(scope="module")
def appendix(tmp_path_factory) -> tuple[Path, Path, tuple]:
    """A database with the agency directory, an appendix of 600 tasks (its import takes seconds), and what
    the database holds once it is imported whole."""
    from tests.importers.builders import write_xlsx

    folder = tmp_path_factory.mktemp("import-faults")
    path = folder / "base.db"
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", IMPORT_SETUP, f"sqlite:///{path}", str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    header = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
    leads = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "UBND cấp huyện"]
    rows = [header] + [
        [str(i), f"Nhiệm vụ thử nghiệm số {i}", leads[i % 4], "Sở Nội vụ", f"Quý {'I' * (1 + i % 3)}/2027"]
        for i in range(1, 601)
    ]
    sheet = write_xlsx(rows, folder / "phu-luc.xlsx")
    reference = folder / "reference.db"
    shutil.copy(path, reference)
    subprocess.run(  # noqa: S603 - our own interpreter and command
        [*TRACKER, "import-plan", str(sheet), "--year", "2027"],
        env={**os.environ, "TRACKER_INSTANCE_PATH": str(folder), "TRACKER_DATABASE_URL": f"sqlite:///{reference}"},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path, sheet, _rows(reference, COUNTS)[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_import_killed_at_a_random_point_leaves_the_whole_plan_or_nothing(appendix, tmp_path, app, seed):
    """Issue 11, part 2: `tracker import-plan` killed (SIGKILL) while it reads, parses or writes: the database has
    either the whole plan (every task, assignment and item) or none of it, and the import run again succeeds."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the import process runs on a SQLite file of its own")
    base, sheet, whole = appendix
    assert whole[0] == 1 and whole[1] == 600
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path)}
    command = [*TRACKER, "import-plan", str(sheet), "--year", "2027"]
    path = tmp_path / "killed.db"
    shutil.copy(base, path)
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{path}"
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    time.sleep(random.Random(seed).uniform(0.8, 4.0))  # noqa: S311 - a point in the import, not a secret
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _rows(path, COUNTS)[0] in ((0, 0, 0), whole)
    if _rows(path, COUNTS)[0] == (0, 0, 0):
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        assert _rows(path, COUNTS)[0] == whole
