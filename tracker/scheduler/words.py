"""Job schedules in words, both ways: "30 7 * * mon-fri" ↔ "7 giờ 30, thứ Hai đến thứ Sáu".

The administrator picks a time and a frequency (working days, every day, a weekday each week, a day each month); the
crontab line is what is stored, and stays available as an advanced field for what the words do not cover.
"""

from __future__ import annotations

import re

#: crontab day-of-week numbers and names → Vietnamese
WEEKDAYS = {
    "mon": "thứ Hai",
    "tue": "thứ Ba",
    "wed": "thứ Tư",
    "thu": "thứ Năm",
    "fri": "thứ Sáu",
    "sat": "thứ Bảy",
    "sun": "Chủ nhật",
}
_NUMBERED = {"1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat", "0": "sun", "7": "sun"}
FREQUENCIES = {
    "weekdays": "Thứ Hai đến thứ Sáu",
    "daily": "Hằng ngày",
    "weekly": "Một ngày mỗi tuần",
    "monthly": "Một ngày mỗi tháng",
}


def _day(token: str) -> str | None:
    token = token.lower()
    return token if token in WEEKDAYS else _NUMBERED.get(token)


def parse(crontab: str) -> dict | None:
    """The words' fields of a crontab line (time, frequency, weekday, day), or None when words cannot say it."""
    parts = crontab.split()
    if len(parts) != 5 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    minute, hour, dom, month, dow = parts
    if not (0 <= int(minute) <= 59 and 0 <= int(hour) <= 23) or month != "*":
        return None
    fields = {"time": f"{int(hour):02d}:{int(minute):02d}", "weekday": "mon", "day": 1}
    if dom == "*" and dow == "*":
        return {**fields, "frequency": "daily"}
    if dom == "*" and re.fullmatch(r"(mon|1)-(fri|5)", dow.lower()):
        return {**fields, "frequency": "weekdays"}
    if dom == "*" and _day(dow):
        return {**fields, "frequency": "weekly", "weekday": _day(dow)}
    if dow == "*" and dom.isdigit() and 1 <= int(dom) <= 28:
        return {**fields, "frequency": "monthly", "day": int(dom)}
    return None


def build(time: str, frequency: str, weekday: str = "mon", day: int = 1) -> str:
    """The crontab line of the words' fields."""
    hour, minute = (int(part) for part in time.split(":"))
    if frequency == "weekdays":
        return f"{minute} {hour} * * mon-fri"
    if frequency == "weekly":
        return f"{minute} {hour} * * {weekday}"
    if frequency == "monthly":
        return f"{minute} {hour} {day} * *"
    return f"{minute} {hour} * * *"


def describe(crontab: str) -> str:
    """ "7 giờ 30, thứ Hai đến thứ Sáu"; a line words cannot say is named as an advanced schedule."""
    fields = parse(crontab)
    if fields is None:
        return f"Lịch nâng cao: {crontab}"
    hour, minute = fields["time"].split(":")
    when = f"{int(hour)} giờ {minute}"
    return {
        "daily": f"{when}, hằng ngày",
        "weekdays": f"{when}, thứ Hai đến thứ Sáu",
        "weekly": f"{when}, {WEEKDAYS[fields['weekday']]} hằng tuần",
        "monthly": f"{when}, ngày {fields['day']} hằng tháng",
    }[fields["frequency"]]
