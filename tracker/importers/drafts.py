"""From an upload to a draft. A small file is read inside the request. A large one is checked (kind, size, the
archive's declared sizes), kept with its draft and read by a process of its own, bounded in memory and time, which
writes its progress for the page that waits on it: the web worker never holds a large parse.

The web process watches the parse it started; if it is gone too (a restart), the page sees the parse's process is no
longer running and says the read stopped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update

from tracker.agencies.resolver import AliasIndex
from tracker.core.processes import HOST, holder_name, process_gone
from tracker.extensions import db
from tracker.importers.models import ImportDraft
from tracker.importers.pipeline import build_plan, to_draft
from tracker.importers.readers import ReadError, check_upload, read_bytes
from tracker.plans.models import Plan

log = logging.getLogger(__name__)
#: The hidden command a parse process runs
PARSE_COMMAND = "parse-import"
#: A draft waiting this long for a process that was never named (the web worker died before it started one)
UNSTARTED = timedelta(minutes=2)
STOPPED = "Quá trình đọc tệp đã dừng giữa chừng (máy chủ khởi động lại hoặc bị ngắt). Hãy tải tệp lên lần nữa."
PROGRAM_FAULT = "Không đọc được tệp do lỗi của chương trình; lỗi đã được ghi lại. Hãy báo quản trị viên."


def draft_values(
    data: bytes, filename: str, year: int | None, replace_plan_id: int | None, *, document=None, progress=None
) -> tuple[dict[str, Any], int | None]:
    """The draft's payload and plan year for an upload (ReadError when it cannot be read)."""
    document = document if document is not None else read_bytes(data, filename)
    parsed = build_plan(document, AliasIndex.from_database(), year=year, progress=progress)
    payload = to_draft(parsed)
    payload["replace_plan_id"] = replace_plan_id
    target = db.session.get(Plan, replace_plan_id) if replace_plan_id else None
    year = year or parsed.plan.get("year") or (target.period_start.year if target and target.period_start else None)
    return payload, year


def create_draft(
    data: bytes, filename: str, *, year: int | None, replace_plan_id: int | None, by, now: datetime
) -> ImportDraft:
    """A draft of the upload: read now if small ("open"), else kept to be read apart ("parsing"; call start_parse
    once it is committed). ReadError when the file is refused."""
    draft = ImportDraft(created_by_id=by.id, created_at=now, filename=filename, year=year, status="open")
    if len(data) <= current_app.config["IMPORT_BACKGROUND_BYTES"]:
        draft.payload, draft.year = draft_values(data, filename, year, replace_plan_id)
    else:
        check_upload(data, filename)
        draft.payload = {"replace_plan_id": replace_plan_id}
        draft.status, draft.source, draft.progress, draft.progress_note = "parsing", data, 0, "Đang chờ bắt đầu đọc"
    db.session.add(draft)
    db.session.flush()
    return draft


# --- the web side: start, watch, check ---------------------------------------------------------------


def start_parse(draft_id: int) -> None:
    """Start the process that reads a committed "parsing" draft, name it on the draft, and watch it."""
    app = current_app._get_current_object()
    config = app.config
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_INSTANCE_PATH": app.instance_path,
        "TRACKER_SECRET_KEY": config["SECRET_KEY"],
        "TRACKER_IMPORT_MAX_UNCOMPRESSED_MB": str(config["IMPORT_MAX_UNCOMPRESSED_MB"]),
        "TRACKER_IMPORT_MAX_ROWS": str(config["IMPORT_MAX_ROWS"]),
        "TRACKER_IMPORT_MAX_CELLS": str(config["IMPORT_MAX_CELLS"]),
        "TRACKER_IMPORT_MAX_PDF_PAGES": str(config["IMPORT_MAX_PDF_PAGES"]),
        "TRACKER_IMPORT_PARSE_MEMORY_MB": str(config["IMPORT_PARSE_MEMORY_MB"]),
        "TRACKER_IMPORT_PARSE_SECONDS": str(config["IMPORT_PARSE_SECONDS"]),
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-c", "from tracker.cli import main; main()", PARSE_COMMAND, str(draft_id)],
        env=environment,
        cwd=Path(app.root_path).parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # a restart of the web worker does not stop it
    )
    db.session.execute(update(ImportDraft).where(ImportDraft.id == draft_id).values(worker=holder_name(process.pid)))
    db.session.commit()
    threading.Thread(target=_watch, args=(app, process, draft_id), name=f"import-{draft_id}", daemon=True).start()


def _watch(app: Flask, process: subprocess.Popen, draft_id: int) -> None:
    """Wait for the parse (so it leaves no zombie) and, if it ended without saying how, say it failed."""
    code = process.wait()
    if code == 0:
        return
    if code == -signal.SIGXCPU:
        reason = f"Đọc tệp quá lâu (hơn {app.config['IMPORT_PARSE_SECONDS']} giây) nên đã dừng."
    else:
        reason = STOPPED if code < 0 else PROGRAM_FAULT
    with app.app_context():
        _finish(draft_id, status="failed", error=reason)
        db.session.commit()
        db.session.remove()


def check_parse(draft: ImportDraft, now: datetime) -> None:
    """A "parsing" draft whose process no longer runs on this machine (or never started) failed: say so."""
    if draft.status != "parsing":
        return
    gone = process_gone(draft.worker) if draft.worker else draft.created_at < now - UNSTARTED
    if gone:
        _finish(draft.id, status="failed", error=STOPPED)
        db.session.commit()
        db.session.refresh(draft)


def stop_parse(draft: ImportDraft) -> None:
    """End the process reading a draft the office discards (it would find the draft gone anyway)."""
    if draft.status == "parsing" and draft.worker and draft.worker.startswith(f"{HOST}:"):
        pid = draft.worker.partition(":")[2]
        if pid.isdigit() and not process_gone(draft.worker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


def _finish(draft_id: int, **values) -> None:
    """Write a parse's end, only if the draft still waits on it (a discarded draft stays discarded)."""
    db.session.execute(
        update(ImportDraft)
        .where(ImportDraft.id == draft_id, ImportDraft.status == "parsing")
        .values(source=None, progress=100 if values["status"] == "open" else None, **values)
    )


# --- the parse process ----------------------------------------------------------------------------------


def parse_draft(draft_id: int) -> None:
    """Read a "parsing" draft's file (the parse process), writing progress as it goes."""
    config = current_app.config
    memory = config["IMPORT_PARSE_MEMORY_MB"] * 1024 * 1024
    seconds = config["IMPORT_PARSE_SECONDS"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    draft = db.session.get(ImportDraft, draft_id)
    if draft is None or draft.status != "parsing":
        return
    data, filename, year = draft.source, draft.filename, draft.year
    replace_plan_id = draft.payload.get("replace_plan_id")
    db.session.rollback()  # nothing held while reading
    reported = [0]

    def report(percent: int, note: str) -> None:
        if percent > reported[0]:
            reported[0] = percent
            db.session.execute(
                update(ImportDraft)
                .where(ImportDraft.id == draft_id, ImportDraft.status == "parsing")
                .values(progress=percent, progress_note=note)
            )
            db.session.commit()

    def rows(done: int, total: int) -> None:
        percent = 30 + 65 * min(done, total) // total
        if percent >= reported[0] + 2:
            report(percent, f"Đang đọc dòng {done:,} trên {total:,}".replace(",", "."))

    report(5, "Đang mở tệp")
    try:
        document = read_bytes(data, filename)
        report(30, "Đang đọc các dòng của bảng")
        payload, year = draft_values(data, filename, year, replace_plan_id, document=document, progress=rows)
    except ReadError as error:
        db.session.rollback()
        _finish(draft_id, status="failed", error=str(error))
    except MemoryError:
        db.session.rollback()
        limit = config["IMPORT_PARSE_MEMORY_MB"]
        _finish(draft_id, status="failed", error=f"Tệp cần quá nhiều bộ nhớ để đọc (hơn {limit} MB).")
    except Exception:
        log.exception("The parse of import draft %s failed", draft_id)
        db.session.rollback()
        _finish(draft_id, status="failed", error=PROGRAM_FAULT)
    else:
        _finish(draft_id, status="open", payload=payload, year=year, progress_note="Đã đọc xong")
    db.session.commit()
