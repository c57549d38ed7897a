"""The monthly list of late units for the Chairman's office (seed 000): counts per agency in the four classes for
items due up to the month's end, the overdue items with days overdue, the ranking, and who is proposed for
criticism. Two queries whatever the number of items; the same report by email (with .xlsx and .docx) and on the web.
"""

from __future__ import annotations

import calendar
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, select

from tracker.agencies.models import Agency
from tracker.core.text import sheet_cells
from tracker.extensions import db
from tracker.plans.items import UnitsAsOf
from tracker.plans.models import LATE_REASON_LABELS, Assignment, AssignmentRole, DueItem, Plan, Task
from tracker.plans.status import STATUS_LABELS, STATUS_ORDER, StatusClass, days_late, status_class
from tracker.reports.models import get_setting

CLASSES = [c for c in STATUS_ORDER if c != StatusClass.NO_DUE_DATE]


@dataclass
class OverdueItem:
    task_id: int
    number: str
    content: str
    plan: str
    due_date: date
    days: int


@dataclass
class AgencyLine:
    agency_id: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: list[OverdueItem] = field(default_factory=list)
    rank: int = 0
    criticised: bool = False
    reasons: list[str] = field(default_factory=list)
    #: Items completed late, by late-reason category (seed 000's four)
    late_reasons: dict[str, int] = field(default_factory=dict)
    #: Items whose due date an approved extension moved
    extended: int = 0
    #: The longest delay, when the report was built without every overdue item (the web page's)
    longest_days: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.get(c, 0) for c in CLASSES)

    @property
    def overdue_count(self) -> int:
        return self.counts.get(StatusClass.OPEN_OVERDUE, 0)

    @property
    def late_count(self) -> int:
        return self.counts.get(StatusClass.OPEN_OVERDUE, 0) + self.counts.get(StatusClass.DONE_LATE, 0)

    @property
    def longest(self) -> int:
        if self.longest_days is not None:
            return self.longest_days
        return max((i.days for i in self.overdue), default=0)


@dataclass
class MonthlyReport:
    year: int
    month: int
    as_of: date
    lines: list[AgencyLine]
    criticism_min_items: int
    criticism_min_days: int

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"

    @property
    def late_lines(self) -> list[AgencyLine]:
        return [line for line in self.lines if line.overdue_count]

    @property
    def criticised(self) -> list[AgencyLine]:
        return [line for line in self.lines if line.criticised]

    @property
    def late_reason_totals(self) -> dict[str, int]:
        out: dict[str, int] = {key: 0 for key in LATE_REASON_LABELS}
        for line in self.lines:
            for key, value in line.late_reasons.items():
                out[key] = out.get(key, 0) + value
        return out

    @property
    def extended_total(self) -> int:
        return sum(line.extended for line in self.lines)

    @property
    def totals(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for line in self.lines:
            for key, value in line.counts.items():
                out[key] += value
        return out


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_month(moment: datetime | date) -> tuple[int, int]:
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def _scope(units: UnitsAsOf, agency_id: int | None = None) -> tuple:
    """The list's items: lead items of tracked or closed plans, dated, due by the day (of the unit answering for
    each as of that day: a unit that ended after it still answers for what it had)."""
    as_of = units.as_of
    return (
        Plan.status.in_(["active", "closed"]),
        Assignment.role == AssignmentRole.LEAD.value,
        DueItem.kind == "dated",
        DueItem.due_date <= as_of,
        *((units.unit == agency_id,) if agency_id is not None else ()),
    )


def _overdue_statement(units: UnitsAsOf, tz: str, agency_id: int | None = None):
    """The list's overdue items: (agency, task id, number, content, plan kind, plan number, due date, days)."""
    as_of = units.as_of
    return units.items(
        units.unit.label("agency_id"),
        Task.id,
        Task.number,
        Task.content,
        Plan.doc_kind,
        Plan.doc_number,
        DueItem.due_date,
        days_late(as_of, tz).label("days"),
    ).where(*_scope(units, agency_id), status_class(as_of, tz) == StatusClass.OPEN_OVERDUE.value)


def iter_overdue(report: MonthlyReport):
    """Every overdue item of ``report``, agency by agency in the ranking's order, most overdue first, streamed from
    the database (the report itself may carry only the first of each agency): (line, OverdueItem) pairs."""
    lines = {line.agency_id: line for line in report.late_lines}
    if not lines:
        return
    tz = current_app.config["TIMEZONE"]
    late = days_late(report.as_of, tz)
    units = UnitsAsOf(report.as_of)
    rank = case({agency_id: line.rank for agency_id, line in lines.items()}, value=units.unit)
    statement = _overdue_statement(units, tz).order_by(rank, late.desc(), Task.id, DueItem.id)
    for agency_id, task_id, number, content, kind, doc_number, due, days in db.session.execute(
        statement.execution_options(yield_per=2000)
    ):
        reference = f"{kind} số {doc_number}" if doc_number else kind
        yield lines[agency_id], OverdueItem(task_id, number, content, reference, due, int(days or 0))


def build_monthly_report(
    year: int,
    month: int,
    *,
    as_of: date | None = None,
    items_per_agency: int | None = None,
    agency_id: int | None = None,
) -> MonthlyReport:
    """The list for a month, as of its last day; or, for the month under way, as of ``as_of`` (items due by then).

    The job and the files list every overdue item; the web page asks for none (``items_per_agency=0``: it loads an
    agency's on demand, ``overdue_items``), an agency's fragment for its most overdue ones; the counts and the longest
    delay stay whole, so the page does not grow with the items.
    """
    config = current_app.config
    tz = config["TIMEZONE"]
    as_of = min(as_of, month_end(year, month)) if as_of else month_end(year, month)
    status = status_class(as_of, tz)
    units = UnitsAsOf(as_of)
    scope = _scope(units, agency_id)
    counts = db.session.execute(
        units.items(Agency.id, Agency.name, status, func.count())
        .join(Agency, units.unit == Agency.id)
        .where(*scope)
        .group_by(Agency.id, Agency.name, status)
    ).all()
    lines: dict[int, AgencyLine] = {}
    for unit, name, klass, count in counts:
        lines.setdefault(unit, AgencyLine(agency_id=unit, name=name)).counts[klass] = count
    late = days_late(as_of, tz)
    if items_per_agency is not None:
        # the longest delay of each agency, as the whole list would give it
        for unit, longest in db.session.execute(
            units.items(units.unit, func.max(late))
            .where(*scope, status == StatusClass.OPEN_OVERDUE.value)
            .group_by(units.unit)
        ):
            if unit in lines:
                lines[unit].longest_days = int(longest or 0)
    if items_per_agency != 0:
        statement = _overdue_statement(units, tz, agency_id)
        if items_per_agency is None:
            statement = statement.order_by(units.unit, late.desc(), Task.id, DueItem.id)
        else:
            ranked = statement.add_columns(
                func.row_number()
                .over(partition_by=units.unit, order_by=(late.desc(), Task.id, DueItem.id))
                .label("line")
            ).subquery()
            statement = (
                select(*list(ranked.c)[:-1])
                .where(ranked.c.line <= items_per_agency)
                .order_by(ranked.c.agency_id, ranked.c.line)
            )
        for unit, task_id, number, content, kind, doc_number, due, days in db.session.execute(statement):
            reference = f"{kind} số {doc_number}" if doc_number else kind
            lines[unit].overdue.append(OverdueItem(task_id, number, content, reference, due, int(days or 0)))
    # Late reasons of the items done late, and the extended items, per agency: one query
    extended = and_(DueItem.original_due_date.is_not(None), DueItem.due_date != DueItem.original_due_date)
    reasons = db.session.execute(
        units.items(
            units.unit,
            DueItem.late_reason,
            func.count(case((status == StatusClass.DONE_LATE.value, 1))),
            func.count(case((extended, 1))),
        )
        .where(*scope)
        .group_by(units.unit, DueItem.late_reason)
    ).all()
    for unit, reason, done_late, extended_count in reasons:
        line = lines.get(unit)
        if line is None:
            continue
        if reason and done_late:
            line.late_reasons[reason] = line.late_reasons.get(reason, 0) + done_late
        line.extended += extended_count
    min_items = int(get_setting("criticism_min_items", config["CRITICISM_MIN_OVERDUE_ITEMS"]))
    min_days = int(get_setting("criticism_min_days", config["CRITICISM_MIN_DAYS_OVERDUE"]))
    ordered = sorted(lines.values(), key=lambda a: (-a.overdue_count, -a.longest, -a.late_count, a.name))
    for rank, line in enumerate(ordered, start=1):
        line.rank = rank
        if line.overdue_count >= min_items:
            line.reasons.append(f"{line.overdue_count} nhiệm vụ quá hạn")
        if line.longest >= min_days:
            line.reasons.append(f"nhiệm vụ quá hạn {line.longest} ngày")
        line.criticised = bool(line.reasons)
    return MonthlyReport(year, month, as_of, ordered, min_items, min_days)


# --- attachments -----------------------------------------------------------------------------------------


def overdue_items(agency_id: int, year: int, month: int, *, as_of: date | None = None, limit: int = 20):
    """One agency's most overdue lead items of the month's list (its ``limit`` first) and how many it has."""
    report = build_monthly_report(year, month, as_of=as_of, items_per_agency=limit, agency_id=agency_id)
    line = next((line for line in report.lines if line.agency_id == agency_id), None)
    return report, line


def report_xlsx(report: MonthlyReport) -> bytes:
    """The list as a workbook, written row by row (openpyxl's write-only mode: tens of thousands of overdue items
    stream out instead of becoming cell objects); due dates are date cells shown dd/mm/yyyy."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def header(sheet, labels: list[str]) -> list:
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font, cell.alignment = bold, wrap
            cells.append(cell)
        return cells

    sheet = book.create_sheet("Tổng hợp")
    sheet.column_dimensions["B"].width = 45
    sheet.append([f"DANH SÁCH CƠ QUAN, ĐƠN VỊ CHẬM HOÀN THÀNH NHIỆM VỤ THÁNG {report.label}"])
    sheet.append([f"Số liệu tính đến ngày {report.as_of:%d/%m/%Y}"])
    sheet.append(
        header(
            sheet,
            [
                "Xếp hạng",
                "Cơ quan, đơn vị",
                *(STATUS_LABELS[c] for c in CLASSES),
                "Tổng số",
                "Quá hạn lâu nhất (ngày)",
                "Đề xuất phê bình",
            ],
        )
    )
    for line in report.lines:
        sheet.append(
            sheet_cells(
                sheet,
                [
                    line.rank,
                    line.name,
                    *(line.counts.get(c, 0) for c in CLASSES),
                    line.total,
                    line.longest,
                    "; ".join(line.reasons),
                ],
            )
        )
    items = book.create_sheet("Nhiệm vụ quá hạn")
    items.column_dimensions["B"].width = 40
    items.column_dimensions["C"].width = 70
    items.column_dimensions["E"].width = 12
    items.freeze_panes = "A2"
    items.append(header(items, ["STT", "Cơ quan, đơn vị", "Nhiệm vụ", "Kế hoạch", "Hạn", "Số ngày quá hạn"]))
    n = 0
    for line, item in iter_overdue(report):  # streamed: the report may carry the first items of each agency only
        n += 1
        label = f"{item.number}. {item.content}" if item.number else item.content
        due = WriteOnlyCell(items, value=item.due_date)
        due.number_format = "DD/MM/YYYY"
        items.append(sheet_cells(items, [n, line.name, label, item.plan, due, item.days]))
    if n:
        items.auto_filter.ref = f"A1:F{n + 1}"
    reasons = book.create_sheet("Nguyên nhân chậm")
    reasons.column_dimensions["A"].width = 40
    reasons.append(header(reasons, ["Cơ quan, đơn vị", *LATE_REASON_LABELS.values(), "Nhiệm vụ được gia hạn"]))
    for line in report.lines:
        if line.late_reasons or line.extended:
            counts = [line.late_reasons.get(k, 0) for k in LATE_REASON_LABELS]
            reasons.append(sheet_cells(reasons, [line.name, *counts, line.extended]))
    totals = report.late_reason_totals
    reasons.append(["Tổng cộng", *(totals[k] for k in LATE_REASON_LABELS), report.extended_total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_docx(report: MonthlyReport, *, issued_on: date) -> bytes:
    """The report in the official format of Nghị định 30/2020/NĐ-CP (tracker.reports.official)."""
    from tracker.reports.official import OfficialDocument

    doc = OfficialDocument(body="VĂN PHÒNG", number="…/BC-VP", issued_on=issued_on)
    doc.paragraph(text="BÁO CÁO", bold=True)
    doc.paragraph(text=f"Danh sách cơ quan, đơn vị chậm hoàn thành nhiệm vụ tháng {report.label}", bold=True)
    doc.paragraph(
        text="Văn phòng UBND tỉnh báo cáo tình hình thực hiện nhiệm vụ của các cơ quan, đơn vị, địa phương tính đến "
        f"ngày {report.as_of:%d/%m/%Y} như sau:",
        center=False,
    )
    doc.table(
        [
            "TT",
            "Cơ quan, đơn vị",
            "Đúng hạn",
            "Quá hạn (đã xong)",
            "Trong hạn",
            "Quá hạn (chưa xong)",
            "Quá hạn lâu nhất (ngày)",
        ],
        (
            [str(line.rank), line.name, *(str(line.counts.get(c, 0)) for c in CLASSES), str(line.longest)]
            for line in report.lines
        ),
        size=14,
    )
    totals = report.late_reason_totals
    if any(totals.values()):
        doc.paragraph(
            text="Nguyên nhân các nhiệm vụ hoàn thành quá hạn: "
            + "; ".join(f"{LATE_REASON_LABELS[k].split(' (')[0].lower()}: {v}" for k, v in totals.items() if v)
            + ".",
            center=False,
        )
    if report.extended_total:
        doc.paragraph(text=f"Số nhiệm vụ được gia hạn: {report.extended_total}.", center=False)
    if report.criticised:
        doc.paragraph(
            text="Đề xuất phê bình các cơ quan, đơn vị có nhiều nhiệm vụ trễ hạn, kéo dài:", bold=True, center=False
        )
        for line in report.criticised:
            doc.paragraph(text=f"- {line.name}: {'; '.join(line.reasons)}.", center=False)
    else:
        doc.paragraph(text="Không có cơ quan, đơn vị nào thuộc diện đề xuất phê bình.", center=False)
    doc.foot(["- Chủ tịch, các PCT UBND tỉnh;", "- Các cơ quan, đơn vị, địa phương;", "- Lưu: VT."], "CHÁNH VĂN PHÒNG")
    return doc.bytes()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachments(report: MonthlyReport, *, issued_on: date) -> list[dict]:
    name = f"danh-sach-cham-hoan-thanh-{report.year}-{report.month:02d}"
    return [
        {"filename": f"{name}.xlsx", "content_type": XLSX, "data": report_xlsx(report)},
        {"filename": f"{name}.docx", "content_type": DOCX, "data": report_docx(report, issued_on=issued_on)},
    ]
