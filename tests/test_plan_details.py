"""The office completes a plan's own details after the import (issue 9, point 6): a draft's placeholders flagged on
the plan page until filled, each change in the plan's history, nobody else may change them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.core.models import AuditEvent
from tracker.plans.models import Plan
from tracker.plans.operations import TaskSpec


@pytest.fixture
def draft_plan(db, clock):
    """A plan imported from a draft: its number is the placeholder, it has no date."""
    plan = make_plan(
        db, clock, [TaskSpec(content="Rà soát", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 6, 1)))]
    )
    plan.doc_number, plan.issued_on = "#sovb/QĐ-UBND", None
    db.session.commit()
    return plan


FIELDS = {
    "doc_kind": "Quyết định",
    "doc_number": "1234/QĐ-UBND",
    "issued_on": "05/02/2024",
    "year": "2024",
    "end_year": "",
    "issuer": "UBND tỉnh Quảng Nam",
    "signer": "Hồ Quang Bửu",
    "title": "Kế hoạch kiểm soát thủ tục hành chính năm 2024",
}


def test_the_office_fills_in_what_the_draft_left_blank(draft_plan, logged_in, db):
    office, _ = logged_in("monitor")
    url = f"/plans/{draft_plan.id}"
    page = office.get(url).get_data(as_text=True)
    assert (
        "Thông tin văn bản cần bổ sung: chưa có số, ký hiệu (đang ghi “#sovb/QĐ-UBND”); chưa có ngày ban hành" in page
    )
    form = office.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="#sovb/QĐ-UBND"' in form and 'value="UBND tỉnh Quảng Nam"' in form

    refused = office.post(
        f"{url}/edit", {**FIELDS, "doc_number": "#sovb/QĐ-UBND", "issued_on": ""}, token_from=f"{url}/edit"
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "“#sovb/QĐ-UBND” chưa phải số, ký hiệu đã ban hành" in text and "Vui lòng nhập ngày ban hành." in text
    db.session.expire_all()
    assert db.session.get(Plan, draft_plan.id).doc_number == "#sovb/QĐ-UBND"  # nothing changed

    response = office.post(f"{url}/edit", FIELDS, token_from=f"{url}/edit")
    assert response.status_code == 302 and response.location == url
    db.session.expire_all()
    plan = db.session.get(Plan, draft_plan.id)
    assert (plan.doc_kind, plan.doc_number, plan.issued_on, plan.signer) == (
        "Quyết định",
        "1234/QĐ-UBND",
        date(2024, 2, 5),
        "Hồ Quang Bửu",
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan_details_changed"))
    assert event.before == {
        "doc_kind": "Kế hoạch",
        "doc_number": "#sovb/QĐ-UBND",
        "issued_on": None,
        "title": "Kế hoạch thử nghiệm năm 2024",
        "signer": "",
    }
    assert event.after["issued_on"] == "2024-02-05"
    page = office.get(url).get_data(as_text=True)
    assert "Thông tin văn bản cần bổ sung" not in page
    assert "Quyết định số 1234/QĐ-UBND ngày 05/02/2024" in page
    assert "ngày ban hành “—” → “05/02/2024”" in page and "số, ký hiệu “#sovb/QĐ-UBND” → “1234/QĐ-UBND”" in page

    # saving again without a change writes no history
    office.post(f"{url}/edit", FIELDS, token_from=f"{url}/edit")
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan_details_changed")).all()) == 1


def test_a_multi_year_period(draft_plan, logged_in, db):
    office, _ = logged_in("monitor")
    url = f"/plans/{draft_plan.id}/edit"
    assert office.post(url, {**FIELDS, "year": "2021", "end_year": "2025"}, token_from=url).status_code == 302
    db.session.expire_all()
    plan = db.session.get(Plan, draft_plan.id)
    assert (plan.period_start, plan.period_end, plan.period_label) == (
        date(2021, 1, 1),
        date(2025, 12, 31),
        "2021–2025",
    )
    bad = office.post(url, {**FIELDS, "year": "2021", "end_year": "2019"}, token_from=url)
    assert bad.status_code == 400
    assert "Năm kết thúc phải từ năm của kế hoạch đến 10 năm sau đó." in bad.get_data(as_text=True)


def test_nobody_else_changes_a_plans_details(draft_plan, logged_in, db):
    url = f"/plans/{draft_plan.id}/edit"
    for role, agency in (("leader", None), ("agency_head", "SNV"), ("agency_staff", "SNV")):
        browser, _ = logged_in(role, agency)
        assert browser.get(url).status_code == 403
        assert browser.post(url, FIELDS, token_from=f"/plans/{draft_plan.id}").status_code == 403
        page = browser.get(f"/plans/{draft_plan.id}").get_data(as_text=True)
        assert "Sửa thông tin văn bản" not in page and "cần bổ sung" not in page
    office, _ = logged_in("monitor")
    assert office.post(url, FIELDS, csrf=False).status_code == 400  # no CSRF token
    assert office.get("/plans/999999/edit").status_code == 404
    db.session.expire_all()
    assert db.session.get(Plan, draft_plan.id).doc_number == "#sovb/QĐ-UBND"
