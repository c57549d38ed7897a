"""Vietnamese deadline text ("Quý I/2024", "Định kỳ trước ngày 10 hằng tháng", "Thường xuyên") → a schedule.

A schedule has a kind (date, recurring, continuous, relative, external, unknown) and every due date it implies in
the plan period. The reading is a table of named rules (``RULES``): each has a pattern, a reader, the way it comes
to a due date's day and month (``derives``) and the examples that are its tests. The tables' order is the
precedence, and ``_Parser.parse`` is the one place that says which family of rules wins over which.

The rule over all rules: every due date comes from the text by a named rule (``Schedule.rules`` names it, date by
date). When no rule is sure, the kind is ``unknown`` and the schedule is flagged for a person: never a fallback
date. "Trước ngày X" is due on X (overdue from the next day); a quarter, month or year is due on its last day; a
range is due at its end; "Quý I, II, III, IV/2024" is a recurring duty.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

KINDS = ("date", "recurring", "continuous", "relative", "external", "unknown")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ROMAN_LABEL = {1: "I", 2: "II", 3: "III", 4: "IV"}
MAX_TEXT = 2000

#: How a rule comes to a due date's day and month (the property tests check each against the text)
DERIVATIONS = {
    "written": "the day and the month are written",
    "month_end": "the month is written; due on its last day",
    "quarter_end": "the quarter is written; due on its last day",
    "year_end": "the year is written or named (năm sau, năm hiện hành); due on 31/12",
    "day_each_month": "the day is written; due that day of each month of the plan period",
    "day_each_quarter": "the day is written; due that day of the last month of each quarter",
    "quarter_ends": "each quarter's last day of the plan period",
    "half_and_year": "a report at six months and one for the year: 30/6 and 31/12",
    "none": "no due date: the rule hides a span from the others, or says what kind the text is",
}


@dataclass
class Schedule:
    """The meaning of one deadline cell."""

    text: str
    kind: str
    due_dates: list[date] = field(default_factory=list)
    #: One label per due date for recurring schedules ("Quý I/2024", "Tháng 3/2024")
    period_labels: list[str] = field(default_factory=list)
    #: For relative deadlines: {"amount": int | None, "unit": "working_days" | "days", "after": str}
    relative: dict[str, Any] | None = None
    needs_review: bool = False
    #: Why it needs review, in Vietnamese, for the import preview
    notes: list[str] = field(default_factory=list)
    #: The name of the rule behind each due date (``RULES``), date by date
    rules: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The shape ``tracker parse-deadline --json`` prints."""
        return {
            "text": self.text,
            "kind": self.kind,
            "due_dates": [d.isoformat() for d in self.due_dates],
            "relative": self.relative,
            "needs_review": self.needs_review,
        }

    def to_stored(self) -> dict[str, Any]:
        """What a task keeps of its schedule (the JSON shape plus the period labels)."""
        return {**self.to_json(), "period_labels": self.period_labels}


# --- text -----------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFC, lower case, one spelling for variants ("quí", "hàng năm", "kǶ"), no stray spaces in numbers."""
    t = unicodedata.normalize("NFC", text[:MAX_TEXT])
    t = t.replace("Ƕ", "ỳ").replace("ƕ", "ỳ")
    t = t.lower().replace("**", "")
    t = re.sub(r"[–—−‐]", "-", t)
    t = re.sub(r"<[^>]+>", " ", t)  # HTML fragments
    t = t.replace("quí", "quý").replace("qúy", "quý")
    t = re.sub(r"\bhàng (năm|tháng|quý|tuần|ngày)", r"hằng \1", t)
    t = re.sub(r"\bhăng (năm|tháng|quý)", r"hằng \1", t)
    t = re.sub(r"(\d)\s*/\s*(\d)", r"\1/\2", t)  # "11 /12" → "11/12"
    # "15-7-2025", "15.7.2025" are written dates; "2024-2025" (two years) is not one
    t = re.sub(r"\b(\d{1,2})[.-](\d{1,2})[.-]((?:19|20)\d{2})\b", r"\1/\2/\3", t)
    if _WITHOUT_DIACRITICS.fullmatch(t):
        t = _add_diacritics(t)
    t = re.sub(r"\b(20)\s(\d{2})\b", r"\1\2", t)  # "20 24" → "2024"
    t = re.sub(r"\b(2)\s(0\d{2})\b", r"\1\2", t)
    return re.sub(r"\s+", " ", t).strip()


#: Text typed without a single Vietnamese letter ("Quy II/2025", "Thuong xuyen"): the deadline words get theirs back
_WITHOUT_DIACRITICS = re.compile(r"[\x00-\x7f]*")
_PLAIN_WORDS = [
    (r"thuong xuyen", "thường xuyên"),
    (r"lien tuc", "liên tục"),
    (r"dinh ky", "định kỳ"),
    (r"hang (nam|thang|quy|tuan|ngay)", r"hằng \1"),
    (r"truoc", "trước"),
    (r"cham nhat", "chậm nhất"),
    (r"hoan thanh", "hoàn thành"),
    (r"quy", "quý"),
    (r"thang", "tháng"),
    (r"nam", "năm"),
    (r"ngay", "ngày"),
    (r"cuoi", "cuối"),
    (r"dau", "đầu"),
    (r"theo yeu cau", "theo yêu cầu"),
    (r"khi co yeu cau", "khi có yêu cầu"),
]


def _add_diacritics(text: str) -> str:
    for plain, written in _PLAIN_WORDS:
        text = re.sub(rf"\b{plain}\b", written, text)
    return text


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int) -> date:
    """Day ``day`` of a month, or its last day when the month is shorter ("ngày 31 hằng tháng")."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _quarter_end(year: int, quarter: int) -> date:
    return _month_end(year, quarter * 3)


# --- the rules ------------------------------------------------------------------------------------

#: (text, plan year, kind, due dates as ISO): what the rule reads, checked by the tests
Example = tuple[str, int | None, str, tuple[str, ...]]


@dataclass(frozen=True)
class Rule:
    """One named reading: a pattern over the normalized text, what it makes of a match, and its examples."""

    name: str
    pattern: re.Pattern[str]
    derives: str
    #: (parser, match) → a due date, or None (the match is still taken from the text)
    read: Callable[[_Parser, re.Match[str]], Any] | None = None
    examples: tuple[Example, ...] = ()
    #: Preceded by "từ …", the date starts work rather than ending it
    may_start: bool = True
    #: A year alone ("Năm 2026"): weaker than any other date
    bare_year: bool = False
    #: Recurring rules: silent when one of these rules has given dates already
    unless: tuple[str, ...] = ()


def _rule(name: str, pattern: str, derives: str, read=None, *examples: Example, **flags: Any) -> Rule:
    assert derives in DERIVATIONS, derives
    return Rule(name, re.compile(pattern), derives, read, tuple(examples), **flags)


def _full_date(p: _Parser, m: re.Match[str]) -> date | None:
    return p.safe(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def _day_month_plan_year(p: _Parser, m: re.Match[str]) -> date | None:
    year = p.need_year("Thiếu năm của ngày.")
    return None if year is None else p.safe(year, int(m.group(2)), int(m.group(1)))


def _six_or_nine_months(p: _Parser, m: re.Match[str]) -> date | None:
    year = int(m.group(3)) if m.group(3) else p.year
    if year is None:
        return None
    return _month_end(year, 12 if m.group(2) == "cuối" else int(m.group(1)))


_QUARTER = r"(?:iv|iii|ii|i|[1-4])\b"


def _quarters(p: _Parser, m: re.Match[str]) -> date | None:
    quarters = [ROMAN[q] for q in re.findall(r"iv|iii|ii|i|[1-4]", m.group(1))]
    year = int(m.group(2)) if m.group(2) else p.need_year("Thiếu năm của quý.")
    if year is None or not quarters:
        return None
    if sorted(quarters) == [1, 2, 3, 4] and "," in m.group(1):
        return None  # a duty every quarter: the recurring rule "ca_bon_quy" reads it
    return _quarter_end(year, max(quarters))


def _month_of_year(p: _Parser, m: re.Match[str]) -> date | None:
    month = int(m.group(2) or m.group(1))
    return _month_end(int(m.group(3)), month) if 1 <= month <= 12 else None


def _month_plan_year(p: _Parser, m: re.Match[str]) -> date | None:
    month = int(m.group(1))
    if not 1 <= month <= 12:
        return None
    year = p.need_year("Thiếu năm của tháng.")
    return None if year is None else _month_end(year, month)


def _month_slash_year(p: _Parser, m: re.Match[str]) -> date | None:
    if re.search(r"quý\s*$", p.t[max(0, m.start() - 6) : m.start()]):
        p.notes.append("Quý không hợp lệ.")
        return None  # "quý 5/2025" is no quarter, and no month either
    month = int(m.group(1))
    return _month_end(int(m.group(2)), month) if 1 <= month <= 12 else None


def _t_month(p: _Parser, m: re.Match[str]) -> date | None:
    month = int(m.group(1))
    if not 1 <= month <= 12:
        return None
    year = int(m.group(2)) if m.group(2) else p.need_year("Thiếu năm của tháng.")
    return None if year is None else _month_end(year, month)


def _named_year(p: _Parser, m: re.Match[str]) -> date | None:
    year = p.need_year("Thiếu năm của kế hoạch.")
    if year is None:
        return None
    return date(year + (1 if m.group(1) in ("sau", "tới", "kế tiếp") else 0), 12, 31)


def _range_end_year(p: _Parser, m: re.Match[str]) -> date:
    return date(int(m.group(2)), 12, 31)


def _year_before(p: _Parser, m: re.Match[str]) -> date:
    return date(int(m.group(1)) - 1, 12, 31)


def _year(p: _Parser, m: re.Match[str]) -> date:
    return date(int(m.group(1)), 12, 31)


#: One-off dates, in precedence order: a span an earlier rule takes is hidden from the later ones
DATE_RULES: tuple[Rule, ...] = (
    _rule(
        "so_hieu_van_ban",
        r"(?:số\s*)?\d+/[\w.-]*[a-zđ][\w.]*(?:-[\w.]+)*(?:-\s[\w.-]+)?(?:\s*ngày\s*\d{1,2}/\d{1,2}/\d{4})?",
        "none",
        None,
        ("Theo Kế hoạch số 1080/KH-UBND ngày 17/02/2024", 2024, "external", ()),
        ("Theo tiến độ tại Kế hoạch số 2693/KH- UBND ngày 10/5/2021", 2024, "external", ()),
        ("Thường xuyên: đảm bảo theo Kế hoạch số 7781/KH- UBND ngày 24/11/2022", 2024, "continuous", ()),
    ),
    _rule(
        "ngay_hang_nam_hang_thang",
        r"(ngày \d{1,2}(?:/\d{1,2})?|\d{1,2}/\d{1,2}|tháng \d{1,2})[^;.]{0,12}\bhằng (năm|tháng)",
        "none",
        None,
        ("Trước ngày 15/12 hàng năm", 2024, "recurring", ("2024-12-15",)),
    ),
    _rule(
        "ngay_cua_thang_trong_quy",
        r"ngày \d{1,2} (?:của )?tháng (?:cuối|đầu) (?:mỗi )?quý|tháng tiếp theo",
        "none",
        None,
        ("ngày 20 của tháng tiếp theo", 2025, "recurring", tuple(f"2025-{m:02d}-20" for m in range(2, 13))),
    ),
    _rule(
        "ngay_thang_nam_so",
        r"(\d{1,2})/(\d{1,2})/(\d{4})",
        "written",
        _full_date,
        ("Trước ngày 05/03/2024", 2024, "date", ("2024-03-05",)),
        ("15-7-2025", 2025, "date", ("2025-07-15",)),
        ("15.7.2025", 2025, "date", ("2025-07-15",)),
        ("Trước ngày 05/03/2 024", 2024, "date", ("2024-03-05",)),
    ),
    _rule(
        "ngay_thang_nam_chu",
        r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})",
        "written",
        lambda p, m: p.safe(int(m.group(3)), int(m.group(2)), int(m.group(1))),
        ("trước ngày 15 tháng 12 năm 2025", 2025, "date", ("2025-12-15",)),
    ),
    _rule(
        "ngay_thang_chu_nam_ke_hoach",
        r"ngày (\d{1,2}) tháng (\d{1,2})\b(?!\s*(?:/|năm|-)\s*\d)",
        "written",
        _day_month_plan_year,
        ("Trước ngày 15 tháng 5", 2025, "date", ("2025-05-15",)),
    ),
    _rule(
        "sau_chin_thang_dau_nam",
        r"\b0?(6|9) tháng (đầu|cuối)? ?năm(?: (\d{4}))?",
        "month_end",
        _six_or_nine_months,
        ("6 tháng đầu năm", 2024, "date", ("2024-06-30",)),
        ("6 tháng đầu năm 2023", 2024, "date", ("2023-06-30",)),
    ),
    _rule(
        "quy",
        rf"quý\s*({_QUARTER}(?:\s*(?:,|-|và|đến)\s*(?:quý\s*)?{_QUARTER})*)\s*(?:/|-|,)?\s*(?:năm\s*)?(\d{{4}})?",
        "quarter_end",
        _quarters,
        ("Quý I/2024", 2024, "date", ("2024-03-31",)),
        ("Quý II năm 2023", 2023, "date", ("2023-06-30",)),
        ("Quý I, II/2024", 2024, "date", ("2024-06-30",)),
        ("Quý III-IV/2025", 2025, "date", ("2025-12-31",)),
        ("Quí IV-2025", 2025, "date", ("2025-12-31",)),
        ("Quy II/2025", 2025, "date", ("2025-06-30",)),
    ),
    _rule(
        "thang_nam",
        r"tháng (\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*(?:/|năm|-)\s*(\d{4})",
        "month_end",
        _month_of_year,
        ("Tháng 10/2024", 2024, "date", ("2024-10-31",)),
        ("Tháng 02/2024", 2024, "date", ("2024-02-29",)),
        ("hạn tháng 6/2025", 2025, "date", ("2025-06-30",)),
        ("tháng 3-5/2025", 2025, "date", ("2025-05-31",)),
    ),
    _rule(
        "thang_nam_ke_hoach",
        r"tháng (\d{1,2})\b(?!\s*(?:/|năm|-|\d))",
        "month_end",
        _month_plan_year,
        ("Tháng 12", 2024, "date", ("2024-12-31",)),
        ("Tháng 12", None, "unknown", ()),
    ),
    _rule(
        "thang_viet_tat",
        r"\bt(\d{1,2})(?:/((?:19|20)\d{2}))?\b",
        "month_end",
        _t_month,
        ("T5", 2025, "date", ("2025-05-31",)),
        ("T11/2025", 2024, "date", ("2025-11-30",)),
    ),
    _rule(
        "thang_gach_nam",
        r"(?<![\d/])(\d{1,2})/((?:19|20)\d{2})\b",
        "month_end",
        _month_slash_year,
        ("6/2025", 2025, "date", ("2025-06-30",)),
        ("06/2025", 2024, "date", ("2025-06-30",)),
        ("Quý 5/2025", 2025, "unknown", ()),
        ("13/2025", 2025, "unknown", ()),
    ),
    _rule(
        "nam_sau_nam_hien_hanh",
        r"\bnăm (sau|tới|kế tiếp|hiện hành|nay)\b(?! liền kề)",
        "year_end",
        _named_year,
        ("Năm sau", 2025, "date", ("2026-12-31",)),
        ("Trong năm hiện hành", 2025, "date", ("2025-12-31",)),
    ),
    _rule(
        "ngay_thang_nam_ke_hoach",
        r"\b(\d{1,2})/(\d{1,2})\b",
        "written",
        _day_month_plan_year,
        ("chậm nhất ngày 5/3", 2024, "date", ("2024-03-05",)),
    ),
    _rule(
        "khoang_nam",
        r"\b((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})\b",
        "year_end",
        _range_end_year,
        ("2024-2025", 2024, "date", ("2025-12-31",)),
        ("Giai đoạn 2026 - 2030", 2026, "date", ("2030-12-31",)),
        may_start=False,
    ),
    _rule(
        "truoc_nam",
        r"(?:trước|chậm nhất)\s*(?:là\s*)?năm ((?:19|20)\d{2})\b",
        "year_end",
        _year_before,
        ("Trước năm 2030", 2029, "date", ("2029-12-31",)),
    ),
    _rule(
        "nam",
        r"(?<![/.\d-])\b((?:19|20)\d{2})\b(?![/.-]\d)",
        "year_end",
        _year,
        ("Năm 2022", 2022, "date", ("2022-12-31",)),
        ("Trong năm 2023", 2023, "date", ("2023-12-31",)),
        bare_year=True,
    ),
)

#: A number beside a year that no rule above read ("quy 2/2025 va", "15-07/2025"): the whole text is flagged
UNREAD_NUMBER = _rule(
    "so_canh_nam_khong_doc_duoc",
    r"\d[/.-](?:19|20)\d{2}\b|\b(?:19|20)\d{2}[/.-]\d",
    "none",
    None,
    ("Hoàn thành 2025/07", 2025, "unknown", ()),
)


# --- recurring duties: each rule gives (due date, period label) pairs over the plan period -----------------


def _each_month(p: _Parser, days: list[int], *, next_month: bool = False) -> list[tuple[date, str]]:
    out = []
    for day in days:
        for year in p.years():
            for month in range(1, 13):
                y2, m2 = (year, month) if not next_month else ((year, month + 1) if month < 12 else (year + 1, 1))
                due = _day_in_month(y2, m2, day)
                if p.in_period(due):
                    out.append((due, f"Tháng {month}/{year}"))
    return out


def _monthly_days(p: _Parser, m: re.Match[str]) -> list[tuple[date, str]]:
    return _each_month(p, [int(a or b) for a, b in m.re.findall(p.t)])


def _next_month_days(p: _Parser, m: re.Match[str]) -> list[tuple[date, str]]:
    return _each_month(p, [int(d) for d in m.re.findall(p.t)], next_month=True)


def _quarters_of(p: _Parser, years: list[int], day: int | None, *, all_of_them: bool = False) -> list[tuple[date, str]]:
    out = []
    for year in years:
        for quarter in range(1, 5):
            due = _day_in_month(year, quarter * 3, day) if day else _quarter_end(year, quarter)
            if all_of_them or p.in_period(due):
                out.append((due, f"Quý {ROMAN_LABEL[quarter]}/{year}"))
    return out


def _six_months_signal(t: str) -> bool:
    six = re.search(r"\b0?6 tháng(/lần| một lần)?\b", t) and re.search(r"định kỳ|hằng|/lần|một lần", t)
    return bool(six or re.search(r"\b0?6 tháng,? (và|với) (cả )?năm\b", t))


def _annual_days(p: _Parser, m: re.Match[str]) -> list[tuple[date, str]]:
    """Days and months written beside a yearly (or six-monthly) duty: that day of each year of the period."""
    t = p.t
    if re.search(r"\d{1,2}/\d{1,2}/\d{4}", t):
        return []  # a dated text: the one-off rules read it
    annual = re.search(r"hằng năm|mỗi năm|định kỳ năm|tổng kết năm|năm sau liền kề|\bnăm \(", t)
    half = _six_months_signal(t)
    if not (annual or half) and (p.fired or "định kỳ" not in t):
        return []  # "định kỳ … trước ngày 20/11" alone is a yearly report; beside a monthly one it is not
    day_months = [(int(d), int(mo)) for d, mo in re.findall(r"(?:ngày )?(?<![\d/])(\d{1,2})/(\d{1,2})\b(?!/\d)", t)]
    day_months += [(int(d), int(mo)) for d, mo in re.findall(r"ngày (\d{1,2}) tháng (\d{1,2})\b(?! năm \d)", t)]
    out = []
    for day, month in day_months:
        if not 1 <= month <= 12:
            continue
        for year in p.years():
            due = _day_in_month(year, month, day)
            if p.in_period(due):
                out.append((due, f"Năm {year}" if month > 6 or not half else f"6 tháng đầu năm {year}"))
    return out


def _half_and_year(p: _Parser, m: re.Match[str]) -> list[tuple[date, str]]:
    out = []
    for year in p.years():
        out += [(date(year, 6, 30), f"6 tháng đầu năm {year}"), (date(year, 12, 31), f"Năm {year}")]
    return [(due, label) for due, label in out if p.in_period(due)]


def _no_day(message: str) -> Callable[[_Parser, re.Match[str]], list]:
    def read(p: _Parser, m: re.Match[str]) -> list:
        if not p.fired and not re.search(r"thường xuyên|liên tục|\btheo\b", p.t):
            p.notes.append(message)
        return []

    return read


_MONTHS = tuple(f"2025-{m:02d}-25" for m in range(1, 13))

#: Recurring duties, in precedence order; their dates are joined (a monthly and a yearly report both count)
RECURRING_RULES: tuple[Rule, ...] = (
    _rule(
        "ngay_hang_thang",
        r"ngày (\d{1,2}) (?:của )?(?:hằng|mỗi|các) tháng"
        r"|(?:hằng|mỗi) tháng\s*,?\s*(?:trước|chậm nhất(?: là)?|vào)?\s*ngày (\d{1,2})\b",
        "day_each_month",
        _monthly_days,
        ("Định kỳ trước ngày 10 hằng tháng", 2024, "recurring", tuple(f"2024-{m:02d}-10" for m in range(1, 13))),
        ("Hằng tháng, trước ngày 25", 2025, "recurring", _MONTHS),
    ),
    _rule(
        "ngay_cua_thang_tiep_theo",
        r"ngày (\d{1,2}) của tháng tiếp theo",
        "day_each_month",
        _next_month_days,
        ("ngày 20 của tháng tiếp theo", 2025, "recurring", tuple(f"2025-{m:02d}-20" for m in range(2, 13))),
    ),
    _rule(
        "hang_thang_khong_ngay",
        r"hằng tháng|mỗi tháng|định kỳ tháng|báo cáo tháng",
        "none",
        _no_day("Hằng tháng nhưng không nêu ngày: cần nhập ngày."),
        ("Báo cáo hằng tháng", 2025, "unknown", ()),
        unless=("ngay_hang_thang", "ngay_cua_thang_tiep_theo"),
    ),
    _rule(
        "ngay_thang_cuoi_quy",
        r"ngày (\d{1,2}) (?:của )?tháng cuối (?:mỗi |của )?quý",
        "day_each_quarter",
        lambda p, m: _quarters_of(p, p.years(), int(m.group(1))),
        (
            "Thời gian chậm nhất là ngày 17 của tháng cuối quý",
            2024,
            "recurring",
            ("2024-03-17", "2024-06-17", "2024-09-17", "2024-12-17"),
        ),
    ),
    _rule(
        "hang_quy",
        r"hằng quý|mỗi quý|định kỳ quý|quý/lần|tháng cuối quý",
        "quarter_ends",
        lambda p, m: _quarters_of(p, p.years(), None),
        ("Định kỳ hằng quý", 2024, "recurring", ("2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31")),
        unless=("ngay_thang_cuoi_quy",),
    ),
    _rule(
        "ca_bon_quy",
        r"quý\s*i\s*,\s*ii\s*,\s*iii\s*(?:,|và)\s*iv\s*(?:/|năm)?\s*(\d{4})?",
        "quarter_ends",
        lambda p, m: _quarters_of(p, [int(m.group(1))] if m.group(1) else p.years(), None, all_of_them=True),
        ("Quý I, II, III, IV/2024", 2024, "recurring", ("2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31")),
    ),
    _rule(
        "thang_hang_nam",
        r"(?<!\d )tháng (\d{1,2}) (?:hằng|mỗi) năm",
        "month_end",
        lambda p, m: [
            (_month_end(year, int(m.group(1))), f"Năm {year}")
            for year in p.years()
            if 1 <= int(m.group(1)) <= 12 and p.in_period(_month_end(year, int(m.group(1))))
        ],
        ("Tháng 12 hằng năm", 2025, "recurring", ("2025-12-31",)),
        ("Từ tháng 3 đến tháng 11 hằng năm", 2025, "recurring", ("2025-11-30",)),
    ),
    _rule(
        "ngay_thang_hang_nam",
        r"hằng năm|mỗi năm|định kỳ|tổng kết năm|năm sau liền kề|\bnăm \(|\b0?6 tháng",
        "written",
        _annual_days,
        ("Trước ngày 15/12 hàng năm", 2024, "recurring", ("2024-12-15",)),
        ("hằng năm (trước ngày 15 tháng 11)", 2025, "recurring", ("2025-11-15",)),
    ),
    _rule(
        "sau_thang_va_nam",
        r"\b0?6 tháng,? (?:và|với) (?:cả )?năm\b",
        "half_and_year",
        _half_and_year,
        ("Báo cáo 6 tháng và năm", 2025, "recurring", ("2025-06-30", "2025-12-31")),
        unless=("ngay_thang_hang_nam",),
    ),
    _rule(
        "dinh_ky_khong_ngay",
        r"hằng năm|mỗi năm|định kỳ|\b0?6 tháng(?:/lần| một lần)",
        "none",
        _no_day("Định kỳ nhưng không nêu ngày: cần nhập ngày."),
        ("Hằng năm", 2025, "unknown", ()),
        ("định kỳ 6 tháng/lần", 2025, "unknown", ()),
        ("Thực hiện thường xuyên hằng năm", 2025, "continuous", ()),
    ),
)

#: What kind a text without a firm date is: read in ``_Parser.parse``, in this order
CONTINUOUS = _rule(
    "thuong_xuyen",
    r"thường xuyên|liên tục|hằng ngày|thường trực",
    "none",
    None,
    ("Thường xuyên", 2024, "continuous", ()),
    ("Thường xuyên theo thời gian thực", 2024, "continuous", ()),
    ("Thuong xuyen", 2025, "continuous", ()),
)
CITED_DOCUMENT = _rule(
    "theo_van_ban_khac",
    r"^(?:thực hiện |triển khai |hoàn thành )?(?:đảm bảo )?theo\b",
    "none",
    None,
    ("Theo kế hoạch của Bộ Nội vụ", 2024, "external", ()),
    ("Theo lộ trình được giao tại Kế hoạch số 02-KH/BCĐTW", 2024, "external", ()),
)
SET_ELSEWHERE = _rule(
    "co_quan_khac_dinh_thoi_gian",
    r"khi có yêu cầu|theo yêu cầu|tại (?:các )?kỳ họp|\bdo\b.{0,80}\bquyết định\b|đột xuất",
    "none",
    None,
    ("Khi có yêu cầu", 2025, "external", ()),
    ("theo yêu cầu", 2025, "external", ()),
    ("Tại kỳ họp thường lệ cuối năm của HĐND tỉnh", 2025, "external", ()),
    ("Do Chủ tịch UBND tỉnh quyết định", 2025, "external", ()),
)
RELATIVE_RULES: tuple[Rule, ...] = (
    _rule(
        "so_ngay_ke_tu",
        r"(\d{1,3})\s*ngày( làm việc)?(?: thông thường)?\s*(?:,\s*)?"
        r"(?:kể từ|tính từ|sau khi|sau|từ)\s*(?:ngày\s*)?(.*)",
        "none",
        lambda p, m: {"amount": int(m.group(1)), "unit": "working_days" if m.group(2) else "days", "after": m.group(3)},
        ("Chậm nhất là 03 ngày làm việc kể từ ngày quyết định công bố", 2024, "relative", ()),
        ("Hoàn thành trước 10 ngày thông thường kể từ ngày Bộ trưởng ký ban hành", 2024, "relative", ()),
    ),
    _rule(
        "ngay_sau_khi",
        r"ngay sau khi\s*(.*)",
        "none",
        lambda p, m: {"amount": 0, "unit": "days", "after": m.group(1)},
        ("Ngay sau khi văn bản QPPL được ban hành", 2024, "relative", ()),
    ),
    _rule(
        "sau_khi",
        r"(?:^|\b)(?:sau khi|khi|đến khi)\s+(.*)",
        "none",
        lambda p, m: {"amount": None, "unit": "days", "after": m.group(1)},
        ("Sau khi Bộ Nội vụ ban hành hướng dẫn", 2024, "relative", ()),
    ),
)

#: Every rule, for the tests and the documentation: the names are unique
RULES: tuple[Rule, ...] = (
    *DATE_RULES,
    UNREAD_NUMBER,
    *RECURRING_RULES,
    CONTINUOUS,
    CITED_DOCUMENT,
    SET_ELSEWHERE,
    *RELATIVE_RULES,
)


# --- the parser -----------------------------------------------------------------------------------


@dataclass
class _Candidate:
    due: date
    rule: str
    start: int  # position in the normalized text
    open_start: bool = False  # "từ …": where work starts, not when it is due
    after: bool = False  # "sau năm 2028": later than the deadline
    bare_year: bool = False  # "Năm 2026" alone


class _Parser:
    def __init__(self, text: str, year: int | None, period: tuple[date, date] | None) -> None:
        self.raw = text
        self.t = normalize(text)
        if period is None and year is not None:
            period = (date(year, 1, 1), date(year, 12, 31))
        self.period = period
        self.year = year if year is not None else (period[1].year if period else None)
        self.notes: list[str] = []
        #: The recurring rules that gave dates so far
        self.fired: set[str] = set()

    # -- what the rules use
    def need_year(self, message: str) -> int | None:
        if self.year is None:
            self.notes.append(message)
        return self.year

    def safe(self, year: int, month: int, day: int) -> date | None:
        try:
            return date(year, month, day)
        except ValueError:
            self.notes.append(f"Ngày không tồn tại: {day}/{month}/{year}.")
            return None

    def years(self) -> list[int]:
        if self.period is None:
            return []
        return list(range(self.period[0].year, self.period[1].year + 1))

    def in_period(self, day: date) -> bool:
        return self.period is None or self.period[0] <= day <= self.period[1]

    def schedule(self, kind: str, dated=(), labels=(), relative=None, review=False) -> Schedule:
        """``dated``: (due date, rule name) pairs."""
        dates = [d for d, _ in dated]
        if relative is not None:
            relative = {**relative, "after": _original_case(_clean(relative["after"]), self.raw)}
        outside = [d for d in dates if self.period and not (self.period[0] <= d <= self.period[1])]
        if kind == "date" and outside:
            self.notes.append("Thời hạn nằm ngoài thời kỳ của kế hoạch.")
            review = True
        if kind in ("relative", "external", "unknown"):
            review = True
        return Schedule(
            text=self.raw,
            kind=kind,
            due_dates=dates,
            period_labels=list(labels) if labels else ([""] * len(dates) if kind == "recurring" else []),
            relative=relative,
            needs_review=review or bool(self.notes),
            notes=self.notes,
            rules=[rule for _, rule in dated],
        )

    # -- the precedence of the rule families, in one place
    def parse(self) -> Schedule:
        """Empty → unknown; a cited document alone → external; a recurring duty (unless a dated sub-item wins);
        a firm one-off date (the latest); set elsewhere → external; relative to an event; continuous; unknown."""
        t = self.t
        if not t or not re.search(r"\w", t):
            self.notes.append("Không có thời hạn: lấy theo mục cha hoặc cần nhập.")
            return self.schedule("unknown")

        continuous = bool(CONTINUOUS.pattern.search(t))
        cited = bool(CITED_DOCUMENT.pattern.match(t))
        if cited and not re.search(r"\b(trước|chậm nhất|hạn|quý|tháng \d)", t):
            # "Theo Kế hoạch số 2693/KH-UBND ngày 10/5/2021": the date is the other document's, not a deadline
            return self.schedule("external")
        candidates = self.dated_candidates()
        firm = [c for c in candidates if not c.open_start and not c.after]

        recurring = self.recurring()
        if recurring is not None and (not firm or self.recurring_wins()):
            return recurring

        if firm and all(c.bare_year for c in firm) and re.search(r"năm \d{4} và (các|những) năm tiếp theo", t):
            self.notes.append("Bắt đầu từ một năm và tiếp tục các năm sau: không có hạn hoàn thành.")
            return self.schedule("continuous", review=True)
        if firm:
            last = max(firm, key=lambda c: c.due)
            review = continuous or bool(re.search(r"\b(sau khi|khi có|đến khi|tiếp theo|nếu có)\b", t))
            if continuous:
                self.notes.append("Có cả phần việc thường xuyên.")
            return self.schedule("date", [(last.due, last.rule)], review=review)

        if cited or SET_ELSEWHERE.pattern.search(t):
            return self.schedule("external")
        for rule in RELATIVE_RULES:
            match = rule.pattern.search(t)
            if match:
                return self.schedule("relative", relative=rule.read(self, match))
        if continuous:
            return self.schedule("continuous")
        if candidates:  # only "từ …" starts or "sau …": open-ended work
            self.notes.append("Chỉ có thời điểm bắt đầu, không có hạn hoàn thành.")
            return self.schedule("continuous", review=True)
        if re.search(r"(các|những) năm tiếp theo", t):
            return self.schedule("continuous", review=True)
        if re.search(r"\btheo\b", t):
            return self.schedule("external")
        if self.year is None and re.search(r"\b(tháng|quý|ngày)\b", t):
            self.notes.append("Thiếu năm: cần năm của kế hoạch.")
        return self.schedule("unknown")

    # -- one-off dates, with their positions
    def dated_candidates(self) -> list[_Candidate]:
        t = self.t
        found: list[_Candidate] = []
        masked = list(t)
        for rule in DATE_RULES:
            for m in rule.pattern.finditer("".join(masked)):
                # a word character: what is left beside a taken span gains no word boundary ("3/4/20246 tháng")
                masked[m.start() : m.end()] = "_" * (m.end() - m.start())
                due = rule.read(self, m) if rule.read else None
                if due is None:
                    continue
                before = t[max(0, m.start() - 22) : m.start()]
                # "từ tháng 10/2025 đến khi …" starts work; "từ … đến 31/3/2026" has an end date
                ends_later = re.search(r"\bđến\b(?! khi)|^\s*-", t[m.end() : m.end() + 30])
                found.append(
                    _Candidate(
                        due=due,
                        rule=rule.name,
                        start=m.start(),
                        open_start=rule.may_start
                        and bool(re.search(r"(từ|bắt đầu)( ngày| tháng| năm)?\s*$", before))
                        and not ends_later,
                        after=bool(re.search(r"\bsau( năm| ngày| tháng)?\s*$", before)),
                        bare_year=rule.bare_year,
                    )
                )
        if UNREAD_NUMBER.pattern.search("".join(masked)):
            # a number beside a year that no rule read: never that year's end
            self.notes.append("Có ngày tháng không đọc được: cần người kiểm tra.")
            found.clear()
        return found

    # -- recurring duties
    def recurring_wins(self) -> bool:
        """A dated clause beside a recurring one ("Riêng năm 2020 … quý II/2020"): the date is a sub-item."""
        if not re.search(r"\b(19|20)\d{2}\b", self.t):
            return True  # no year written: "ngày 31 tháng 01 của năm sau liền kề" recurs
        return bool(re.search(r"\b(định kỳ|hằng|mỗi)\b", self.t)) and not re.search(r"\b(riêng|hoàn thành)\b", self.t)

    def recurring(self) -> Schedule | None:
        if self.period is None:
            if re.search(r"hằng (tháng|quý|năm)|định kỳ|mỗi (tháng|quý)|tháng cuối quý", self.t):
                self.notes.append("Định kỳ nhưng chưa biết thời kỳ của kế hoạch.")
            return None
        dates: dict[date, tuple[str, str]] = {}
        for rule in RECURRING_RULES:
            match = rule.pattern.search(self.t)
            if match is None or self.fired & set(rule.unless):
                continue
            for due, label in rule.read(self, match):
                dates.setdefault(due, (label, rule.name))
                self.fired.add(rule.name)
        if not dates:
            return None
        ordered = sorted(dates)
        return self.schedule("recurring", [(d, dates[d][1]) for d in ordered], [dates[d][0] for d in ordered])


def _clean(text: str) -> str:
    return text.strip(" .,;:)(")


def _original_case(fragment: str, raw: str) -> str:
    """The fragment as the document wrote it (the parser reads a lower-cased copy)."""
    source = re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw))
    match = re.search(re.escape(fragment), source, flags=re.IGNORECASE)
    return match.group(0) if match else fragment


def parse_deadline(text: str | None, year: int | None = None, period: tuple[date, date] | None = None) -> Schedule:
    """Read a deadline cell. Never raises: what cannot be read comes back as ``unknown`` for review."""
    text = text or ""
    try:
        return _Parser(text, year, period).parse()
    except (ValueError, OverflowError, IndexError, re.error):
        return Schedule(text=text, kind="unknown", needs_review=True, notes=["Không đọc được thời hạn."])
