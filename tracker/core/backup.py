"""`tracker db backup PATH` and `tracker db restore PATH`: a copy of the whole database, taken while the app serves.

SQLite: its online backup API (a consistent copy page by page, writers wait only briefly). PostgreSQL: pg_dump's
custom format and pg_restore, when the client tools are installed (Debian: `apt-get install postgresql-client`).
A restore replaces everything in the database with the copy: stop the app and the scheduler first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


class BackupError(click.ClickException):
    pass


def _sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.database or url.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu trong bộ nhớ: không có gì để sao lưu.")
    return Path(url.database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Không tìm thấy {name}: hãy cài công cụ PostgreSQL (Debian: apt-get install postgresql-client)."
        )
    return found


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """libpq's connection options for the database's URL; the password in the environment, not the command line."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    options = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--dbname", url.database or ""]
    if url.username:
        options += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    return options, env


def _dialect() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """SQLite's online backup API: a consistent copy, page by page, whatever writes meanwhile."""
    source = sqlite3.connect(source_path)
    try:
        source.execute("PRAGMA schema_version").fetchone()  # a SQLite database, or an error now
        target = sqlite3.connect(target_path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source_path} không phải cơ sở dữ liệu SQLite.") from error
    finally:
        source.close()


def _pg(tool: str, *arguments: str, failure: str) -> None:
    """Run pg_dump or pg_restore on the database's URL; ``failure`` and the tool's last words if it fails."""
    options, env = _pg_environment()
    done = subprocess.run(  # noqa: S603 - the PostgreSQL tool with our own arguments
        [_pg_tool(tool), *arguments, *options], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise BackupError(f"{failure}: {done.stderr.strip()[-500:]}")


def backup_database(path: Path) -> None:
    if _dialect() == "sqlite":
        _sqlite_copy(_sqlite_path(), path)
    else:
        _pg("pg_dump", "--format=custom", "--no-owner", "--file", str(path), failure="pg_dump không sao lưu được")


def restore_database(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"Không có tệp {path}.")
    from tracker.extensions import db

    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the database while it is replaced
    if _dialect() == "sqlite":
        _sqlite_copy(path, _sqlite_path())
    else:
        _pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(path),
            failure="pg_restore không khôi phục được (cơ sở dữ liệu giữ nguyên)",
        )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the whole database to PATH, while the app serves."""
    backup_database(path)
    click.echo(f"Đã sao lưu cơ sở dữ liệu vào {path} ({path.stat().st_size // 1024:,} KB).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the database's content is replaced by the copy")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the copy at PATH (stop the app and the scheduler first)."""
    if not yes:
        click.confirm("Toàn bộ dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Tiếp tục?", abort=True)
    restore_database(path)
    click.echo(f"Đã khôi phục cơ sở dữ liệu từ {path}.")


def register(app) -> None:
    """The two commands under Flask-Migrate's `tracker db` group."""
    from flask_migrate.cli import db as db_group

    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
