"""`tracker agencies`: read agency cells and load the directory."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.group("agencies")
def agencies_group() -> None:
    """The agency directory."""


@agencies_group.command("resolve")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with TEXT '-')")
@with_appcontext
def agencies_resolve(text: str, as_json: bool) -> None:
    """Read a lead or coordinator cell; TEXT '-' reads one cell per line from standard input."""
    from tracker.agencies.resolver import resolve_cell

    index = alias_index()
    cells = [line.rstrip("\r\n") for line in sys.stdin] if text == "-" else [text]
    for cell in cells:
        result = resolve_cell(cell, index).to_json()
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            parts = [*result["agencies"], *result["groups"], *(f"?{u}" for u in result["unresolved"])]
            click.echo(f"{cell}: {'; '.join(parts) or '—'}")


@agencies_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def agencies_load(path: str) -> None:
    """Create or update agencies from a CSV (code,name,short_name,kind,parent_code,notice_emails,head_email,
    active_from,aliases); every row checked, nothing written if one is wrong."""
    from pathlib import Path

    from tracker.agencies.loader import LoadError, load_agencies_csv
    from tracker.core import clock
    from tracker.extensions import db

    try:
        count = load_agencies_csv(Path(path).read_bytes(), by=None, now=clock.now())
    except LoadError as error:
        db.session.rollback()
        for message in error.messages:
            click.echo(message, err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"Đã cập nhật {count} cơ quan, đơn vị.")


def alias_index():
    """The database's directory; the shipped one when the database has none yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.agencies.directory import read_directory
    from tracker.agencies.resolver import AliasIndex

    try:
        index = AliasIndex.from_database()
    except SQLAlchemyError:
        index = None
    if index is None or not index.display:
        index = AliasIndex.from_directory(read_directory())
    return index


COMMANDS = [agencies_group]
