"""The tracker command: seed-demo, users create and the jobs."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.agencies.models import Agency
from tracker.plans.models import Assignment, DueItem, Plan, Task


def test_seed_demo_prints_each_password_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    assert "chuyenvien.snv@example.org" in result.output
    db.session.expire_all()
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"admin", "monitor", "leader", "agency_head", "agency_staff"}
    password = next(line.split()[1] for line in result.output.splitlines() if "vanphong@example.org" in line)
    # the six demo logins are printed; the staff the demo history acts with have passwords nobody was told
    printed = [line for line in result.output.splitlines() if "@example.org" in line]
    assert len(printed) == 6
    users = db.session.scalar(select(func.count()).select_from(User))

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert password not in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert (
        db.session.scalar(select(func.count()).select_from(Plan)) == 4
    )  # seeds 002, 003, 004 and this year's illustration

    from tests.conftest import Browser

    browser = Browser(app.test_client())
    assert browser.login("vanphong@example.org", password).status_code == 302


def test_seed_demo_loads_the_directory_with_demo_addresses_and_the_002_plan(app, db):
    app.test_cli_runner().invoke(args=["seed-demo"])
    db.session.expire_all()
    snv = db.session.scalar(select(Agency).where(Agency.code == "SNV"))
    assert snv.notice_emails == ["snv@example.org"]
    assert snv.head_email == "lanhdao.snv@example.org"
    districts = db.session.scalar(select(func.count()).where(Agency.kind == "district"))
    assert districts == 18
    plan = db.session.scalar(select(Plan).where(Plan.source_filename == "002_691fbd729f25c83e.txt"))
    assert plan.title == "Kế hoạch cải cách hành chính tỉnh Quảng Nam giai đoạn 2021-2025"
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).all()
    assert [t.number for t in tasks] == ["1", "2", "3", "4", "5", "6", "7"]
    due = dict(
        db.session.execute(
            select(Task.number, DueItem.due_date)
            .join(Assignment, Assignment.task_id == Task.id)
            .join(DueItem, DueItem.assignment_id == Assignment.id)
            .where(Task.plan_id == plan.id)
        ).all()
    )
    assert due["3"].isoformat() == "2021-12-31"
    assert due["6"].isoformat() == "2022-12-31"
    lead6 = db.session.scalar(
        select(Agency.code)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .join(Task)
        .where(Task.number == "6", Task.plan_id == plan.id)
    )
    assert lead6 == "SGDDT"


def test_seed_demo_imports_the_003_appendix_through_the_importer(app, db):
    app.test_cli_runner().invoke(args=["seed-demo"])
    db.session.expire_all()
    plan = db.session.scalar(select(Plan).where(Plan.source_filename == "003_parindex_sipas_2023.txt"))
    assert (plan.status, plan.period_start.isoformat(), plan.doc_kind) == ("active", "2023-01-01", "Kế hoạch")
    assert db.session.scalar(select(func.count()).where(Task.plan_id == plan.id)) == 90
    snv_items = db.session.scalar(
        select(func.count())
        .select_from(DueItem)
        .join(Assignment)
        .join(Task)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Task.plan_id == plan.id, Agency.code == "SNV", Assignment.role == "lead")
    )
    assert snv_items >= 10


def test_users_create(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "CV.STP@example.org", "--role", "agency_staff", "--agency", "stp"]
    )
    assert result.exit_code == 0, result.output
    assert "mật khẩu:" in result.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "cv.stp@example.org"))
    assert user.role == "agency_staff"
    assert user.agency.code == "STP"


def test_users_create_refuses_bad_input_and_writes_nothing(app, db):
    runner = app.test_cli_runner()
    no_agency = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role", "agency_head"])
    assert no_agency.exit_code != 0
    assert "phải gắn với một cơ quan" in no_agency.output
    unknown = runner.invoke(
        args=["users", "create", "--email", "b@example.org", "--role", "agency_head", "--agency", "KHONGCO"]
    )
    assert unknown.exit_code != 0
    assert "KHONGCO" in unknown.output
    short = runner.invoke(args=["users", "create", "--email", "c@example.org", "--role", "admin", "--password", "x"])
    assert short.exit_code != 0
    assert "ít nhất 10 ký tự" in short.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_every_job_of_the_registry_is_listed_run_and_scheduled(app, db, logged_in):
    from tracker.scheduler.jobs import schedules
    from tracker.scheduler.registry import JOBS

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list"]).output
    assert [line.split()[0] for line in listed.splitlines()] == list(JOBS)
    assert set(schedules(app)) == set(JOBS)
    admin, _ = logged_in("admin")
    page = admin.get("/admin/schedules").get_data(as_text=True)
    assert all(job.label in page for job in JOBS.values())
    digest = runner.invoke(args=["jobs", "run", "leader-digest", "--at", "2024-03-04T08:00", "--dry-run"])
    assert digest.exit_code == 0, digest.output
    assert digest.output.startswith("04/03/2024: 0 nhiệm vụ quá hạn; 0 thư gửi lãnh đạo")
    unknown = runner.invoke(args=["jobs", "run", "backup"])
    assert unknown.exit_code == 2 and "reminders" in unknown.output
