"""Vietnamese deadline text ("Quý I/2024", "Định kỳ trước ngày 10 hằng tháng", "Thường xuyên") → a schedule.

A schedule has a kind (date, recurring, continuous, relative, external, unknown) and every due date it implies in
the plan period. The reading follows DOMAIN.md: "trước ngày X" is due on X (overdue from the next day); a quarter,
month or year is due on its last day; a range is due at its end; "Quý I, II, III, IV/2024" is a recurring duty.
Whatever cannot be read with confidence is flagged ``needs_review`` for a person, never guessed silently.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

KINDS = ("date", "recurring", "continuous", "relative", "external", "unknown")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ROMAN_LABEL = {1: "I", 2: "II", 3: "III", 4: "IV"}
MAX_TEXT = 2000


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


@dataclass
class _Candidate:
    due: date
    start: int  # position in the normalized text
    open_start: bool = False  # "từ …": where work starts, not when it is due
    after: bool = False  # "sau năm 2028": later than the deadline
    bare_year: bool = False  # "Năm 2026" alone


# --- the parser -----------------------------------------------------------------------------------


#: Set by another body, when it asks or decides: the office enters the date (never a relative count of days)
EXTERNAL = re.compile(r"khi có yêu cầu|theo yêu cầu|tại (?:các )?kỳ họp|\bdo\b.{0,80}\bquyết định\b|đột xuất")


class _Parser:
    def __init__(self, text: str, year: int | None, period: tuple[date, date] | None) -> None:
        self.raw = text
        self.t = normalize(text)
        if period is None and year is not None:
            period = (date(year, 1, 1), date(year, 12, 31))
        self.period = period
        self.year = year if year is not None else (period[1].year if period else None)
        self.notes: list[str] = []

    # -- helpers
    def schedule(self, kind: str, dates=(), labels=(), relative=None, review=False) -> Schedule:
        dates = list(dates)
        if relative is not None:
            relative = {**relative, "after": _original_case(relative["after"], self.raw)}
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
        )

    def years(self) -> list[int]:
        if self.period is None:
            return []
        return list(range(self.period[0].year, self.period[1].year + 1))

    def in_period(self, day: date) -> bool:
        return self.period is None or self.period[0] <= day <= self.period[1]

    # -- entry
    def parse(self) -> Schedule:
        t = self.t
        if not t or not re.search(r"\w", t):
            self.notes.append("Không có thời hạn: lấy theo mục cha hoặc cần nhập.")
            return self.schedule("unknown")

        continuous = bool(re.search(r"thường xuyên|liên tục|hằng ngày|thường trực", t))
        if re.match(r"(thực hiện |triển khai |hoàn thành )?(đảm bảo )?theo\b", t) and not re.search(
            r"\b(trước|chậm nhất|hạn|quý|tháng \d)", t
        ):
            # "Theo Kế hoạch số 2693/KH-UBND ngày 10/5/2021": the date is the other document's, not a deadline
            return self.schedule("external")
        candidates = self.dated_candidates()
        firm = [c for c in candidates if not c.open_start and not c.after]

        recurring = self.recurring()
        if recurring is not None and (not firm or self.recurring_wins(firm)):
            return recurring

        if firm and all(c.bare_year for c in firm) and re.search(r"năm \d{4} và (các|những) năm tiếp theo", t):
            self.notes.append("Bắt đầu từ một năm và tiếp tục các năm sau: không có hạn hoàn thành.")
            return self.schedule("continuous", review=True)
        if firm:
            due = max(c.due for c in firm)
            review = continuous or bool(re.search(r"\b(sau khi|khi có|đến khi|tiếp theo|nếu có)\b", t))
            if continuous:
                self.notes.append("Có cả phần việc thường xuyên.")
            return self.schedule("date", [due], review=review)

        if re.match(r"(thực hiện |triển khai |hoàn thành )?(đảm bảo )?theo\b", t) or EXTERNAL.search(t):
            return self.schedule("external")
        relative = self.relative()
        if relative is not None:
            return relative
        if continuous:
            return self.schedule("continuous")
        if candidates:  # only "từ …" starts or "sau …": open-ended work
            self.notes.append("Chỉ có thời điểm bắt đầu, không có hạn hoàn thành.")
            return self.schedule("continuous", review=True)
        if re.search(r"(các|những) năm tiếp theo", t):
            return self.schedule("continuous", review=True)
        if re.search(r"\btheo\b|đột xuất|khi có yêu cầu|theo yêu cầu", t):
            return self.schedule("external")
        if self.year is None and re.search(r"\b(tháng|quý|ngày)\b", t):
            self.notes.append("Thiếu năm: cần năm của kế hoạch.")
        return self.schedule("unknown")

    # -- one-off dates, with their positions
    def dated_candidates(self) -> list[_Candidate]:
        t = self.t
        found: list[_Candidate] = []
        masked = list(t)

        def take(match: re.Match, due: date | None, *, can_start: bool = True, bare_year: bool = False) -> None:
            for i in range(match.start(), match.end()):
                masked[i] = " "
            if due is None:
                return
            before = t[max(0, match.start() - 22) : match.start()]
            # "từ tháng 10/2025 đến khi …" starts work; "từ … đến 31/3/2026" has an end date
            ends_later = re.search(r"\bđến\b(?! khi)|^\s*-", t[match.end() : match.end() + 30])
            found.append(
                _Candidate(
                    due=due,
                    start=match.start(),
                    open_start=can_start
                    and bool(re.search(r"(từ|bắt đầu)( ngày| tháng| năm)?\s*$", before))
                    and not ends_later,
                    after=bool(re.search(r"\bsau( năm| ngày| tháng)?\s*$", before)),
                    bare_year=bare_year,
                )
            )

        def text() -> str:
            return "".join(masked)

        def year_of(value: str | None) -> int | None:
            return int(value) if value else self.year

        # A cited document's date ("Kế hoạch số 1080/KH-UBND ngày 17/02/2024") is not a deadline
        for m in re.finditer(
            r"(?:số\s*)?\d+/[\w.-]*[a-zđ][\w.-]*(?:-\s[\w.-]+)?(?:\s*ngày\s*\d{1,2}/\d{1,2}/\d{4})?", t
        ):
            take(m, None)
        # Annual and monthly clauses belong to the recurring reader: hide them from the one-off reader
        for m in re.finditer(
            r"(ngày \d{1,2}(?:/\d{1,2})?|\d{1,2}/\d{1,2}|tháng \d{1,2})[^;.]{0,12}\bhằng (năm|tháng)", t
        ):
            take(m, None)
        for m in re.finditer(r"ngày \d{1,2} (?:của )?tháng (?:cuối|đầu) (?:mỗi )?quý|tháng tiếp theo", t):
            take(m, None)

        # 15/3/2024, ngày 15 tháng 3 năm 2024
        for m in re.finditer(r"(\d{1,2})/(\d{1,2})/(\d{4})", text()):
            take(m, self._safe(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        for m in re.finditer(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", text()):
            take(m, self._safe(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        # ngày 15 tháng 5 (no year): that day of the plan year
        for m in re.finditer(r"ngày (\d{1,2}) tháng (\d{1,2})\b(?!\s*(?:/|năm|-)\s*\d)", text()):
            if self.year is None:
                self.notes.append("Thiếu năm của ngày.")
                take(m, None)
            else:
                take(m, self._safe(self.year, int(m.group(2)), int(m.group(1))))
        # 6 tháng đầu năm 2024, 9 tháng
        for m in re.finditer(r"\b0?(6|9) tháng (đầu|cuối)? ?năm( \d{4})?", text()):
            y = year_of(m.group(3) and m.group(3).strip())
            if y is not None:
                last = 12 if m.group(2) == "cuối" else int(m.group(1))
                take(m, _month_end(y, last))
        # Quý I, II/2024; Quý III-IV/2025; Quý II năm 2023; quý IV-2025
        quarter = r"(?:iv|iii|ii|i|[1-4])\b"
        pattern = (
            rf"quý\s*({quarter}(?:\s*(?:,|-|và|đến)\s*(?:quý\s*)?{quarter})*)\s*(?:/|-|,)?\s*(?:năm\s*)?(\d{{4}})?"
        )
        for m in re.finditer(pattern, text()):
            quarters = [ROMAN[q] for q in re.findall(r"iv|iii|ii|i|[1-4]", m.group(1))]
            y = year_of(m.group(2))
            if y is None or not quarters:
                if y is None:
                    self.notes.append("Thiếu năm của quý.")
                take(m, None)
                continue
            if sorted(quarters) == [1, 2, 3, 4] and "," in m.group(1):
                take(m, None)  # a duty every quarter: the recurring reader
                continue
            take(m, _quarter_end(y, max(quarters)))
        # Tháng 10/2024; tháng 11 - 12/2025; tháng 3 năm 2026; tháng 12 (no year)
        for m in re.finditer(r"tháng (\d{1,2})(?:\s*-\s*(\d{1,2}))?\s*(?:/|năm|-)\s*(\d{4})", text()):
            month = int(m.group(2) or m.group(1))
            if 1 <= month <= 12:
                take(m, _month_end(int(m.group(3)), month))
        for m in re.finditer(r"tháng (\d{1,2})\b(?!\s*(?:/|năm|-|\d))", text()):
            month = int(m.group(1))
            if not 1 <= month <= 12:
                continue
            if self.year is None:
                self.notes.append("Thiếu năm của tháng.")
                take(m, None)
            else:
                take(m, _month_end(self.year, month))
        # 6/2025, 06/2025: the month's last day (a month and a year, not a year alone)
        for m in re.finditer(r"(?<![\d/])(\d{1,2})/((?:19|20)\d{2})\b", text()):
            if re.search(r"quý\s*$", t[max(0, m.start() - 6) : m.start()]):
                self.notes.append("Quý không hợp lệ.")
                take(m, None)  # "quý 5/2025" is no quarter, and no month either
            elif 1 <= int(m.group(1)) <= 12:
                take(m, _month_end(int(m.group(2)), int(m.group(1))))
        # T5, T5/2025: month 5
        for m in re.finditer(r"\bt(\d{1,2})(?:/((?:19|20)\d{2}))?\b", text()):
            month, y = int(m.group(1)), year_of(m.group(2))
            if not 1 <= month <= 12:
                continue
            if y is None:
                self.notes.append("Thiếu năm của tháng.")
                take(m, None)
            else:
                take(m, _month_end(y, month))
        # năm sau, năm tới (the year after the plan's); năm hiện hành, năm nay (the plan's)
        for m in re.finditer(r"\bnăm (sau|tới|kế tiếp|hiện hành|nay)\b(?! liền kề)", text()):
            if self.year is None:
                self.notes.append("Thiếu năm của kế hoạch.")
                take(m, None)
            else:
                later = m.group(1) in ("sau", "tới", "kế tiếp")
                take(m, date(self.year + (1 if later else 0), 12, 31))
        # 15/3 without a year, not annual: the plan year
        for m in re.finditer(r"\b(\d{1,2})/(\d{1,2})\b", text()):
            if self.year is None:
                self.notes.append("Thiếu năm của ngày.")
                take(m, None)
            else:
                take(m, self._safe(self.year, int(m.group(2)), int(m.group(1))))
        # 2025 - 2030, giai đoạn 2026-2027
        for m in re.finditer(r"\b((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})\b", text()):
            take(m, date(int(m.group(2)), 12, 31), can_start=False)
        # trước năm 2030: by the end of the year before
        for m in re.finditer(r"(?:trước|chậm nhất)\s*(?:là\s*)?năm ((?:19|20)\d{2})\b", text()):
            take(m, date(int(m.group(1)) - 1, 12, 31))
        # Năm 2022, trong năm 2023, 2026
        for m in re.finditer(r"(?<![/.\d-])\b((?:19|20)\d{2})\b(?![/.-]\d)", text()):
            take(m, date(int(m.group(1)), 12, 31), bare_year=True)
        # a number around a year that no rule read ("quy 2/2025 va", "15-07/2025"): never its year's end
        if re.search(r"\d[/.-](?:19|20)\d{2}\b|\b(?:19|20)\d{2}[/.-]\d", text()):
            self.notes.append("Có ngày tháng không đọc được: cần người kiểm tra.")
            found.clear()
        return found

    def _safe(self, year: int, month: int, day: int) -> date | None:
        try:
            return date(year, month, day)
        except ValueError:
            self.notes.append(f"Ngày không tồn tại: {day}/{month}/{year}.")
            return None

    # -- recurring duties
    def recurring_wins(self, firm: list[_Candidate]) -> bool:
        """A dated clause beside a recurring one ("Riêng năm 2020 … quý II/2020"): the date is a sub-item."""
        if not re.search(r"\b(19|20)\d{2}\b", self.t):
            return True  # no year written: "ngày 31 tháng 01 của năm sau liền kề" recurs
        return bool(re.search(r"\b(định kỳ|hằng|mỗi)\b", self.t)) and not re.search(r"\b(riêng|hoàn thành)\b", self.t)

    def recurring(self) -> Schedule | None:
        t = self.t
        if self.period is None:
            if re.search(r"hằng (tháng|quý|năm)|định kỳ|mỗi (tháng|quý)|tháng cuối quý", t):
                self.notes.append("Định kỳ nhưng chưa biết thời kỳ của kế hoạch.")
            return None
        dates: dict[date, str] = {}
        review = False

        monthly_days = [int(d) for d in re.findall(r"ngày (\d{1,2}) (?:của )?(?:hằng|mỗi|các) tháng", t)]
        monthly_days += [int(d) for d in re.findall(r"ngày (\d{1,2}) của tháng tiếp theo", t)]
        monthly_days += [
            int(d)
            for d in re.findall(r"(?:hằng|mỗi) tháng\s*,?\s*(?:trước|chậm nhất(?: là)?|vào)?\s*ngày (\d{1,2})\b", t)
        ]
        next_month = "tháng tiếp theo" in t
        if not monthly_days and re.search(r"hằng tháng|mỗi tháng|định kỳ tháng|báo cáo tháng", t):
            monthly_days = [0]  # month end
            review = True
        for day in monthly_days:
            for y in self.years():
                for month in range(1, 13):
                    if next_month:
                        y2, m2 = (y, month + 1) if month < 12 else (y + 1, 1)
                        due = _day_in_month(y2, m2, day or 31)
                    else:
                        due = _day_in_month(y, month, day or 31)
                    if self.in_period(due):
                        dates[due] = f"Tháng {month}/{y}"

        quarter_day = re.search(r"ngày (\d{1,2}) (?:của )?tháng cuối (?:mỗi |của )?quý", t)
        every_quarter = re.search(r"hằng quý|mỗi quý|định kỳ quý|quý/lần|tháng cuối quý", t)
        all_quarters = re.search(r"quý\s*i\s*,\s*ii\s*,\s*iii\s*(?:,|và)\s*iv\s*(?:/|năm)?\s*(\d{4})?", t)
        if quarter_day or every_quarter or all_quarters:
            years = [int(all_quarters.group(1))] if all_quarters and all_quarters.group(1) else self.years()
            for y in years:
                for q in range(1, 5):
                    due = _day_in_month(y, q * 3, int(quarter_day.group(1))) if quarter_day else _quarter_end(y, q)
                    if self.in_period(due) or all_quarters:
                        dates[due] = f"Quý {ROMAN_LABEL[q]}/{y}"

        annual = re.search(r"hằng năm|mỗi năm|định kỳ năm|tổng kết năm|năm sau liền kề|\bnăm \(", t)
        half = re.search(r"\b0?6 tháng(/lần| một lần)?\b", t) and re.search(r"định kỳ|hằng|/lần|một lần", t)
        if re.search(r"\b0?6 tháng,? (và|với) (cả )?năm\b", t):
            half = True  # a report at six months and one for the year
        day_months = [
            (int(d), int(m)) for d, m in re.findall(r"(?:ngày )?(\d{1,2})/(\d{1,2})\b(?!/\d)", t) if 1 <= int(m) <= 12
        ]
        day_months += [
            (int(d), int(m))
            for d, m in re.findall(r"ngày (\d{1,2}) tháng (\d{1,2})\b(?! năm \d)", t)
            if 1 <= int(m) <= 12
        ]
        window = re.search(r"từ tháng (\d{1,2}) đến tháng (\d{1,2}) hằng năm", t)
        if window:
            day_months.append((31, int(window.group(2))))
        if not (annual or half or monthly_days or dates) and re.search(r"định kỳ", t) and day_months:
            annual = True  # "định kỳ … trước ngày 20/11": a yearly report
        if (annual or half) and day_months and not re.search(r"\d{1,2}/\d{1,2}/\d{4}", t):
            for day, month in day_months:
                for y in self.years():
                    due = _day_in_month(y, month, day)
                    if self.in_period(due):
                        dates[due] = f"Năm {y}" if month > 6 or not half else f"6 tháng đầu năm {y}"
        elif half:
            for y in self.years():
                dates[date(y, 6, 30)] = f"6 tháng đầu năm {y}"
                dates[date(y, 12, 31)] = f"Năm {y}"
            review = True
        elif annual and not dates and not re.search(r"thường xuyên|liên tục|\btheo\b", t):
            for y in self.years():
                dates[date(y, 12, 31)] = f"Năm {y}"
            review = True
            self.notes.append("Hằng năm nhưng không nêu ngày: tạm lấy ngày 31/12.")
        if not dates:
            return None
        ordered = sorted(dates)
        return self.schedule("recurring", ordered, [dates[d] for d in ordered], review=review)

    # -- relative and event-bound deadlines
    def relative(self) -> Schedule | None:
        t = self.t
        m = re.search(r"(\d{1,3})\s*ngày( làm việc)?\s*(?:,\s*)?(?:kể từ|tính từ|sau khi|sau|từ)\s*(?:ngày\s*)?(.*)", t)
        if m:
            unit = "working_days" if m.group(2) else "days"
            return self.schedule(
                "relative", relative={"amount": int(m.group(1)), "unit": unit, "after": _clean(m.group(3))}
            )
        m = re.search(r"ngay sau khi\s*(.*)", t)
        if m:
            return self.schedule("relative", relative={"amount": 0, "unit": "days", "after": _clean(m.group(1))})
        m = re.search(r"(?:^|\b)(?:sau khi|khi|đến khi)\s+(.*)", t)
        if m:
            return self.schedule("relative", relative={"amount": None, "unit": "days", "after": _clean(m.group(1))})
        return None


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
