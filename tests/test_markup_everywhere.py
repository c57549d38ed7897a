"""HTML and script typed into a task reach every output as text (issue 11, part 3): the reminders' and the monthly
list's mails (HTML and text), the plan report's .docx, the monthly .xlsx, and the items list."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from docx import Document
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.notifications.models import OutboxMessage
from tracker.plans.models import Task
from tracker.plans.operations import TaskSpec

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_typed_into_a_task_is_text_in_every_mail_and_export(db, clock, logged_in, app, monkeypatch):
    from tracker.notifications.reminders import send_reminders
    from tracker.reports.jobs import send_monthly_late_report

    make_plan(
        db,
        clock,
        [TaskSpec(content=f"Rà soát {SCRIPT}", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 2, 20)))],
        title=f"Kế hoạch {SCRIPT}",
    )
    monkeypatch.setitem(app.config, "CHAIRMAN_OFFICE_EMAILS", "chanhvanphong@example.org")
    send_reminders(datetime(2024, 3, 1, 7, 30, tzinfo=clock.now().tzinfo))
    send_monthly_late_report(datetime(2024, 4, 1, 8, 0, tzinfo=clock.now().tzinfo))
    db.session.commit()
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert {m.kind for m in mails} >= {"reminders", "monthly-late-report"}
    for mail in mails:
        assert "<script>" not in mail.html_body and "<img src=x" not in mail.html_body
        assert "&lt;script&gt;" in mail.html_body, mail.kind
        assert SCRIPT in mail.text_body, mail.kind  # the text version shows it as typed
    clock.set(datetime(2024, 4, 2, 8, 0))
    monitor, _ = logged_in("monitor")
    plan_id = db.session.scalar(select(Task.plan_id))
    docx = Document(io.BytesIO(monitor.get(f"/plans/{plan_id}/report.docx").data))
    texts = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    texts += [paragraph.text for paragraph in docx.paragraphs]
    assert any(SCRIPT in text for text in texts)  # as text in the plan report, not markup
    sheet = openpyxl.load_workbook(io.BytesIO(monitor.get("/reports/monthly.xlsx?month=2024-03").data))
    values = [c.value for ws in sheet.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(SCRIPT in v for v in values)
    page = monitor.get("/items").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_markup_in_comments_reasons_and_answers_is_text_in_the_notices_and_the_task_page(
    db, clock, logged_in, make_user
):
    """What people type in the workflow (a late reason, an extension's reason, the office's comment, its return and
    its refusal) reaches the agency's notice mails and the task page as text."""
    from tracker.plans.models import DueItem
    from tracker.workflow.operations import (
        CompletionData,
        LateReasonData,
        add_comment,
        decide_extension,
        report_completion,
        request_extension,
        review_completion,
    )

    make_plan(
        db, clock, [TaskSpec(content="Rà soát", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 2, 20)))]
    )
    clerk = make_user("agency_staff", "SNV")
    office = make_user("monitor")
    item = db.session.scalar(select(DueItem))
    now = clock.now()
    asked = request_extension(item, due_date=date(2024, 4, 30), reason=f"Lý do {SCRIPT}", by=clerk, now=now)
    decide_extension(asked, decision="refuse", comment=f"Không đồng ý {SCRIPT}", by=office, now=now)
    late = LateReasonData(category="khac", text=f"Chậm vì {SCRIPT}")
    report_completion(
        item,
        CompletionData(completed_on=date(2024, 2, 28), result=f"Kết quả {SCRIPT}", late_reason=late),
        by=clerk,
        now=now,
    )
    review_completion(item, decision="return", comment=f"Trả lại {SCRIPT}", by=office, now=now)
    add_comment(item.assignment.task, text=f"Ý kiến {SCRIPT}", by=office, now=now)
    db.session.commit()

    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("workflow-%"))).all()
    assert {m.kind for m in mails} == {"workflow-extension_refused", "workflow-returned", "workflow-comment"}
    for mail in mails:
        assert "<script>" not in mail.html_body and "<img src=x" not in mail.html_body, mail.kind
        assert "&lt;script&gt;" in mail.html_body, mail.kind
        assert SCRIPT in mail.text_body, mail.kind
    browser, _ = logged_in("monitor")
    page = browser.get(f"/tasks/{item.assignment.task_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    for typed in ("Lý do", "Không đồng ý", "Chậm vì", "Kết quả", "Trả lại", "Ý kiến"):
        assert f"{typed} &lt;script&gt;" in page, typed
