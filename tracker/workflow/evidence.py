"""Reading a cited document's number and date from what the agency typed."""

from __future__ import annotations

import re
from datetime import date

# "số 123/SNV-CCHC", "số: 45/KH-UBND", "Số 1839/KH-UBND"
_NUMBER = re.compile(r"\bs[ốo]\s*:?\s*([0-9]+(?:/[0-9A-Za-zĐđ\-–.&_]+)+|[0-9]+)", re.IGNORECASE)
# "ngày 05/3/2024", "ngày 5-3-2024", "ngày 05 tháng 3 năm 2024"
_DATE = re.compile(
    r"\bng[àa]y\s*:?\s*(\d{1,2})\s*(?:[/.\-]|\s+th[áa]ng\s+)\s*(\d{1,2})\s*(?:[/.\-]|\s+n[ăa]m\s+)\s*(\d{4})",
    re.IGNORECASE,
)


def parse_evidence(text: str) -> tuple[str, date | None]:
    """The document number and date a citation names ("" and None for what it does not name)."""
    number_match = _NUMBER.search(text)
    number = number_match.group(1).rstrip(".-–") if number_match else ""
    found: date | None = None
    date_match = _DATE.search(text)
    if date_match:
        day, month, year = (int(g) for g in date_match.groups())
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
    return number[:80], found
