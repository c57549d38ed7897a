"""`tracker parse-deadline`: read a Vietnamese deadline as the importer does."""

from __future__ import annotations

import json
import sys

import click


@click.command("parse-deadline")
@click.argument("text")
@click.option("--year", type=int, help="The plan year (for texts without one, and the period of recurring duties)")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per line with TEXT '-')")
def parse_deadline_command(text: str, year: int | None, as_json: bool) -> None:
    """Read a Vietnamese deadline; TEXT '-' reads one per line from standard input."""
    from tracker.deadlines.parser import parse_deadline

    texts = [line.rstrip("\r\n") for line in sys.stdin] if text == "-" else [text]
    for item in texts:
        schedule = parse_deadline(item, year)
        if as_json:
            click.echo(json.dumps(schedule.to_json(), ensure_ascii=False))
        else:
            dates = ", ".join(d.strftime("%d/%m/%Y") for d in schedule.due_dates) or "—"
            review = " (cần kiểm tra)" if schedule.needs_review else ""
            click.echo(f"{item}: {schedule.kind}; {dates}{review}")


COMMANDS = [parse_deadline_command]
