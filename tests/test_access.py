"""Every role against every page, and agencies that try other agencies' items."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.accounts.models import User
from tracker.core.models import AuditEvent
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec

ROLES = ["admin", "monitor", "leader", "agency_head", "agency_staff"]
AGENCY = {"agency_head": "SNV", "agency_staff": "SNV"}


@pytest.fixture
def world(db, clock, make_user):
    """A plan with a task Sở Nội vụ leads and Sở Y tế coordinates, and a task of Sở Xây dựng alone."""
    plan = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Rà soát thủ tục hành chính",
                number="1",
                lead_text="Sở Nội vụ",
                coordinators_text="Sở Y tế",
                lead_codes=["SNV"],
                coordinator_codes=["SYT"],
                deadline_text="Trước ngày 15/3/2024",
                schedule=dated(date(2024, 3, 15)),
            ),
            TaskSpec(
                content="Cải tạo trụ sở bộ phận một cửa",
                number="2",
                lead_text="Sở Xây dựng",
                lead_codes=["SXD"],
                deadline_text="Quý II/2024",
                schedule=dated(date(2024, 6, 30)),
            ),
        ],
    )
    tasks = {t.number: t for t in db.session.scalars(select(Task))}
    items = {(a.task.number, a.agency.code): a.items[0] for a in db.session.scalars(select(Assignment))}
    other_user = make_user("agency_staff", "SXD")
    return {"plan": plan, "tasks": tasks, "items": items, "other_user": other_user}


def pages(world) -> dict[str, set[str]]:
    """Each page and the roles allowed to open it."""
    everyone = set(ROLES)
    admin = {"admin"}
    task = world["tasks"]["1"].id
    return {
        "/items": everyone,
        "/plans": everyone,
        f"/plans/{world['plan'].id}": everyone,
        f"/tasks/{task}": everyone,
        "/agencies": everyone,
        "/account": everyone,
        "/admin/users": admin,
        "/admin/users/new": admin,
        f"/admin/users/{world['other_user'].id}": admin,
        "/admin/agencies/new": admin,
        "/admin/agencies/1": admin,
        "/admin/groups": admin,
        "/admin/groups/new": admin,
        "/admin/successions": admin,
        "/admin/successions/new": admin,
        "/imports": {"admin", "monitor"},
        "/admin/calendar": admin,
        "/pending": {"admin", "monitor"},
        "/reports/monthly": {"admin", "monitor", "leader"},
        "/admin/outbox": admin,
        "/admin/schedules": admin,
        "/admin/schedules/reminders": admin,
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_page(role, world, logged_in):
    browser, _ = logged_in(role, AGENCY.get(role))
    for url, allowed in pages(world).items():
        response = browser.get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, url, response.status_code)
        if expected == 200:
            assert '<html lang="vi">' in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login_everywhere(world, browser):
    for url in [*pages(world), "/"]:
        response = browser.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_every_view_declares_its_roles(app):
    """A view without a role check cannot slip in: each one carries the roles it lets through."""
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert getattr(view, "allowed_roles", None), f"{endpoint} has no role check"


def test_home_sends_each_role_to_its_work(logged_in):
    for role, target in [
        ("admin", "/admin/users"),
        ("monitor", "/reports/overview"),
        ("leader", "/reports/overview"),
        ("agency_staff", "/items"),
    ]:
        browser, _ = logged_in(role, AGENCY.get(role))
        assert browser.get("/").location == target


def test_agency_list_shows_only_its_own_items(world, logged_in, db):
    browser, _ = logged_in("agency_staff", "SNV")
    other_id = world["other_user"].agency_id
    page = browser.get(f"/items?agency={other_id}").get_data(as_text=True)
    assert "Rà soát thủ tục hành chính" in page
    assert "Cải tạo trụ sở" not in page


def test_agency_cannot_read_another_agencys_task_or_plan(world, logged_in, make_user, make_browser):
    browser, _ = logged_in("agency_staff", "SXD")
    assert browser.get(f"/tasks/{world['tasks']['1'].id}").status_code == 404
    assert browser.get(f"/tasks/{world['tasks']['2'].id}").status_code == 200
    outsider, _ = logged_in("agency_staff", "STP")
    assert outsider.get(f"/plans/{world['plan'].id}").status_code == 404
    assert "Kế hoạch thử nghiệm" not in outsider.get("/plans").get_data(as_text=True)


def _progress(db, item_id: int) -> tuple[int, str]:
    db.session.expire_all()
    item = db.session.get(DueItem, item_id)
    return item.progress, item.progress_note


def test_agency_cannot_change_another_agencys_item_by_guessing_its_id(world, logged_in, db):
    browser, _ = logged_in("agency_staff", "SXD")
    target = world["items"][("1", "SNV")]
    before = _progress(db, target.id)
    response = browser.post(f"/items/{target.id}/progress", {"progress": "90", "note": "xong"}, token_from="/items")
    assert response.status_code == 404
    assert _progress(db, target.id) == before
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "progress_updated"))
        == 0
    )


def test_coordinator_reads_the_lead_items_but_cannot_change_them(world, logged_in, db):
    browser, _ = logged_in("agency_staff", "SYT")
    lead_item = world["items"][("1", "SNV")]
    own_item = world["items"][("1", "SYT")]
    page = browser.get(f"/tasks/{world['tasks']['1'].id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sở Nội vụ" in html and "Phối hợp" in html
    # its own item comes first, with its forms on the item's page; the lead's item is read-only
    assert html.index(f'id="item-{own_item.id}"') < html.index(f'id="item-{lead_item.id}"')
    own_page = browser.get(f"/items/{own_item.id}").get_data(as_text=True)
    assert f"/items/{own_item.id}/progress" in own_page
    assert f"/items/{own_item.id}/completion" not in own_page  # a coordinator does not report completion
    lead_page = browser.get(f"/items/{lead_item.id}")
    assert lead_page.status_code == 200
    assert f"/items/{lead_item.id}/progress" not in lead_page.get_data(as_text=True)
    response = browser.post(f"/items/{lead_item.id}/progress", {"progress": "50"}, token_from="/items")
    assert response.status_code == 404
    assert _progress(db, lead_item.id) == (0, "")
    response = browser.post(
        f"/items/{own_item.id}/progress", {"progress": "40", "note": "Đã góp ý"}, token_from="/items"
    )
    assert response.status_code == 302
    assert _progress(db, own_item.id) == (40, "Đã góp ý")


@pytest.mark.parametrize("role", ["leader", "monitor", "admin"])
def test_read_only_roles_cannot_report_progress(role, world, logged_in, db):
    browser, _ = logged_in(role)
    item = world["items"][("1", "SNV")]
    response = browser.post(f"/items/{item.id}/progress", {"progress": "70"}, token_from="/items")
    assert response.status_code == 403
    assert _progress(db, item.id) == (0, "")


def test_progress_without_csrf_token_changes_nothing(world, logged_in, db):
    browser, _ = logged_in("agency_staff", "SNV")
    item = world["items"][("1", "SNV")]
    response = browser.post(f"/items/{item.id}/progress", {"progress": "70"}, csrf=False)
    assert response.status_code == 400
    assert _progress(db, item.id) == (0, "")


def test_progress_out_of_range_is_refused_in_vietnamese(world, logged_in, db):
    browser, _ = logged_in("agency_staff", "SNV")
    item = world["items"][("1", "SNV")]
    response = browser.post(
        f"/items/{item.id}/progress", {"progress": "150"}, token_from="/items", follow_redirects=True
    )
    assert "Tiến độ phải từ 0 đến 100%." in response.get_data(as_text=True)
    assert _progress(db, item.id) == (0, "")


def test_progress_is_recorded_with_its_history(world, logged_in, db, clock):
    browser, user = logged_in("agency_head", "SNV")
    item = world["items"][("1", "SNV")]
    response = browser.post(
        f"/items/{item.id}/progress",
        {"progress": "60", "note": "Công văn số 123/SNV-CCHC ngày 05/3/2024"},
        token_from="/items",
    )
    assert response.status_code == 302
    assert _progress(db, item.id) == (60, "Công văn số 123/SNV-CCHC ngày 05/3/2024")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "progress_updated"))
    assert (event.actor_id, event.before["progress"], event.after["progress"]) == (user.id, 0, 60)
    page = browser.get(f"/tasks/{world['tasks']['1'].id}").get_data(as_text=True)
    assert "Cập nhật tiến độ 0% → 60%" in page
    assert "08:00 01/03/2024" in page


def test_agency_user_cannot_reach_admin_actions(world, logged_in, db):
    browser, user = logged_in("agency_head", "SNV")
    response = browser.post(
        "/admin/users/new",
        {"email": "moi@example.org", "full_name": "Mới", "role": "admin", "agency_id": "0"},
        token_from="/items",
    )
    assert response.status_code == 403
    response = browser.post(
        f"/admin/users/{user.id}",
        {"full_name": "X", "role": "admin", "agency_id": "0", "is_enabled": "y"},
        token_from="/items",
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "agency_head"
    assert db.session.scalar(select(func.count()).where(User.email == "moi@example.org")) == 0
