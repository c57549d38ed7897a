"""Indicators (chỉ tiêu): each agency's target by seed 004's rule, and the values the agency reports.

The rule (DOMAIN.md): a previous result below the central target → the central target; else the previous result
raised by 10% (relative, ×1.1, by default; ten percentage points with ``INDICATOR_RAISE=points``), never below the
central target; a rate (unit "%") is capped at 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

RAISE = Decimal("0.10")
POINTS = Decimal("10")
HUNDRED = Decimal("100")


def is_rate(unit: str) -> bool:
    return unit.strip() == "%"


def target_for(central: Decimal | None, previous: Decimal | None, *, unit: str = "", mode: str = "relative"):
    """The agency's target: the central one, or its previous result raised when it already reached it."""
    if central is None:
        return None
    if previous is None or previous < central:
        target = central
    else:
        raised = previous + POINTS if mode == "points" and is_rate(unit) else previous * (1 + RAISE)
        target = max(raised, central)
    if is_rate(unit):
        target = min(target, HUNDRED)
    return target.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reached(target: Decimal | None, actual: Decimal | None) -> bool | None:
    """Whether the actual value reaches the target (None until both are known)."""
    if target is None or actual is None:
        return None
    return actual >= target


# --- periods ----------------------------------------------------------------------------------------------------

ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """A period an agency reports a result for, cumulative from the start of its year."""

    key: str
    label: str
    start: date
    end: date

    def started(self, today: date) -> bool:
        return self.start <= today


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = date(year, 12, 31) if number == 4 else date(year, 3 * number + 1, 1) - timedelta(days=1)
    return Period(f"{year}-Q{number}", f"Quý {ROMAN[number - 1]}/{year}", start, end)


def period_label(key: str) -> str:
    """ "2024-Q2" → "Quý II/2024", "2023" → "Năm 2023"."""
    if not key:
        return ""
    year, _, number = key.partition("-Q")
    return f"Quý {ROMAN[int(number) - 1]}/{year}" if number else f"Năm {year}"


def periods_for(start: date | None, end: date | None, issued_on: date | None = None) -> list[Period]:
    """The reporting periods of a plan: the quarters of a one-year plan, the years of a plan over several.

    A plan without its period reports by the quarters of the year it was issued in; without that either, none
    (the office fills the period on the plan's page first).
    """
    if start is None or end is None:
        if issued_on is None:
            return []
        start, end = date(issued_on.year, 1, 1), date(issued_on.year, 12, 31)
    if start.year == end.year:
        return [quarter(start.year, n) for n in range(1, 5) if quarter(start.year, n).end >= start]
    return [
        Period(str(year), f"Năm {year}", date(year, 1, 1), date(year, 12, 31))
        for year in range(start.year, end.year + 1)
    ]


@dataclass
class IndicatorReport:
    """What an agency submits for one indicator: its previous result and a value per period (None: cleared)."""

    previous: Decimal | None
    values: dict[str, Decimal | None] = field(default_factory=dict)


def record_indicator_report(target, indicator, periods: list[Period], report: IndicatorReport, *, by, now, mode):
    """Store the agency's values, its target by the rule, and the latest value as its actual; one audit event.

    The caller has checked that ``target`` belongs to the user's agency and that each period has started.
    """
    from tracker.core.models import record_audit
    from tracker.plans.models import IndicatorValue

    stored = {value.period: value for value in target.values}
    before = {
        "previous": plain(target.previous_value),
        "values": {key: plain(value.value) for key, value in sorted(stored.items())},
    }
    for key, value in report.values.items():
        row = stored.get(key)
        if value is None:
            if row is not None:
                target.values.remove(row)
                del stored[key]
        elif row is None:
            stored[key] = IndicatorValue(period=key, value=value, reported_at=now, reported_by_id=by.id)
            target.values.append(stored[key])
        elif row.value != value:
            row.value, row.reported_at, row.reported_by_id = value, now, by.id
    target.previous_value = report.previous
    target.target_value = target_for(indicator.target_value, report.previous, unit=indicator.unit, mode=mode)
    order = {period.key: number for number, period in enumerate(periods)}
    latest = max(stored, key=lambda key: order.get(key, -1), default=None)
    target.actual_value = stored[latest].value if latest else None
    target.actual_period = latest or ""
    target.reported_at = now
    after = {
        "previous": plain(report.previous),
        "values": {key: plain(value.value) for key, value in sorted(stored.items())},
        "target": plain(target.target_value),
    }
    record_audit(target, "indicator_reported", by=by, now=now, before=before, after=after)


def plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")
