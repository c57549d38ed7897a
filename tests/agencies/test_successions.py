"""Successions carry open work across a reorganisation (issue 12): a merger, a rename and a split with a choice per
task, each on items in every state; two merged leads become one; the revert; the users who follow their unit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.agencies.models import Agency, ItemMove, Succession
from tracker.agencies.operations import AgencyError, save_agency
from tracker.agencies.successions import SuccessionSpec, apply_succession, revert_succession
from tracker.core.models import AuditEvent
from tracker.plans.models import Assignment, DueItem, Task
from tracker.plans.operations import TaskSpec
from tracker.workflow.operations import CompletionData, report_completion, review_completion, update_progress

ON = date(2024, 4, 1)
PENDING = {"kind": "relative", "due_dates": [], "relative": {"days": 10, "event": "khi có hướng dẫn"}}
CONTINUOUS = {"kind": "continuous", "due_dates": []}


def every_state(db, clock, make_user, code: str, *, extra: list[TaskSpec] = ()) -> dict[str, DueItem]:
    """A plan whose tasks led by ``code`` hold an item in every state; the items by state."""
    tasks = [
        TaskSpec(content="Đang làm, còn hạn", number="1", lead_codes=[code], schedule=dated(date(2024, 6, 30))),
        TaskSpec(content="Quá hạn", number="2", lead_codes=[code], schedule=dated(date(2024, 2, 20))),
        TaskSpec(content="Chờ xác nhận", number="3", lead_codes=[code], schedule=dated(date(2024, 6, 30))),
        TaskSpec(content="Bị trả lại", number="4", lead_codes=[code], schedule=dated(date(2024, 6, 30))),
        TaskSpec(content="Đã hoàn thành", number="5", lead_codes=[code], schedule=dated(date(2024, 6, 30))),
        TaskSpec(content="Chờ ngày bắt đầu", number="6", lead_codes=[code], schedule=PENDING),
        TaskSpec(content="Thường xuyên", number="7", lead_codes=[code], schedule=CONTINUOUS),
        TaskSpec(
            content="Hằng quý", number="8", lead_codes=[code], schedule=dated(date(2024, 1, 31), date(2024, 6, 30))
        ),
        *extra,
    ]
    plan = make_plan(db, clock, tasks)
    clerk = make_user("agency_staff", code)
    office = make_user("monitor")
    now = clock.now()
    items = {
        (i.assignment.task.number, i.original_due_date): i
        for i in db.session.scalars(select(DueItem).join(Assignment).join(Task).where(Task.plan_id == plan.id))
        if i.assignment.agency.code == code
    }
    by_state = {
        "open": items[("1", date(2024, 6, 30))],
        "overdue": items[("2", date(2024, 2, 20))],
        "reported": items[("3", date(2024, 6, 30))],
        "returned": items[("4", date(2024, 6, 30))],
        "accepted": items[("5", date(2024, 6, 30))],
        "pending": items[("6", None)],
        "continuous": items[("7", None)],
        "quarter_done": items[("8", date(2024, 1, 31))],
        "quarter_open": items[("8", date(2024, 6, 30))],
    }
    update_progress(by_state["open"], progress=40, note="Đã dự thảo", by=clerk, now=now)
    for name in ("reported", "returned", "accepted", "quarter_done"):
        report_completion(
            by_state[name],
            CompletionData(completed_on=date(2024, 1, 20), result="Đã ban hành văn bản"),
            by=clerk,
            now=now,
        )
    review_completion(by_state["returned"], decision="return", comment="Bổ sung", by=office, now=now)
    for name in ("accepted", "quarter_done"):
        review_completion(by_state[name], decision="accept", comment="", by=office, now=now)
    db.session.commit()
    return by_state


def where_items_are(db) -> dict[int, tuple]:
    """Each item: (its unit's code, its role, state, progress, due date)."""
    db.session.expire_all()
    rows = db.session.execute(
        select(DueItem.id, Agency.code, Assignment.role, DueItem.state, DueItem.progress, DueItem.due_date)
        .join(Assignment, DueItem.assignment_id == Assignment.id)
        .join(Agency, Assignment.agency_id == Agency.id)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def spec(agency, kind, sources, targets, **more) -> SuccessionSpec:
    return SuccessionSpec(kind, ON, [agency(c) for c in sources], [agency(c) for c in targets], **more)


def test_a_merger_moves_open_work_and_keeps_completed_work_with_the_unit_that_did_it(db, clock, agency, make_user):
    items = every_state(db, clock, make_user, "SKHDT")
    admin = make_user("admin")
    before = where_items_are(db)
    result = apply_succession(spec(agency, "merger", ["SKHDT"], ["STC"]), by=admin, now=clock.now())
    db.session.commit()
    after = where_items_are(db)
    for name, item in items.items():
        code, role, state, progress, due = after[item.id]
        assert (role, state, progress, due) == before[item.id][1:], name  # the work as it was
        assert code == ("SKHDT" if name in ("accepted", "quarter_done") else "STC"), name
    assert (result.moved, result.kept, result.merged) == (7, 2, 0)
    # the unit ends the day before; its successor is named; every move is in the history
    old = agency("SKHDT")
    assert (old.active_to, old.successor_id) == (ON - timedelta(days=1), agency("STC").id)
    moved = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "item_moved")).all()
    assert sorted(e.object_id for e in moved) == sorted(
        items[n].id for n in items if n not in ("accepted", "quarter_done")
    )
    assert {(e.before["agency"], e.after["agency"]) for e in moved} == {("Sở Kế hoạch và Đầu tư", "Sở Tài chính")}
    # the quarterly task: its done quarter stays with the old unit, the open one goes to a new part of the successor
    quarter = items["quarter_open"].assignment
    assert quarter.agency.code == "STC" and items["quarter_done"].assignment.agency.code == "SKHDT"


def test_the_task_page_names_the_unit_that_had_the_work_before(db, clock, agency, make_user, logged_in):
    items = every_state(db, clock, make_user, "STTTT")
    apply_succession(spec(agency, "merger", ["STTTT"], ["SKHCN"]), by=make_user("admin"), now=clock.now())
    db.session.commit()
    browser, _ = logged_in("monitor")
    listing = browser.get("/agencies?inactive=1&q=thong tin").get_data(as_text=True)
    assert '01/01/2020 – 31/03/2024<br><span class="small">Kế thừa: Sở Khoa học và Công nghệ</span>' in listing
    page = browser.get(f"/tasks/{items['quarter_open'].assignment.task_id}").get_data(as_text=True)
    assert 'Sở Khoa học và Công nghệ <span class="small">(trước đây: Sở Thông tin và Truyền thông)</span>' in page
    # the quarter done before stays with the unit that did it, under its own name
    assert '<td data-label="Đơn vị">Sở Thông tin và Truyền thông</td>' in page
    # the successor's clerk now reports on it; the old unit's clerk (moved) too, under the new unit
    clerk, _ = logged_in("agency_staff", "SKHCN")
    assert clerk.get(f"/items/{items['open'].id}").status_code == 200


def test_two_merged_leads_become_one_part_with_one_item_per_due_date(db, clock, agency, make_user):
    both = TaskSpec(content="Hai sở cùng chủ trì", number="9", lead_codes=["STNMT", "SNNPTNT"], schedule=dated(ON))
    lead_and_coordinator = TaskSpec(
        content="Chủ trì và phối hợp",
        number="10",
        lead_codes=["STNMT"],
        coordinator_codes=["SNNPTNT"],
        schedule=dated(date(2024, 5, 31)),
    )
    make_plan(db, clock, [both, lead_and_coordinator])
    admin = make_user("admin")
    clerk = make_user("agency_staff", "SNNPTNT")
    nn_item = db.session.scalar(
        select(DueItem).join(Assignment).join(Agency).where(Agency.code == "SNNPTNT", Assignment.role == "lead")
    )
    update_progress(nn_item, progress=70, note="Gần xong", by=clerk, now=clock.now())
    db.session.commit()
    new = new_department("SNNMT", "Sở Nông nghiệp và Môi trường", admin, clock)
    db.session.commit()
    result = apply_succession(spec(agency, "merger", ["STNMT", "SNNPTNT"], ["SNNMT"]), by=admin, now=clock.now())
    db.session.commit()
    db.session.expire_all()
    for task in db.session.scalars(select(Task)):
        parts = task.assignments
        assert [(p.agency.code, p.role) for p in parts] == [("SNNMT", "lead")], task.number
        assert len(parts[0].items) == 1, task.number  # counted once
    # the more advanced of the two merged items stays
    survivor = db.session.scalar(select(DueItem).join(Assignment).join(Task).where(Task.number == "9"))
    assert (survivor.id, survivor.progress, survivor.progress_note) == (nn_item.id, 70, "Gần xong")
    assert result.merged == 2 and new.id == survivor.assignment.agency_id


def test_a_rename_passes_the_whole_part_and_the_revert_puts_everything_back(db, clock, agency, make_user):
    items = every_state(db, clock, make_user, "BDT")
    admin = make_user("admin")
    users_before = {u.id: (u.agency_id, u.session_version) for u in _users_of(db, agency("BDT").id)}
    new_department("SDTTG", "Sở Dân tộc và Tôn giáo", admin, clock)
    db.session.commit()
    before = where_items_are(db)
    parts_before = {i.id: i.assignment_id for i in db.session.scalars(select(DueItem))}
    result = apply_succession(spec(agency, "rename", ["BDT"], ["SDTTG"]), by=admin, now=clock.now())
    db.session.commit()
    # a task whose every item was open keeps its assignment, now the new unit's
    assert items["open"].assignment_id == parts_before[items["open"].id]
    assert where_items_are(db)[items["open"].id][0] == "SDTTG"
    moved_users = _users_of(db, agency("SDTTG").id)
    assert {u.id for u in moved_users} == set(users_before)
    assert all(u.session_version == users_before[u.id][1] + 1 for u in moved_users)  # their sessions ended
    assert result.users_moved == len(users_before) > 0

    succession = db.session.get(Succession, result.succession.id)
    revert_succession(succession, by=admin, now=clock.now())
    db.session.commit()
    assert where_items_are(db) == before
    assert {i.id: i.assignment_id for i in db.session.scalars(select(DueItem))} == parts_before
    old = agency("BDT")
    assert (old.active_to, old.successor_id) == (None, None)
    assert {u.id: u.agency_id for u in _users_of(db, old.id)} == {k: v[0] for k, v in users_before.items()}
    assert db.session.scalar(select(func.count()).select_from(ItemMove)) == 0
    assert succession.state == "reverted"


def test_a_merge_of_two_leads_is_reverted_to_both_items(db, clock, agency, make_user):
    both = TaskSpec(content="Hai sở cùng chủ trì", number="9", lead_codes=["SKHDT", "STC"], schedule=dated(ON))
    coordinated = TaskSpec(
        content="Phối hợp", number="10", lead_codes=["STC"], coordinator_codes=["SKHDT"], schedule=dated(ON)
    )
    make_plan(db, clock, [both, coordinated])
    admin = make_user("admin")
    before = where_items_are(db)
    result = apply_succession(spec(agency, "merger", ["SKHDT"], ["STC"]), by=admin, now=clock.now())
    db.session.commit()
    assert len(where_items_are(db)) == len(before) - 2 and result.merged == 2
    revert_succession(db.session.get(Succession, result.succession.id), by=admin, now=clock.now())
    db.session.commit()
    assert where_items_are(db) == before


def test_a_revert_is_refused_once_a_moved_item_changed(db, clock, agency, make_user):
    items = every_state(db, clock, make_user, "SGTVT")
    admin = make_user("admin")
    result = apply_succession(spec(agency, "merger", ["SGTVT"], ["SXD"]), by=admin, now=clock.now())
    db.session.commit()
    clerk = make_user("agency_staff", "SXD")
    update_progress(items["open"], progress=90, note="Sắp xong", by=clerk, now=clock.now())
    db.session.commit()
    after = where_items_are(db)
    with pytest.raises(AgencyError, match="đã được cập nhật sau khi chuyển"):
        revert_succession(db.session.get(Succession, result.succession.id), by=admin, now=clock.now())
    db.session.rollback()
    assert where_items_are(db) == after


def test_a_split_sends_each_task_where_the_administrator_chose_and_the_rest_to_the_default(
    db, clock, agency, make_user
):
    tasks = [
        TaskSpec(content="Chính sách việc làm", number="1", lead_codes=["SLDTBXH"], schedule=dated(ON)),
        TaskSpec(content="Bảo trợ xã hội", number="2", lead_codes=["SLDTBXH"], schedule=dated(ON)),
        TaskSpec(content="Giáo dục nghề nghiệp", number="3", lead_codes=["SLDTBXH"], schedule=dated(ON)),
        TaskSpec(
            content="Phối hợp trẻ em", number="4", lead_codes=["SYT"], coordinator_codes=["SLDTBXH"], schedule=dated(ON)
        ),
    ]
    make_plan(db, clock, tasks)
    admin = make_user("admin")
    staff = make_user("agency_staff", "SLDTBXH")
    task = {t.number: t.id for t in db.session.scalars(select(Task))}
    choices = {task["2"]: agency("SYT").id, task["3"]: agency("SGDDT").id, task["4"]: agency("SYT").id}
    result = apply_succession(
        spec(agency, "split", ["SLDTBXH"], ["SNV", "SYT", "SGDDT"], choices=choices, users="disable"),
        by=admin,
        now=clock.now(),
    )
    db.session.commit()
    db.session.expire_all()
    parts = {t.number: sorted((p.agency.code, p.role) for p in t.assignments) for t in db.session.scalars(select(Task))}
    assert parts == {
        "1": [("SNV", "lead")],
        "2": [("SYT", "lead")],
        "3": [("SGDDT", "lead")],
        "4": [("SYT", "lead")],  # the coordinator's part joined the lead's: one part per unit and task
    }
    assert result.users_disabled == 1 and not db.session.get(type(staff), staff.id).is_enabled


def test_a_succession_that_cannot_be_applied_says_why(db, clock, agency, make_user):
    admin = make_user("admin")
    with pytest.raises(AgencyError) as error:
        apply_succession(spec(agency, "rename", ["SNV", "STP"], ["SNV"]), by=admin, now=clock.now())
    assert "kind" in error.value.errors and "targets" in error.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Succession)) == 0


def new_department(code: str, name: str, admin, clock):
    """A successor unit, active from the change's date."""
    return save_agency(
        None,
        code=code,
        name=name,
        short_name="",
        kind="department",
        parent_id=None,
        notice_emails=[],
        head_email="",
        active_from=ON,
        active_to=None,
        successor_id=None,
        aliases=[],
        by=admin,
        now=clock.now(),
    )


def _users_of(db, agency_id: int):
    from tracker.accounts.models import User

    db.session.expire_all()
    return db.session.scalars(select(User).where(User.agency_id == agency_id)).all()


def test_the_monthly_list_shows_the_old_unit_before_the_change_and_the_successor_after(
    db, clock, agency, make_user, app, monkeypatch
):
    from tracker.reports.monthly import build_monthly_report, overdue_items

    monkeypatch.setitem(app.config, "CRITICISM_MIN_OVERDUE_ITEMS", 2)
    make_plan(
        db,
        clock,
        [
            TaskSpec(content="Một", number="1", lead_codes=["SKHDT"], schedule=dated(date(2024, 2, 10))),
            TaskSpec(content="Hai", number="2", lead_codes=["SKHDT"], schedule=dated(date(2024, 2, 12))),
            TaskSpec(content="Chung", number="3", lead_codes=["SKHDT", "STC"], schedule=dated(date(2024, 2, 15))),
        ],
    )
    apply_succession(spec(agency, "merger", ["SKHDT"], ["STC"]), by=make_user("admin"), now=clock.now())
    db.session.commit()
    old, new = agency("SKHDT").id, agency("STC").id

    def overdue(year, month):
        report = build_monthly_report(year, month)
        return {line.name: (line.overdue_count, line.criticised) for line in report.lines}

    # March, before the change: each unit with what it had (the shared task's two items now count once, as the
    # successor's), and the old unit is criticised for its own
    assert overdue(2024, 3) == {"Sở Kế hoạch và Đầu tư": (2, True), "Sở Tài chính": (1, False)}
    assert [i.number for i in overdue_items(old, 2024, 3)[1].overdue] == ["1", "2"]
    # April, after it: the successor answers for all three, once each; the old unit is not criticised
    assert overdue(2024, 4) == {"Sở Tài chính": (3, True)}
    assert overdue_items(old, 2024, 4)[1] is None and len(overdue_items(new, 2024, 4)[1].overdue) == 3


def test_the_plan_report_names_the_unit_of_the_day_it_is_made_for(db, clock, agency, make_user):
    from tracker.reports.plan_report import build_plan_report

    plan = make_plan(db, clock, [TaskSpec(content="Một", number="1", lead_codes=["STTTT"], schedule=dated(ON))])
    apply_succession(spec(agency, "merger", ["STTTT"], ["SKHCN"]), by=make_user("admin"), now=clock.now())
    db.session.commit()
    assert [line.agency for line in build_plan_report(plan, date(2024, 3, 15), "Asia/Ho_Chi_Minh").lines] == [
        "Sở Thông tin và Truyền thông"
    ]
    assert [line.agency for line in build_plan_report(plan, date(2024, 4, 15), "Asia/Ho_Chi_Minh").lines] == [
        "Sở Khoa học và Công nghệ"
    ]


def test_the_administrator_previews_applies_and_reverts_a_change_in_the_browser(
    db, clock, agency, make_user, logged_in
):
    tasks = [
        TaskSpec(content="Việc làm", number="1", lead_codes=["SLDTBXH"], schedule=dated(ON)),
        TaskSpec(content="Bảo trợ xã hội", number="2", lead_codes=["SLDTBXH"], schedule=dated(ON)),
    ]
    make_plan(db, clock, tasks)
    staff = make_user("agency_staff", "SLDTBXH")
    browser, _ = logged_in("admin")
    task = {t.number: t.id for t in db.session.scalars(select(Task))}
    form = {
        "kind": "split",
        "effective_on": "01/04/2024",
        "sources": str(agency("SLDTBXH").id),
        "target": str(agency("SNV").id),
        "other_targets": str(agency("SYT").id),
        "users": "move",
        "note": "Sắp xếp năm 2024",
    }
    before = where_items_are(db)
    preview = browser.post("/admin/successions/new", {**form, "action": "preview"}, token_from="/admin/successions/new")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Xem trước: chưa thay đổi gì" in page
    assert f'name="task-{task["2"]}"' in page  # a choice per task
    assert where_items_are(db) == before  # the preview changed nothing
    chosen = {**form, f"task-{task['2']}": str(agency("SYT").id), "action": "apply"}
    applied = browser.post("/admin/successions/new", chosen, token_from="/admin/successions/new")
    assert applied.status_code == 302
    after = where_items_are(db)
    assert sorted(code for code, *_ in after.values()) == ["SNV", "SYT"]
    listing = browser.get("/admin/successions").get_data(as_text=True)
    assert "Sở Lao động - Thương binh và Xã hội" in listing and "Hoàn tác" in listing
    assert db.session.get(type(staff), staff.id).agency.code == "SNV"

    succession_id = db.session.scalar(select(Succession.id))
    # a missing CSRF token, and a role that may not
    assert browser.post(f"/admin/successions/{succession_id}/revert", {}, csrf=False).status_code == 400
    office, _ = logged_in("monitor")
    assert office.get("/admin/successions").status_code == 403
    assert office.post(f"/admin/successions/{succession_id}/revert", {}, token_from="/items").status_code == 403
    assert where_items_are(db) == after
    reverted = browser.post(f"/admin/successions/{succession_id}/revert", {}, token_from="/admin/successions")
    assert reverted.status_code == 302
    assert where_items_are(db) == before


def test_a_change_the_form_cannot_apply_is_explained_per_field(db, clock, agency, logged_in):
    browser, _ = logged_in("admin")
    response = browser.post(
        "/admin/successions/new",
        {"kind": "merger", "effective_on": "31/02/2024", "target": "0", "users": "move", "action": "apply"},
        token_from="/admin/successions/new",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ngày không hợp lệ" in page or "ngày" in page.lower()
    response = browser.post(
        "/admin/successions/new",
        {"kind": "merger", "effective_on": "01/04/2024", "target": "0", "users": "move", "action": "apply"},
        token_from="/admin/successions/new",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng chọn đơn vị kết thúc hoạt động." in page and "Vui lòng chọn đơn vị kế thừa." in page
    assert db.session.scalar(select(func.count()).select_from(Succession)) == 0


def test_a_split_on_items_in_every_state_follows_the_choice_per_task(db, clock, agency, make_user):
    items = every_state(db, clock, make_user, "SLDTBXH")
    to_health = {items[name].assignment.task_id for name in ("open", "reported", "quarter_open")}
    health, home = agency("SYT"), agency("SNV")
    before = where_items_are(db)
    result = apply_succession(
        spec(agency, "split", ["SLDTBXH"], ["SNV", "SYT"], choices=dict.fromkeys(to_health, health.id)),
        by=make_user("admin"),
        now=clock.now(),
    )
    db.session.commit()
    after = where_items_are(db)
    for name, item in items.items():
        expected = (
            "SLDTBXH"
            if name in ("accepted", "quarter_done")
            else ("SYT" if item.assignment.task_id in to_health else "SNV")
        )
        assert after[item.id] == (expected, *before[item.id][1:]), name
    assert (result.moved, result.kept) == (7, 2) and home.id != health.id


def test_three_leads_merged_into_one_keep_the_most_advanced_item_and_revert_to_three(db, clock, agency, make_user):
    """Three leads of one task merge (two ending, one the successor): the most advanced of the three items stays,
    the rows of the others follow it, and the revert restores all three."""
    from tracker.workflow.models import UserNotice

    make_plan(
        db, clock, [TaskSpec(content="Ba sở", number="1", lead_codes=["STC", "SKHDT", "SGTVT"], schedule=dated(ON))]
    )
    admin = make_user("admin")
    items = {i.assignment.agency.code: i for i in db.session.scalars(select(DueItem))}
    update_progress(
        items["SGTVT"], progress=60, note="Nhiều nhất", by=make_user("agency_staff", "SGTVT"), now=clock.now()
    )
    update_progress(items["SKHDT"], progress=30, note="Giữa", by=make_user("agency_staff", "SKHDT"), now=clock.now())
    db.session.add(
        UserNotice(
            agency_id=agency("SKHDT").id,
            kind="comment",
            task_id=items["SKHDT"].assignment.task_id,
            due_item_id=items["SKHDT"].id,
            message="Ý kiến",
            created_at=clock.now(),
        )
    )
    db.session.commit()
    before = where_items_are(db)
    first = apply_succession(spec(agency, "merger", ["SKHDT"], ["STC"]), by=admin, now=clock.now())
    second = apply_succession(
        SuccessionSpec("merger", ON, [agency("SGTVT")], [agency("STC")]), by=admin, now=clock.now()
    )
    db.session.commit()
    left = where_items_are(db)
    assert list(left.values()) == [("STC", "lead", "open", 60, ON)]
    notice = db.session.scalar(select(UserNotice))
    assert notice.due_item_id == next(iter(left))  # the merged item's notice followed the one that stayed
    with pytest.raises(AgencyError, match="hãy hoàn tác nó trước"):
        revert_succession(db.session.get(Succession, first.succession.id), by=admin, now=clock.now())
    db.session.rollback()
    revert_succession(db.session.get(Succession, second.succession.id), by=admin, now=clock.now())
    revert_succession(db.session.get(Succession, first.succession.id), by=admin, now=clock.now())
    db.session.commit()
    assert where_items_are(db) == before
    assert db.session.scalar(select(UserNotice.due_item_id)) == items["SKHDT"].id


def test_the_overview_of_a_day_before_the_change_counts_the_old_unit(db, clock, agency, make_user, logged_in):
    from tracker.reports.summary import summary_for

    make_plan(db, clock, [TaskSpec(content="Một", number="1", lead_codes=["SGTVT"], schedule=dated(date(2024, 2, 10)))])
    # read once before the change, so a stale cached figure would show after it
    assert [a.name for a in summary_for(date(2024, 3, 15), "Asia/Ho_Chi_Minh").by_agency] == ["Sở Giao thông vận tải"]
    apply_succession(spec(agency, "merger", ["SGTVT"], ["SXD"]), by=make_user("admin"), now=clock.now())
    db.session.commit()

    def units(day: date) -> dict[str, int]:
        return {a.name: a.overdue for a in summary_for(day, "Asia/Ho_Chi_Minh").by_agency}

    assert units(date(2024, 3, 15)) == {"Sở Giao thông vận tải": 1}
    assert units(date(2024, 4, 15)) == {"Sở Xây dựng": 1}
    leader, _ = logged_in("leader")
    before = leader.get("/reports/overview?as_of=15/03/2024").get_data(as_text=True)
    after = leader.get("/reports/overview?as_of=15/04/2024").get_data(as_text=True)
    assert "Sở Giao thông vận tải" in before and "Sở Xây dựng" not in before
    assert "Sở Xây dựng" in after and "Sở Giao thông vận tải" not in after
