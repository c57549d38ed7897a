"""Indicators (issue 9, point 5): the target rule on its boundaries, each agency entering its own values, the office
and leaders reading target against actual, the figures in the plan report."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.core.models import AuditEvent
from tracker.plans.indicators import target_for
from tracker.plans.models import Indicator, IndicatorTarget
from tracker.plans.operations import TaskSpec

D = Decimal


@pytest.mark.parametrize(
    ("central", "previous", "unit", "mode", "target"),
    [
        (D(45), None, "%", "relative", D(45)),  # no previous result: the central target
        (D(45), D("44.99"), "%", "relative", D(45)),  # below: the central target
        (D(45), D(45), "%", "relative", D("49.50")),  # equal: reached, raised by 10% of itself
        (D(45), D(60), "%", "relative", D(66)),  # above
        (D(45), D(60), "%", "points", D(70)),  # ten percentage points with the setting
        (D(90), D(95), "%", "relative", D(100)),  # 104.5 capped: a rate is at most 100%
        (D(90), D(95), "%", "points", D(100)),
        (D(100), D(100), "%", "relative", D(100)),
        (D(20), D(30), "hồ sơ", "points", D(33)),  # points mean nothing for a count: relative
        (None, D(30), "%", "relative", None),  # no central target: nothing to compute
    ],
)
def test_the_target_rule(central, previous, unit, mode, target):
    assert target_for(central, previous, unit=unit, mode=mode) == target


@pytest.fixture
def indicator(db, clock, agency):
    plan = make_plan(
        db, clock, [TaskSpec(content="Việc", number="1", lead_codes=["SNV"], schedule=dated(date(2024, 6, 1)))]
    )
    row = Indicator(
        plan_id=plan.id,
        number="1",
        position=1,
        content="Tỷ lệ thanh toán trực tuyến",
        unit="%",
        target_text="Tối thiểu 45%",
        target_value=D(45),
        lead_text="Các Sở, Ban, ngành",
    )
    for code in ("SNV", "SYT"):
        row.targets.append(IndicatorTarget(agency=agency(code), target_value=D(45)))
    db.session.add(row)
    db.session.commit()
    return row


def test_an_agency_enters_its_values_and_its_target_follows(indicator, logged_in, db, agency):
    staff, _ = logged_in("agency_staff", "SNV")
    page = staff.get("/indicators").get_data(as_text=True)
    assert "Tỷ lệ thanh toán trực tuyến" in page and "Chỉ tiêu của đơn vị: <strong>45 %</strong>" in page
    own = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SNV").id))
    other = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SYT").id))
    assert f'id="target-{other.id}"' not in page  # another agency's is not shown

    response = staff.post(
        f"/indicators/{own.id}", {"previous_value": "60", "actual_value": "67,5"}, token_from="/indicators"
    )
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.get(IndicatorTarget, own.id)
    assert (own.previous_value, own.target_value, own.actual_value) == (D(60), D(66), D("67.5"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "indicator_reported"))
    assert event.after == {"previous": "60", "actual": "67.5", "target": "66"}
    page = staff.get("/indicators").get_data(as_text=True)
    assert "Chỉ tiêu của đơn vị: <strong>66 %</strong>" in page and 'value="67,5"' in page and ">Đạt<" in page

    # bad input: a message, nothing changed
    bad = staff.post(
        f"/indicators/{own.id}", {"previous_value": "abc", "actual_value": "120"}, token_from="/indicators"
    )
    assert bad.status_code == 302
    assert "Kết quả năm trước: vui lòng nhập một số" in staff.get("/indicators").get_data(as_text=True)
    assert staff.post(f"/indicators/{own.id}", {"previous_value": "", "actual_value": "120"}, token_from="/indicators")
    assert "Kết quả thực hiện: tỷ lệ không quá 100%." in staff.get("/indicators").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(IndicatorTarget, own.id).actual_value == D("67.5")


def test_forbidden_paths(indicator, logged_in, db, agency):
    other = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SYT").id))
    staff, _ = logged_in("agency_staff", "SNV")
    assert staff.post(f"/indicators/{other.id}", {"actual_value": "99"}, token_from="/indicators").status_code == 404
    assert staff.post(f"/indicators/{other.id}", {"actual_value": "99"}, csrf=False).status_code == 400
    for role in ("leader", "monitor"):
        browser, _ = logged_in(role)
        assert (
            browser.post(f"/indicators/{other.id}", {"actual_value": "99"}, token_from="/indicators").status_code == 403
        )
    db.session.expire_all()
    assert db.session.get(IndicatorTarget, other.id).actual_value is None


def test_the_office_reads_target_against_actual_and_the_plan_report_has_it(indicator, logged_in, db, agency):
    own = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SNV").id))
    own.previous_value, own.target_value, own.actual_value = D(40), D(45), D(50)
    db.session.commit()
    leader, _ = logged_in("leader")
    page = leader.get("/indicators").get_data(as_text=True)
    assert "1/1 đơn vị đã báo cáo đạt; 1 đơn vị chưa báo cáo" in page
    assert '<ol class="hbars"' in page and ">100%</span>" in page  # the share of agencies reaching it
    assert "Chưa báo cáo" in page and ">Đạt<" in page
    report = leader.get(f"/plans/{indicator.plan_id}/report.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.data))["Chỉ tiêu"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("1", "Tỷ lệ thanh toán trực tuyến", "%", "Sở Nội vụ", 40, 45, 50, "Đạt") in rows
    assert ("1", "Tỷ lệ thanh toán trực tuyến", "%", "Sở Y tế", None, 45, None, "Chưa báo cáo") in rows
