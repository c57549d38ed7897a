"""The one Alembic history upgrades an empty database to the models' schema, and downgrades."""

from __future__ import annotations

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
