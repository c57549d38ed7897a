"""Fixtures: the app on SQLite and again on PostgreSQL, a fixed clock, users of every role, a browser."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

# The tests never reach an SMTP server they did not start: none from the environment, neither for this process
# (read before config.py is) nor for the `tracker` processes the tests start, which inherit this environment
for _name in [name for name in os.environ if name.startswith("TRACKER_SMTP_")]:
    del os.environ[_name]

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from config import TestConfig  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.core.clock import FixedClock  # noqa: E402

PG_ENV = "TRACKER_TEST_DATABASE_URL"
#: The moment every test starts at, in Asia/Ho_Chi_Minh
START = datetime(2024, 3, 1, 8, 0)
PASSWORD = "mat-khau-thu-nghiem-1"


def _postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _make_pg_database(admin_url: str) -> tuple[str, sa.Engine]:
    """Create a database of this run's own; return its URL and an engine to drop it with."""
    # No pool: the admin connection closes as soon as each statement is done
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {admin_url} is unreachable and CI=true: {error}")
        pytest.skip(f"PostgreSQL at {admin_url} is unreachable: {error}")
    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False), admin


def _drop_pg_database(admin: sa.Engine, url: str) -> None:
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def _empty_database(backend: str, sqlite_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database of its own dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL run is skipped (make test in CI sets it)")
    url, admin = _make_pg_database(admin_url)
    yield url
    _drop_pg_database(admin, url)


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory) -> Iterator[str]:
    """The test run's database."""
    yield from _empty_database(backend, tmp_path_factory.mktemp("db") / "tracker.db")


@pytest.fixture
def fresh_database_url(backend, tmp_path) -> Iterator[str]:
    """An empty database for one test (migration tests)."""
    yield from _empty_database(backend, tmp_path / "fresh.db")


def make_app(url: str, instance_path: Path, **overrides) -> Flask:
    app = create_app(TestConfig, instance_path=str(instance_path), SQLALCHEMY_DATABASE_URI=url, **overrides)
    app.extensions["tracker.clock"] = FixedClock(START)
    return app


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory) -> Iterator[Flask]:
    """The app with the schema built by the migrations, once per backend."""
    from flask_migrate import upgrade

    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()


def _empty_tables(app: Flask) -> None:
    from tracker.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in reversed(tables):
                    conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def app(_app) -> Iterator[Flask]:
    """The app in an app context, with the agency directory loaded and the clock at START."""
    from tracker.agencies.directory import load_directory, read_directory
    from tracker.extensions import db

    _empty_tables(_app)
    _app.extensions["tracker.clock"] = FixedClock(START)
    with _app.app_context():
        load_directory(read_directory(), demo_emails=True)
        db.session.commit()
        yield _app
        db.session.remove()


@pytest.fixture
def clock(app) -> FixedClock:
    return app.extensions["tracker.clock"]


@pytest.fixture
def db(app):
    from tracker.extensions import db

    return db


class Browser:
    """A test client that logs in and sends forms with their CSRF token, as a browser would."""

    _TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def _request(self, method: str, url: str, **kwargs):
        # Each request gets an app context of its own, as in production: ``g`` (the logged-in user,
        # the CSRF token) and the database session do not leak from the test or between browsers
        from tracker.extensions import db

        db.session.expire_all()
        with self.client.application.app_context():
            response = getattr(self.client, method)(url, **kwargs)
        db.session.expire_all()
        self._remember_token(response)
        return response

    def get(self, url: str, **kwargs):
        return self._request("get", url, **kwargs)

    def _remember_token(self, response) -> None:
        if response.mimetype == "text/html":
            match = self._TOKEN.search(response.get_data(as_text=True))
            if match:
                self.token = match.group(1) or match.group(2)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, token_from: str | None = None, **kwargs):
        data = dict(data or {})
        if csrf:
            if token_from or self.token is None:
                self.get(token_from or "/login")
            data.setdefault("csrf_token", self.token)
        return self._request("post", url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        self.token = None
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})


@pytest.fixture
def browser(app) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def make_browser(app):
    return lambda: Browser(app.test_client())


@pytest.fixture
def agency(db):
    from tracker.agencies.models import Agency

    def get(code: str) -> Agency:
        return db.session.scalar(sa.select(Agency).where(Agency.code == code))

    return get


@pytest.fixture
def make_user(db, clock, agency):
    from tracker.accounts.operations import create_user

    def make(role: str, agency_code: str | None = None, email: str | None = None):
        email = email or f"{role}.{(agency_code or 'tinh').lower()}.{uuid.uuid4().hex[:6]}@example.org"
        user = create_user(
            email=email,
            full_name=f"Người dùng {role}",
            role=role,
            agency=agency(agency_code) if agency_code else None,
            password=PASSWORD,
            by=None,
            now=clock.now(),
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def logged_in(make_user, make_browser):
    """A browser logged in as a new user of ``role`` (and agency)."""

    def login(role: str, agency_code: str | None = None):
        user = make_user(role, agency_code)
        browser = make_browser()
        response = browser.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser, user

    return login


from tests.mailbox import smtp  # noqa: E402, F401 (the fixture, for every test)
