"""The JSON API: the contract of the issue, called as a client would, and every forbidden path."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.workflow.conftest import pdf_bytes
from tracker.accounts.models import ApiToken
from tracker.plans.models import DueItem

ITEM_KEYS = {
    "id",
    "task_id",
    "plan_id",
    "agency",
    "role",
    "period_label",
    "due_date",
    "original_due_date",
    "status",
    "days_late",
    "state",
    "progress",
    "completed_on",
    "late_reason",
    "version",
}


@pytest.fixture
def client_for(app, make_user, db, clock):
    """An API client acting with a new token of a new user of ``role`` (and agency)."""
    from tracker.accounts.tokens import create_token

    def make(role: str, agency: str | None = None):
        user = make_user(role, agency)
        _, secret = create_token(user, name="thử", days=30, by=None, now=clock.now())
        db.session.commit()
        return ApiClient(app.test_client(), secret), user

    return make


class ApiClient:
    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, url: str, version: int | None = None, **kwargs):
        from tracker.extensions import db

        headers = dict(self.headers)
        if version is not None:
            headers["If-Match"] = str(version)
        db.session.expire_all()
        with self.client.application.app_context():
            response = getattr(self.client, method)(url, headers=headers, **kwargs)
        db.session.expire_all()
        return response

    def get(self, url: str, **kwargs):
        return self._call("get", url, **kwargs)

    def post(self, url: str, json=None, version: int | None = None, **kwargs):
        return self._call("post", url, version=version, json=json, **kwargs)


def test_the_whole_loop_through_the_api(world, client_for, db, clock):
    item = world["items"][("1", "SNV")]
    clock.set(datetime(2024, 3, 20, 9, 0))
    staff, _ = client_for("agency_staff", "SNV")
    office, _ = client_for("monitor")

    listed = staff.get("/api/v1/items?per_page=200").get_json()
    assert listed["total"] == 1 and listed["page"] == 1 and listed["per_page"] == 200
    got = listed["items"][0]
    assert set(got) == ITEM_KEYS
    assert got["agency"] == {"code": "SNV", "name": "Sở Nội vụ"}
    assert (got["status"], got["days_late"], got["state"], got["due_date"]) == ("open_overdue", 5, "open", "2024-03-15")

    # a late report without a reason is refused per field, nothing changes
    response = staff.post(
        f"/api/v1/items/{item.id}/completion", {"completed_on": "2024-03-18", "result": "Xong"}, version=got["version"]
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "late_reason.category" in body["errors"] and "late_reason.text" in body["errors"]
    assert "nguyên nhân chậm" in body["errors"]["late_reason.category"][0]

    # a stale version answers 409
    stale = staff.post(f"/api/v1/items/{item.id}/progress", {"progress": 50}, version=got["version"] + 5)
    assert stale.status_code == 409 and stale.get_json()["errors"]["version"]

    response = staff.post(
        f"/api/v1/items/{item.id}/completion",
        {
            "completed_on": "2024-03-18",
            "result": "Đã ban hành kế hoạch",
            "evidence": ["Công văn số 123/SNV-CCHC ngày 05/3/2024"],
            "late_reason": {"category": "phoi_hop", "agency": "SYT", "text": "Sở Y tế góp ý chậm"},
        },
        version=got["version"],
    )
    assert response.status_code == 200, response.get_json()
    reported = response.get_json()
    assert (reported["state"], reported["completed_on"]) == ("reported", "2024-03-18")
    assert reported["late_reason"] == {"category": "phoi_hop", "agency": "SYT", "text": "Sở Y tế góp ý chậm"}

    upload = staff.client.post(
        f"/api/v1/items/{item.id}/files",
        headers=staff.headers,
        data={"file": (io.BytesIO(pdf_bytes()), "bien-ban.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    assert set(upload.get_json()) == {"id", "name", "size", "content_type"}
    file_id = upload.get_json()["id"]
    download = office.get(f"/api/v1/files/{file_id}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    download.close()

    queue = office.get("/api/v1/review-queue").get_json()
    assert [i["id"] for i in queue["items"]] == [item.id]
    returned = office.post(
        f"/api/v1/items/{item.id}/review",
        {"decision": "return", "comment": "Bổ sung văn bản"},
        version=reported["version"],
    )
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    again = staff.post(
        f"/api/v1/items/{item.id}/completion",
        {
            "completed_on": "2024-03-19",
            "result": "Đã bổ sung",
            "late_reason": {"category": "khac", "agency": None, "text": "Chờ ký ban hành"},
        },
    )
    assert again.status_code == 200
    accepted = office.post(f"/api/v1/items/{item.id}/review", {"decision": "accept", "comment": ""})
    assert accepted.status_code == 200
    final = accepted.get_json()
    assert (final["state"], final["status"], final["days_late"]) == ("accepted", "done_late", 4)

    history = office.get(f"/api/v1/tasks/{item.assignment.task_id}/history").get_json()["history"]
    texts = [line["text"] for line in history]
    assert any(t.startswith("Trả lại báo cáo hoàn thành") for t in texts)
    assert any(t.startswith("Đính kèm tệp “bien-ban.pdf”") for t in texts)


def test_extensions_through_the_api(world, client_for, db):
    item = world["items"][("1", "SNV")]
    staff, _ = client_for("agency_head", "SNV")
    office, _ = client_for("monitor")
    response = staff.post(
        f"/api/v1/items/{item.id}/extension-requests", {"due_date": "2024-04-30", "reason": "Chờ hướng dẫn"}
    )
    assert response.status_code == 201
    created = response.get_json()
    assert (created["state"], created["due_date"], created["reason"]) == ("pending", "2024-04-30", "Chờ hướng dẫn")
    second = staff.post(f"/api/v1/items/{item.id}/extension-requests", {"due_date": "2024-05-30", "reason": "x"})
    assert second.status_code == 422
    # the agency may not decide its own request
    assert (
        staff.post(f"/api/v1/extension-requests/{created['id']}/decision", {"decision": "approve"}).status_code == 403
    )
    decided = office.post(f"/api/v1/extension-requests/{created['id']}/decision", {"decision": "approve"})
    assert decided.status_code == 200 and decided.get_json()["state"] == "approved"
    got = staff.get(f"/api/v1/items/{item.id}").get_json()
    assert (got["due_date"], got["original_due_date"]) == ("2024-04-30", "2024-03-15")


def test_forbidden_paths(world, client_for, db, clock, app):
    lead_item = world["items"][("1", "SNV")]
    other_item = world["items"][("2", "SXD")]
    coordinator, _ = client_for("agency_staff", "SYT")
    leader, _ = client_for("leader")
    staff, staff_user = client_for("agency_staff", "SNV")
    completion = {"completed_on": "2024-03-01", "result": "Xong"}

    # another agency's item by id: not found, on every verb
    assert coordinator.get(f"/api/v1/items/{other_item.id}").status_code == 404
    assert coordinator.post(f"/api/v1/items/{other_item.id}/progress", {"progress": 10}).status_code == 404
    # a coordinator sees the lead's item, may not complete it
    assert coordinator.get(f"/api/v1/items/{lead_item.id}").status_code == 200
    assert coordinator.post(f"/api/v1/items/{lead_item.id}/completion", completion).status_code == 403
    # a leader reads, never writes
    assert leader.get("/api/v1/items").status_code == 200
    assert leader.post(f"/api/v1/items/{lead_item.id}/completion", completion).status_code == 403
    assert leader.get("/api/v1/review-queue").status_code == 403
    # an agency may not review
    assert staff.post(f"/api/v1/items/{lead_item.id}/completion", completion).status_code == 200
    assert staff.post(f"/api/v1/items/{lead_item.id}/review", {"decision": "accept"}).status_code == 403
    assert db.session.get(DueItem, lead_item.id).state == "reported"

    # no token, a wrong one, a revoked one, an expired one: 401
    assert app.test_client().get("/api/v1/items").status_code == 401
    bad = ApiClient(app.test_client(), "trk_not-a-token")
    assert bad.get("/api/v1/items").status_code == 401
    from tracker.accounts.tokens import create_token, revoke_token

    token, secret = create_token(staff_user, name="", days=1, by=None, now=clock.now())
    db.session.commit()
    client = ApiClient(app.test_client(), secret)
    assert client.get("/api/v1/items").status_code == 200
    clock.advance(days=1, seconds=1)
    assert client.get("/api/v1/items").status_code == 401
    clock.set(datetime(2024, 3, 1, 8, 0))
    revoke_token(db.session.get(ApiToken, token.id), by=staff_user, now=clock.now())
    db.session.commit()
    assert client.get("/api/v1/items").status_code == 401

    # a session cookie alone does not open the API (and the web's CSRF is not the API's concern)
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    browser.login(staff_user.email)
    assert browser.get("/api/v1/items").status_code == 401


def test_list_filters_and_validation(world, client_for, db):
    office, _ = client_for("monitor")
    everything = office.get("/api/v1/items?per_page=200").get_json()
    assert everything["total"] == 4  # SNV lead, SYT and STP coordinators, SXD lead
    by_agency = office.get("/api/v1/items?agency=SXD").get_json()
    assert [i["agency"]["code"] for i in by_agency["items"]] == ["SXD"]
    due = office.get("/api/v1/items?due_from=2024-06-01&due_to=2024-06-30").get_json()
    assert [i["due_date"] for i in due["items"]] == ["2024-06-30"]
    for query, field in (("per_page=500", "per_page"), ("status=late", "status"), ("due_from=15/03/2024", "due_from")):
        response = office.get(f"/api/v1/items?{query}")
        assert response.status_code == 422, query
        assert field in response.get_json()["errors"], response.get_json()
    paged = office.get("/api/v1/items?per_page=1&page=2").get_json()
    assert (paged["page"], paged["per_page"], len(paged["items"]), paged["total"]) == (2, 1, 1, 4)


def test_comments_plans_agencies(world, client_for, db):
    task = world["tasks"]["1"]
    office, _ = client_for("monitor")
    coordinator, _ = client_for("agency_staff", "SYT")
    assert office.post(f"/api/v1/tasks/{task.id}/comments", {"text": "Đề nghị khẩn trương"}).status_code == 201
    note = coordinator.post(f"/api/v1/tasks/{task.id}/comments", {"text": "Đã góp ý"})
    assert note.status_code == 201 and note.get_json()["kind"] == "contribution"
    comments = coordinator.get(f"/api/v1/tasks/{task.id}/comments").get_json()["comments"]
    assert [c["kind"] for c in comments] == ["comment", "contribution"]
    empty = office.post(f"/api/v1/tasks/{task.id}/comments", {"text": ""})
    assert empty.status_code == 422 and empty.get_json()["errors"]["text"] == ["Vui lòng nhập nội dung."]
    missing = office.post(f"/api/v1/tasks/{task.id}/comments", {})
    assert missing.get_json()["errors"]["text"] == ["Trường này là bắt buộc."]
    plans = coordinator.get("/api/v1/plans").get_json()["plans"]
    assert [p["reference"] for p in plans] == ["Kế hoạch số 99/KH-UBND"]
    assert coordinator.get(f"/api/v1/plans/{plans[0]['id']}").get_json()["id"] == plans[0]["id"]
    agencies = office.get("/api/v1/agencies").get_json()["agencies"]
    assert {"code": "SNV", "name": "Sở Nội vụ"}.items() <= next(a for a in agencies if a["code"] == "SNV").items()


def test_tokens_command_prints_the_token_alone_on_its_last_line(app, make_user, db, clock):
    user = make_user("agency_staff", "SNV")
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--email", user.email, "--name", "bot", "--days", "7"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("trk_") and " " not in secret
    client = ApiClient(app.test_client(), secret)
    assert client.get("/api/v1/items").status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash != secret and len(token.token_hash) == 64  # stored hashed
    assert token.expires_at - token.created_at == timedelta(days=7)
    assert app.test_cli_runner().invoke(args=["tokens", "create", "--email", "nobody@example.org"]).exit_code != 0


def test_account_page_creates_and_revokes_tokens(logged_in, db, app):
    browser, user = logged_in("agency_staff", "SNV")
    page = browser.post("/account/tokens", {"name": "Phần mềm tổng hợp", "days": "30"}, token_from="/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="new-token"' in html
    assert "<title>Tài khoản của tôi · " in html and html.count('id="new-token"') == 1
    secret = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    client = ApiClient(app.test_client(), secret)
    assert client.get("/api/v1/items").status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert browser.post(f"/account/tokens/{token.id}/revoke", {}, token_from="/account").status_code == 302
    assert client.get("/api/v1/items").status_code == 401
    # the page lists it as revoked
    assert "Đã thu hồi" in browser.get("/account").get_data(as_text=True)


def test_a_file_of_a_wrong_type_or_too_large_is_refused_per_field(world, client_for, db, app):
    from tracker.workflow.models import ItemFile

    item = world["items"][("1", "SNV")]
    staff, _ = client_for("agency_staff", "SNV")

    def upload(data: bytes, name: str):
        return staff.client.post(
            f"/api/v1/items/{item.id}/files",
            headers=staff.headers,
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    response = upload(b"<html><script>alert(1)</script></html>", "bao-cao.pdf")
    assert (
        response.status_code == 422 and "không phải là tệp được chấp nhận" in response.get_json()["errors"]["file"][0]
    )
    app.config["ITEM_FILE_MAX_BYTES"] = 1024
    try:
        response = upload(pdf_bytes("y" * 2000), "lon.pdf")
    finally:
        app.config["ITEM_FILE_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 422 and "vượt quá dung lượng" in response.get_json()["errors"]["file"][0]
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(ItemFile)) == 0


def test_wrong_tokens_are_throttled_per_address_like_passwords(app, client_for, monkeypatch):
    """Issue 11, part 4: wrong API tokens are guesses, counted per address in the database; past the limit the
    address gets 429 with Retry-After, and a valid token from it still works."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    good, _ = client_for("monitor")
    guesser = ApiClient(app.test_client(), "tdnv_sai-khoa-truy-cap")
    statuses = [guesser.get("/api/v1/items").status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
    refused = guesser.get("/api/v1/items")
    assert refused.headers["Retry-After"] == "900" and refused.mimetype == "application/problem+json"
    assert "15 phút" in refused.get_json()["title"]
    assert good.get("/api/v1/items").status_code == 200
    anonymous = app.test_client().get("/api/v1/items")  # no token at all is no guess
    assert anonymous.status_code == 401
