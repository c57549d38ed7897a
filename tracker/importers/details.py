"""A plan's own details read from its document: kind, number, date, title, year or period, issuer, signer.

Sources, most trusted first: the document's own heading ("Số: 123/KH-UBND", "Quảng Nam, ngày 15 tháng 01 năm
2027", "KẾ HOẠCH" and the title under it); then a line that names the plan ("Kế hoạch số 123/KH-UBND ngày
15/01/2027", as a title row of a sheet does, or "Ban hành kèm theo Quyết định số … của UBND tỉnh Quảng Nam" above
an appendix); then an appendix title ("DANH MỤC … GIAI ĐOẠN 2021 – 2025"). A draft's placeholder ("#sovb", a blank
number, "ngày #nbh") is never taken for a value: the field stays empty and a note tells the office why, as it does
for every detail the document does not give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: How many lines from the top the document's own heading may take
HEAD_LINES = 40

KINDS = {"KẾ HOẠCH": "Kế hoạch", "QUYẾT ĐỊNH": "Quyết định"}
_REFERENCE = re.compile(r"(?P<kind>Kế hoạch|Quyết định)\s+số\s*:?\s*(?P<rest>.*)", re.IGNORECASE)
_NUMBER_FIELD = re.compile(r"\bSố\s*:\s*(?P<rest>.*)")
#: A number with its symbol: "123/KH-UBND", "20/2008/NĐ-CP", and a draft's "#sovb/QĐ-UBND" or "   /QĐ-UBND"
_NUMBER = re.compile(r"(?P<number>[^\s/]*)\s*(?P<symbol>/\s*[^\s/]+(?:/[^\s/]+)*)")
_PLACE_DATE = re.compile(r"(?:^|\s)[A-ZĐÀ-Ỹ][^\s,]*(?:\s+[A-ZĐÀ-Ỹ][^\s,]*)*\s*,\s*ngày\b(?P<rest>.*)")
_DATE = re.compile(
    r"^\s*(?P<day>\d{1,2})\s*(?:[/.-]|\s+tháng\s+)\s*(?P<month>\d{1,2})\s*(?:[/.-]|\s+năm\s+)\s*(?P<year>\d{4})\b",
    re.IGNORECASE,
)
_TITLE_STOP = re.compile(
    r"^\s*(?:ỦY BAN|UỶ BAN|Căn cứ|\(?\s*(?:Ban hành\s+)?kèm theo|\(Ban hành|Thực hiện|Theo\b|Phụ lục|Điều\s+\d"
    r"|QUYẾT ĐỊNH|STT\b|TT\b|I\.)",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"(?:giai đoạn|thời kỳ|từ năm)\s*(?P<start>20\d{2})\s*(?:[-–—]|đến(?:\s+năm)?)?\s*(?P<end>20\d{2})", re.IGNORECASE
)
_YEAR = re.compile(r"\bnăm\s+(?P<year>20\d{2})\b", re.IGNORECASE)
_UBND = re.compile(r"^(?:ỦY|UỶ|Ủy|Uỷ)\s+ban\s+nhân\s+dân\b|^UBND\b", re.IGNORECASE)
_LEVEL = re.compile(r"^(?P<level>TỈNH|THÀNH PHỐ|HUYỆN|THỊ XÃ|XÃ|PHƯỜNG)\s+(?P<name>.+)$")
_OFFICE = r"(?:PHÓ\s+)?(?:CHỦ TỊCH|GIÁM ĐỐC|TỔNG GIÁM ĐỐC|BỘ TRƯỞNG|THỨ TRƯỞNG|CHÁNH VĂN PHÒNG|TRƯỞNG BAN)"
#: A line of the signature block: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
_SIGN_TITLE = re.compile(rf"^(?:(?:TM|KT|TL|TUQ|Q)\.\s*(?:(?:ỦY|UỶ) BAN NHÂN DÂN|{_OFFICE})|{_OFFICE})$")
_NOT_NAMES = {"TỈNH", "HUYỆN", "THÀNH", "THỊ", "XÃ", "PHƯỜNG", "SỞ", "BỘ", "UBND", "VĂN", "NƠI", "CỘNG"}
_SIGNATURE_MARK = re.compile(r"^(?:\[[^\]]*\]|\(?\s*đã ký\s*\)?|\(?\s*ký,? (?:ghi rõ họ tên|tên)[^)]*\)?)$", re.I)


@dataclass
class DocumentDetails:
    """What the document says of itself, and a note per detail it leaves blank or unsure."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def clean(line: str) -> str:
    """A line without the bold marks of extracted text, non-breaking spaces or runs of spaces."""
    line = line.replace("\u00a0", " ").replace("**", "").replace("__", "")
    return re.sub(r"\s+", " ", line).strip()


def read_details(lines: list[str]) -> DocumentDetails:
    """Read the details from the document's lines (its heading, title rows, references and signature)."""
    lines = [clean(line) for line in lines]
    lines = [line for line in lines if line]
    found = DocumentDetails()
    _own_heading(lines, found)
    _references(lines, found)
    _title(lines, found)
    _year_or_period(lines, found)
    _issuer(lines, found)
    _signer(lines, found)
    _notes_for_missing(found)
    return found


# --- number, date and kind -----------------------------------------------------------------------------


def read_number(text: str) -> tuple[str, str]:
    """(the number, or "" for a placeholder; the text as written) at the start of ``text``."""
    match = _NUMBER.match(text.strip())
    if not match:
        return "", text.strip()[:40]
    symbol = re.sub(r"\s+", "", match.group("symbol"))
    if symbol.endswith("-"):  # "123/KH- UBND": the symbol broken at its dash
        tail = re.match(r"\s*([A-ZĐ][A-ZĐ0-9]*)", text.strip()[match.end() :])
        symbol += tail.group(1) if tail else ""
    written = f"{match.group('number')}{symbol}"
    number = match.group("number")
    if not re.match(r"^\d+[a-zA-Z]?$", number):
        return "", written
    return written, written


def read_date(text: str) -> tuple[date | None, str]:
    """(the date, or None when the text leaves it blank; the text as written) at the start of ``text``."""
    written = re.split(r"\s+(?:của|Quảng|về|V/v)\b|[)(]", text.strip(), maxsplit=1)[0].strip()[:40]
    match = _DATE.match(text)
    if not match:
        return None, written
    try:
        return date(int(match.group("year")), int(match.group("month")), int(match.group("day"))), written
    except ValueError:
        return None, written


def _set_number(found: DocumentDetails, text: str) -> None:
    number, written = read_number(text)
    if number:
        found.values["doc_number"] = number
        found.notes.pop("doc_number", None)
    elif "doc_number" not in found.values:
        found.notes["doc_number"] = (
            f"Văn bản chưa có số (ghi “{written or 'để trống'}”): nhập số, ký hiệu khi văn bản được ban hành."
        )


def _set_date(found: DocumentDetails, text: str) -> None:
    issued, written = read_date(text)
    if issued:
        found.values["issued_on"] = issued
        found.notes.pop("issued_on", None)
    elif "issued_on" not in found.values:
        found.notes["issued_on"] = (
            f"Văn bản chưa có ngày ban hành (ghi “ngày {written}”): nhập ngày khi văn bản được ban hành."
            if written
            else "Văn bản chưa có ngày ban hành: nhập ngày khi văn bản được ban hành."
        )


def _own_heading(lines: list[str], found: DocumentDetails) -> None:
    """ "Số: 123/KH-UBND", "Quảng Nam, ngày 15 tháng 01 năm 2027" and the "KẾ HOẠCH" / "QUYẾT ĐỊNH" heading."""
    head = lines[:HEAD_LINES]
    for i, line in enumerate(head):
        number = _NUMBER_FIELD.search(line)
        if number and "doc_number" not in found.values and "doc_number" not in found.notes:
            _set_number(found, number.group("rest"))
            symbol = re.search(r"/(QĐ|KH)\b", number.group("rest"))
            if symbol:
                found.values.setdefault("doc_kind", "Quyết định" if symbol.group(1) == "QĐ" else "Kế hoạch")
            # the place and date sit on the same line or the next
            for candidate in (line, *head[i + 1 : i + 3]):
                place = _PLACE_DATE.search(candidate)
                if place:
                    _set_date(found, place.group("rest"))
                    break
        elif "issued_on" not in found.values and "issued_on" not in found.notes and i < 12:
            place = _PLACE_DATE.search(line)
            if place and not re.match(r"^\s*(Căn cứ|Theo|Thực hiện)", line):
                _set_date(found, place.group("rest"))
    heading = _heading_line(lines)
    if heading is not None:
        found.values.setdefault("doc_kind", KINDS[lines[heading].upper().rstrip(" .")])


def _heading_line(lines: list[str]) -> int | None:
    """The line that is the document's kind alone ("KẾ HOẠCH", "QUYẾT ĐỊNH"; not the operative "QUYẾT ĐỊNH:")."""
    for i, line in enumerate(lines[:80]):
        if line.upper().rstrip(" .") in KINDS and line.upper() == line:
            return i
    return None


def _references(lines: list[str], found: DocumentDetails) -> None:
    """ "(Ban hành kèm theo Quyết định số … ngày … của UBND tỉnh …)" above an appendix, or a title row that is the
    plan's own reference ("Kế hoạch số 123/KH-UBND ngày 15/01/2027"). Citations ("Căn cứ …", "Thực hiện …") are
    other documents and are never read."""
    for i, line in enumerate(lines):
        joined = " ".join(lines[i : i + 3])  # a reference may wrap over lines
        own = re.match(r"^\(?\s*(?:Ban hành\s+)?kèm theo\s+", line, re.IGNORECASE)
        title_row = _REFERENCE.match(line) and i < HEAD_LINES
        if not own and not title_row:
            continue
        text = joined[own.end() :] if own else joined
        reference = _REFERENCE.match(text)
        if not reference:
            continue
        found.values.setdefault("doc_kind", reference.group("kind").capitalize())
        rest = reference.group("rest")
        if "doc_number" not in found.values:
            found.notes.pop("doc_number", None)
            _set_number(found, rest)
        after = _NUMBER.match(rest.strip())
        rest = rest.strip()[after.end() :] if after else rest
        when = re.match(r"\s*ngày\b(?P<date>.*)", rest, re.IGNORECASE)
        if when and "issued_on" not in found.values:
            found.notes.pop("issued_on", None)
            _set_date(found, when.group("date"))
        issuer = re.search(r"\bcủa\s+(?P<issuer>[^)]+?)\s*(?:\)|$)", rest)
        if issuer and "issuer" not in found.values:
            found.values["issuer"] = _issuer_name(issuer.group("issuer"))
        return


# --- title, year, issuer, signer -----------------------------------------------------------------------


def _title(lines: list[str], found: DocumentDetails) -> None:
    heading = _heading_line(lines)
    if heading is not None:
        title: list[str] = []
        for following in lines[heading + 1 : heading + 10]:
            if _TITLE_STOP.match(following) or re.match(r"^\d+\.\s", following):
                break
            if len(following) > 2:
                title.append(following)
        text = re.sub(r"^Ban hành\s+", "", " ".join(title)).strip()
        if text:
            found.values["title"] = text[:1].upper() + text[1:]
            return
    # a title row naming the plan ("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2027")
    for line in lines[:HEAD_LINES]:
        if re.match(r"^(KẾ HOẠCH|Kế hoạch)\s+(?!số\b)\S", line) and len(line) > 15 and not _REFERENCE.match(line):
            found.values["title"] = line
            found.values.setdefault("doc_kind", "Kế hoạch")
            return
    # else the appendix's own title, in capitals
    for line in lines[:HEAD_LINES]:
        if (
            line.isupper()
            and len(line) > 15
            and not re.search(r"CỘNG H[OÒ]À|ĐỘC LẬP|BAN NHÂN DÂN|^PHỤ LỤC\b|^(?:TỈNH|THÀNH PHỐ) ", line)
        ):
            found.values["title"] = line
            return


def _year_or_period(lines: list[str], found: DocumentDetails) -> None:
    """The plan's year or period from its title, else from the appendix titles; never from a citation."""
    titles = [found.values.get("title", "")] + [line for line in lines[:HEAD_LINES] if line.isupper()]
    for text in titles:
        span = _PERIOD.search(text)
        if span and int(span.group("start")) < int(span.group("end")):
            found.values["period_start"] = date(int(span.group("start")), 1, 1)
            found.values["period_end"] = date(int(span.group("end")), 12, 31)
            found.values["year"] = int(span.group("start"))
            return
        year = _YEAR.search(text)
        if year:
            found.values["year"] = int(year.group("year"))
            return
    if found.values.get("issued_on"):
        found.values["year"] = found.values["issued_on"].year
        found.notes["year"] = "Tên kế hoạch không ghi năm; năm lấy theo ngày ban hành: hãy kiểm tra."


def _issuer_name(text: str) -> str:
    """ "Ủy ban nhân dân tỉnh Quảng Nam" → "UBND tỉnh Quảng Nam"; "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM" likewise."""
    text = clean(text)
    if _UBND.match(text):
        rest = _UBND.sub("", text).strip()
        level = _LEVEL.match(rest.upper())
        if level:
            name = " ".join(word.capitalize() for word in level.group("name").split())
            return f"UBND {level.group('level').lower()} {name}"
        return f"UBND {rest}".strip()
    return text


def _issuer(lines: list[str], found: DocumentDetails) -> None:
    for i, line in enumerate(lines[:HEAD_LINES]):
        upper = re.split(r"\s*CỘNG H[OÒ]À", line.upper())[0].strip()
        if not re.match(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\b", upper):
            continue
        rest = re.sub(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s*", "", upper)
        if not rest and i + 1 < len(lines):
            rest = re.split(r"\s*(?:CỘNG H[OÒ]À|ĐỘC LẬP)", lines[i + 1].upper())[0].strip()
        if _LEVEL.match(rest):
            found.values["issuer"] = _issuer_name(f"ỦY BAN NHÂN DÂN {rest}")
            return


def _is_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 6 or "BAN NHÂN DÂN" in line.upper() or words[0].upper() in _NOT_NAMES:
        return False
    return all(word.isalpha() and word[0].isupper() for word in words) and (
        line.isupper() or all(word[1:].islower() or len(word) == 1 for word in words)
    )


def _signer(lines: list[str], found: DocumentDetails) -> None:
    """The name under the last title of the signature block ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ
    TỊCH / [daky] / Hồ Quang Bửu")."""
    for i, line in enumerate(lines):
        if not _SIGN_TITLE.match(line.upper()) or line.upper() != line:
            continue
        for following in lines[i + 1 : i + 8]:
            if _SIGN_TITLE.match(following.upper()) or _SIGNATURE_MARK.match(following):
                continue
            if _is_name(following):
                found.values["signer"] = following.title() if following.isupper() else following
                return
            break


def _notes_for_missing(found: DocumentDetails) -> None:
    missing = {
        "doc_number": "Văn bản không ghi số, ký hiệu: hãy nhập.",
        "issued_on": "Văn bản không ghi ngày ban hành: hãy nhập.",
        "title": "Không thấy tên kế hoạch trong văn bản: hãy nhập.",
        "year": "Văn bản không ghi năm của kế hoạch: hãy nhập.",
        "issuer": "Không thấy cơ quan ban hành trong văn bản: hãy nhập.",
        "signer": "Không thấy người ký trong văn bản.",
    }
    for name, note in missing.items():
        if not found.values.get(name):
            found.notes.setdefault(name, note)
