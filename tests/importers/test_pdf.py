"""PDF appendices: a ruled table read by pdfplumber (pages joined), and PDFs whose text cannot be used."""

from __future__ import annotations

import html
import logging
import os

import pytest

from tests.importers.test_seeds import DEMO_003, _rows_of
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import ReadError, pdf_text_problem, read_bytes, read_path

CHROMIUM = "/usr/bin/chromium"
#: A valid PDF with one empty page: what a scan without OCR looks like to a text extractor
EMPTY_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def print_to_pdf(document: str) -> bytes:
    """An HTML page printed to PDF by Debian's Chromium: a real text layer and ruled cells."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI")
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_content(document)
        data = page.pdf(format="A4", landscape=True)
        browser.close()
    return data


def _table_html(rows: list[list[str]], before: str) -> str:
    def tr(row, tag="td"):
        return "<tr>" + "".join(f"<{tag}>{html.escape(cell)}</{tag}>" for cell in row) + "</tr>"

    return (
        "<html><head><meta charset='utf-8'><style>table{border-collapse:collapse;font:9pt serif}"
        "td,th{border:1px solid #000;padding:2px;vertical-align:top} tr{break-inside:avoid}</style></head><body>"
        f"<p>{html.escape(before)}</p><table><thead>{tr(rows[0], 'th')}</thead>"
        f"<tbody>{''.join(tr(r) for r in rows[1:])}</tbody></table></body></html>"
    )


def _summary(plan):
    def flat(text):
        return " ".join(text.split())

    return [
        (t.number, flat(t.content), t.lead.agencies, t.lead.groups, [d.isoformat() for d in t.schedule.due_dates])
        for t in plan.tasks
    ]


def test_003_printed_to_pdf_imports_to_the_same_tasks(caplog):
    caplog.set_level(logging.ERROR)  # pdfminer talks about Chromium's fonts
    rows, preamble = _rows_of(DEMO_003)
    data = print_to_pdf(_table_html(rows, preamble[-2]))
    index = AliasIndex.from_directory(read_directory())
    document = read_bytes(data, "ke-hoach-003.pdf")
    assert len(document.tables) == 1  # the pages' tables joined into one
    from_pdf = build_plan(document, index, year=2023)
    from_text = build_plan(read_path(DEMO_003), index)
    assert len(from_pdf.tasks) == 90
    assert _summary(from_pdf) == _summary(from_text)


def test_a_pdf_with_no_text_layer_is_refused():
    with pytest.raises(ReadError, match="không có lớp chữ"):
        read_bytes(EMPTY_PDF, "ban-quet.pdf")


def test_a_broken_pdf_is_refused():
    with pytest.raises(ReadError, match="bị hỏng"):
        read_bytes(b"%PDF-1.4\n garbage", "hong.pdf")


def test_unusable_text_layers_are_named():
    assert "cid" in pdf_text_problem("STT (cid:12)(cid:45)(cid:7) Nội dung")
    # "Kế hoạch kiểm soát TTHC năm 2024" set in a TCVN3 font, as its text comes out of the PDF
    assert "TCVN3" in pdf_text_problem("KÕ ho¹ch kiÓm so¸t TTHC n¨m 2024 cña UBND tØnh Qu¶ng Nam")
    assert pdf_text_problem("Kế hoạch kiểm soát TTHC năm 2024 của UBND tỉnh Quảng Nam") is None


def _pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A hand-written PDF: a catalog, its page tree, then ``objects`` numbered from 3."""
    body = b"%PDF-1.4\n"
    parts = [b"<< /Type /Catalog /Pages 2 0 R >>", *objects]
    for number, part in enumerate(parts, start=1):
        body += b"%d 0 obj " % number + part + b" endobj\n"
    return body + b"trailer << /Root 1 0 R " + trailer + b">>\n%%EOF\n"


def _one_page(page: bytes, *more: bytes, trailer: bytes = b"") -> bytes:
    return _pdf(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, *more, trailer=trailer)


TEXT = b"<< /Length 44 >> stream\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET\nendstream"


@pytest.mark.parametrize(
    "data",
    [
        _one_page(b"<< /Type /Page /Parent 2 0 R /MediaBox 5 >>"),
        _one_page(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 (a) (b)] >>"),
        _one_page(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            TEXT,
            b"<< /Type /Font /Subtype /Type0 /DescendantFonts 7 >>",
        ),
        _one_page(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate (x) >>"),
        _pdf(b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"),  # a page tree that holds itself
        b"STT,Noi dung\n1,Ra soat\n",  # a CSV named .pdf
    ],
    ids=["media-box-number", "media-box-text", "broken-font", "rotate-text", "page-tree-loop", "csv"],
)
def test_a_malformed_pdf_is_refused_with_a_message(data):
    with pytest.raises(ReadError, match="PDF"):
        read_bytes(data, "phu-luc.pdf")


def test_a_pdf_of_thousands_of_pages_is_refused_before_its_pages_are_read():
    pages = 2000
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    data = _pdf(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages, *[page] * pages)
    with pytest.raises(ReadError, match="Tệp PDF có 2.000 trang, quá 300 trang của một phụ lục."):
        read_bytes(data, "dai.pdf")


def test_a_pdf_with_a_password_is_named():
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <" + b"11" * 32 + b"> /P -4 >>"
    document_id = b"<0123456789abcdef0123456789abcdef>"
    data = _one_page(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        encrypt,
        trailer=b"/Encrypt 4 0 R /ID [" + document_id + b" " + document_id + b"] ",
    )
    with pytest.raises(ReadError, match="được đặt mật khẩu"):
        read_bytes(data, "mat-khau.pdf")
