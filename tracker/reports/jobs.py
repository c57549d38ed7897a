"""The monthly list of late units, sent once per month to the Chairman's office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from tracker.notifications.ledger import claim_notice
from tracker.notifications.mail import queue_email
from tracker.reports.models import get_setting
from tracker.reports.monthly import MonthlyReport, attachments, build_monthly_report, previous_month

#: The overdue items the mail lists under each agency (the workbook has them all)
MAIL_ITEMS = 5


def chairman_office_recipients() -> list[str]:
    """The list the administrator edits; TRACKER_CHAIRMAN_OFFICE_EMAILS until then."""
    stored = get_setting("chairman_office_emails")
    if stored is not None:
        return list(stored)
    return [e.strip() for e in current_app.config["CHAIRMAN_OFFICE_EMAILS"].split(",") if e.strip()]


@dataclass
class MonthlyRun:
    report: MonthlyReport
    queued: bool
    reason: str = ""

    def summary(self) -> str:
        head = (
            f"Tháng {self.report.label}: {len(self.report.late_lines)} đơn vị có nhiệm vụ quá hạn, "
            f"{len(self.report.criticised)} đơn vị đề xuất phê bình"
        )
        return f"{head}; {'đã xếp thư vào hộp thư đi' if self.queued else self.reason}"


def send_monthly_late_report(now: datetime, *, dry_run: bool = False) -> MonthlyRun:
    """Queue the report of the month before ``now`` (the caller commits, then delivers)."""
    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    year, month = previous_month(local)
    # the mail lists each agency's five most overdue items; the workbook streams every one of them
    report = build_monthly_report(year, month, items_per_agency=MAIL_ITEMS)
    recipients = chairman_office_recipients()
    if dry_run:
        return MonthlyRun(report, False, "chạy thử: không gửi")
    if not recipients:
        return MonthlyRun(report, False, "chưa có địa chỉ nhận của Văn phòng (TRACKER_CHAIRMAN_OFFICE_EMAILS)")
    if not claim_notice("monthly-late-report", "chairman-office", f"{year}-{month:02d}", now):
        return MonthlyRun(report, False, "đã gửi báo cáo tháng này")
    queue_email(
        kind="monthly-late-report",
        recipients=recipients,
        template="reports/monthly",
        context={"report": report, "base_url": current_app.config["BASE_URL"].rstrip("/")},
        now=now,
        attachments=attachments(report, issued_on=local.date()),
    )
    return MonthlyRun(report, True)
