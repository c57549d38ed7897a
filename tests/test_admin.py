"""The administrator's pages: users, agencies (renames, merges, aliases) and groups."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.agencies.models import Agency, AgencyGroup
from tracker.agencies.queries import resolve_group
from tracker.core.models import AuditEvent


def test_admin_creates_a_user_and_sees_the_temporary_password(logged_in, agency, db):
    admin, _ = logged_in("admin")
    snv = agency("SNV")
    response = admin.post(
        "/admin/users/new",
        {
            "email": "Moi.SNV@example.org",
            "full_name": "Nguyễn Văn Mới",
            "role": "agency_staff",
            "agency_id": str(snv.id),
            "is_enabled": "y",
        },
        token_from="/admin/users/new",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Đã tạo tài khoản moi.snv@example.org. Mật khẩu tạm thời:" in page
    user = db.session.scalar(select(User).where(User.email == "moi.snv@example.org"))
    assert (user.role, user.agency_id) == ("agency_staff", snv.id)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user_created", AuditEvent.object_id == user.id)
    )
    assert event.after["email"] == "moi.snv@example.org"
    assert event.actor.role == "admin"


def test_bad_user_form_shows_vietnamese_messages_and_creates_nothing(logged_in, make_user, db):
    admin, _ = logged_in("admin")
    existing = make_user("leader")
    response = admin.post(
        "/admin/users/new",
        {"email": existing.email, "full_name": "", "role": "agency_head", "agency_id": "0", "password": "ngan"},
        token_from="/admin/users/new",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Trường này là bắt buộc." in page
    response = admin.post(
        "/admin/users/new",
        {"email": existing.email, "full_name": "Ai đó", "role": "agency_head", "agency_id": "0", "password": "ngan"},
        token_from="/admin/users/new",
    )
    page = response.get_data(as_text=True)
    assert "Email này đã có tài khoản." in page
    assert "Vai trò của đơn vị phải gắn với một cơ quan, đơn vị." in page
    assert "Mật khẩu phải có ít nhất 10 ký tự." in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # the admin and the leader


def test_admin_cannot_lock_themselves_out(logged_in, db):
    admin, user = logged_in("admin")
    response = admin.post(
        f"/admin/users/{user.id}",
        {"full_name": user.full_name, "role": "leader", "agency_id": "0"},
        token_from=f"/admin/users/{user.id}",
    )
    assert "Không thể tự đổi vai trò" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "admin"


def test_admin_resets_a_password_and_ends_its_sessions(logged_in, make_browser, db):
    staff, user = logged_in("agency_staff", "STP")
    admin, _ = logged_in("admin")
    response = admin.post(
        f"/admin/users/{user.id}/password", {}, token_from=f"/admin/users/{user.id}", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    password = page.split("Mật khẩu mới: ")[1].split("<")[0].strip()
    assert staff.get("/items").status_code == 302
    assert make_browser().login(user.email, password).status_code == 302


def test_users_list_filters_and_searches(logged_in, make_user):
    admin, _ = logged_in("admin")
    make_user("leader", email="pho.chu.tich@example.org")
    make_user("agency_staff", "SYT", email="cv.yte@example.org")
    page = admin.get("/admin/users?role=leader").get_data(as_text=True)
    assert "pho.chu.tich@example.org" in page and "cv.yte@example.org" not in page
    page = admin.get("/admin/users?q=YTE").get_data(as_text=True)
    assert "cv.yte@example.org" in page and "pho.chu.tich@example.org" not in page


def _agency_form(**changes) -> dict:
    form = {
        "code": "SKHCN2",
        "name": "Sở Khoa học, Công nghệ và Đổi mới",
        "short_name": "Sở KHCN&ĐM",
        "kind": "department",
        "parent_id": "0",
        "successor_id": "0",
        "notice_emails": "vanthu@skhcn.example.org\nkhcn@example.org",
        "head_email": "giamdoc@skhcn.example.org",
        "active_from": "2025-03-01",
        "active_to": "",
        "aliases": "Sở KH, CN và ĐM\nSở Khoa học - Công nghệ - Đổi mới",
    }
    form.update(changes)
    return form


def test_admin_adds_an_agency_with_aliases(logged_in, db):
    admin, _ = logged_in("admin")
    response = admin.post("/admin/agencies/new", _agency_form(), token_from="/admin/agencies/new")
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.code == "SKHCN2"))
    assert agency.notice_emails == ["vanthu@skhcn.example.org", "khcn@example.org"]
    assert {a.alias for a in agency.aliases} >= {"Sở KH, CN và ĐM", "Sở Khoa học - Công nghệ - Đổi mới"}
    # It starts on 01/03/2025, after today (01/03/2024): listed only with the inactive ones
    assert "SKHCN2" not in admin.get("/agencies?q=khoa hoc - cong nghe - doi moi").get_data(as_text=True)
    page = admin.get("/agencies?q=khoa hoc - cong nghe - doi moi&inactive=1").get_data(as_text=True)
    assert "SKHCN2" in page
    assert "01/03/2025" in page


def test_bad_agency_form_changes_nothing(logged_in, db):
    admin, _ = logged_in("admin")
    count = db.session.scalar(select(func.count()).select_from(Agency))
    response = admin.post(
        "/admin/agencies/new",
        _agency_form(code="SNV", notice_emails="khong-phai-email", active_to="2020-01-01", aliases="Sở TT&TT"),
        token_from="/admin/agencies/new",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mã đơn vị đã tồn tại." in page
    assert "Địa chỉ email không hợp lệ: khong-phai-email" in page
    assert "Ngày kết thúc phải sau ngày bắt đầu hoạt động." in page
    assert "Tên đã dùng cho đơn vị khác: Sở TT&amp;TT" in page
    assert db.session.scalar(select(func.count()).select_from(Agency)) == count
    response = admin.post(
        "/admin/agencies/new", _agency_form(active_from="31/02/2025"), token_from="/admin/agencies/new"
    )
    assert "Ngày không hợp lệ" in response.get_data(as_text=True)


def test_a_merged_agency_leaves_its_groups_after_its_last_day(logged_in, agency, db):
    admin, _ = logged_in("admin")
    stttt, skhcn = agency("STTTT"), agency("SKHCN")
    form = _agency_form(
        code="STTTT",
        name=stttt.name,
        short_name=stttt.short_name,
        active_from="2020-01-01",
        active_to="2025-02-28",
        successor_id=str(skhcn.id),
        aliases="Sở TT&TT\nSở Thông tin - Truyền thông",
        notice_emails="",
        head_email="",
    )
    assert admin.post(f"/admin/agencies/{stttt.id}", form, token_from="/agencies").status_code == 302
    departments_2024 = {a.code for a in resolve_group("ALL_DEPARTMENTS", date(2024, 6, 1))}
    departments_2025 = {a.code for a in resolve_group("ALL_DEPARTMENTS", date(2025, 3, 1))}
    assert "STTTT" in departments_2024
    assert "STTTT" not in departments_2025 and "SKHCN" in departments_2025
    assert len(departments_2024) == 20
    db.session.expire_all()
    assert db.session.get(Agency, stttt.id).successor_id == skhcn.id


def test_admin_defines_a_group_resolved_at_a_date(logged_in, agency, db):
    admin, _ = logged_in("admin")
    members = [agency(code) for code in ("UBND_HOIAN", "UBND_TAMKY", "UBND_DIENBAN")]
    response = admin.post(
        "/admin/groups/new",
        {
            "code": "DO_THI",
            "name": "Các đô thị",
            "description": "Thành phố, thị xã",
            "members": [str(a.id) for a in members],
        },
        token_from="/admin/groups/new",
    )
    assert response.status_code == 302
    assert {a.code for a in resolve_group("DO_THI", date(2024, 1, 1))} == {"UBND_HOIAN", "UBND_TAMKY", "UBND_DIENBAN"}
    assert len(resolve_group("ALL_DISTRICTS", date(2024, 1, 1))) == 18
    page = admin.get("/admin/groups").get_data(as_text=True)
    assert "DO_THI" in page
    builtin = db.session.scalar(select(AgencyGroup).where(AgencyGroup.code == "ALL_DISTRICTS"))
    response = admin.post(
        f"/admin/groups/{builtin.id}", {"code": "ALL_DISTRICTS", "name": "X", "members": []}, token_from="/admin/groups"
    )
    assert "không sửa được" in response.get_data(as_text=True)
