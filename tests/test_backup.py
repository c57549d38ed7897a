"""`tracker db backup` and `tracker db restore` (issue 11, part 5): a round trip gives back every table, row for row,
on SQLite and on PostgreSQL; a file that is no backup changes nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import make_app
from tracker.extensions import db


def _snapshot() -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table.name: sorted(tuple(str(v) for v in row) for row in connection.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }


def test_a_backup_restored_gives_back_every_table(fresh_database_url, tmp_path):
    from tracker.accounts.operations import create_user
    from tracker.agencies.directory import load_directory, read_directory
    from tracker.agencies.models import AgencyAlias
    from tracker.core import clock
    from tracker.deadlines.models import CalendarOverride

    app = make_app(fresh_database_url, tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        load_directory(read_directory(), demo_emails=True)
        create_user(
            email="vanphong@example.org",
            full_name="Văn phòng",
            role="monitor",
            agency=None,
            password="mat-khau-thu-nghiem-1",
            by=None,
            now=clock.now(),
        )
        db.session.add(CalendarOverride(day=date(2024, 4, 27), is_working_day=True, note="Làm bù"))
        db.session.commit()
        before = _snapshot()
        assert len(before["agencies"]) > 40 and before["users"] and before["calendar_overrides"]
        db.session.remove()

        backup = tmp_path / "sao-luu.bak"
        result = runner.invoke(args=["db", "backup", str(backup)])
        assert result.exit_code == 0, result.output
        assert "Đã sao lưu" in result.output and backup.stat().st_size > 0

        db.session.execute(sa.delete(AgencyAlias))
        db.session.execute(sa.delete(CalendarOverride))
        db.session.commit()
        assert _snapshot() != before
        db.session.remove()

        not_a_backup = tmp_path / "khong-phai.bak"
        not_a_backup.write_bytes(b"day khong phai ban sao luu")
        refused = runner.invoke(args=["db", "restore", str(not_a_backup), "--yes"])
        assert refused.exit_code != 0
        changed = _snapshot()
        assert changed["calendar_overrides"] == []  # the failed restore left the database as it was

        result = runner.invoke(args=["db", "restore", str(backup), "--yes"])
        assert result.exit_code == 0, result.output
        assert _snapshot() == before
        db.session.remove()
        db.engine.dispose()
