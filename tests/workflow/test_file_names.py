"""A file name that tries to climb out of the files folder (issue 11, part 3): stored under a generated name inside
the folder, shown and sent back as text, never used as a path."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.workflow.conftest import pdf_bytes
from tracker.workflow.models import ItemFile

NAMES = ["../../../../tmp/tracker-escape.pdf", "..\\..\\boot.ini.pdf", "/etc/passwd.pdf", "bien ban\x00.pdf"]


@pytest.mark.parametrize("name", NAMES)
def test_a_file_name_that_climbs_out_stays_in_the_files_folder(world, logged_in, db, clock, app, name):
    item = world["items"][("1", "SNV")]
    clock.set(datetime(2024, 3, 14, 9, 0))
    staff, _ = logged_in("agency_staff", "SNV")
    files_dir = Path(app.instance_path, "files")
    response = staff.post(
        f"/items/{item.id}/completion",
        {
            "version": str(item.version),
            "completed_on": "12/03/2024",
            "result": "Đã ban hành kế hoạch",
            "files": (io.BytesIO(pdf_bytes()), name),
        },
        token_from=f"/items/{item.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    stored = db.session.scalar(select(ItemFile))
    path = files_dir / stored.stored_name
    assert path.is_file() and path.resolve().parent == files_dir.resolve()
    assert "/" not in stored.stored_name and "\\" not in stored.stored_name and ".." not in stored.stored_name
    if "\x00" not in name:
        assert not (files_dir / name.replace("\\", "/")).resolve().exists()  # nothing where the name pointed
    assert "\x00" not in stored.original_name and stored.original_name.endswith(".pdf")
    download = staff.get(f"/files/{stored.id}")
    data = download.data
    download.close()
    assert download.status_code == 200 and data == path.read_bytes()
    disposition = download.headers["Content-Disposition"]
    assert "/" not in disposition.split("filename=")[-1].split(";")[0]


def test_an_appendix_name_with_a_path_a_nul_and_500_characters_is_kept_as_a_short_name(logged_in, db):
    from tests.importers.test_import_views import DEMO_003, upload
    from tracker.importers.models import ImportDraft

    browser, _ = logged_in("monitor")
    name = "../../" + "phụ lục\x00 " * 60 + ".txt"
    assert upload(browser, DEMO_003.read_bytes(), name).status_code == 302
    draft = db.session.scalar(select(ImportDraft))
    assert len(draft.filename) <= 255 and draft.filename.endswith(".txt")
    assert "\x00" not in draft.filename and "/" not in draft.filename and draft.filename.startswith("phụ lục phụ lục")
