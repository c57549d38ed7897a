"""The report of one plan as of a date: per task and lead agency, the status, progress, completion and late reason,
with the counts per agency and the plan's indicators; as an official .docx (Nghị định 30/2020) and an .xlsx.

Two queries whatever the plan's size: its lead items with what the report prints, and its indicators.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.agencies.models import Agency
from tracker.core.dates import format_date, format_decimal
from tracker.core.text import sheet_cells
from tracker.extensions import db
from tracker.plans.indicators import period_label, reached
from tracker.plans.items import UnitsAsOf
from tracker.plans.models import (
    ITEM_STATE_LABELS,
    LATE_REASON_LABELS,
    Assignment,
    DueItem,
    Indicator,
    IndicatorTarget,
    Plan,
    Task,
)
from tracker.plans.status import STATUS_LABELS, STATUS_ORDER, days_late, status_class


@dataclass
class ReportLine:
    number: str
    content: str
    agency: str
    due_date: date | None
    deadline_text: str
    period_label: str
    status: str
    days_late: int | None
    progress: int
    completed_on: date | None
    state: str
    late_reason: str

    @property
    def task_label(self) -> str:
        return f"{self.number}. {self.content}" if self.number else self.content

    @property
    def due_label(self) -> str:
        label = format_date(self.due_date) if self.due_date else (self.deadline_text or "Chưa có hạn")
        return f"{label} ({self.period_label})" if self.period_label else label


@dataclass
class PlanReport:
    plan: Plan
    as_of: date
    lines: list[ReportLine]
    indicators: list[Indicator]
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)
    #: (indicator, agency name, previous, target, actual) for each agency an indicator is assigned to
    indicator_targets: list[tuple] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {klass.value: 0 for klass in STATUS_ORDER}
        for line in self.lines:
            out[line.status] += 1
        return out


def build_plan_report(plan: Plan, as_of: date, tz: str) -> PlanReport:
    status = status_class(as_of, tz)
    units = UnitsAsOf(as_of)  # as of a day before a succession, the unit that had the item then
    rows = db.session.execute(
        units.items(
            Task.number,
            Task.content,
            Task.deadline_text,
            Agency.name,
            DueItem.due_date,
            DueItem.period_label,
            status,
            days_late(as_of, tz),
            DueItem.progress,
            DueItem.completed_on,
            DueItem.state,
            DueItem.late_reason,
            DueItem.late_reason_text,
        )
        .join(Agency, units.unit == Agency.id)
        .where(Task.plan_id == plan.id, Assignment.role == "lead")
        .order_by(Task.position, Agency.name, DueItem.due_date.is_(None), DueItem.due_date, DueItem.id)
    ).all()
    lines = []
    by_agency: dict[str, dict[str, int]] = defaultdict(lambda: {klass.value: 0 for klass in STATUS_ORDER})
    for number, content, deadline, agency, due, period, klass, late, progress, completed, state, reason, text in rows:
        why = LATE_REASON_LABELS.get(reason, "") if reason else ""
        if text:
            why = f"{why}: {text}" if why else text
        lines.append(
            ReportLine(
                number,
                content,
                agency,
                due,
                deadline,
                period,
                klass,
                int(late) if late else None,
                progress,
                completed,
                state,
                why,
            )
        )
        by_agency[agency][klass] += 1
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
    ).all()
    targets = db.session.execute(
        select(Indicator, Agency.name, IndicatorTarget.previous_value, IndicatorTarget.target_value)
        .add_columns(IndicatorTarget.actual_value, IndicatorTarget.actual_period)
        .join(IndicatorTarget, IndicatorTarget.indicator_id == Indicator.id)
        .join(Agency, IndicatorTarget.agency_id == Agency.id)
        .where(Indicator.plan_id == plan.id)
        .order_by(Indicator.position, Agency.name)
    ).all()
    return PlanReport(
        plan, as_of, lines, list(indicators), dict(sorted(by_agency.items())), [tuple(row) for row in targets]
    )


def _result(target, actual) -> str:
    ok = reached(target, actual)
    return "Chưa báo cáo" if ok is None else ("Đạt" if ok else "Chưa đạt")


def _status(line: ReportLine) -> str:
    label = STATUS_LABELS[line.status]
    return f"{label} ({line.days_late} ngày)" if line.days_late else label


def plan_report_docx(report: PlanReport, *, issued_on: date) -> bytes:
    from tracker.reports.official import OfficialDocument

    plan = report.plan
    doc = OfficialDocument(body="VĂN PHÒNG", number="…/BC-VP", issued_on=issued_on)
    doc.paragraph(text="BÁO CÁO", bold=True)
    doc.paragraph(text=f"Tình hình thực hiện {plan.reference}", bold=True)
    doc.paragraph(text=plan.title, italic=True)
    counts = report.counts
    total = sum(counts.values())
    doc.paragraph(
        text=f"Tính đến ngày {report.as_of:%d/%m/%Y}, {total} nhiệm vụ (tính theo từng cơ quan chủ trì và từng kỳ): "
        + "; ".join(f"{STATUS_LABELS[k].lower()} {v}" for k, v in counts.items())
        + ".",
        center=False,
    )
    doc.paragraph(text="I. TÌNH HÌNH THỰC HIỆN THEO CƠ QUAN, ĐƠN VỊ", bold=True, center=False)
    doc.table(
        ["TT", "Cơ quan, đơn vị", *(STATUS_LABELS[k] for k in STATUS_ORDER)],
        (
            [str(i), name, *(str(c[k]) for k in STATUS_ORDER)]
            for i, (name, c) in enumerate(report.by_agency.items(), start=1)
        ),
        size=11,
    )
    doc.paragraph(text="II. TÌNH HÌNH THỰC HIỆN TỪNG NHIỆM VỤ", bold=True, center=False)
    doc.table(
        ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Tiến độ", "Hoàn thành", "Nguyên nhân chậm"],
        (
            [
                str(i),
                line.task_label,
                line.agency,
                line.due_label,
                _status(line),
                f"{line.progress}%",
                format_date(line.completed_on) if line.state == "accepted" else ITEM_STATE_LABELS[line.state],
                line.late_reason,
            ]
            for i, line in enumerate(report.lines, start=1)
        ),
        size=10,
    )
    if report.indicators:
        doc.paragraph(text="III. CÁC CHỈ TIÊU", bold=True, center=False)
        doc.table(
            ["TT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu giao", "Cơ quan chủ trì"],
            ([i.number, i.content, i.unit, i.target_text, i.lead_text] for i in report.indicators),
            size=11,
        )
        if report.indicator_targets:
            doc.paragraph(text="Kết quả thực hiện chỉ tiêu của từng cơ quan, đơn vị:", center=False)
            doc.table(
                ["Chỉ tiêu", "Cơ quan, đơn vị", "Năm trước", "Chỉ tiêu", "Thực hiện", "Kỳ", "Kết quả"],
                (
                    [
                        i.number,
                        name,
                        format_decimal(prev),
                        format_decimal(target),
                        format_decimal(actual),
                        period_label(period),
                        _result(target, actual),
                    ]
                    for i, name, prev, target, actual, period in report.indicator_targets
                ),
                size=10,
            )
    doc.foot(["- Chủ tịch, các PCT UBND tỉnh;", "- Các cơ quan, đơn vị có liên quan;", "- Lưu: VT."], "CHÁNH VĂN PHÒNG")
    return doc.bytes()


def plan_report_xlsx(report: PlanReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    header = [
        "TT",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Hạn",
        "Kỳ",
        "Tình trạng",
        "Số ngày quá hạn",
        "Tiến độ (%)",
        "Trạng thái báo cáo",
        "Ngày hoàn thành",
        "Nguyên nhân chậm",
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, line in enumerate(report.lines, start=1):
        sheet.append(
            sheet_cells(
                sheet,
                [
                    i,
                    line.task_label,
                    line.agency,
                    line.due_date,
                    line.period_label or ("" if line.due_date else line.deadline_text),
                    STATUS_LABELS[line.status],
                    line.days_late,
                    line.progress,
                    ITEM_STATE_LABELS[line.state],
                    line.completed_on,
                    line.late_reason,
                ],
            )
        )
        for column in (4, 10):
            sheet.cell(i + 1, column).number_format = "dd/mm/yyyy"
    for column, width in zip("ABCDEFGHIJK", (5, 70, 34, 12, 18, 26, 10, 10, 20, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:K{len(report.lines) + 1}"
    summary = book.create_sheet("Theo đơn vị")
    summary.append(["Cơ quan, đơn vị", *(STATUS_LABELS[k] for k in STATUS_ORDER)])
    for name, counts in report.by_agency.items():
        summary.append(sheet_cells(summary, [name, *(counts[k] for k in STATUS_ORDER)]))
    summary.column_dimensions["A"].width = 40
    if report.indicators:
        indicators = book.create_sheet("Chỉ tiêu")
        indicators.append(
            ["TT", "Chỉ tiêu", "Đơn vị tính", "Cơ quan, đơn vị", "Năm trước", "Chỉ tiêu", "Thực hiện", "Kỳ", "Kết quả"]
        )
        for i, name, prev, target, actual, period in report.indicator_targets:
            indicators.append(
                sheet_cells(
                    indicators,
                    [
                        i.number,
                        i.content,
                        i.unit,
                        name,
                        _float(prev),
                        _float(target),
                        _float(actual),
                        period_label(period),
                        _result(target, actual),
                    ],
                )
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _float(value):
    """A Decimal as a number cell (an integer when it is one)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
