"""Text as it may be stored and written: no control characters (Word's soft line break is a vertical tab, a NUL
slips in from a broken export), which XML — and so .docx and .xlsx — cannot carry; and spreadsheet cells that are
text, never formulas, whatever they begin with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Line breaks in other dress: vertical tab (Word's soft break), form feed, Unicode's line and paragraph separators
_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")
#: What XML 1.0 cannot hold, and other controls (tab, line feed and carriage return stay)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with its line breaks as line breaks and its control characters gone."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def file_name(name: str, *, default: str = "tep-dinh-kem", limit: int = 255) -> str:
    """A file name a client sent, safe to store and show: its last part only (never a path), control characters
    and line breaks gone, at most ``limit`` characters with its extension kept."""
    name = " ".join(Path(clean_text(name or "").replace("\\", "/")).name.split()) or default
    if len(name) > limit:
        suffix = Path(name).suffix[:20]
        name = name[: limit - len(suffix)] + suffix
    return name


def sheet_cells(sheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append``: strings cleaned, and one that begins with "=" made a text cell, so that
    "=HYPERLINK(…)" typed into a task is shown as typed and never run as a formula (openpyxl writes any other string
    as text: "+84…", "-5 ngày", "@" are safe as they are); other values as they are."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            value = clean_text(value)
            if value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
        row.append(value)
    return row
