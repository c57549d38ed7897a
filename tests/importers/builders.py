"""Real .docx and .xlsx appendices, built by the tests with merged cells as offices make them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from docx import Document


def merges_for(rows: list[list[str]], lead_column: int | None) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Rows to merge across (headings: text in the first cell only) and runs of one lead to merge down."""
    across = [i for i, row in enumerate(rows) if row and row[0].strip() and not any(c.strip() for c in row[1:])]
    down: list[tuple[int, int, int]] = []
    if lead_column is not None:
        start = None
        for i in range(1, len(rows) + 1):
            same = (
                i < len(rows)
                and start is not None
                and rows[i][lead_column].strip()
                and rows[i][lead_column] == rows[start][lead_column]
            )
            if same:
                continue
            if start is not None and i - start > 1:
                down.append((lead_column, start, i - 1))
            start = i if i < len(rows) and rows[i][lead_column].strip() else None
    return across, down


def write_xlsx(rows: list[list[str]], path: Path, *, lead_column: int | None = None, preamble=()) -> Path:
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    offset = len(preamble)
    for i, line in enumerate(preamble, start=1):
        sheet.cell(i, 1, line)
    across, down = merges_for(rows, lead_column)
    for r, row in enumerate(rows, start=1 + offset):
        for c, value in enumerate(row, start=1):
            if value:
                sheet.cell(r, c, value)
    for r in across:
        sheet.merge_cells(start_row=r + 1 + offset, start_column=1, end_row=r + 1 + offset, end_column=width)
    for column, first, last in down:
        for r in range(first + 1, last + 1):
            sheet.cell(r + 1 + offset, column + 1).value = None  # Excel keeps only the top-left value
        sheet.merge_cells(
            start_row=first + 1 + offset, start_column=column + 1, end_row=last + 1 + offset, end_column=column + 1
        )
    workbook.save(path)
    return path


def write_docx(rows: list[list[str]], path: Path, *, lead_column: int | None = None, preamble=()) -> Path:
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    document = Document()
    for line in preamble:
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=width)
    across, down = merges_for(rows, lead_column)
    merged_down = {(column, r) for column, first, last in down for r in range(first + 1, last + 1)}
    # table.cell(r, c) walks the whole table each time: take each row's cells once
    grid = [table_row.cells for table_row in table.rows]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (c, r) in merged_down or (r in across and c > 0):
                continue
            cell = grid[r][c]
            lines = value.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:  # several paragraphs in one cell
                cell.add_paragraph(line)
    for r in across:
        grid[r][0].merge(grid[r][width - 1])
    for column, first, last in down:
        grid[first][column].merge(grid[last][column])
    document.save(path)
    return path


def merged_cells(path: Path) -> int:
    """How many merges the file holds (gridSpan and vMerge in Word, merged ranges in Excel)."""
    if path.suffix == ".docx":
        import zipfile

        xml = zipfile.ZipFile(path).read("word/document.xml").decode()
        return xml.count("<w:vMerge") + xml.count("<w:gridSpan")
    return len(openpyxl.load_workbook(path).active.merged_cells.ranges)
