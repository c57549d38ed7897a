"""Every mail the product sends (reminders, escalation, monthly list, digest, workflow notice) says the same in its
HTML and its text version, and links to the public address (TRACKER_BASE_URL), never to this machine (issue 9,
point 8). The mails are the jobs' own, read back from the outbox."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.notifications.models import OutboxMessage
from tracker.notifications.reminders import send_reminders
from tracker.plans.models import Assignment, DueItem
from tracker.plans.operations import TaskSpec
from tracker.reports.digest import send_leader_digest
from tracker.reports.jobs import send_monthly_late_report
from tracker.workflow.operations import notify_agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLIC = "https://theodoi.example.gov.vn"


class _Html(HTMLParser):
    """The section headings (h2, h3) and the links of an HTML mail."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.links: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3"):
            self._heading = []
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def _section(text: str) -> str:
    """A heading compared without case, counts and the spacing of the layout."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", "", text)).strip().casefold()


def _text_sections(body: str) -> list[str]:
    """The headings of a text mail: its lines in capitals ("NHIỆM VỤ QUÁ HẠN (3)")."""
    out = []
    for line in body.splitlines():
        words = re.sub(r"\([^)]*\)", "", line).split()
        if len(words) >= 2 and all(w.isupper() for w in words if any(c.isalpha() for c in w)):
            out.append(_section(line))
    return out


@pytest.fixture
def mails(db, clock, app, make_user):
    app.config["BASE_URL"] = PUBLIC
    app.config["CHAIRMAN_OFFICE_EMAILS"] = "chanhvanphong@example.org"
    try:
        make_plan(
            db,
            clock,
            [
                TaskSpec(content="Việc quá hạn lâu", number="1", lead_codes=["SXD"], schedule=dated(date(2024, 4, 1))),
                TaskSpec(content="Việc sắp đến hạn", number="2", lead_codes=["SXD"], schedule=dated(date(2024, 5, 6))),
                TaskSpec(content="Việc của Sở Y tế", number="3", lead_codes=["SYT"], schedule=dated(date(2024, 4, 25))),
            ],
        )
        make_user("leader", email="pct@example.org")
        moment = datetime(2024, 5, 2, 7, 30, tzinfo=VN)  # a working Thursday (01/05 is a holiday)
        send_reminders(moment)
        send_monthly_late_report(moment)
        send_leader_digest(datetime(2024, 5, 6, 8, 0, tzinfo=VN))  # a Monday
        item = db.session.scalar(select(DueItem).join(Assignment).where(Assignment.role == "lead"))
        task = item.assignment.task
        notify_agency(
            item.assignment.agency, kind="returned", task=task, item=item, message="Thiếu văn bản kèm theo.", now=moment
        )
        db.session.commit()
        yield {m.kind: m for m in db.session.scalars(select(OutboxMessage))}
    finally:
        app.config["BASE_URL"] = "http://127.0.0.1:5000"
        app.config["CHAIRMAN_OFFICE_EMAILS"] = ""


def test_each_kind_of_mail_is_covered(mails):
    kinds = set(mails)
    assert kinds == {"reminders", "escalation", "monthly-late-report", "leader-digest", "workflow-returned"}


def test_html_and_text_carry_the_same_sections_and_links(mails):
    for kind, message in mails.items():
        html = _Html()
        html.feed(message.html_body)
        assert message.html_body and message.text_body, kind
        assert [_section(h) for h in html.headings] == _text_sections(message.text_body), kind
        urls = re.findall(r"https?://\S+", message.text_body)
        assert html.links, kind
        for link in html.links:
            assert link.startswith(PUBLIC + "/"), (kind, link)
            assert link in urls, (kind, link)  # the text version gives the same address
        assert all(url.startswith(PUBLIC + "/") for url in urls), (kind, urls)
        assert "127.0.0.1" not in message.html_body + message.text_body, kind
