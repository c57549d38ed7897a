"""A large upload is read by a process of its own, outside the web request: the page shows its progress and then
the preview; a parse that fails, is killed or is discarded says so and leaves no plan (issue 11, defect 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.importers.builders import write_xlsx
from tests.importers.test_import_views import DEMO_003, upload
from tracker.agencies.resolver import AliasIndex
from tracker.core.processes import HOST, holder_name, process_gone
from tracker.importers.drafts import STOPPED
from tracker.importers.models import ImportDraft
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_bytes
from tracker.plans.models import Plan

HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


@pytest.fixture
def apart(app, monkeypatch):
    """Every upload is read apart (the threshold is 0 bytes)."""
    monkeypatch.setitem(app.config, "IMPORT_BACKGROUND_BYTES", 0)
    return app


def draft_of(db) -> ImportDraft:
    db.session.expire_all()
    return db.session.scalar(select(ImportDraft))


def wait_for(browser, db, url: str, status: str) -> str:
    """Load the draft's page as the browser's refresh would until the draft has ``status``; the last page."""
    for _ in range(300):
        page = browser.get(url).get_data(as_text=True)
        if "<progress" not in page:  # the page is the draft's end: it must be the one awaited
            assert draft_of(db).status == status
            return page
        assert '<meta http-equiv="refresh" content="2">' in page
        time.sleep(0.1)
    raise AssertionError(f"the draft is still {draft_of(db).status}")


def test_a_large_upload_is_read_apart_and_its_page_becomes_the_preview(apart, logged_in, db):
    browser, _ = logged_in("monitor")
    response = upload(browser, DEMO_003.read_bytes(), "phu-luc-003.txt")
    assert response.status_code == 302
    draft = draft_of(db)
    # the request kept the file and started a process; it did not read the file itself
    assert draft.status in ("parsing", "open") and draft.worker.startswith(f"{HOST}:")
    assert int(draft.worker.rpartition(":")[2]) != os.getpid()
    page = wait_for(browser, db, response.location, "open")
    assert "90 nhiệm vụ" in page and "<mark>? Đoàn kiểm tra CCHC của tỉnh</mark>" in page
    draft = draft_of(db)
    assert (draft.progress, draft.source, draft.error, draft.year) == (100, None, None, 2023)
    # the office's list of drafts shows it like any other
    assert "90" in browser.get("/imports").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_a_file_the_parse_cannot_read_fails_with_the_readers_message(apart, logged_in, db, tmp_path):
    browser, _ = logged_in("monitor")
    no_table = write_xlsx([["Báo cáo"], ["không có bảng phụ lục nào"]], tmp_path / "khong-bang.xlsx")
    response = upload(browser, no_table.read_bytes(), "khong-bang.xlsx")
    page = wait_for(browser, db, response.location, "failed")
    assert "Không đọc được tệp: Không tìm thấy dòng tiêu đề của bảng phụ lục" in page
    assert "Tải lên tệp khác" in page and 'http-equiv="refresh"' not in page
    assert draft_of(db).source is None
    assert "Không đọc được" in browser.get("/imports").get_data(as_text=True)


def test_what_the_request_can_tell_is_refused_at_once(apart, logged_in, db, tmp_path, monkeypatch):
    """An archive declaring more than the limit unpacked is refused by the request, before any process starts."""
    browser, _ = logged_in("monitor")
    monkeypatch.setitem(apart.config, "IMPORT_MAX_UNCOMPRESSED_MB", 0)
    sheet = write_xlsx([HEADER, ["1", "Nhiệm vụ", "Sở Nội vụ", "", "Quý IV/2024"]], tmp_path / "a.xlsx")
    response = upload(browser, sheet.read_bytes(), "a.xlsx")
    assert response.status_code == 400 and "quá lớn khi giải nén" in response.get_data(as_text=True)
    assert draft_of(db) is None


def test_a_killed_parse_says_it_stopped_and_can_be_removed(apart, logged_in, db):
    browser, _ = logged_in("monitor")
    response = upload(browser, DEMO_003.read_bytes(), "phu-luc-003.txt")
    pid = int(draft_of(db).worker.rpartition(":")[2])
    os.kill(pid, signal.SIGKILL)  # before its interpreter has even started reading
    page = wait_for(browser, db, response.location, "failed")
    assert STOPPED in page
    response = browser.post(f"{response.location}/discard", {}, token_from=response.location)
    assert response.status_code == 302
    assert draft_of(db).status == "discarded"
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_a_discarded_parse_is_stopped_and_stays_discarded(apart, logged_in, db):
    browser, _ = logged_in("monitor")
    response = upload(browser, DEMO_003.read_bytes(), "phu-luc-003.txt")
    worker = draft_of(db).worker
    assert browser.post(f"{response.location}/discard", {}, token_from=response.location).status_code == 302
    for _ in range(100):
        if process_gone(worker) or not os.path.exists(f"/proc/{worker.rpartition(':')[2]}"):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the parse still runs")
    draft = draft_of(db)
    assert (draft.status, draft.source) == ("discarded", None)
    assert browser.get(response.location).status_code == 404


def test_a_parse_whose_web_process_is_gone_too_is_said_to_have_stopped(app, logged_in, db, clock):
    """A restart took both the parse and the web worker that watched it: the page finds the process gone."""
    browser, user = logged_in("monitor")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)  # noqa: S603
    gone = ImportDraft(
        created_by_id=user.id, created_at=clock.now(), filename="a.xlsx", payload={}, status="parsing", progress=40
    )
    gone.worker = holder_name(int(ended.stdout))
    never = ImportDraft(
        created_by_id=user.id,
        created_at=clock.now() - timedelta(minutes=3),
        filename="b.xlsx",
        payload={},
        status="parsing",
    )
    waiting = ImportDraft(
        created_by_id=user.id, created_at=clock.now(), filename="c.xlsx", payload={}, status="parsing"
    )
    db.session.add_all([gone, never, waiting])
    db.session.commit()
    ids = gone.id, never.id, waiting.id
    assert STOPPED in browser.get(f"/imports/{ids[0]}").get_data(as_text=True)
    assert STOPPED in browser.get(f"/imports/{ids[1]}").get_data(as_text=True)  # never started, 3 minutes on
    page = browser.get(f"/imports/{ids[2]}").get_data(as_text=True)  # its process is yet to be named: it waits
    assert "Đang đọc tệp" in page and 'http-equiv="refresh"' in page
    db.session.expire_all()
    assert [db.session.get(ImportDraft, i).status for i in ids] == ["failed", "failed", "parsing"]


def test_the_parse_reports_its_progress_row_by_row(app, tmp_path):
    rows = [HEADER] + [[str(n), f"Nhiệm vụ {n}", "Sở Nội vụ", "", "Quý IV/2024"] for n in range(1, 1201)]
    document = read_bytes(write_xlsx(rows, tmp_path / "lon.xlsx").read_bytes(), "lon.xlsx")
    seen: list[tuple[int, int]] = []
    plan = build_plan(document, AliasIndex.from_database(), year=2024, progress=lambda *told: seen.append(told))
    assert len(plan.tasks) == 1200
    assert [done for done, _ in seen] == [250, 500, 750, 1000, 1201]
    assert {total for _, total in seen} == {1201}
