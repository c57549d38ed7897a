"""Indicators (issue 9, point 5): the target rule on its boundaries, each agency entering its own values, the office
and leaders reading target against actual, the figures in the plan report."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.core.models import AuditEvent
from tracker.plans.indicators import period_label, periods_for, target_for
from tracker.plans.models import Indicator, IndicatorTarget, IndicatorValue
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


def test_an_agency_enters_its_values_per_period_and_its_target_follows(indicator, logged_in, db, agency, clock):
    staff, _ = logged_in("agency_staff", "SNV")
    page = staff.get("/indicators").get_data(as_text=True)
    assert "Tỷ lệ thanh toán trực tuyến" in page and "Chỉ tiêu của đơn vị: <strong>45 %</strong>" in page
    own = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SNV").id))
    other = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SYT").id))
    assert f'id="target-{other.id}"' not in page  # another agency's is not shown
    # as of 01/03/2024 the first quarter is open for entry, the later ones are shown but closed
    assert 'name="value_2024-Q1"' in page and 'name="value_2024-Q2"' not in page
    assert f'id="v-{own.id}-2024-Q2" disabled placeholder="từ 01/04/2024"' in page

    response = staff.post(
        f"/indicators/{own.id}", {"previous_value": "60", "value_2024-Q1": "67,5"}, token_from="/indicators"
    )
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.get(IndicatorTarget, own.id)
    assert (own.previous_value, own.target_value, own.actual_value) == (D(60), D(66), D("67.5"))
    assert own.actual_period == "2024-Q1" and [(v.period, v.value) for v in own.values] == [("2024-Q1", D("67.5"))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "indicator_reported"))
    assert event.before == {"previous": None, "values": {}}
    assert event.after == {"previous": "60", "values": {"2024-Q1": "67.5"}, "target": "66"}
    page = staff.get("/indicators").get_data(as_text=True)
    assert "Chỉ tiêu của đơn vị: <strong>66 %</strong>" in page and 'value="67,5"' in page
    assert '>Đạt</span> <span class="small">(kết quả Quý I/2024)</span>' in page

    # in July the second quarter opens; its (cumulative) result becomes the one compared with the target
    clock.set(datetime(2024, 7, 15, 9, 0))
    staff, _ = logged_in("agency_staff", "SNV")  # months later: a new session
    response = staff.post(
        f"/indicators/{own.id}",
        {"previous_value": "60", "value_2024-Q1": "67,5", "value_2024-Q2": "58"},
        token_from="/indicators",
    )
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.get(IndicatorTarget, own.id)
    assert (own.actual_value, own.actual_period) == (D(58), "2024-Q2")
    assert [(v.period, v.value) for v in own.values] == [("2024-Q1", D("67.5")), ("2024-Q2", D(58))]
    assert 'Chưa đạt</span> <span class="small">(kết quả Quý II/2024)' in staff.get("/indicators").get_data(
        as_text=True
    )

    # bad input: each message beside its field, nothing changed
    bad = staff.post(
        f"/indicators/{own.id}",
        {"previous_value": "abc", "value_2024-Q1": "120", "value_2024-Q4": "50"},
        token_from="/indicators",
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert f'aria-describedby="prev-{own.id}-error"' in page and "Kết quả năm trước: vui lòng nhập một số" in page
    assert f'id="v-{own.id}-2024-Q1-error">Kết quả Quý I/2024: tỷ lệ không quá 100%.' in page
    assert 'value="abc"' in page  # what the clerk typed is kept
    # not offered, refused all the same
    assert f'id="v-{own.id}-2024-Q4-error">Kết quả Quý IV/2024: kỳ báo cáo này chưa bắt đầu.' in page
    assert 'name="value_2024-Q3"' in page  # July: the third quarter is open
    db.session.expire_all()
    own = db.session.get(IndicatorTarget, own.id)
    assert (own.previous_value, own.actual_value, len(own.values)) == (D(60), D(58), 2)

    # clearing the latest value: the earlier one is the actual again
    staff.post(
        f"/indicators/{own.id}",
        {"previous_value": "60", "value_2024-Q1": "67,5", "value_2024-Q2": ""},
        token_from="/indicators",
    )
    db.session.expire_all()
    own = db.session.get(IndicatorTarget, own.id)
    assert (own.actual_value, own.actual_period, len(own.values)) == (D("67.5"), "2024-Q1", 1)


@pytest.mark.parametrize(
    ("start", "end", "issued", "keys"),
    [
        (date(2024, 1, 1), date(2024, 12, 31), None, ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]),
        (date(2024, 7, 1), date(2024, 12, 31), None, ["2024-Q3", "2024-Q4"]),  # from the plan's start
        (date(2021, 1, 1), date(2025, 12, 31), None, ["2021", "2022", "2023", "2024", "2025"]),
        (None, None, date(2023, 5, 4), ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]),  # the year it was issued
        (None, None, None, []),  # nothing to go by: no period invented
    ],
)
def test_reporting_periods_follow_the_plan(start, end, issued, keys):
    periods = periods_for(start, end, issued)
    assert [p.key for p in periods] == keys
    assert [period_label(p.key) for p in periods] == [p.label for p in periods]


def test_quarters_end_on_their_last_day():
    assert [(p.start, p.end, p.label) for p in periods_for(date(2024, 1, 1), date(2024, 12, 31))][1:3] == [
        (date(2024, 4, 1), date(2024, 6, 30), "Quý II/2024"),
        (date(2024, 7, 1), date(2024, 9, 30), "Quý III/2024"),
    ]


def test_forbidden_paths(indicator, logged_in, db, agency):
    other = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SYT").id))
    staff, _ = logged_in("agency_staff", "SNV")
    assert staff.post(f"/indicators/{other.id}", {"value_2024-Q1": "99"}, token_from="/indicators").status_code == 404
    assert staff.post(f"/indicators/{other.id}", {"value_2024-Q1": "99"}, csrf=False).status_code == 400
    for role in ("leader", "monitor"):
        browser, _ = logged_in(role)
        assert (
            browser.post(f"/indicators/{other.id}", {"value_2024-Q1": "99"}, token_from="/indicators").status_code
            == 403
        )
    db.session.expire_all()
    assert db.session.get(IndicatorTarget, other.id).actual_value is None


def test_the_office_reads_target_against_actual_and_the_plan_report_has_it(indicator, logged_in, db, agency):
    own = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.agency_id == agency("SNV").id))
    own.previous_value, own.target_value, own.actual_value, own.actual_period = D(40), D(45), D(50), "2024-Q2"
    own.values.append(IndicatorValue(period="2024-Q1", value=D(30), reported_at=datetime(2024, 4, 2, tzinfo=UTC)))
    own.values.append(IndicatorValue(period="2024-Q2", value=D(50), reported_at=datetime(2024, 7, 2, tzinfo=UTC)))
    db.session.commit()
    leader, _ = logged_in("leader")
    page = leader.get("/indicators").get_data(as_text=True)
    assert "1/1 đơn vị đã báo cáo đạt; 1 đơn vị chưa báo cáo" in page
    assert '<ol class="hbars"' in page and ">100%</span>" in page  # the share of agencies reaching it
    assert "Chưa báo cáo" in page and ">Đạt<" in page
    # a column per quarter, each agency's values in them
    assert "<th>Quý I/2024</th><th>Quý II/2024</th><th>Quý III/2024</th><th>Quý IV/2024</th>" in page
    assert '<td data-label="Quý I/2024">30</td><td data-label="Quý II/2024">50</td>' in page

    # one agency: its own chart, its result towards its target per indicator
    page = leader.get(f"/indicators?agency={agency('SNV').id}").get_data(as_text=True)
    assert "Kết quả mới nhất so với chỉ tiêu của Sở Nội vụ" in page and ">50/45</span>" in page
    assert "Sở Y tế</a>" not in page
    assert leader.get(f"/indicators?agency={2**63}").status_code == 200  # no such agency: every agency

    report = leader.get(f"/plans/{indicator.plan_id}/report.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.data))["Chỉ tiêu"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("1", "Tỷ lệ thanh toán trực tuyến", "%", "Sở Nội vụ", 40, 45, 50, "Quý II/2024", "Đạt") in rows
    assert ("1", "Tỷ lệ thanh toán trực tuyến", "%", "Sở Y tế", None, 45, None, None, "Chưa báo cáo") in rows
