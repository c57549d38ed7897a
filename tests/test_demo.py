"""The demo data has a life: every status class, every queue filled, the same on every machine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tracker.plans.models import DueItem
from tracker.workflow.models import ExtensionRequest
from tracker.workflow.queries import lead_only, status_counts


def test_seed_demo_records_a_history_with_every_status_and_queue(app, db, clock):
    clock.set(datetime(2026, 12, 2, 8, 0))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    counts = status_counts([lead_only()], clock.today(), app.config["TIMEZONE"])
    # mostly completed on time, some late, some still overdue; continuous and extended items open on time
    assert counts == {
        "done_on_time": 1365,
        "done_late": 279,
        "open_on_time": 290,
        "open_overdue": 528,
        "no_due_date": 523,
    }
    states = dict(db.session.execute(select(DueItem.state, func.count()).group_by(DueItem.state)).all())
    assert states["reported"] == 103 and states["returned"] == 74
    extensions = dict(
        db.session.execute(select(ExtensionRequest.state, func.count()).group_by(ExtensionRequest.state)).all()
    )
    assert extensions == {"approved": 62, "pending": 82}
    late_with_reason = db.session.scalar(
        select(func.count()).where(DueItem.state == "accepted", DueItem.late_reason.is_not(None))
    )
    assert late_with_reason == 279


def test_the_demo_queues_in_the_browser(app, db, clock, logged_in):
    clock.set(datetime(2026, 12, 2, 8, 0))
    app.test_cli_runner().invoke(args=["seed-demo"])
    office, _ = logged_in("monitor")
    queue = office.get("/review").get_data(as_text=True)
    assert 'Báo cáo hoàn thành chờ xác nhận <span class="small">(103)</span>' in queue
    assert "(82)" in office.get("/extensions").get_data(as_text=True)
    staff, _ = logged_in("agency_staff", "SNV")
    page = staff.get("/items").get_data(as_text=True)
    for panel in ("panel-due_soon", "panel-overdue", "panel-returned", "panel-reported", "panel-extension_pending"):
        assert panel in page
