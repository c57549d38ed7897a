"""The demo data has a life: every status class, every queue filled, the same on every machine."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, func, select

from tracker.plans.items import lead_only, status_counts
from tracker.plans.models import Assignment, DueItem, IndicatorValue, Plan, Task
from tracker.reports.summary import build_summary
from tracker.workflow.models import ExtensionRequest


def test_seed_demo_records_a_history_with_every_status_and_queue(app, db, clock):
    clock.set(datetime(2026, 12, 2, 8, 0))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    counts = status_counts([lead_only()], clock.today(), app.config["TIMEZONE"])
    # mostly completed on time, some late, some still overdue; continuous and extended items open on time
    assert counts == {
        "done_on_time": 1660,
        "done_late": 343,
        "open_on_time": 574,
        "open_overdue": 653,
        "no_due_date": 867,
    }
    states = dict(db.session.execute(select(DueItem.state, func.count()).group_by(DueItem.state)).all())
    assert states["reported"] == 128 and states["returned"] == 89
    extensions = dict(
        db.session.execute(select(ExtensionRequest.state, func.count()).group_by(ExtensionRequest.state)).all()
    )
    assert extensions == {"approved": 79, "pending": 95}
    late_with_reason = db.session.scalar(
        select(func.count()).where(DueItem.state == "accepted", DueItem.late_reason.is_not(None))
    )
    assert late_with_reason == 343


def test_the_demo_is_a_province_at_work_this_year(app, db, clock):
    """Besides the seed plans (2021–2024), a plan for the current year, labelled an illustration: items due this
    year, overdue by days as well as by years, an on-time rate for each past month, indicators reported."""
    clock.set(datetime(2026, 12, 2, 8, 0))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    plan = db.session.scalar(select(Plan).where(Plan.source_filename.like("minh-hoa-2026-%")))
    assert plan.title.endswith("năm 2026 trên địa bàn tỉnh Quảng Nam (dữ liệu minh họa)")
    assert (plan.period_start, plan.period_end, plan.doc_number) == (date(2026, 1, 1), date(2026, 12, 31), "")
    # its deadlines are read for 2026 ("Quý I/2024" in the seed is "Quý I/2026" here), never left in 2024
    years = db.session.scalars(
        select(func.distinct(func.substr(func.cast(DueItem.due_date, String), 1, 4)))
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, DueItem.due_date.is_not(None))
    ).all()
    assert set(years) <= {"2026", "2027"} and "2026" in years

    summary = build_summary(clock.today(), app.config["TIMEZONE"])
    assert all(summary.ageing.values())  # overdue by days, by months and by years
    rates = [m for m in summary.monthly_on_time_rate if m.due]
    assert len(rates) == 11 and all(0 < m.on_time < m.due for m in rates)  # December has nothing due yet
    reported = db.session.scalar(select(func.count(func.distinct(IndicatorValue.target_id))))
    assert reported == 282 and db.session.scalar(select(func.count()).select_from(IndicatorValue)) == 846

    # seeding again adds nothing
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 4


def test_the_demo_queues_in_the_browser(app, db, clock, logged_in):
    clock.set(datetime(2026, 12, 2, 8, 0))
    app.test_cli_runner().invoke(args=["seed-demo"])
    office, _ = logged_in("monitor")
    queue = office.get("/review").get_data(as_text=True)
    assert 'Báo cáo hoàn thành chờ xác nhận <span class="small">(128)</span>' in queue
    assert "(95)" in office.get("/extensions").get_data(as_text=True)
    staff, _ = logged_in("agency_staff", "SNV")
    page = staff.get("/items").get_data(as_text=True)
    for panel in ("panel-due_soon", "panel-overdue", "panel-returned", "panel-reported", "panel-extension_pending"):
        assert panel in page
