"""Real appendices from other provinces and ministries, written as .xlsx and .docx: one task per ROW."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers.builders import write_docx, write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_bytes

PARSED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "tables" / "parsed"
TABLES = sorted(p.name for p in PARSED.glob("*.tsv")) if PARSED.exists() else []


def load(name: str) -> tuple[list[list[str]], int]:
    """The table's rows as an office would type them, and how many task rows it has."""
    lines = (PARSED / name).read_text(encoding="utf-8").splitlines()
    cells = [line.split("\t") for line in lines]
    if cells[0][0] == "row_type":
        rows = [c[1:] for c in cells[1:]]
        kinds = [c[0] for c in cells[1:]]
        tasks = kinds.count("ROW")
        # a SECTION's title is typed across the table, in its first cell
        rows = [
            [" ".join(x for x in r if x.strip())] if k == "SECTION" else r for r, k in zip(rows, kinds, strict=True)
        ]
        return rows, tasks
    tasks = sum(1 for c in cells[2:] if c[0].strip().rstrip(".").isdigit())
    return cells, tasks


@pytest.mark.skipif(not TABLES, reason=f"{PARSED} is absent (the corpus lives in ../shared)")
@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("writer", [write_xlsx, write_docx], ids=["xlsx", "docx"])
def test_one_task_per_row_with_its_deadline_parsed(name, writer, tmp_path):
    rows, expected = load(name)
    path = writer(rows, tmp_path / (name + (".xlsx" if writer is write_xlsx else ".docx")))
    plan = build_plan(read_bytes(path.read_bytes(), path.name), AliasIndex.from_directory(read_directory()), year=2025)
    assert len(plan.tasks) == expected
    for task in plan.tasks:
        assert task.content
        if task.deadline_text:
            assert task.schedule.kind != "unknown" or task.schedule.needs_review, task.deadline_text
    dated = [t for t in plan.tasks if t.schedule.due_dates]
    assert dated or all(not t.deadline_text for t in plan.tasks)


def test_the_corpus_has_its_eight_tables():
    if not TABLES:
        pytest.skip(f"{PARSED} is absent (the corpus lives in ../shared)")
    assert len(TABLES) == 8
