"""Text extracted from a PDF appendix (seeds 002 and 004): cells broken across lines, columns run together.

There are no column separators, so a row is cut where a reader would cut it: rows start at their number (in
sequence, so a number inside a cell does not start one); blank lines separate blocks; the deadline is the last
phrase that reads as one and comes after the agencies; the agencies are the longest run of names the directory
knows (and nothing else) before it; what comes before is the content, then the deliverable. The page header
printed again on every page and the page numbers are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.agencies.names import normalize_name
from tracker.agencies.resolver import ROLE_WORDS, AliasIndex, canonical_key, resolve_cell
from tracker.deadlines.parser import parse_deadline

COLUMN_WORDS = {
    "deliverable": re.compile(r"kết quả|sản phẩm", re.I),
    "lead": re.compile(r"chủ trì", re.I),
    "coordinators": re.compile(r"phối hợp", re.I),
    "deadline": re.compile(r"thời gian|thời hạn|tiến độ", re.I),
}
DEADLINE_START = re.compile(
    r"(?i)\b(trước ngày|trước \d|chậm nhất|hoàn thành|ngay sau khi|sau khi|thường xuyên|định kỳ|hằng (?:năm|quý|tháng)"
    r"|hàng (?:năm|quý|tháng)|quý [ivx\d]|năm \d{4}|trong năm|trong quý|trong tháng|tháng \d|theo (?:kế hoạch|quy định"
    r"|lộ trình|tiến độ|văn bản|hướng dẫn|yêu cầu|thời gian|đề án)|\d{1,2}/\d{1,2}/\d{4}|từ ngày|trong thời hạn"
    r"|kịp thời|đột xuất)"
)
PAGE_BREAK = "\f"
_BODY_START = re.compile(
    r"^[\s\-–•+]*(các\s+)?(cơ quan|đơn vị|sở|ban|ubnd|ủy ban|uỷ ban|văn phòng|trung tâm|bộ phận|đài|báo|công an|"
    r"thanh tra|bưu điện|hội đồng)\b",
    re.IGNORECASE,
)
ROMAN_LINE = re.compile(r"^\s*((?:X{0,3})(?:IX|IV|V?I{0,3}))\s*(?:[.)]\s*)?(?:\s(\S.*))?$")
NUMBER_LINE = re.compile(r"^\s*(\d{1,3})[.)]?\s*(?:\s(\S.*))?$")
INDICATOR_TARGET = re.compile(
    r"(?:^|\s)(%|lần|ngày|hồ sơ|TTHC)\s+"
    r"((?:Tối thiểu|Tối đa|Đạt|Trên|Dưới|Không dưới|Không quá)?\s*\d+(?:[.,]\d+)?\s*%?)",
    re.I,
)


@dataclass
class TextTable:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    is_indicators: bool = False


def _norm_line(line: str) -> str:
    return normalize_name(line)


def find_tables(lines: list[str]) -> list[tuple[int, int, list[str], set[str], bool]]:
    """(first line, last line, header lines, columns, is indicator table) for each appendix table."""
    starts = []
    for i, line in enumerate(lines):
        n = _norm_line(line)
        if re.match(r"^(stt|tt)\b", n) and re.search(r"noi dung|nhiem vu|de an", n):
            starts.append(i)
    tables = []
    for start in starts:
        header = [lines[start]]
        j = start + 1
        # the header runs until the first row or section line
        while j < len(lines) and j - start < 8:
            line = lines[j]
            if line.strip() and (
                NUMBER_LINE.match(line) or (ROMAN_LINE.match(line) and ROMAN_LINE.match(line).group(1))
            ):
                break
            header.append(line)
            j += 1
        blob = " ".join(header)
        columns = {name for name, pattern in COLUMN_WORDS.items() if pattern.search(blob)}
        is_indicators = bool(re.search(r"chỉ tiêu", blob, re.I)) and not re.search(r"công việc", blob, re.I)
        if columns:
            tables.append((start, j, header, columns, is_indicators))
    # a repeated page header starts no new table: keep one table per run
    merged: list[tuple[int, int, list[str], set[str], bool]] = []
    for table in tables:
        if merged and merged[-1][2][0].strip() == table[2][0].strip() and merged[-1][4] == table[4]:
            continue
        merged.append(table)
    return merged


def split_rows(lines: list[str], start: int, header: list[str], end: int) -> list[tuple[str, str, list[str]]]:
    """(kind, number, text lines) for each section and row of a table; page headers and numbers dropped."""
    header_keys = {_norm_line(h) for h in header if h.strip()}
    items: list[tuple[str, str, list[str]]] = []
    expected = 1
    i = start
    while i < end:
        line = lines[i].rstrip()
        key = _norm_line(line)
        i += 1
        if key and key in header_keys:
            if items and items[-1][2] and items[-1][2][-1] != PAGE_BREAK:
                items[-1][2].append(PAGE_BREAK)  # the row goes on, column by column, on the next page
            continue
        alone = re.fullmatch(r"\s*-?\s*\d{1,3}\s*-?\s*", line) and (i >= end or not lines[i].strip())
        if alone and not (NUMBER_LINE.match(line) and int(NUMBER_LINE.match(line).group(1)) == expected):
            continue  # a page number alone on its line
        if re.match(r"^\s*(nơi nhận|tm\.|kt\.)|^\s*phụ lục\s*$", line, re.I):
            break  # the signature, or the next appendix
        roman = ROMAN_LINE.match(line)
        if roman and roman.group(1) and (roman.group(2) is None or not roman.group(2)[:1].isdigit()):
            title = [roman.group(2)] if roman.group(2) else []
            while i < end and lines[i].strip() and not NUMBER_LINE.match(lines[i]):
                title.append(lines[i].strip())
                i += 1
            items.append(("section", roman.group(1), title))
            expected = 1
            continue
        number = NUMBER_LINE.match(line)
        if number and int(number.group(1)) in (expected, 1) and (items or int(number.group(1)) == 1):
            items.append(("row", number.group(1), [number.group(2)] if number.group(2) else []))
            expected = int(number.group(1)) + 1
            continue
        if items:
            items[-1][2].append(line)
    return items


# --- cutting a row into cells ----------------------------------------------------------------------------


def _pure_agencies(text: str, index: AliasIndex) -> bool:
    """The text names agencies or groups and nothing else (role words and punctuation allowed)."""
    result = resolve_cell(text, index)
    if result.unresolved or not (result.agencies or result.groups):
        return False
    words = canonical_key(re.sub(r"\(.*?\)", " ", text)).split()
    names = set()
    for key in index.keys:
        names.update(key)
    return all(w in names or w in ROLE_WORDS for w in words)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated blocks; a page break is a block of its own."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line == PAGE_BREAK:
            blocks.extend([[PAGE_BREAK], []])
        elif line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    joined: list[list[str]] = []
    for block in (b for b in blocks if b):
        # "UBND cấp huyện (Văn / phòng" ⏎ "HĐND&UBND)": a parenthesis keeps its block open
        if joined and joined[-1] != [PAGE_BREAK] and block != [PAGE_BREAK]:
            text = "\n".join(joined[-1])
            if text.count("(") > text.count(")"):
                joined[-1].extend(block)
                continue
        joined.append(block)
    return joined


def _words(text: str) -> list[str]:
    return canonical_key(re.sub(r"^[\s\-–•+]+", "", text)).split()


def starts_with_agency(text: str, index: AliasIndex) -> bool:
    """The text begins with a name the directory knows ("Văn phòng UBND tỉnh theo dõi …")."""
    words = _words(text)
    without_cac = words[1:] if words[:1] == ["cac"] and len(words) > 1 else words
    for candidate in (words, without_cac):
        for length in range(min(index.longest, len(candidate)), 0, -1):
            hit = index.keys.get(tuple(candidate[:length]))
            if hit and hit[0] in ("agency", "group"):
                return True
    # "Cơ quan được giao chủ trì soạn thảo …", "Các cơ quan, đơn vị được giao …": a body, named loosely
    return bool(_BODY_START.match(text))


def _reads_as_deadline(text: str) -> bool:
    """Whether the text is a deadline: read against a stand-in year, so "hằng quý" counts without the plan's."""
    return parse_deadline(text, 2000).kind != "unknown"


def _deadline_like(text: str) -> bool:
    stripped = re.sub(r"^[\s\-–•+]+", "", text)
    return bool(DEADLINE_START.match(stripped)) or parse_deadline(stripped, 2000).kind in (
        "date",
        "recurring",
        "continuous",
    )


def cut_row(lines: list[str], columns: set[str], index: AliasIndex) -> dict[str, str]:
    """One row's text → its cells, block by block in column order (content, deliverable, agencies, deadline)."""
    all_blocks = ["\n".join(b) for b in _blocks(lines)]
    # what follows a page break goes on column by column; before it, the row reads in order
    page = all_blocks.index(PAGE_BREAK) if PAGE_BREAK in all_blocks else len(all_blocks)
    blocks, after_break = all_blocks[:page], [b for b in all_blocks[page:] if b != PAGE_BREAK]
    has_deliverable = "deliverable" in columns
    first_agency_slot = 2 if has_deliverable else 1
    agency_at = [i for i, b in enumerate(blocks) if i >= 1 and starts_with_agency(b, index)]
    if len(blocks) < 2 or not agency_at:
        return _cut_inline([line for line in lines if line != PAGE_BREAK], columns, index)
    # the deadline: the first deadline-like block after an agency block
    deadline_at = (
        next(
            (
                i
                for i, b in enumerate(blocks)
                if i > agency_at[0] and not starts_with_agency(b, index) and _deadline_like(b)
            ),
            None,
        )
        if "deadline" in columns
        else None
    )
    end = deadline_at if deadline_at is not None else len(blocks)
    agencies = [i for i in agency_at if i < end]
    # the agency blocks run back from the deadline; at most lead and coordinators
    run: list[int] = []
    for i in range(end - 1, 0, -1):
        if i in agencies and len(run) < (2 if "coordinators" in columns else 1):
            run.insert(0, i)
        elif run:
            break
    if not run:
        return _cut_inline([line for line in lines if line != PAGE_BREAK], columns, index)
    if has_deliverable and run[0] < first_agency_slot and len(run) > 1:
        run = run[1:]  # the block after the content is the deliverable, even when it names an agency
    text_blocks = blocks[: run[0]]
    cells = {"content": "", "deliverable": "", "lead": "", "coordinators": "", "deadline": ""}
    agency_blocks = [blocks[i] for i in run]
    if deadline_at is None and "deadline" in columns:
        # "Sở Giáo dục và / Đào tạo Năm 2022": the deadline on the agency's own line
        last = agency_blocks[-1]
        for match in DEADLINE_START.finditer(last):
            head, tail = last[: match.start()], last[match.start() :]
            if head.strip() and _pure_agencies(head, index) and _reads_as_deadline(tail):
                agency_blocks[-1] = head.strip()
                cells["deadline"] = _join(tail)
                break
    if (
        len(agency_blocks) == 1
        and "coordinators" in columns
        and text_blocks
        and not _split_agencies(agency_blocks[0], True, index)[1]
    ):
        # "Quyết định công bố / Các cơ quan chuyên / môn thuộc UBND tỉnh", "Văn bản thẩm định Sở Tư pháp":
        # the deliverable ends in the lead (a whole name that starts with a capital, on its own lines or not)
        head, suffix = _agency_tail(text_blocks[-1], index)
        if suffix:
            text_blocks = [*text_blocks[:-1], head] if head else text_blocks[:-1]
            agency_blocks = [suffix, *agency_blocks]
    if text_blocks:
        if has_deliverable:
            cells["content"] = _join(text_blocks[0])
            cells["deliverable"] = "\n".join(_join(b) for b in text_blocks[1:])
        else:
            cells["content"] = _join("\n".join(text_blocks))
    if len(agency_blocks) == 2:
        cells["lead"], cells["coordinators"] = _join(agency_blocks[0]), _join(agency_blocks[1])
    else:
        cells["lead"], cells["coordinators"] = _split_agencies(agency_blocks[0], "coordinators" in columns, index)
    tail = blocks[end:]
    spill = list(after_break)
    if deadline_at is not None and not cells["deadline"]:
        # the deadline cell runs to the page break (its own blank lines included)
        cells["deadline"] = "\n".join(_join(b) for b in tail)
    if spill:
        # a row broken by the page goes on in column order below the page header
        last_key = None
        # a cell cut inside a document's symbol ("… Kế hoạch số 2693/KH-" / "UBND ngày 10/5/2021 …") goes on
        broken = next((k for k, v in cells.items() if re.search(r"\d/[A-ZĐ]+-$", v)), None)
        for block in spill:
            text = _join(block)
            if last_key is None and broken and re.match(r"[A-ZĐ]+\b", block):
                key = broken
            elif last_key and block[:1].islower():
                key = last_key  # the same cell, broken by a blank line
            elif (
                "deadline" in columns
                and len(text) < 120
                and re.search(r"(?i)\b(trước|chậm nhất|kể từ|tính từ|hằng (năm|quý|tháng)|định kỳ)\b", text)
                and not starts_with_agency(block, index)
            ):
                key = "deadline"
            elif block[:1].islower() or not has_deliverable:
                key = "content"
            elif starts_with_agency(block, index):
                key = "coordinators" if cells["coordinators"] else "lead"
            elif "deadline" in columns and not cells["deadline"] and _deadline_like(block):
                key = "deadline"
            else:
                key = "deliverable"
            joiner = " " if key == "content" or block[:1].islower() else "\n"
            cells[key] = f"{cells[key]}{joiner}{text}".strip()
            last_key = key
    return cells


def _agency_tail(block: str, index: AliasIndex) -> tuple[str, str]:
    """(what comes before, the agency name) when a block ends in a whole agency name, else (block, "")."""
    lines = block.split("\n")
    cuts = [("\n".join(lines[:cut]), "\n".join(lines[cut:])) for cut in range(1, len(lines))]
    last = lines[-1]
    cuts += [
        ("\n".join([*lines[:-1], last[: m.start()].rstrip()]), last[m.start() :])
        for m in re.finditer(r"(?<=\s)\S", last)
    ]
    for head, suffix in cuts:
        if suffix[:1].isupper() and starts_with_agency(suffix, index) and _pure_agencies(suffix, index):
            return head.strip(), suffix
    return block, ""


def _cut_inline(lines: list[str], columns: set[str], index: AliasIndex) -> dict[str, str]:
    """A row whose columns run together on the same lines ("… điện tử. Sở Nội vụ Năm 2022")."""
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    cells = {"content": "", "deliverable": "", "lead": "", "coordinators": "", "deadline": ""}
    agencies_end = len(text)
    if "deadline" in columns:
        for match in DEADLINE_START.finditer(text):
            before = text[: match.start()]
            tail = text[match.start() :]
            if parse_deadline(tail).kind == "unknown" and not re.match(r"(?i)hoàn thành|kịp thời", tail):
                continue
            if _agency_suffix(before, index) is not None:
                cells["deadline"] = _join(tail)
                agencies_end = match.start()
                break
    before = text[:agencies_end]
    start = _agency_suffix(before, index)
    if start is None:
        start = len(before)
    agency_text = before[start:]
    rest = before[:start].strip()
    lead, coordinators = _split_agencies(agency_text, "coordinators" in columns, index)
    cells["lead"], cells["coordinators"] = lead, coordinators
    blocks = _blocks(rest.split("\n"))
    if "deliverable" in columns and len(blocks) > 1:
        cells["content"] = _join("\n".join(blocks[0]))
        cells["deliverable"] = "\n".join(_join("\n".join(b)) for b in blocks[1:])
    else:
        cells["content"] = _join("\n".join("\n".join(b) for b in blocks))
    return cells


def _agency_suffix(text: str, index: AliasIndex) -> int | None:
    """Where the longest run of agency names at the end of ``text`` starts (None if it does not end in one)."""
    starts = [0] + [m.end() for m in re.finditer(r"\n|\.\s|;\s", text)]
    for start in sorted(set(starts)):
        segment = text[start:]
        if segment.strip() and _pure_agencies(segment, index):
            return start
    return None


def _split_agencies(text: str, has_coordinators: bool, index: AliasIndex) -> tuple[str, str]:
    text = text.strip()
    if not text or not has_coordinators:
        return _join(text), ""
    if text.startswith("-"):
        # "- Các Sở, Ban, ngành; / - UBND cấp huyện; / - UBND cấp xã. / - Văn phòng UBND tỉnh; …":
        # the list that ends with a full stop is the lead, what follows coordinates
        items: list[str] = []
        for line in (line.strip() for line in text.split("\n")):
            if not line:
                continue
            if line.startswith("-") or not items or items[-1].endswith("."):
                items.append(line)
            else:
                items[-1] = f"{items[-1]} {line}"
        end = next((i for i, item in enumerate(items) if item.endswith(".")), len(items) - 1)
        return "\n".join(items[: end + 1]), "\n".join(items[end + 1 :])
    blocks = _blocks(text.split("\n"))
    if len(blocks) > 1:
        return _join("\n".join(blocks[0])), _join("\n".join("\n".join(b) for b in blocks[1:]))
    lines = blocks[0] if blocks else []
    # "Văn phòng UBND tỉnh / - Các Sở, Ban, ngành; / - UBND cấp huyện": the undashed head leads
    if lines and not lines[0].startswith("-") and any(line.startswith("-") for line in lines):
        head = [line for line in lines if not line.startswith("-")]
        first_dash = next(i for i, line in enumerate(lines) if line.startswith("-"))
        if all(not line.startswith("-") for line in lines[:first_dash]):
            return _join("\n".join(lines[:first_dash])), _join("\n".join(lines[first_dash:]))
        return _join("\n".join(head)), ""
    if len(lines) == 1:
        # "UBND cấp xã UBND cấp huyện;": two names run together on one line
        for m in re.finditer(r"(?<=\s)(?=[A-ZĐÀ-Ỹ])", lines[0]):
            head, tail = lines[0][: m.start()].rstrip(), lines[0][m.start() :]
            if not head.endswith((",", "và", "-")) and _pure_agencies(head, index) and _pure_agencies(tail, index):
                return _join(head), _join(tail)
    # "Các Sở, Ban, ngành / Văn phòng UBND / tỉnh": the first whole name leads, the rest coordinate
    for cut in range(1, len(lines)):
        head, tail = "\n".join(lines[:cut]), "\n".join(lines[cut:])
        if (
            _pure_agencies(head, index)
            and _pure_agencies(tail, index)
            and not lines[cut - 1].rstrip().endswith((",", "và", "-"))
        ):
            return _join(head), _join(tail)
    return _join("\n".join(lines)), ""


def _join(text: str) -> str:
    """Lines broken by the page width joined again; list items kept on their own lines."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and not re.match(r"^[-–•+]\s|^[a-zđ]\)\s", line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(re.sub(r"\s+", " ", o) for o in out)


def tables_from_text(lines: list[str], index: AliasIndex) -> list[TextTable]:
    """Every appendix table in PDF-extracted text, as rows of cells under a header of our own."""
    found = find_tables(lines)
    result: list[TextTable] = []
    for n, (_start, body_start, header, columns, is_indicators) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        if is_indicators:
            result.append(_indicator_table(lines, body_start, header, end, index))
            continue
        order = ["number", "content"] + [c for c in ("deliverable", "lead", "coordinators", "deadline") if c in columns]
        labels = {
            "number": "STT",
            "content": "Nội dung công việc",
            "deliverable": "Kết quả công việc",
            "lead": "Cơ quan chủ trì",
            "coordinators": "Cơ quan phối hợp",
            "deadline": "Thời gian thực hiện",
        }
        table = TextTable(columns=[labels[c] for c in order])
        table.rows.append(list(table.columns))
        for kind, number, text in split_rows(lines, body_start, header, end):
            if kind == "section":
                table.rows.append([number, _join("\n".join(text))] + [""] * (len(order) - 2))
                continue
            cells = cut_row(text, columns, index)
            table.rows.append([number] + [cells[c] for c in order[1:]])
        result.append(table)
    return result


def _indicator_table(lines, body_start, header, end, index) -> TextTable:
    table = TextTable(
        columns=["STT", "Nội dung chỉ tiêu", "Đơn vị tính", "Chỉ tiêu giao", "Cơ quan chủ trì", "Cơ quan phối hợp"],
        is_indicators=True,
    )
    for kind, number, text in split_rows(lines, body_start, header, end):
        if kind != "row":
            continue
        blob = "\n".join(text)
        match = INDICATOR_TARGET.search(blob)
        if match is None:
            table.rows.append([number, _join(blob), "", "", "", ""])
            continue
        content = _join(blob[: match.start()])
        agencies = blob[match.end() :]
        lead, coordinators = _split_agencies(agencies, True, index)
        table.rows.append([number, content, match.group(1), match.group(2).strip(), lead, coordinators])
    return table
