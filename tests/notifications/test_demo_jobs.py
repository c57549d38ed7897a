"""The jobs on the demo data, as an operator runs them: the cases issue 4 names."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("smtp")


@pytest.fixture
def demo(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app


def _subjects_and_bodies(smtp, address):
    return [(m["Subject"], m.get_body(("plain",)).get_content()) for m in smtp.to(address)]


def test_reminders_on_the_demo_data(demo, smtp):
    runner = demo.test_cli_runner()
    first = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T07:30"])
    assert first.exit_code == 0, first.output
    vp = _subjects_and_bodies(smtp, "vpubnd@example.org")
    body = "\n".join(text for _, text in vp)
    # 004's first task, due 05/03/2024, led by the provincial People's Committee Office
    assert "NHIỆM VỤ SẮP ĐẾN HẠN" in body and "Kế hoạch hoạt động kiểm soát TTHC năm 2024 tỉnh Quảng Nam" in body
    # 004's second task is due 15/03/2024: ten working days away, not yet
    snv = "\n".join(text for _, text in _subjects_and_bodies(smtp, "snv@example.org"))
    assert "Hạn: 15/03/2024" not in snv
    sent = len(smtp.messages)
    again = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-01T07:30"])
    assert "Đã gửi 0 thư" in again.output and len(smtp.messages) == sent

    later = runner.invoke(args=["jobs", "run", "reminders", "--at", "2024-03-18T07:30"])
    assert later.exit_code == 0, later.output
    new = smtp.messages[sent:]
    texts = "\n".join(m.get_body(("plain",)).get_content() for _, m in new)
    assert "Hạn: 05/03/2024; quá hạn 13 ngày" in texts
    assert "Hạn: 15/03/2024; quá hạn 3 ngày" in texts


def test_monthly_report_on_the_demo_data(demo, smtp, app):
    app.config["CHAIRMAN_OFFICE_EMAILS"] = "chanhvanphong@example.org"
    try:
        runner = demo.test_cli_runner()
        result = runner.invoke(args=["jobs", "run", "monthly-late-report", "--at", "2024-05-01T08:00"])
        again = runner.invoke(args=["jobs", "run", "monthly-late-report", "--at", "2024-05-01T08:00"])
    finally:
        app.config["CHAIRMAN_OFFICE_EMAILS"] = ""
    assert result.exit_code == 0, result.output
    messages = smtp.to("chanhvanphong@example.org")
    assert len(messages) == 1
    assert messages[0]["Subject"].endswith("tháng 04/2024")
    assert "Đã gửi 0 thư" in again.output
