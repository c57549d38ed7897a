"""The monthly list of late units: counts, ranking, criticism; the email with .xlsx and .docx; the web page."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.notifications.mail import deliver_outbox
from tracker.plans.models import Assignment, DueItem
from tracker.plans.operations import TaskSpec
from tracker.reports.jobs import send_monthly_late_report
from tracker.reports.monthly import build_monthly_report

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def plan(db, clock, agency):
    tasks = [
        TaskSpec(content="Việc A của Sở Xây dựng", number="1", lead_codes=["SXD"], schedule=dated(date(2024, 4, 10))),
        TaskSpec(content="Việc B của Sở Xây dựng", number="2", lead_codes=["SXD"], schedule=dated(date(2024, 4, 15))),
        TaskSpec(content="Việc C của Sở Xây dựng", number="3", lead_codes=["SXD"], schedule=dated(date(2024, 4, 20))),
        TaskSpec(
            content="Việc lâu ngày của Sở Nội vụ", number="4", lead_codes=["SNV"], schedule=dated(date(2024, 2, 20))
        ),
        TaskSpec(
            content="Việc đúng hạn của Sở Tư pháp", number="5", lead_codes=["STP"], schedule=dated(date(2024, 4, 5))
        ),
        TaskSpec(content="Việc trễ của Sở Y tế", number="6", lead_codes=["SYT"], schedule=dated(date(2024, 4, 5))),
        TaskSpec(
            content="Việc tháng sau của Sở GD&ĐT", number="7", lead_codes=["SGDDT"], schedule=dated(date(2024, 5, 20))
        ),
    ]
    result = make_plan(db, clock, tasks)
    items = {i.assignment.task.number: i for i in db.session.scalars(select(DueItem).join(Assignment))}
    for number, completed in (("5", date(2024, 4, 5)), ("6", date(2024, 4, 9))):
        items[number].completed_on = completed
        items[number].accepted_at = datetime.combine(completed, time(16), tzinfo=VN)
        items[number].state = "accepted"
    db.session.commit()
    return result


def test_counts_ranking_and_criticism(plan, db):
    report = build_monthly_report(2024, 4)
    lines = {line.name: line for line in report.lines}
    assert lines["Sở Xây dựng"].counts == {"open_overdue": 3}
    assert lines["Sở Nội vụ"].longest == 70  # 20/02 → 30/04
    assert lines["Sở Tư pháp"].counts == {"done_on_time": 1}
    assert lines["Sở Y tế"].counts == {"done_late": 1}
    assert "Sở Giáo dục và Đào tạo" not in lines  # due in May
    assert [line.name for line in report.lines[:2]] == ["Sở Xây dựng", "Sở Nội vụ"]
    assert [line.name for line in report.criticised] == ["Sở Xây dựng", "Sở Nội vụ"]
    assert lines["Sở Xây dựng"].reasons == ["3 nhiệm vụ quá hạn"]
    assert lines["Sở Nội vụ"].reasons == ["nhiệm vụ quá hạn 70 ngày"]
    assert [i.days for i in lines["Sở Xây dựng"].overdue] == [20, 15, 10]


def test_the_email_with_its_attachments_goes_once(plan, db, smtp, app, monkeypatch):
    from tracker.reports import jobs

    monkeypatch.setattr(jobs, "MAIL_ITEMS", 1)  # the mail lists one item per agency; the workbook has them all
    app.config["CHAIRMAN_OFFICE_EMAILS"] = "chanhvanphong@example.org, vanthu.vp@example.org"
    try:
        run = send_monthly_late_report(datetime(2024, 5, 1, 8, 0, tzinfo=VN))
        db.session.commit()
        deliver_outbox(datetime(2024, 5, 1, 8, 0, tzinfo=VN))
        again = send_monthly_late_report(datetime(2024, 5, 1, 9, 0, tzinfo=VN))
        db.session.commit()
        deliver_outbox(datetime(2024, 5, 1, 9, 0, tzinfo=VN))
    finally:
        app.config["CHAIRMAN_OFFICE_EMAILS"] = ""
    assert run.queued and not again.queued
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert sorted(recipients) == ["chanhvanphong@example.org", "vanthu.vp@example.org"]
    assert message["Subject"] == (
        "[Theo dõi nhiệm vụ] Danh sách cơ quan, đơn vị chậm hoàn thành nhiệm vụ tháng 04/2024"
    )
    text = message.get_body(("plain",)).get_content()
    assert "1. Sở Xây dựng: 3 nhiệm vụ quá hạn, lâu nhất 20 ngày" in text
    assert text.count("(hạn ") == 2 and "… và 2 nhiệm vụ khác" in text  # one line per agency, the rest counted
    assert "… và 2 nhiệm vụ khác" in message.get_body(("html",)).get_content()
    assert "- Sở Nội vụ: nhiệm vụ quá hạn 70 ngày" in text
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    book = openpyxl.load_workbook(io.BytesIO(files["danh-sach-cham-hoan-thanh-2024-04.xlsx"]))
    summary = [row for row in book["Tổng hợp"].iter_rows(min_row=4, values_only=True)]
    assert summary[0][:2] == (1, "Sở Xây dựng") and summary[0][5] == 3
    overdue_rows = list(book["Nhiệm vụ quá hạn"].iter_rows(min_row=2, values_only=True))
    assert len(overdue_rows) == 4 and overdue_rows[0][4] == datetime(2024, 4, 10)  # every one, a date cell
    assert [row[1] for row in overdue_rows] == ["Sở Xây dựng"] * 3 + ["Sở Nội vụ"]  # in the ranking's order
    assert book["Nhiệm vụ quá hạn"]["E2"].number_format == "DD/MM/YYYY"
    assert book["Nhiệm vụ quá hạn"].freeze_panes == "A2" and book["Nhiệm vụ quá hạn"].auto_filter.ref == "A1:F5"
    document = Document(io.BytesIO(files["danh-sach-cham-hoan-thanh-2024-04.docx"]))
    header = document.tables[0].rows[0].cells
    assert "UBND TỈNH QUẢNG NAM" in header[0].text and "VĂN PHÒNG" in header[0].text and "Số: …/BC-VP" in header[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text and "ngày 01 tháng 05 năm 2024" in header[1].text
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert [c.text for c in document.tables[1].rows[1].cells][:2] == ["1", "Sở Xây dựng"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Danh sách cơ quan, đơn vị chậm hoàn thành nhiệm vụ tháng 04/2024" in body
    assert "- Sở Nội vụ: nhiệm vụ quá hạn 70 ngày." in body


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (datetime(2024, 5, 31, 23, 59, tzinfo=VN), "04/2024"),
        (datetime(2024, 6, 1, 0, 1, tzinfo=VN), "05/2024"),
        (datetime(2024, 4, 30, 17, 30, tzinfo=UTC), "04/2024"),  # 00:30 on 01/05 in Hà Nội
        (datetime(2024, 1, 1, 8, 0, tzinfo=VN), "12/2023"),
    ],
)
def test_a_clock_across_a_month_boundary_reports_the_right_month(plan, db, moment, label):
    assert send_monthly_late_report(moment, dry_run=True).report.label == label


def test_the_report_on_the_web_and_its_files(plan, logged_in):
    browser, _ = logged_in("leader")
    page = browser.get("/reports/monthly?month=2024-04").get_data(as_text=True)
    assert "tháng 04/2024" in page and "3 nhiệm vụ quá hạn" in page
    xlsx = browser.get("/reports/monthly.xlsx?month=2024-04")
    assert xlsx.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(xlsx.data))["Tổng hợp"]["B4"].value == "Sở Xây dựng"
    docx = browser.get("/reports/monthly.docx?month=2024-04")
    assert "BÁO CÁO" in "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    staff, _ = logged_in("agency_staff", "SXD")
    assert staff.get("/reports/monthly").status_code == 403
    assert staff.get("/reports/monthly.xlsx?month=2024-04").status_code == 403


def test_the_administrator_edits_the_recipients_and_thresholds(plan, logged_in, db):
    admin, _ = logged_in("admin")
    response = admin.post(
        "/reports/settings",
        {"recipients": "vp@example.org\nkhong-hop-le", "min_items": "3", "min_days": "60"},
        token_from="/reports/monthly",
        follow_redirects=True,
    )
    assert "Địa chỉ email không hợp lệ: khong-hop-le" in response.get_data(as_text=True)
    admin.post(
        "/reports/settings",
        {"recipients": "vp@example.org", "min_items": "5", "min_days": "30"},
        token_from="/reports/monthly",
    )
    from tracker.reports.jobs import chairman_office_recipients

    assert chairman_office_recipients() == ["vp@example.org"]
    report = build_monthly_report(2024, 4)
    assert [line.name for line in report.criticised] == ["Sở Nội vụ"]  # 70 days ≥ 30; 3 items < 5
    monitor, _ = logged_in("monitor")
    assert (
        monitor.post(
            "/reports/settings",
            {"recipients": "x@example.org", "min_items": "1", "min_days": "1"},
            token_from="/reports/monthly",
        ).status_code
        == 403
    )


def _names(page: str) -> list[str]:
    import re

    table = page[page.index('<table class="table ranking">') :]
    return re.findall(r'<td data-label="Cơ quan, đơn vị"><a href="/items\?agency=\d+&amp;role=lead">([^<]+)</a>', table)


def test_the_web_ranking_sorts_collapses_and_links(plan, logged_in, monkeypatch):
    from tracker.reports import views

    monkeypatch.setattr(views, "ITEMS_SHOWN", 2)
    browser, _ = logged_in("leader")
    page = browser.get("/reports/monthly?month=2024-04").get_data(as_text=True)
    assert _names(page)[:2] == ["Sở Xây dựng", "Sở Nội vụ"]  # the ranking
    assert 'type="month"' not in page and '<option value="2024-04" selected>04/2024</option>' in page
    # each agency's overdue items fold under its own row and load when it is opened: the page carries the rows only
    assert "<summary>3</summary>" in page and "Việc A của Sở Xây dựng" not in page
    match = re.search(r'<details class="lazy" data-src="([^"]+)"><summary>3</summary>', page)
    fragment = browser.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "<html" not in fragment  # a fragment, not a page
    assert "Việc A của Sở Xây dựng" in fragment and "Việc C của Sở Xây dựng" not in fragment  # the longest first, 2
    assert "Xem cả 3 nhiệm vụ quá hạn" in fragment
    # without JavaScript the link in the row opens a page of them
    link = re.search(r'<div class="lazy-body"><a href="([^"]+)">Xem 2 nhiệm vụ quá hạn lâu nhất</a>', page)
    own = browser.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "<h1>Sở Xây dựng: nhiệm vụ quá hạn, tháng 04/2024</h1>" in own and "Việc A của Sở Xây dựng" in own
    by_name = _names(browser.get("/reports/monthly?month=2024-04&sort=name").get_data(as_text=True))
    assert by_name == sorted(by_name)
    by_longest = _names(browser.get("/reports/monthly?month=2024-04&sort=longest").get_data(as_text=True))
    assert by_longest[0] == "Sở Nội vụ"  # 70 days
    assert _names(browser.get("/reports/monthly?month=2024-04&sort=bogus").get_data(as_text=True))[:2] == [
        "Sở Xây dựng",
        "Sở Nội vụ",
    ]


def test_an_agencys_items_are_refused_to_agencies_and_unknown_ids(plan, logged_in, agency):
    staff, _ = logged_in("agency_staff", "SXD")
    assert staff.get(f"/reports/monthly/agency/{agency('SXD').id}?month=2024-04&fragment=1").status_code == 403
    office, _ = logged_in("monitor")
    assert office.get(f"/reports/monthly/agency/{2**40}?month=2024-04").status_code == 404
    assert office.get(f"/reports/monthly/agency/{agency('SGDDT').id}?month=2024-04").status_code == 404  # no items


def test_the_month_under_way_as_of_today(plan, logged_in):
    browser, _ = logged_in("monitor")  # the clock stands at 01/03/2024
    page = browser.get("/reports/monthly?view=today").get_data(as_text=True)
    assert "tháng 03/2024 (đến ngày 01/03/2024)" in page
    assert _names(page) == ["Sở Nội vụ"]  # due 20/02, the only item due by today
    assert 'aria-current="page">Tháng này, đến hôm nay</a>' in page


def test_the_page_reads_the_first_items_of_each_agency_and_the_same_ranking(plan, app):
    """The page asks for each agency's most overdue items only; its counts, longest delays and ranking are the
    job's."""
    from tracker.reports.monthly import build_monthly_report

    whole = build_monthly_report(2024, 4)
    page = build_monthly_report(2024, 4, items_per_agency=2)
    assert [(line.name, line.rank, line.counts, line.longest) for line in page.lines] == [
        (line.name, line.rank, line.counts, line.longest) for line in whole.lines
    ]
    assert all(line.overdue == whole_line.overdue[:2] for line, whole_line in zip(page.lines, whole.lines, strict=True))
    assert max(len(line.overdue) for line in whole.lines) == 3 and max(len(line.overdue) for line in page.lines) == 2
