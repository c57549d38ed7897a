"""Login, logout, CSRF, throttling, session lifetimes and the session cookie."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import ProductionConfig
from tests.conftest import PASSWORD, make_app
from tracker.accounts.models import LoginAttempt, User


def session_cookie(browser, app):
    return browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])


def test_login_page_is_vietnamese(browser):
    response = browser.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_login_and_logout(browser, make_user):
    user = make_user("monitor")
    response = browser.login(user.email)
    assert response.status_code == 302
    assert browser.get("/items").status_code == 200
    response = browser.post("/logout", token_from="/items")
    assert response.status_code == 302 and response.location.startswith("/login")
    response = browser.get("/items")
    assert response.status_code == 302 and "/login" in response.location


def test_login_is_case_insensitive_on_the_email(browser, make_user):
    user = make_user("leader")
    assert browser.login(user.email.upper()).status_code == 302


def test_wrong_password_is_refused_with_a_message(browser, make_user, db):
    user = make_user("monitor")
    response = browser.login(user.email, "sai-mat-khau-roi")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert browser.get("/items").status_code == 302
    assert db.session.scalar(select(User.last_login_at).where(User.id == user.id)) is None


def test_unknown_account_gets_the_same_message(browser):
    response = browser.login("khong-co@example.org", "bat-ky-mat-khau")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(browser, make_user, db):
    user = make_user("monitor")
    user.is_enabled = False
    db.session.commit()
    assert browser.login(user.email).status_code == 401


def test_login_without_csrf_token_is_refused(browser, make_user, db):
    user = make_user("monitor")
    response = browser.post("/login", {"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert browser.get("/items").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_logout_needs_a_post_with_csrf(logged_in):
    browser, _ = logged_in("monitor")
    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/items").status_code == 200


def test_login_never_redirects_off_site(browser, make_user):
    user = make_user("monitor")
    browser.get("/login")
    for target in ("//evil.example", "https://evil.example/x", "javascript:alert(1)"):
        browser.token = None
        browser.get(f"/login?next={target}")
        response = browser.post(f"/login?next={target}", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert "evil" not in response.location and "javascript" not in response.location
        browser.post("/logout", token_from="/items")
    browser.get("/login?next=/plans")
    response = browser.post("/login?next=/plans", {"email": user.email, "password": PASSWORD})
    assert response.location == "/plans"


def test_passwords_are_hashed_with_argon2id(make_user, db, app):
    user = make_user("monitor")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    # Production parameters: at least OWASP ASVS 5.0's m=19 MiB, t=2 (tests use cheap ones)
    assert ProductionConfig.ARGON2_MEMORY_COST >= 19 * 1024
    assert ProductionConfig.ARGON2_TIME_COST >= 2


def test_throttling_per_account_blocks_even_the_right_password(browser, make_user, clock):
    user = make_user("monitor")
    for _ in range(5):
        assert browser.login(user.email, "sai-mat-khau-xyz").status_code == 401
    response = browser.login(user.email)
    assert response.status_code == 401
    assert "quá nhiều lần" in response.get_data(as_text=True)
    clock.advance(minutes=16)
    assert browser.login(user.email).status_code == 302


def test_throttling_holds_across_worker_processes(app, make_user, tmp_path):
    """Another process on the same database (another gunicorn worker) sees the same failures."""
    user = make_user("monitor")
    from tests.conftest import Browser

    first = Browser(app.test_client())
    for _ in range(5):
        first.login(user.email, "sai-mat-khau-xyz")
    script = f"""
from tests.conftest import START, make_app
from tracker.accounts.security import begin_attempt
from tracker.core.clock import FixedClock
app = make_app({app.config["SQLALCHEMY_DATABASE_URI"]!r}, {str(tmp_path)!r})
with app.app_context():
    now = FixedClock(START).now()
    print(begin_attempt({user.email!r}, "10.9.9.9", now=now)[1], begin_attempt("khac@example.org", "10.9.9.9", now=now)[1])
"""
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    assert result.stdout.split() == ["True", "False"]


def test_throttling_per_address(app, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        users = [make_user("monitor") for _ in range(4)]
        from tests.conftest import Browser

        browser = Browser(app.test_client())
        for user in users[:3]:
            browser.login(user.email, "sai-mat-khau-xyz")
        assert browser.login(users[3].email).status_code == 401
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 30


def test_idle_timeout_ends_the_session(logged_in, clock):
    browser, _ = logged_in("monitor")
    clock.advance(minutes=29)
    assert browser.get("/items").status_code == 200
    clock.advance(minutes=29)  # 29 minutes since the last request: still alive
    assert browser.get("/items").status_code == 200
    clock.advance(minutes=31)
    response = browser.get("/items")
    assert response.status_code == 302 and "expired=1" in response.location
    assert browser.get("/items").status_code == 302


def test_absolute_timeout_ends_even_a_busy_session(logged_in, clock):
    browser, _ = logged_in("monitor")
    for _ in range(20):  # active every 25 minutes, 500 minutes in all
        clock.advance(minutes=25)
        assert browser.get("/items").status_code == 200
    clock.advance(minutes=25)
    for _ in range(4):
        clock.advance(minutes=25)
        browser.get("/items")
    assert browser.get("/items").status_code == 302


def test_logout_everywhere_ends_other_sessions(make_user, make_browser):
    user = make_user("monitor")
    phone, office = make_browser(), make_browser()
    phone.login(user.email)
    office.login(user.email)
    assert phone.post("/account/logout-everywhere", token_from="/account").status_code == 302
    assert office.get("/items").status_code == 302
    assert phone.get("/items").status_code == 302
    assert make_browser().login(user.email).status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(make_user, make_browser, db):
    user = make_user("monitor")
    phone, office = make_browser(), make_browser()
    phone.login(user.email)
    office.login(user.email)
    new = "mat-khau-moi-rat-dai-2"
    response = phone.post(
        "/account", {"current_password": PASSWORD, "new_password": new, "confirm": new}, token_from="/account"
    )
    assert response.status_code == 302
    assert phone.get("/items").status_code == 200
    assert office.get("/items").status_code == 302
    assert make_browser().login(user.email).status_code == 401
    assert make_browser().login(user.email, new).status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(logged_in, db):
    browser, user = logged_in("monitor")
    before = user.password_hash
    new = "mat-khau-moi-rat-dai-2"
    response = browser.post(
        "/account", {"current_password": "sai", "new_password": new, "confirm": new}, token_from="/account"
    )
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


def test_disabling_an_account_ends_its_sessions(logged_in, make_user, db):
    browser, user = logged_in("agency_staff", "SNV")
    admin, _ = logged_in("admin")
    response = admin.post(
        f"/admin/users/{user.id}",
        {
            "email": user.email,
            "full_name": user.full_name,
            "role": "agency_staff",
            "agency_id": str(user.agency_id),
        },
        token_from=f"/admin/users/{user.id}",
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.is_enabled is False
    assert browser.get("/items").status_code == 302


def test_session_cookie_flags(browser, make_user, app):
    user = make_user("monitor")
    browser.get("/login")
    response = browser.post("/login", {"email": user.email, "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("tracker_session="))
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_production_cookie_has_the_host_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 40)
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    assert app.config["SESSION_COOKIE_NAME"] == "tracker_session"

    class Prod(ProductionConfig):
        SECRET_KEY = "y" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"
        BASE_URL = "https://theodoi.example.gov.vn"

    from tracker import create_app

    prod = create_app(Prod, instance_path=str(tmp_path))
    assert prod.config["SESSION_COOKIE_NAME"] == "__Host-tracker_session"
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    # and HSTS on every answer, in production only
    hsts = prod.test_client().get("/healthz").headers.get("Strict-Transport-Security")
    assert hsts == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    class Prod(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"

    from tracker import create_app

    with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY"):
        create_app(Prod, instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("base_url", [None, "", "http://127.0.0.1:5000", "http://localhost", "theodoi.example.gov.vn"])
def test_production_refuses_to_start_without_the_public_address_the_emails_link_to(tmp_path, base_url):
    class Prod(ProductionConfig):
        SECRET_KEY = "y" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"
        BASE_URL = base_url

    from tracker import create_app

    with pytest.raises(RuntimeError, match="TRACKER_BASE_URL"):
        create_app(Prod, instance_path=str(tmp_path))


def test_last_login_is_recorded(browser, make_user, db, clock):
    user = make_user("monitor")
    browser.login(user.email)
    db.session.refresh(user)
    assert user.last_login_at == clock.now()
    assert timedelta(0) == user.last_login_at - clock.now()


@pytest.mark.parametrize("trusted", [0, 1])
def test_behind_a_trusted_proxy_the_throttle_counts_each_client_not_the_proxy(app, make_user, monkeypatch, trusted):
    """Issue 11, defect 4: behind the reverse proxy every request comes from the proxy's address. With the proxy
    trusted (TRACKER_TRUSTED_PROXIES=1) the throttle counts the forwarded client; untrusted, a forwarded address
    is not believed (a client could pose as anyone), so the proxy's address is counted."""
    from tests.conftest import Browser

    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", trusted)
    guesser, other = make_user("monitor"), make_user("monitor")

    def client_at(address: str) -> Browser:
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=address)
        return Browser(client)

    attacker = client_at("203.0.113.7")
    for _ in range(3):
        assert attacker.login(guesser.email, "sai-mat-khau-xyz").status_code == 401
    colleague = client_at("198.51.100.9").login(other.email)
    assert colleague.status_code == (302 if trusted else 401)
    assert attacker.login(other.email).status_code == 401  # the guessing client stays locked out either way
    counted = {
        key
        for (key,) in app.extensions["sqlalchemy"].session.execute(
            select(LoginAttempt.key).where(LoginAttempt.scope == "address")
        )
    }
    assert counted == ({"203.0.113.7", "198.51.100.9"} if trusted else {"10.0.0.5"})


def test_a_disabled_account_costs_a_login_the_same_work_as_an_enabled_one(browser, make_user, db, monkeypatch):
    """Issue 11, defect 9: the password is checked whether or not the account is enabled, so the answer's time
    does not tell that a disabled account exists."""
    from tracker.accounts import views

    checked = []
    real = views.verify_password
    monkeypatch.setattr(views, "verify_password", lambda *args: checked.append(1) or real(*args))
    user = make_user("monitor")
    user.is_enabled = False
    db.session.commit()
    assert browser.login(user.email).status_code == 401
    assert browser.login(user.email, "sai-mat-khau-xyz").status_code == 401
    assert checked == [1, 1]


def test_logout_ends_the_session_on_the_server(make_user, make_browser, app):
    """Issue 11, defect 5: a session cookie copied before the logout opens nothing afterwards."""
    user = make_user("monitor")
    browser = make_browser()
    assert browser.login(user.email).status_code == 302
    copied = session_cookie(browser, app).value
    assert browser.post("/logout", token_from="/items").status_code == 302
    thief = make_browser()
    thief.client.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    answer = thief.get("/items")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    # the user's other logins go on
    other = make_browser()
    assert other.login(user.email).status_code == 302
    assert other.get("/items").status_code == 200


def test_parallel_guesses_check_at_most_five_passwords(app, make_user):
    """Issue 11, defect 9: 20 wrong passwords sent at once for one account; each attempt is recorded before it is
    counted, so at most five are checked ("sai mật khẩu") and the rest are refused unchecked ("quá nhiều lần").
    (Checking first, then recording, let six through.)"""
    import threading

    from tests.conftest import Browser

    email = make_user("monitor").email  # read once: the threads never touch the test's session
    answers: list[str] = []
    browsers = [Browser(app.test_client()) for _ in range(20)]
    for browser in browsers:
        browser.get("/login")  # each holds its token before the race starts
    start = threading.Barrier(len(browsers))

    def guess(browser):
        start.wait()
        with app.app_context():
            answers.append(
                browser.post("/login", {"email": email, "password": "sai-mat-khau-xyz"}).get_data(as_text=True)
            )

    threads = [threading.Thread(target=guess, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = sum("Email hoặc mật khẩu không đúng." in a for a in answers)
    refused = sum("quá nhiều lần" in a for a in answers)
    assert checked <= 5 and checked + refused == 20  # one at a time, exactly five: test_throttling_per_account…


def test_the_current_password_on_the_account_page_is_throttled_like_a_login(logged_in):
    browser, user = logged_in("monitor")
    form = {
        "current_password": "sai-mat-khau-xyz",
        "new_password": "mat-khau-moi-12345",
        "confirm": "mat-khau-moi-12345",
    }
    for _ in range(5):
        page = browser.post("/account", form, token_from="/account").get_data(as_text=True)
        assert "Mật khẩu hiện tại không đúng." in page
    page = browser.post("/account", {**form, "current_password": PASSWORD}, token_from="/account")
    assert "quá nhiều lần" in page.get_data(as_text=True)
