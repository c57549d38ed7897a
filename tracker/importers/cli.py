"""`tracker import-plan`: import an appendix from a file, as the upload page does."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from tracker.agencies.cli import alias_index


@click.command("import-plan")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--year", type=int, help="The plan year, when the document does not say it")
@click.option("--dry-run", is_flag=True, help="Only read and print; write nothing")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed plan as JSON")
@click.option("--draft", is_flag=True, help="Keep the plan as a draft (not tracked, no reminders) until activated")
@with_appcontext
def import_plan_command(path: str, year: int | None, dry_run: bool, as_json: bool, draft: bool) -> None:
    """Import a plan's appendix (.docx, .xlsx, .csv, tab-separated .txt)."""
    from tracker.core import clock
    from tracker.extensions import db
    from tracker.importers.operations import save_parsed_plan
    from tracker.importers.pipeline import build_plan
    from tracker.importers.readers import ReadError, read_path

    try:
        parsed = build_plan(read_path(path), alias_index(), year=year)
    except ReadError as error:
        click.echo(f"{path}: {error}", err=True)
        sys.exit(2)
    output = parsed.to_json()
    if not dry_run:
        plan = save_parsed_plan(parsed, by=None, now=clock.now(), overrides={"status": "draft" if draft else "active"})
        db.session.commit()
        output["plan"] = {**output["plan"], "id": plan.id}
    if as_json:
        click.echo(json.dumps(output, ensure_ascii=False, default=str))
    else:
        flagged = sum(1 for t in parsed.tasks if t.flags)
        action = "Đọc" if dry_run else "Đã nhập"
        click.echo(f"{action} {len(parsed.tasks)} nhiệm vụ, {len(parsed.sections)} mục; {flagged} cần kiểm tra.")
        for note in parsed.plan.get("notes", {}).values():  # what the document left blank, for the office
            click.echo(f"Thông tin văn bản: {note}")


@click.command("parse-import", hidden=True)
@click.argument("draft_id", type=int)
@with_appcontext
def parse_import_command(draft_id: int) -> None:
    """Read an uploaded appendix's draft (started by the upload page for a large file)."""
    from tracker.importers.drafts import parse_draft

    parse_draft(draft_id)


COMMANDS = [import_plan_command, parse_import_command]
