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
    from tracker.agencies.loader import load_agencies_csv

    _load(path, load_agencies_csv, "cơ quan, đơn vị")


@agencies_group.command("load-communes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def agencies_load_communes(path: str) -> None:
    """Create or update the communes, wards and towns of a CSV (code,name,district_code,active_from,active_to,
    successor_code,aliases,notice_emails); every row checked, nothing written if one is wrong."""
    from tracker.agencies.loader import load_communes_csv

    _load(path, load_communes_csv, "xã, phường, thị trấn")


def _load(path: str, loader, what: str) -> None:
    """Run a CSV loader in one transaction: every row, or none and each problem printed (exit 2)."""
    from pathlib import Path

    from tracker.agencies.loader import LoadError
    from tracker.core import clock
    from tracker.extensions import db

    try:
        count = loader(Path(path).read_bytes(), by=None, now=clock.now())
    except LoadError as error:
        db.session.rollback()
        for message in error.messages:
            click.echo(message, err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"Đã cập nhật {count} {what}.")


@agencies_group.command("apply-succession")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--on", "on", required=True, help="The first day the successors carry the work (YYYY-MM-DD)")
@click.option("--dry-run", is_flag=True, help="Show what would move; change nothing")
@click.option("--verbose", "-v", is_flag=True, help="List every task that moves (else the first 10 of each change)")
@with_appcontext
def agencies_apply_succession(path: str, on: str, dry_run: bool, verbose: bool) -> None:
    """Apply a succession file (a reorganisation: renames, mergers, splits, transfers) as of a date, in one
    transaction: every change or none."""
    from datetime import date
    from pathlib import Path

    from tracker.agencies.succession_file import SuccessionFileError, apply_succession_file, read_succession_file
    from tracker.core import clock
    from tracker.extensions import db

    try:
        day = date.fromisoformat(on)
    except ValueError:
        click.echo(f"--on {on}: ngày phải theo dạng YYYY-MM-DD.", err=True)
        sys.exit(2)
    try:
        plan = read_succession_file(Path(path).read_bytes())
        created, results = apply_succession_file(plan, on=day, by=None, now=clock.now())
    except SuccessionFileError as error:
        db.session.rollback()
        for message in error.messages:
            click.echo(message, err=True)
        click.echo("Không thay đổi gì.", err=True)
        sys.exit(2)
    click.echo(
        f"Áp dụng từ ngày {day:%d/%m/%Y}: {plan.title or path}{' (chạy thử: không thay đổi gì)' if dry_run else ''}"
    )
    if created:
        click.echo(f"Đơn vị mới: {', '.join(created)}")
    for change, result in results:
        if result is None:
            click.echo(
                f"- Chuyển giao: {', '.join(change.sources)} → {', '.join(change.targets)}: không nhiệm vụ nào khớp"
            )
            continue
        succession = result.succession
        click.echo(
            f"- {succession.kind_label}: {', '.join(change.sources)} → {', '.join(change.targets)}: "
            f"chuyển {result.moved} mục đang thực hiện, gộp {result.merged} mục cùng hạn, "
            f"giữ {result.kept} mục đã hoàn thành; "
            f"tài khoản: chuyển {result.users_moved}, khóa {result.users_disabled}"
        )
        shown = [line for line in result.lines if line.moved or line.merged]
        for line in shown if verbose else shown[:10]:
            click.echo(f"    {line.plan_reference} · {line.task_label[:70]}: {line.from_name} → {line.to_name}")
        if not verbose and len(shown) > 10:
            click.echo(f"    … và {len(shown) - 10} nhiệm vụ khác (--verbose để xem hết)")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


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
