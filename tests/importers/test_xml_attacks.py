"""XML attacks in an uploaded .docx or .xlsx (issue 11, part 3): an external entity naming a file of the server is
never read into the plan, and entities defined inside the file are not expanded into a billion laughs."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.importers.builders import write_docx, write_xlsx
from tracker.importers.readers import ReadError, read_bytes

HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [HEADER, ["1", "MARKER", "Sở Nội vụ", "", "Quý I/2027"]]
LAUGHS = (
    '<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
)


def _poison(path, part: str, doctype: str, reference: str) -> bytes:
    """The file at ``path`` with a DOCTYPE in ``part`` and the cell's text MARKER replaced by ``reference``."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                declaration, _, rest = text.partition("?>")
                root = rest.lstrip().split(" ", 1)[0].lstrip("<")
                text = f"{declaration}?><!DOCTYPE {root} [{doctype}]>{rest}".replace("MARKER", reference)
                data = text.encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "bi-mat.txt"
    path.write_text("NOI-DUNG-BI-MAT-CUA-MAY-CHU")
    return path


@pytest.mark.parametrize(
    ("kind", "part"),
    [("docx", "word/document.xml"), ("xlsx", "xl/worksheets/sheet1.xml")],
)
def test_an_external_entity_is_never_read_into_the_plan(tmp_path, secret, kind, part):
    built = (write_docx if kind == "docx" else write_xlsx)(ROWS, tmp_path / f"a.{kind}")
    if part not in zipfile.ZipFile(built).namelist():
        pytest.skip(f"this writer keeps the text elsewhere than {part}")
    data = _poison(built, part, f'<!ENTITY xxe SYSTEM "file://{secret}">', "&xxe;")
    try:
        document = read_bytes(data, f"phu-luc.{kind}")
    except ReadError:
        return  # refused outright: nothing read
    cells = " ".join(cell for table in document.tables for row in table for cell in row)
    assert "NOI-DUNG-BI-MAT" not in cells


@pytest.mark.parametrize(("kind", "part"), [("docx", "word/document.xml"), ("xlsx", "xl/worksheets/sheet1.xml")])
def test_a_billion_laughs_is_not_expanded(tmp_path, kind, part):
    built = (write_docx if kind == "docx" else write_xlsx)(ROWS, tmp_path / f"a.{kind}")
    if part not in zipfile.ZipFile(built).namelist():
        pytest.skip(f"this writer keeps the text elsewhere than {part}")
    data = _poison(built, part, LAUGHS, "&lol8;")
    try:
        document = read_bytes(data, f"phu-luc.{kind}")
    except ReadError:
        return
    longest = max((len(cell) for table in document.tables for row in table for cell in row), default=0)
    assert longest < 10_000  # 10^8 "lol"s would be 300 MB
