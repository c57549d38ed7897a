"""Readers: an appendix file → rows of cell texts, for the one shared pipeline.

Each reader keeps the text of every cell as printed (line breaks inside a cell included) and undoes merges the way
a reader of the table would: a vertically merged cell (one lead for several tasks) repeats in every row it spans;
a horizontally merged cell (a section title across the table) stays in its first column only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core.text import clean_text

#: Largest file the importer reads
MAX_BYTES = 20 * 1024 * 1024
#: Limits checked before and while reading (settings IMPORT_MAX_*): the largest real appendix (004, about 200 rows,
#: under 1 MB unpacked) ×10 and more, so that a zip bomb, a 200,000-row sheet or a PDF of thousands of pages is
#: refused, not parsed
LIMITS = {
    "IMPORT_MAX_UNCOMPRESSED_MB": 100,
    "IMPORT_MAX_ROWS": 20_000,
    "IMPORT_MAX_CELLS": 400_000,
    "IMPORT_MAX_PDF_PAGES": 300,
}


def limit(name: str) -> int:
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get(name) is not None:
        return int(current_app.config[name])
    return LIMITS[name]


def _check_archive(data: bytes, kind: str) -> None:
    """Refuse an Office file whose parts unpack to more than the limit, from the sizes the archive declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            sheets = [i for i in infos if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", i.filename)]
            heads = [archive.open(i).read(4096).decode("utf-8", "replace") for i in sheets]
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # the reader says the file is broken, in its own words
    megabytes = limit("IMPORT_MAX_UNCOMPRESSED_MB")
    if unpacked > megabytes * 1024 * 1024:
        raise ReadError(f"Tệp {kind} quá lớn khi giải nén (hơn {megabytes} MB): không phải một phụ lục thông thường.")
    for head in heads:
        declared = re.search(r'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"', head)
        if declared:
            _check_size(int(declared.group(2)), _column_number(declared.group(1)))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_size(rows: int, columns: int) -> None:
    max_rows, max_cells = limit("IMPORT_MAX_ROWS"), limit("IMPORT_MAX_CELLS")
    if rows > max_rows:
        raise ReadError(
            f"Bảng có {rows:,} dòng, vượt quá giới hạn {max_rows:,} dòng của một phụ lục.".replace(",", ".")
        )
    if rows * columns > max_cells:
        raise ReadError(f"Bảng có hơn {max_cells:,} ô, vượt quá giới hạn của một phụ lục.".replace(",", "."))


class ReadError(ValueError):
    """The file cannot be read as an appendix; the message is Vietnamese and says why."""


@dataclass
class Document:
    """What a reader found: tables (rows of cells) and the text around them (for the plan's own details)."""

    tables: list[list[list[str]]] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    source: str = ""
    #: Text with no column separators (extracted from a PDF): the pipeline cuts its rows itself
    text_lines: list[str] | None = None


def _nfc(text: str | None) -> str:
    """A cell's text as stored: composed (NFC), line breaks as line feeds (Word's soft break, a vertical tab,
    included), no control characters."""
    return clean_text(unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def read_path(path: str | Path) -> Document:
    """Read a file by its extension."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ReadError(f"Không mở được tệp {path.name}.") from error
    if size == 0:
        raise ReadError("Tệp rỗng.")
    if size > MAX_BYTES:
        raise ReadError(f"Tệp quá lớn ({size // 1024 // 1024} MB; tối đa {MAX_BYTES // 1024 // 1024} MB).")
    data = path.read_bytes()
    return read_bytes(data, path.name)


#: The kinds of file an appendix may come in
SUFFIXES = (".docx", ".xlsx", ".pdf", ".csv", ".txt", ".tsv")


def check_upload(data: bytes, filename: str) -> None:
    """What can be told of a file without reading it (kind, size, an archive's declared sizes): ReadError if wrong.
    Cheap enough for the request that receives a large upload."""
    suffix = Path(filename).suffix.lower()
    if not data:
        raise ReadError("Tệp rỗng.")
    if len(data) > MAX_BYTES:
        raise ReadError(f"Tệp quá lớn (tối đa {MAX_BYTES // 1024 // 1024} MB).")
    if suffix not in SUFFIXES:
        raise ReadError(
            f"Không hỗ trợ tệp {suffix or 'không có phần mở rộng'}: hãy dùng .docx, .xlsx, .pdf, .csv hoặc .txt."
        )
    if suffix in (".docx", ".xlsx"):
        _check_archive(data, suffix)


def read_bytes(data: bytes, filename: str) -> Document:
    check_upload(data, filename)
    readers = {".docx": read_docx, ".xlsx": read_xlsx, ".pdf": read_pdf, ".csv": read_csv}
    document = readers.get(Path(filename).suffix.lower(), read_text)(data)
    for table in document.tables:
        _check_size(len(table), max((len(row) for row in table), default=0))
    document.source = filename
    if not any(document.tables) and not document.text_lines:
        raise ReadError("Không tìm thấy bảng nào trong tệp.")
    return document


# --- Word ----------------------------------------------------------------------------------------------


def read_docx(data: bytes) -> Document:
    try:
        from docx import Document as open_docx
        from docx.oxml.ns import qn
    except ImportError as error:  # pragma: no cover - a dependency of the project
        raise ReadError("Thiếu thư viện python-docx.") from error
    try:
        doc = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ReadError("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from error
    except Exception as error:  # noqa: BLE001 - python-docx raises many kinds on a broken package
        raise ReadError("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from error

    text_tag, breaks, tab = qn("w:t"), {qn("w:br"), qn("w:cr")}, qn("w:tab")

    def paragraph_text(p) -> str:
        # a soft line break (Shift+Enter) is a line break, as Word shows it; a tab is a space
        parts = []
        for element in p.iter(text_tag, tab, *breaks):
            parts.append(element.text or "" if element.tag == text_tag else " " if element.tag == tab else "\n")
        return "".join(parts)

    def cell_text(tc) -> str:
        return _nfc("\n".join(paragraph_text(p) for p in tc.iter(qn("w:p"))))

    # the text around the tables in reading order; a layout table (the heading "Số: … / Quảng Nam, ngày …" or the
    # signature block, which Word documents lay out as borderless tables) is text too
    result = Document()
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            result.preamble.extend(line for line in _nfc(paragraph_text(child)).split("\n") if line.strip())
        elif child.tag == qn("w:tbl") and _is_layout_table(child):
            for tc in child.iter(qn("w:tc")):
                result.preamble.extend(line for line in cell_text(tc).split("\n") if line.strip())
    for table in doc.tables:
        rows: list[list[str]] = []
        above: dict[int, str] = {}
        for tr in table._tbl.tr_lst:
            row: list[str] = []
            column = 0
            for tc in tr.tc_lst:
                span = tc.grid_span or 1
                vmerge = tc.vMerge  # "restart", "continue" or None; python-docx's row.cells hides this
                text = above.get(column, "") if vmerge == "continue" else cell_text(tc)
                above[column] = text
                row.append(text)
                row.extend([""] * (span - 1))
                for extra in range(1, span):
                    above[column + extra] = ""
                column += span
            rows.append(row)
        result.tables.append(rows)
    return result


def _is_layout_table(tbl) -> bool:
    """A borderless table that lays out text side by side (two columns, a few rows), not an appendix."""
    rows = tbl.tr_lst
    return len(rows) <= 12 and all(len(tr.tc_lst) <= 2 for tr in rows)


# --- Excel ---------------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> Document:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover
        raise ReadError("Thiếu thư viện openpyxl.") from error
    try:
        # Not read-only: read-only mode does not expose merged cells
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # noqa: BLE001 - any fault of an uploaded file is the file's: it is refused, never a 500
        raise ReadError("Tệp .xlsx bị hỏng hoặc không phải bảng tính Excel.") from error
    result = Document()
    for sheet in workbook.worksheets:
        fill: dict[tuple[int, int], str] = {}
        blank: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            value = sheet.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if (r, c) == (merged.min_row, merged.min_col):
                        continue
                    if c == merged.min_col:
                        fill[(r, c)] = _cell_value(value)  # down: the same lead for each row
                    else:
                        blank.add((r, c))  # across: the first column only
        rows: list[list[str]] = []
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = []
            for c, value in enumerate(row, start=1):
                if (r, c) in fill:
                    cells.append(fill[(r, c)])
                elif (r, c) in blank:
                    cells.append("")
                else:
                    cells.append(_cell_value(value))
            rows.append(cells)
        result.tables.append(rows)
    return result


def _cell_value(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Excel writes a character XML cannot hold as _xHHHH_ (a soft line break is _x000B_, a literal "_x" _x005F_x)
    return _nfc(_EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)))


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


# --- PDF -----------------------------------------------------------------------------------------------

#: Characters that Vietnamese set in a legacy 8-bit font (TCVN3, VNI) turns into when a PDF's text is extracted
_LEGACY = set("§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÐÑ×ØÞßðñ÷øþ¦¢£¤¥")
_VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ")


def pdf_text_problem(text: str) -> str | None:
    """Why a PDF's text layer cannot be used, or None."""
    if not text.strip():
        return "Tệp PDF không có lớp chữ (có thể là bản quét): hãy tải lên bản Word hoặc PDF xuất trực tiếp từ Word."
    if "(cid:" in text:
        return (
            "Phông chữ trong tệp PDF không trích xuất được chữ (cid): hãy tải lên bản Word gốc hoặc PDF "
            "dùng phông Unicode."
        )
    letters = [ch for ch in text if ch.isalpha() or ch in _LEGACY]
    legacy = sum(1 for ch in letters if ch in _LEGACY)
    vietnamese = sum(1 for ch in letters if ch in _VIETNAMESE)
    if letters and legacy > 0.02 * len(letters) and legacy > vietnamese:
        return (
            "Tệp PDF dùng phông chữ tiếng Việt cũ (TCVN3 hoặc VNI) nên chữ trích ra bị sai: hãy chuyển sang "
            "phông Unicode hoặc tải lên bản Word gốc."
        )
    return None


def _unwrap(text: str) -> str:
    """A PDF cell's lines are where the page width broke them: join them, keeping list items on their own."""
    text = re.sub(r"(?<=[\w/])-\n(?=\w)", "-", text)  # "2883/UBND-" + "KSTT"
    return re.sub(r"\n(?![-–•+*]\s|[a-zđ]\)\s)", " ", text)


def read_pdf(data: bytes) -> Document:
    """A PDF with a text layer: its ruled tables (pages joined), else its text as lines to cut."""
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as error:  # pragma: no cover
        raise ReadError("Thiếu thư viện pdfplumber.") from error
    broken = "Tệp PDF bị hỏng hoặc không đọc được."
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as error:  # noqa: BLE001 - pdfminer raises many kinds on a broken file
        cause = error.args[0] if error.args else error  # pdfplumber wraps pdfminer's error
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise ReadError(
                "Tệp PDF được đặt mật khẩu: hãy gỡ mật khẩu (hoặc dùng bản Word) rồi tải lên lại."
            ) from error
        raise ReadError(broken) from error
    most = limit("IMPORT_MAX_PDF_PAGES")
    if len(pages) > most:
        pdf.close()
        count = f"{len(pages):,}".replace(",", ".")
        raise ReadError(f"Tệp PDF có {count} trang, quá {most} trang của một phụ lục.")
    with pdf:
        texts: list[str] = []
        tables: list[list[list[str]]] = []
        for number, page in enumerate(pages, start=1):
            try:
                texts.append(unicodedata.normalize("NFC", page.extract_text() or ""))
                found = page.extract_tables()
            except Exception as error:  # noqa: BLE001 - a page pdfminer cannot lay out
                raise ReadError(f"Tệp PDF bị hỏng ở trang {number}.") from error
            for table in found:
                rows = [[_unwrap(_nfc(cell)) for cell in row] for row in table if row]
                if not rows:
                    continue
                # a table that goes on from the previous page has its width and no header of its own
                if tables and len(rows[0]) == len(tables[-1][0]):
                    tables[-1].extend(rows)
                else:
                    tables.append(rows)
    text = "\n".join(texts)
    problem = pdf_text_problem(text)
    if problem:
        raise ReadError(problem)
    lines = text.splitlines()
    if tables:
        return Document(tables=tables, preamble=[line.strip() for line in lines[:80] if line.strip()])
    return Document(text_lines=lines, preamble=[line.strip() for line in lines if line.strip()][:400])


# --- CSV -----------------------------------------------------------------------------------------------


def _decode(data: bytes, kind: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadError(
            f"Tệp {kind} không phải UTF-8 (có thể là bảng mã cũ như TCVN3, VNI hoặc Windows-1258): "
            "hãy lưu lại với bảng mã UTF-8 rồi tải lên lại."
        ) from error


def read_csv(data: bytes) -> Document:
    text = _decode(data, "CSV")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=counts.get)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [[_nfc(cell) for cell in row] for row in reader]
    except csv.Error as error:  # a field past the csv module's limit (131,072 characters), a stray NUL …
        raise ReadError(f"Tệp CSV sai định dạng ở dòng {reader.line_num}: có ô quá dài hoặc ký tự lạ.") from error
    return Document(tables=[rows])


# --- plain text ----------------------------------------------------------------------------------------


def read_text(data: bytes) -> Document:
    """Tab-separated text (one row per line, as copied out of Word or a web page), or text extracted from a PDF."""
    text = _decode(data, "văn bản")
    lines = [unicodedata.normalize("NFC", line) for line in text.splitlines()]
    tabbed = [line for line in lines if "\t" in line]
    if len(tabbed) < 2:
        return Document(text_lines=lines, preamble=[line.strip() for line in lines if line.strip()][:400])
    rows = [[_nfc(cell) for cell in line.split("\t")] for line in lines]
    preamble = []
    for line in lines:
        if "\t" in line:
            break
        if line.strip():
            preamble.append(_nfc(line))
    return Document(tables=[rows], preamble=preamble)


def strip_html(text: str) -> str:
    """Cell text as shown: HTML fragments out, list items on their own lines."""
    text = re.sub(r"<\s*(br|/p|/li|li)\b[^>]*>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
