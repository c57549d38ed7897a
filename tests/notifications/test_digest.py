"""The leaders' digest: all plans at a glance, once a week to each leader."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.factories import dated, make_plan
from tracker.notifications.mail import deliver_outbox
from tracker.plans.operations import TaskSpec
from tracker.reports.digest import send_leader_digest

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_digest_goes_to_each_leader_once_a_week_with_the_change(db, clock, smtp, make_user):
    make_plan(
        db,
        clock,
        [
            TaskSpec(content="Việc của Sở Xây dựng", number="1", lead_codes=["SXD"], schedule=dated(date(2024, 3, 6))),
            TaskSpec(
                content="Việc của các huyện",
                number="2",
                lead_codes=["ALL_DISTRICTS"],
                schedule=dated(date(2024, 3, 29)),
            ),
        ],
    )
    make_user("leader", email="pct.tinh@example.org")
    make_user("leader", email="ct.tinh@example.org")
    make_user("monitor", email="vp@example.org")

    monday = datetime(2024, 3, 11, 8, 0, tzinfo=VN)
    digest, queued = send_leader_digest(monday)
    db.session.commit()
    deliver_outbox(monday)
    assert queued == 2
    assert sorted(r[0] for r, _ in smtp.messages) == ["ct.tinh@example.org", "pct.tinh@example.org"]
    message = smtp.messages[0][1]
    assert message["Subject"] == "[Theo dõi nhiệm vụ] Tình hình thực hiện nhiệm vụ đến ngày 11/03/2024"
    text = message.get_body(("plain",)).get_content()
    assert "- Chưa hoàn thành, quá hạn: 1" in text and "- Chưa hoàn thành, trong hạn: 18" in text
    assert "1. Sở Xây dựng: 1" in text
    assert "- Sở Xây dựng: 1. Việc của Sở Xây dựng (hạn 06/03/2024)" in text

    _, again = send_leader_digest(datetime(2024, 3, 12, 8, 0, tzinfo=VN))  # same ISO week
    assert again == 0

    next_monday = datetime(2024, 4, 1, 8, 0, tzinfo=VN)
    digest, queued = send_leader_digest(next_monday)
    db.session.commit()
    deliver_outbox(next_monday)
    assert queued == 2
    assert digest.change["open_overdue"] == 18  # the districts' 29/03 items are now overdue
    text = smtp.messages[-1][1].get_body(("plain",)).get_content()
    assert "- Chưa hoàn thành, quá hạn: 19 (+18 so với 11/03/2024)" in text
