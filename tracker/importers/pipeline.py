"""Rows of cells → a parsed plan: header by column synonyms, hierarchy, continuations, deadlines and agencies.

Parsing is separate from saving (Indico's CSV import): ``build_plan`` reads, ``tracker.importers.operations``
saves. Nothing here touches the database; the agency index is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.agencies.names import normalize_name
from tracker.agencies.resolver import AliasIndex, Resolution, resolve_cell
from tracker.deadlines.parser import Schedule, parse_deadline
from tracker.importers.details import read_details
from tracker.importers.readers import Document, ReadError, strip_html

INDICATOR_KEYS = ("number", "content", "unit", "target_text", "target_value", "lead", "coordinators")
FIELDS = ("number", "content", "deliverable", "lead", "coordinators", "deadline")
#: Rows between two reports of an import's progress
PROGRESS_EVERY = 250
ROMAN = re.compile(r"^(?=[ivxl]+$)(x{0,3})(ix|iv|v?i{0,3})$", re.IGNORECASE)


class ImportError_(ReadError):  # noqa: N801 - "ImportError" is Python's own
    """The table is not an appendix the importer understands (Vietnamese message)."""


@dataclass
class ParsedTask:
    number: str
    section_path: list[str]
    content: str
    deliverable: str
    lead_text: str
    coordinators_text: str
    deadline_text: str
    schedule: Schedule
    lead: Resolution
    coordinators: Resolution
    flags: list[str]
    #: The row's cells as printed, by field
    raw: dict[str, str]
    #: The 1-based row of the table, for messages ("Dòng 12: …")
    line: int
    section_key: str | None = None
    parent_index: int | None = None
    #: The deadline came from the heading above
    deadline_inherited: bool = False
    #: Units the cells name that had ended by the plan's date, each with the successor put in its place
    successors: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "section_path": self.section_path,
            "content": self.content,
            "deliverable": self.deliverable,
            "lead_text": self.lead_text,
            "lead": self.lead.to_json(),
            "coordinators": self.coordinators.to_json(),
            "deadline_text": self.deadline_text,
            "schedule": self.schedule.to_json(),
            "flags": self.flags,
        }


@dataclass
class ParsedSection:
    key: str
    number: str
    title: str
    deadline_text: str
    parent_key: str | None
    level: int
    line: int


@dataclass
class ParsedPlan:
    plan: dict[str, Any] = field(default_factory=dict)
    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "tasks": [t.to_json() for t in self.tasks],
            "indicators": [{key: row[key] for key in INDICATOR_KEYS} for row in self.indicators],
            "warnings": self.warnings,
        }


# --- the header ----------------------------------------------------------------------------------------


def classify_header(label: str) -> str | None:
    """Which field a column heading names ("Cơ quan chủ trì" → lead), by synonyms, in any order."""
    n = normalize_name(label)
    if not n:
        return None
    if "chu tri" in n:
        return "lead"
    if "phoi hop" in n:
        return "coordinators"
    if re.search(r"\b(ghi chu|van ban giao|cap trinh|kinh phi|nguon von|du toan)\b", n):
        return None
    if re.search(r"\b(thoi gian|thoi han|tien do|hoan thanh|nam hoan thanh|thoi diem)\b", n):
        return "deadline"
    if re.search(r"\b(ket qua|san pham)\b", n):
        return "deliverable"
    if n in ("stt", "tt", "so tt", "so thu tu", "s tt"):
        return "number"
    if re.search(r"\b(noi dung|nhiem vu|ten|de an|giai phap|cong viec|chi tieu)\b", n):
        return "content"
    if re.search(r"\b(don vi|co quan) thuc hien\b|\bdon vi\b|\bco quan\b", n):
        return "lead"
    return None


def find_header(rows: list[list[str]]) -> tuple[int, dict[str, int], int] | None:
    """(first row, column of each field, rows the header takes) for the first row that reads as a header."""
    for index, row in enumerate(rows[:400]):
        columns = _header_columns(row)
        if "content" not in columns or not ({"lead", "deadline"} & columns.keys()):
            # A two-row header: "Đơn vị thực hiện" above "Chủ trì | Phối hợp"
            if index + 1 < len(rows) and "content" in columns:
                merged = _merge_header_rows(row, rows[index + 1])
                columns = _header_columns(merged)
                if "content" in columns and ({"lead", "deadline"} & columns.keys()):
                    return index, columns, 2
            continue
        if index + 1 < len(rows):
            below = _header_columns(rows[index + 1])
            if below and not any(
                re.match(r"^\s*(\d+|[ivx]+|[a-e])[.)]?\s*$", c or "", re.I) for c in rows[index + 1][:1]
            ):
                merged = _header_columns(_merge_header_rows(row, rows[index + 1]))
                if {"lead", "coordinators"} <= merged.keys() and not {"lead", "coordinators"} <= columns.keys():
                    return index, merged, 2
        return index, columns, 1
    return None


def _merge_header_rows(top: list[str], bottom: list[str]) -> list[str]:
    merged, carry = [], ""
    for i in range(max(len(top), len(bottom))):
        upper = top[i] if i < len(top) else ""
        lower = bottom[i] if i < len(bottom) else ""
        carry = upper or carry if not upper and lower else upper
        merged.append(f"{carry} {lower}".strip() if lower else upper)
    return merged


def _header_columns(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, label in enumerate(row):
        kind = classify_header(strip_html(label or ""))
        if kind and kind not in columns:
            columns[kind] = i
    return columns


# --- numbers and levels ----------------------------------------------------------------------------------


def number_level(number: str) -> int | None:
    """A: 0, I: 1, 1: 2, 1.1: 3, 1.1.1: 4; bullets and unnumbered: None."""
    n = number.strip().rstrip(".)").strip()
    if not n:
        return None
    if re.fullmatch(r"[A-Ea-e]", n) and n.isupper():
        return 0
    if ROMAN.match(n):
        return 1
    if re.fullmatch(r"[IVXL]+(\.\d+)+", n) and ROMAN.match(n.split(".")[0]):
        return 1 + n.count(".")  # III.1, III.1.1
    if re.fullmatch(r"\d+", n):
        return 2
    if re.fullmatch(r"\d+(\.\d+)+", n):
        return 2 + n.count(".")
    if re.fullmatch(r"[a-zđ]", n):
        return 5
    return None


def _split_leading_number(text: str) -> tuple[str, str]:
    """ "I. NÂNG CAO NHẬN THỨC" → ("I", "NÂNG CAO NHẬN THỨC") when a section title carries its number."""
    match = re.match(r"^\s*([A-E]|[IVXL]+(?:\.\d+)*|\d+(?:\.\d+)*)[.)]?\s+(\S.*)$", text, re.S)
    if match and number_level(match.group(1)) is not None:
        return match.group(1), match.group(2)
    return "", text


# --- the pipeline --------------------------------------------------------------------------------------


def build_plan(
    document: Document,
    index: AliasIndex,
    *,
    year: int | None = None,
    period: tuple[date, date] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedPlan:
    """Read every table of the document that has an appendix header; the first such table holds the tasks.
    ``progress(rows read, rows in all)`` is told every few hundred rows (a large upload's page shows it)."""
    tables = list(document.tables)
    indicators: list[dict[str, Any]] = []
    if document.text_lines:
        from tracker.importers.pdftext import tables_from_text

        for text_table in tables_from_text(document.text_lines, index):
            if text_table.is_indicators:
                indicators.extend(_indicators(text_table.rows, index))
            else:
                tables.append(text_table.rows)
    headers = [find_header(table) for table in tables]
    plan = ParsedPlan(plan=_plan_details(document, tables, headers, year), indicators=indicators)
    if year is None and plan.plan.get("year"):
        year = plan.plan["year"]
    if period is None and plan.plan.get("period_start") and plan.plan.get("period_end"):
        period = (plan.plan["period_start"], plan.plan["period_end"])
    found = False
    total = sum(len(table) for table, header in zip(tables, headers, strict=True) if header) or 1
    done = 0
    for table, header in zip(tables, headers, strict=True):
        if header is None:
            continue
        start, columns, height = header
        if "lead" not in columns:
            raise ImportError_("Bảng không có cột cơ quan chủ trì (cần cột như “Cơ quan chủ trì”).")
        found = True
        first_task = len(plan.tasks)
        on_row = (lambda row, before=done: progress(before + row, total)) if progress else None
        _read_rows(plan, table, start, columns, height, index, year, period, on_row)
        done += len(table)
        if progress is not None:
            progress(done, total)
        if "coordinators" not in columns and _names_who_carries_out(table[start : start + height], columns["lead"]):
            for task in plan.tasks[first_task:]:
                _first_named_leads(task, index)
    if not found:
        raise ImportError_(
            "Không tìm thấy dòng tiêu đề của bảng phụ lục (cần các cột như “Nội dung”, “Cơ quan chủ trì”, "
            "“Thời gian thực hiện”)."
        )
    _childless_headings_are_tasks(plan, index, year, period)
    if not plan.tasks:
        raise ImportError_("Bảng không có nhiệm vụ nào.")
    follow_successors(plan, index, year)
    return plan


def plan_day(details: dict[str, Any], year: int | None) -> date | None:
    """The day a plan speaks for: its date of issue, else its period's start, else its year's first day."""
    day = details.get("issued_on") or details.get("period_start")
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day or (date(year, 1, 1) if year else None)


def follow_successors(plan: ParsedPlan, index: AliasIndex, year: int | None) -> None:
    """A plan written after a unit ended that still names it means its successor of the plan's day: put the
    successor in its place (once, if two merged units are named) and say so on the task."""
    day = plan_day(plan.plan, year)
    if day is None or not index.ended:
        return
    for task in plan.tasks:
        task.successors = []
        task.lead = _successors_of(task.lead, index, day, task.successors)
        task.coordinators = _successors_of(task.coordinators, index, day, task.successors, leads=task.lead)


def _successors_of(
    resolution: Resolution, index: AliasIndex, day: date, told: list, leads: Resolution | None = None
) -> Resolution:
    """The cell's reading with each ended unit replaced by its successor (a new object: readings are cached)."""
    codes: list[str] = []
    for code in resolution.agency_codes:
        following = index.successor_on(code, day)
        if following is not None and (index.display.get(code), index.display[following]) not in told:
            told.append((index.display.get(code, code), index.display[following]))
        if following is not None and leads is not None and following in leads.agency_codes:
            continue  # a coordinator merged into a lead is the lead
        code = following or code
        if code not in codes:
            codes.append(code)
    if codes == resolution.agency_codes:
        return resolution
    return Resolution(
        agencies=[index.display[c] for c in codes],
        agency_codes=codes,
        groups=list(resolution.groups),
        unresolved=list(resolution.unresolved),
    )


def _names_who_carries_out(header_rows: list[list[str]], column: int) -> bool:
    """One "Cơ quan thực hiện" column instead of lead and coordinators."""
    label = " ".join(normalize_name(row[column]) for row in header_rows if column < len(row) and row[column])
    return "chu tri" not in label and bool(re.search(r"\b(thuc hien|don vi|co quan)\b", label))


def _first_named_leads(task: ParsedTask, index: AliasIndex) -> None:
    """In a single agency column the first agency (or group) named leads and the others coordinate.

    The cell is cut at the first comma or semicolon after which both sides read as agencies with nothing
    unread ("UBND các huyện, thị xã, thành phố; Sở Nội vụ" keeps the group whole); a cell with role words
    ("… chủ trì, phối hợp với …") is left to the resolver, and a cell it cannot cut stays as it is, flagged.
    """
    named = len(task.lead.agency_codes) + len(task.lead.groups)
    if named <= 1 or re.search(r"chủ trì|phối hợp", task.lead_text, re.IGNORECASE):
        return
    parts = [p.strip() for p in re.split(r"[,;\n]+", task.lead_text) if p.strip()]
    for cut in range(1, len(parts)):
        lead_text, rest_text = ", ".join(parts[:cut]), ", ".join(parts[cut:])
        lead, rest = resolve_cell(lead_text, index), resolve_cell(rest_text, index)
        if (
            len(lead.agency_codes) + len(lead.groups) == 1
            and not lead.unresolved
            and (rest.agency_codes or rest.groups)
            and not rest.unresolved
        ):
            task.lead_text, task.coordinators_text = lead_text, rest_text
            task.lead, task.coordinators = lead, rest
            task.flags.append("Cột “Cơ quan thực hiện”: cơ quan nêu đầu tiên chủ trì, các cơ quan còn lại phối hợp.")
            return


def _childless_headings_are_tasks(plan: ParsedPlan, index, year, period) -> None:
    """A numbered row with a deadline, no lead and nothing under it is a task that lacks its lead."""
    parents = {s.parent_key for s in plan.sections} | {t.section_key for t in plan.tasks}
    keep = []
    for section in plan.sections:
        arabic = bool(re.fullmatch(r"\d+(\.\d+)*", section.number))
        if section.key in parents or not arabic or not section.deadline_text:
            keep.append(section)
            continue
        path = []
        parent = section.parent_key
        by_key = {s.key: s for s in plan.sections}
        while parent:
            path.insert(0, f"{by_key[parent].number} {by_key[parent].title}".strip())
            parent = by_key[parent].parent_key
        task = ParsedTask(
            number=section.number,
            section_path=path,
            content=section.title,
            deliverable="",
            lead_text="",
            coordinators_text="",
            deadline_text=section.deadline_text,
            schedule=parse_deadline(section.deadline_text, year, period),
            lead=Resolution(),
            coordinators=Resolution(),
            flags=[],
            raw={"content": section.title},
            line=section.line,
            section_key=section.parent_key,
        )
        _flag(task)
        plan.tasks.append(task)
    plan.sections = keep
    plan.tasks.sort(key=lambda t: t.line)


def _indicators(rows: list[list[str]], index: AliasIndex) -> list[dict[str, Any]]:
    """Rows of an indicator appendix (STT, content, unit, target, lead, coordinators) → indicators."""
    out = []
    for number, content, unit, target, lead, coordinators in rows:
        value = re.search(r"\d+(?:[.,]\d+)?", target)
        lead_resolution = resolve_cell(lead, index)
        out.append(
            {
                "number": number,
                "content": content,
                "unit": unit,
                "target_text": target,
                "target_value": float(value.group(0).replace(",", ".")) if value else None,
                "lead": lead_resolution.to_json(),
                "lead_codes": [*lead_resolution.agency_codes, *lead_resolution.groups],
                "coordinators": resolve_cell(coordinators, index).to_json(),
                "lead_text": lead,
                "coordinators_text": coordinators,
            }
        )
    return out


def _plan_details(document: Document, tables, headers, year: int | None) -> dict[str, Any]:
    """The plan's details as its document gives them, with a note for each one the office must fill or check."""
    if document.text_lines is not None:
        lines = list(document.text_lines)
    else:
        lines = list(document.preamble)
        for table, header in zip(tables, headers, strict=True):
            if header is not None:  # title rows above the header; a signature under the last row
                above = [cell for row in table[: header[0]] for cell in row if cell]
                below = [cell for row in table[-12:] for cell in row if cell]
                lines[:0] = [line for cell in above for line in cell.splitlines()]
                lines.extend(line for cell in below for line in cell.splitlines())
    found = read_details(lines)
    details: dict[str, Any] = {"source_filename": document.source, **found.values, "notes": found.notes}
    if year is not None:
        details["year"] = year
        details["notes"].pop("year", None)
    return details


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return (row[i] if i is not None and i < len(row) else "") or ""


def _read_rows(plan: ParsedPlan, table, start, columns, height, index, year, period, on_row=None) -> None:
    header_key = [normalize_name(c) for c in table[start]]
    headings: list[ParsedSection] = list(plan.sections)
    last_task: ParsedTask | None = plan.tasks[-1] if plan.tasks else None
    used_columns = set(columns.values())
    for offset, row in enumerate(table[start + height :], start=start + height + 1):
        if on_row is not None and offset % PROGRESS_EVERY == 0:
            on_row(offset)
        if not any((c or "").strip() for c in row):
            continue
        if [normalize_name(c) for c in row] == header_key or _is_repeated_header(row):
            continue  # the header again, on a new page
        if _is_page_number(row) or _is_column_numbering(row):
            continue
        if re.match(r"^\s*(nơi nhận|tm\.|kt\.)", " ".join(c for c in row if c).lower()):
            break
        cells = {name: _cell(row, columns, name) for name in FIELDS if name in columns}
        number_raw = strip_html(cells.get("number", ""))
        content = strip_html(cells.get("content", ""))
        others = [strip_html(c) for i, c in enumerate(row) if i not in used_columns and (c or "").strip()]
        if not number_raw and not content and others:
            # "I\tII\tNhóm nhiệm vụ …": the title sits in a column we do not map (a second numbering)
            content = others[-1]
        if (
            not number_raw
            and content
            and not any(cells.get(k, "").strip() for k in ("lead", "coordinators", "deadline", "deliverable"))
        ):
            number_raw, content = _split_leading_number(content)
        if number_raw and not content:
            # "I. NÂNG CAO NHẬN THỨC" written in the STT column, the row merged across
            number_raw, content = _split_leading_number(number_raw) if " " in number_raw else (number_raw, "")
        lead = strip_html(cells.get("lead", ""))
        coordinators = strip_html(cells.get("coordinators", ""))
        deadline = strip_html(cells.get("deadline", ""))
        deliverable = strip_html(cells.get("deliverable", ""))
        number = number_raw.strip().rstrip(".)").strip()
        bullet = bool(re.match(r"^\s*[-–•+]", content)) and not number

        # A continuation: a row broken by a page, with no number and no task text of its own
        starts_broken = content[:1].islower() or bool(re.match(r"^\s*[-–•+]", content))
        if (
            not number
            and last_task is not None
            and (not content or (not (lead or deadline) and (starts_broken or deliverable[:1].islower())))
        ):
            for name, value in (
                ("content", content),
                ("deliverable", deliverable),
                ("lead", lead),
                ("coordinators", coordinators),
                ("deadline", deadline),
            ):
                if value:
                    _append(last_task, name, value, index, year, period)
            continue

        level = number_level(number)
        is_heading = (
            bool(content)
            and not lead
            and not bullet
            and (level is None or level <= 4)
            and (not deliverable or (level is not None and level <= 1))
        )
        if is_heading:
            # an unnumbered heading sits under the numbered one before it
            while headings and headings[-1].level >= (level if level is not None else 9):
                headings.pop()
            section = ParsedSection(
                key=f"s{len(plan.sections) + 1}",
                number=number,
                title=content,
                deadline_text=deadline,
                parent_key=headings[-1].key if headings else None,
                level=level if level is not None else 9,
                line=offset,
            )
            plan.sections.append(section)
            headings.append(section)
            continue
        if not content:
            plan.warnings.append(f"Dòng {offset}: bỏ qua dòng không có nội dung.")
            continue

        # A task. A numbered one closes the headings of its own level and below ("2" after the heading "1")
        if level is not None:
            while headings and headings[-1].level >= level:
                headings.pop()
        # Its deadline, if empty, comes from the nearest heading that has one
        inherited = False
        if not deadline:
            for heading in reversed(headings):
                if heading.deadline_text:
                    deadline, inherited = heading.deadline_text, True
                    break
        parent_index = None
        section_key = headings[-1].key if headings else None
        if (bullet or not number) and last_task is not None and last_task.section_key == section_key:
            # "-" rows under a numbered task are its parts
            numbered = number_level(last_task.number) is not None
            parent_index = len(plan.tasks) - 1 if numbered else last_task.parent_index
        task = ParsedTask(
            number=number or ("-" if bullet else ""),
            section_path=[f"{h.number} {h.title}".strip() for h in headings],
            content=re.sub(r"^\s*[-–•+]\s*", "", content) if bullet else content,
            deliverable=deliverable,
            lead_text=lead,
            coordinators_text=coordinators,
            deadline_text=deadline,
            schedule=parse_deadline(deadline, year, period),
            lead=resolve_cell(lead, index),
            coordinators=resolve_cell(coordinators, index),
            flags=[],
            raw={name: value for name, value in cells.items()},
            line=offset,
            section_key=section_key,
            parent_index=parent_index,
            deadline_inherited=inherited,
        )
        _flag(task)
        plan.tasks.append(task)
        last_task = task


def _is_repeated_header(row: list[str]) -> bool:
    """The header printed again on a new page: short labels only, naming the same fields."""
    filled = [c for c in row if c and c.strip()]
    if not filled or any(len(c) > 40 for c in filled):
        return False
    found = _header_columns(row)
    return "content" in found and ("lead" in found or "deadline" in found)


def _is_column_numbering(row: list[str]) -> bool:
    """The row under a header that numbers its columns: "(1) (2) (3) …" or "1 2 3 …" in order, or "A B C"."""
    filled = [c.strip() for c in row if c and c.strip()]
    if len(filled) < 3:
        return False
    numbers = [re.fullmatch(r"\(?(\d{1,2})\)?", c) for c in filled]
    if all(numbers):
        values = [int(m.group(1)) for m in numbers]
        return values == list(range(values[0], values[0] + len(values)))
    letters = [c.strip("()") for c in filled]
    return all(len(c) == 1 and c.isalpha() and c.isupper() for c in letters) and letters == sorted(letters)


def _is_page_number(row: list[str]) -> bool:
    filled = [c.strip() for c in row if c and c.strip()]
    return len(filled) == 1 and bool(re.fullmatch(r"[-–]?\s*\d{1,3}\s*[-–]?|trang \d+", filled[0], re.I))


def _append(task: ParsedTask, name: str, value: str, index: AliasIndex, year, period) -> None:
    attr = {
        "content": "content",
        "deliverable": "deliverable",
        "lead": "lead_text",
        "coordinators": "coordinators_text",
        "deadline": "deadline_text",
    }[name]
    current = getattr(task, attr)
    joiner = " " if name == "content" and current and not value.startswith(("-", "+", "•")) else "\n"
    setattr(task, attr, f"{current}{joiner}{value}".strip() if current else value)
    task.raw[name] = f"{task.raw.get(name, '')}\n{value}".strip()
    if name == "lead":
        task.lead = resolve_cell(task.lead_text, index)
    elif name == "coordinators":
        task.coordinators = resolve_cell(task.coordinators_text, index)
    elif name == "deadline":
        task.schedule = parse_deadline(task.deadline_text, year, period)
    _flag(task)


def _flag(task: ParsedTask) -> None:
    flags = []
    if not task.lead_text:
        flags.append("no_lead")
    elif task.lead.unresolved or not (task.lead.agencies or task.lead.groups):
        flags.append("lead_unresolved")
    if task.coordinators.unresolved:
        flags.append("coordinators_unresolved")
    if task.deadline_inherited:
        flags.append("deadline_inherited")
    if not task.deadline_text:
        flags.append("no_deadline")
    elif task.schedule.needs_review:
        flags.append("deadline_needs_review")
    if task.schedule.kind in ("relative", "external", "unknown") and task.deadline_text:
        flags.append(f"deadline_{task.schedule.kind}")
    task.flags = flags


# --- drafts: what the preview keeps between requests ---------------------------------------------------


def to_draft(plan: ParsedPlan) -> dict[str, Any]:
    """The texts of the parsed plan (what a person may edit); resolutions and schedules are derived again."""
    return {
        "plan": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in plan.plan.items()},
        "warnings": plan.warnings,
        "indicators": plan.indicators,
        "sections": [
            {
                "key": s.key,
                "number": s.number,
                "title": s.title,
                "deadline_text": s.deadline_text,
                "parent_key": s.parent_key,
                "level": s.level,
                "line": s.line,
            }
            for s in plan.sections
        ],
        "tasks": [
            {
                "number": t.number,
                "section_path": t.section_path,
                "content": t.content,
                "deliverable": t.deliverable,
                "lead_text": t.lead_text,
                "coordinators_text": t.coordinators_text,
                "deadline_text": t.deadline_text,
                "raw": t.raw,
                "line": t.line,
                "section_key": t.section_key,
                "parent_index": t.parent_index,
                "deadline_inherited": t.deadline_inherited,
            }
            for t in plan.tasks
        ],
    }


def from_draft(
    draft: dict[str, Any], index: AliasIndex, *, year: int | None = None, period: tuple[date, date] | None = None
) -> ParsedPlan:
    """Rebuild a parsed plan from a draft, reading each cell again (after a person edited some)."""
    year = year if year is not None else draft["plan"].get("year")
    details = dict(draft["plan"])
    for key in ("period_start", "period_end", "issued_on"):
        if isinstance(details.get(key), str):
            details[key] = date.fromisoformat(details[key])
    if period is None and details.get("period_start") and details.get("period_end"):
        period = (details["period_start"], details["period_end"])
    plan = ParsedPlan(
        plan=details, warnings=list(draft.get("warnings", [])), indicators=list(draft.get("indicators", []))
    )
    plan.sections = [ParsedSection(**s) for s in draft["sections"]]
    for t in draft["tasks"]:
        task = ParsedTask(
            number=t["number"],
            section_path=t["section_path"],
            content=t["content"],
            deliverable=t["deliverable"],
            lead_text=t["lead_text"],
            coordinators_text=t["coordinators_text"],
            deadline_text=t["deadline_text"],
            schedule=parse_deadline(t["deadline_text"], year, period),
            lead=resolve_cell(t["lead_text"], index),
            coordinators=resolve_cell(t["coordinators_text"], index),
            flags=[],
            raw=t["raw"],
            line=t["line"],
            section_key=t["section_key"],
            parent_index=t["parent_index"],
            deadline_inherited=t["deadline_inherited"],
        )
        _flag(task)
        plan.tasks.append(task)
    follow_successors(plan, index, year)
    return plan
