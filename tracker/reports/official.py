"""Word documents in the official format of Nghị định 30/2020/NĐ-CP: A4, Times New Roman 13–14, margins 2/2/3/2 cm,
the two-column heading (issuing body and number left, the national motto and the place and date right), the
recipients and the signer's title at the foot. The monthly list and the plan report share it."""

from __future__ import annotations

import io
from datetime import date

from tracker.core.text import clean_text


class OfficialDocument:
    """A python-docx document laid out as Nghị định 30/2020 asks, with helpers for its paragraphs."""

    def __init__(self, *, body: str, number: str, issued_on: date, place: str = "Quảng Nam") -> None:
        from docx import Document
        from docx.shared import Cm, Pt

        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        style = self.document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(14)
        head = self.document.add_table(rows=1, cols=2)
        left, right = head.rows[0].cells
        self._first(left, "UBND TỈNH QUẢNG NAM", size=13)
        self.paragraph(left, body, bold=True, size=13)
        self.paragraph(left, f"Số: {number}", size=13)
        self._first(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
        self.paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
        self.paragraph(
            right,
            f"{place}, ngày {issued_on.day:02d} tháng {issued_on.month:02d} năm {issued_on.year}",
            italic=True,
            size=13,
        )

    @staticmethod
    def _first(cell, text: str, *, bold: bool = False, size: int | None = None) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        run = cell.paragraphs[0].add_run(clean_text(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def paragraph(self, where=None, text: str = "", *, bold=False, italic=False, size=None, center=True):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = (where or self.document).add_paragraph()
        run = p.add_run(clean_text(text))
        run.bold, run.italic = bold, italic
        run.font.name = "Times New Roman"
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    def table(self, header: list[str], rows, *, size: int = 12):
        """A ruled table with its header row; every cell as text, in ``size`` points."""
        from docx.shared import Pt

        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            cell.text = label
            for run in cell.paragraphs[0].runs:
                run.bold, run.font.size = True, Pt(size)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = clean_text(value)
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(size)
        return table

    def foot(self, recipients: list[str], signer_title: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        foot = self.document.add_table(rows=1, cols=2)
        left, right = foot.rows[0].cells
        left.paragraphs[0].add_run("Nơi nhận:").bold = True
        for line in recipients:
            left.add_paragraph(clean_text(line))
        right.paragraphs[0].add_run(signer_title).bold = True
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()
