"""The one Alembic history upgrades an empty database to the models' schema, and downgrades."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tracker.extensions import db


def test_upgrade_matches_the_models_and_downgrade_empties(fresh_database_url, tmp_path):
    app = make_app(fresh_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables

        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}

        upgrade()  # and up again, from base
        with db.engine.connect() as conn:
            assert "due_items" in sa.inspect(conn).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'wal.db'}", tmp_path)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    with app.app_context():
        db.engine.dispose()


def test_an_upgrade_waits_a_bounded_time_for_a_busy_table_and_then_changes_nothing(fresh_database_url, tmp_path, capfd):
    """`tracker db upgrade` while the app serves: a request holding a table makes the upgrade stop in time (pages
    never queue behind its lock), with the schema as it was; run again once the table is free, it completes."""
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's lock_timeout; SQLite's writers wait on busy_timeout and DDL takes the file's lock")
    app = make_app(fresh_database_url, tmp_path, MIGRATION_LOCK_TIMEOUT_MS=300)
    with app.app_context():
        upgrade(revision="8a41c6d2e7f3")  # the next migration alters reminder_stages
        request_engine = sa.create_engine(fresh_database_url)
        with request_engine.connect() as request:
            request.execute(sa.text("SELECT count(*) FROM reminder_stages"))  # a request mid-transaction
            with pytest.raises(SystemExit):
                upgrade()
            request.rollback()
        request_engine.dispose()
        assert "chưa nâng cấp gì" in capfd.readouterr().err  # the command's message
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "8a41c6d2e7f3"
            inspector = sa.inspect(conn)
            assert "run_id" not in {c["name"] for c in inspector.get_columns("reminder_stages")}
            assert "data_versions" not in inspector.get_table_names()
        upgrade()
        with db.engine.connect() as conn:
            assert "data_versions" in sa.inspect(conn).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_postgresql_connections_follow_the_pool_settings(fresh_database_url, tmp_path):
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connections to pool")
    app = make_app(fresh_database_url, tmp_path, DATABASE_POOL_SIZE=3, DATABASE_MAX_OVERFLOW=2)
    with app.app_context():
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (3, 2)
        assert db.engine.pool._pre_ping
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "tracker"
        db.engine.dispose()


def test_the_app_recovers_when_postgresql_drops_its_connections(fresh_database_url, tmp_path):
    """Issue 11, part 2: a PostgreSQL restart ends every connection of the pool; the next request checks its
    connection first (pool_pre_ping), opens a new one and answers as before."""
    from tests.conftest import PASSWORD, Browser
    from tracker.accounts.operations import create_user
    from tracker.core import clock

    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's restart; SQLite has no server")
    app = make_app(fresh_database_url, tmp_path)
    with app.app_context():
        upgrade()
        create_user(
            email="vp@example.org",
            full_name="VP",
            role="monitor",
            agency=None,
            password=PASSWORD,
            by=None,
            now=clock.now(),
        )
        db.session.commit()
        browser = Browser(app.test_client())
        assert browser.login("vp@example.org").status_code == 302
        assert browser.get("/items").status_code == 200
        db.session.remove()
        server = sa.create_engine(fresh_database_url)
        with server.connect() as admin:
            ended = admin.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = 'tracker'"
                )
            ).scalar()
        server.dispose()
        assert ended >= 1  # the pool's connections are gone, as after a restart
        assert browser.get("/items").status_code == 200
        assert browser.get("/plans").status_code == 200
        db.session.remove()
        db.engine.dispose()
