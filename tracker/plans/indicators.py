"""Indicators (chỉ tiêu): each agency's target by seed 004's rule, and the values the agency reports.

The rule (DOMAIN.md): a previous result below the central target → the central target; else the previous result
raised by 10% (relative, ×1.1, by default; ten percentage points with ``INDICATOR_RAISE=points``), never below the
central target; a rate (unit "%") is capped at 100.
"""

from __future__ import annotations

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
