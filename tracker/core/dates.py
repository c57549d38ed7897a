"""Dates and numbers as Vietnamese readers write them: dd/mm/yyyy, 12.345."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    # an f-string, not strftime: mails and lists format thousands of dates
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_datetime(value: datetime | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


def parse_date(text: str) -> date:
    """Read dd/mm/yyyy (or ISO yyyy-mm-dd, as HTML date inputs send it)."""
    text = text.strip()
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def format_number(value: float | None) -> str:
    """12345 → "12.345": "." between thousands, as Vietnamese writes numbers."""
    return f"{int(value or 0):,}".replace(",", ".")


def format_decimal(value) -> str:
    """45.50 → "45,5", 1234.5 → "1.234,5": a decimal as Vietnamese writes it; nothing for None."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
