"""The overview of leaders and the office (issue 9, point 1): its figures pinned on a dataset built here, the page,
the API and the monthly report agreeing, and the forbidden paths."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.plans.models import Assignment, DueItem
from tracker.plans.operations import TaskSpec
from tracker.reports.monthly import build_monthly_report
from tracker.reports.summary import build_summary
from tracker.workflow.models import ExtensionRequest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2024, 6, 30)
TZ = "Asia/Ho_Chi_Minh"


def _task(number, content, lead, schedule, coordinators=()):
    return TaskSpec(
        content=content, number=number, lead_codes=[lead], coordinator_codes=list(coordinators), schedule=schedule
    )


@pytest.fixture
def dataset(db, clock):
    """Ten lead items, one of each kind the overview tells apart (and coordinator items it must not count)."""
    plan = make_plan(
        db,
        clock,
        [
            _task("1", "Việc đúng hạn", "SNV", dated(date(2024, 6, 10))),
            _task("2", "Việc xong muộn", "SNV", dated(date(2024, 6, 20))),
            _task("3", "Việc quá hạn 5 ngày", "SXD", dated(date(2024, 6, 25)), coordinators=["SYT", "STP"]),
            _task("4", "Việc quá hạn 61 ngày", "SXD", dated(date(2024, 4, 30))),
            _task("5", "Việc quá hạn 131 ngày", "SXD", dated(date(2024, 2, 20))),
            _task("6", "Việc quá hạn 212 ngày", "SYT", dated(date(2023, 12, 1))),
            _task("7", "Việc chưa đến hạn", "STP", dated(date(2024, 7, 15))),
            _task("8", "Việc thường xuyên", "STP", {"kind": "continuous", "due_dates": []}),
            _task("9", "Việc chờ sự kiện", "SNV", {"kind": "relative", "due_dates": []}),
            _task("10", "Kiểm soát thủ tục đã báo cáo, chờ xác nhận", "SYT", dated(date(2024, 5, 10))),
        ],
    )
    items = {
        item.assignment.task.number: item
        for item in db.session.scalars(select(DueItem).join(Assignment).where(Assignment.role == "lead"))
    }
    for number, completed in (("1", date(2024, 6, 8)), ("2", date(2024, 6, 25))):
        items[number].completed_on = completed
        items[number].accepted_at = datetime.combine(completed, time(16), tzinfo=VN)
        items[number].state = "accepted"
    items["10"].state = "reported"
    items["10"].completed_on = date(2024, 5, 9)
    db.session.add(
        ExtensionRequest(
            due_item_id=items["3"].id,
            current_due_date=date(2024, 6, 25),
            due_date=date(2024, 7, 31),
            reason="Chờ ý kiến các sở",
            requested_at=datetime(2024, 6, 20, 9, tzinfo=VN),
        )
    )
    db.session.commit()
    return plan


EXPECTED_COUNTS = {"done_on_time": 1, "done_late": 1, "open_on_time": 2, "open_overdue": 5, "no_due_date": 1}
EXPECTED_AGEING = {"1_30": 1, "31_90": 2, "91_180": 1, "over_180": 1}


def test_the_figures(dataset):
    summary = build_summary(AS_OF, TZ)
    assert summary.counts == EXPECTED_COUNTS  # lead items only: the coordinators of task 3 are not counted
    assert summary.ageing == EXPECTED_AGEING
    assert [(a.code, a.overdue) for a in summary.by_agency[:2]] == [("SXD", 3), ("SYT", 2)]
    assert [a.code for a in summary.top_agencies] == ["SXD", "SYT"]  # only agencies with overdue items
    assert (summary.waiting_review, summary.extensions_pending) == (1, 1)
    rates = {m.month: (m.due, m.on_time, m.rate) for m in summary.monthly_on_time_rate}
    assert list(rates) == [
        f"{y}-{m:02d}" for y, m in [(2023, m) for m in range(7, 13)] + [(2024, m) for m in range(1, 7)]
    ]
    assert rates["2024-06"] == (3, 1, 0.3333)  # tasks 1, 2, 3 due in June; only 1 on time
    assert rates["2024-05"] == (1, 0, 0.0)  # reported, not yet accepted: not done
    assert rates["2023-12"] == (1, 0, 0.0)
    assert rates["2024-03"] == (0, 0, None)  # nothing due: no rate, not 0%
    [plan] = summary.by_plan
    assert (plan.total, plan.done, plan.counts["open_overdue"]) == (10, 2, 5)


def test_as_of_an_earlier_date_and_one_plan(dataset, db, clock):
    summary = build_summary(date(2024, 5, 31), TZ, plan_id=dataset.id)
    # on 31/05 tasks 1–3 were open on time; task 6 was 182 days overdue, task 5 101, task 4 31, task 10 21
    assert summary.counts == {
        **EXPECTED_COUNTS,
        "done_on_time": 0,
        "done_late": 0,
        "open_on_time": 5,
        "open_overdue": 4,
    }
    assert summary.ageing == {"1_30": 1, "31_90": 1, "91_180": 1, "over_180": 1}
    other = make_plan(db, clock, [_task("1", "Việc kế hoạch khác", "SNV", dated(date(2024, 1, 5)))], title="Khác")
    assert build_summary(AS_OF, TZ, plan_id=other.id).counts["open_overdue"] == 1
    assert build_summary(AS_OF, TZ).counts["open_overdue"] == 6


def test_the_page_the_api_and_the_monthly_report_agree(dataset, logged_in, app):
    leader, _ = logged_in("leader")
    page = leader.get("/reports/overview?as_of=30/06/2024")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Số liệu đến hết ngày 30/06/2024" in html and "Tính trên nhiệm vụ chủ trì" in html
    assert html.count("<svg") >= 5  # classes, agencies, ageing, monthly rate, the plan's bar
    assert "Tình trạng 10 nhiệm vụ" in html
    assert re.search(r"Chưa hoàn thành, quá hạn</a></td>\s*<td data-label=\"Số nhiệm vụ\">5</td>", html)
    agency_id = {a.code: a.agency_id for a in build_summary(AS_OF, TZ).by_agency}["SXD"]
    assert f'href="/items?agency={agency_id}&amp;status=open_overdue&amp;role=lead"' in html  # each bar a link

    token = _token(app, leader)
    api = app.test_client().get(
        "/api/v1/reports/summary?as_of=2024-06-30", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200, api.get_data(as_text=True)
    data = api.get_json()
    assert (data["as_of"], data["scope"], data["counts"], data["ageing"]) == (
        "2024-06-30",
        "lead",
        EXPECTED_COUNTS,
        EXPECTED_AGEING,
    )
    june = next(m for m in data["monthly_on_time_rate"] if m["month"] == "2024-06")
    assert june == {"month": "2024-06", "due": 3, "on_time": 1, "rate": 0.3333}

    monthly = {line.name: line.overdue_count for line in build_monthly_report(2024, 6).lines}
    overview = {a["name"]: a["counts"]["open_overdue"] for a in data["by_agency"] if a["counts"]["open_overdue"]}
    assert overview == {name: n for name, n in monthly.items() if n} == {"Sở Xây dựng": 3, "Sở Y tế": 2}


def _token(app, browser) -> str:
    from tracker.accounts.models import User
    from tracker.accounts.tokens import create_token
    from tracker.extensions import db

    user = db.session.scalar(select(User).where(User.role == "leader"))
    _, secret = create_token(user, name="thử", days=30, by=None, now=app.extensions["tracker.clock"].now())
    db.session.commit()
    return secret


def test_bad_dates_and_forbidden_paths(dataset, logged_in, app):
    leader, _ = logged_in("leader")
    bad = leader.get("/reports/overview?as_of=31/02/2024")
    assert bad.status_code == 400
    assert "Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm)." in bad.get_data(as_text=True)
    assert leader.get("/reports/overview?as_of=01/01/9999").status_code == 400
    # the page changes nothing: there is no form that posts
    html = leader.get("/reports/overview").get_data(as_text=True)
    assert 'method="post" action="/reports' not in html
    assert leader.post("/reports/overview", {}, token_from="/reports/overview").status_code == 405
    for role, agency in (("agency_staff", "SNV"), ("agency_head", "SYT")):
        browser, _ = logged_in(role, agency)
        assert browser.get("/reports/overview").status_code == 403
    token = _token(app, leader)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    wrong = client.get("/api/v1/reports/summary?as_of=30-06-2024", headers=headers)
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    assert "as_of" in wrong.get_json()["errors"]
    assert client.get("/api/v1/reports/summary?plan=999999", headers=headers).status_code == 404
    huge = client.get("/api/v1/reports/summary?plan=2147483648", headers=headers)  # past PostgreSQL's integer
    assert huge.status_code == 422 and huge.get_json()["errors"]["plan"] == ["Mã kế hoạch không hợp lệ."]
    assert client.get("/api/v1/reports/summary").status_code == 401


def test_leaders_and_the_office_land_on_the_overview(logged_in):
    for role in ("leader", "monitor"):
        browser, _ = logged_in(role)
        response = browser.get("/")
        assert response.status_code == 302 and response.location == "/reports/overview"
    staff, _ = logged_in("agency_staff", "SNV")
    assert staff.get("/").location == "/items"


def test_charts_escape_what_they_print():
    from tracker.reports import charts
    from tracker.reports.charts import Bar

    drawn = str(charts.hbars([Bar("<script>x</script>", 3, "3", href="/items?a=1&b=2")], "Đơn vị"))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and 'href="/items?a=1&amp;b=2"' in drawn
    ring = str(charts.donut([Bar("Quá hạn", 0, "0", css="st-open_overdue")], "Không có gì"))
    assert 'class="seg empty"' in ring and ">0</text>" in ring  # an empty ring, not a division by zero
    columns = str(charts.columns([Bar("03/24", None, "")], "Tỷ lệ", top=100))
    assert ">—</text>" in columns  # no rate is drawn as a dash, never as 0
