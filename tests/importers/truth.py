"""The three seed appendices against ``../shared/seeds/truth.json`` (a careful person's reading), field by field.

``python -m tests.importers.truth`` prints the share of agreeing fields per seed and per field, and with ``-v``
every field that differs. ``tests/importers/test_truth.py`` holds the share.

Conventions that map the importer's shape onto the reading's (nothing else is forgiven):
- a "-" bullet printed in the content column: the reading keeps number "" and the dash in the content, the importer
  numbers it "-" and keeps the dash in its raw cell;
- the reading's deadline cell is the row's own ("" when inherited); its schedule is the one in force;
- spaces inside parentheses and around line breaks are not compared ("( đối với … )");
- section: the numbers of the ancestor rows, the parent task included;
- agencies: canonical names, group codes, and ``OTHER:<text>`` for a body the directory does not hold.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
TRUTH = SEEDS / "truth.json"
TASK_FIELDS = ("number", "content", "lead", "coordinators", "deadline_text", "kind", "due_dates", "section")
INDICATOR_FIELDS = ("number", "content", "unit", "target_value", "lead", "coordinators")


def _text(value: str) -> str:
    value = re.sub(r"\s+", " ", value or "").strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", value))


def _names(resolution: dict | object) -> list[str]:
    data = resolution if isinstance(resolution, dict) else resolution.to_json()
    return sorted([*data["agencies"], *data["groups"], *(f"OTHER:{u}" for u in data["unresolved"])])


def _section_numbers(plan, task) -> list[str]:
    by_key = {s.key: s for s in plan.sections}
    numbers: list[str] = []
    key = task.section_key
    while key:
        numbers.insert(0, by_key[key].number)
        key = by_key[key].parent_key
    if task.parent_index is not None:
        numbers.append(plan.tasks[task.parent_index].number)
    return numbers


def task_fields(plan, task) -> dict:
    # a dash printed in the content column, not in the number column
    bullet = task.number == "-" and not task.raw.get("number", "").strip()
    return {
        "number": "" if bullet else task.number,
        "content": _text(f"- {task.content}" if bullet else task.content),
        "lead": _names(task.lead),
        "coordinators": _names(task.coordinators),
        "deadline_text": "" if task.deadline_inherited else _text(task.deadline_text),
        "kind": task.schedule.kind,
        "due_dates": [d.isoformat() for d in task.schedule.due_dates],
        "section": _section_numbers(plan, task),
    }


def truth_fields(row: dict) -> dict:
    return {
        "number": row["number"],
        "content": _text(re.sub(r"^-\s*", "- ", row["content"])),
        "lead": sorted(row["lead"]),
        "coordinators": sorted(row["coordinators"]),
        "deadline_text": _text(row["deadline_text"]),
        "kind": row["schedule"]["kind"],
        "due_dates": row["schedule"]["due_dates"],
        "section": row["section"],
    }


def indicator_fields(row: dict, *, truth: bool) -> dict:
    if truth:
        lead, coordinators = sorted(row["lead"]), sorted(row["coordinators"])
    else:
        lead, coordinators = _names(row["lead"]), _names(row["coordinators"])
    return {
        "number": row["number"],
        "content": _text(row["content"]),
        "unit": row["unit"],
        "target_value": row["target_value"],
        "lead": lead,
        "coordinators": coordinators,
    }


def compare() -> tuple[dict[str, Counter], list[str]]:
    """(per seed: counts of 'field' and 'field ok', the differences as lines)."""
    from tracker.agencies.directory import read_directory
    from tracker.agencies.resolver import AliasIndex
    from tracker.importers.pipeline import build_plan
    from tracker.importers.readers import read_path

    index = AliasIndex.from_directory(read_directory())
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    counts: dict[str, Counter] = {}
    differences: list[str] = []
    for name, reading in truth.items():
        plan = build_plan(read_path(SEEDS / name), index)
        count = counts.setdefault(name, Counter())
        count["task_count"] += 1
        count["task_count ok"] += len(plan.tasks) == reading["task_count"]
        missing_tasks = abs(len(plan.tasks) - len(reading["tasks"]))
        missing_indicators = abs(len(plan.indicators) - len(reading["indicators"]))
        # (fields, expected, got); a missing row counts all its fields wrong
        rows = [
            (TASK_FIELDS, truth_fields(row), task_fields(plan, task))
            for row, task in zip(reading["tasks"], plan.tasks, strict=False)
        ]
        rows += [(TASK_FIELDS, None, None)] * missing_tasks
        rows += [
            (INDICATOR_FIELDS, indicator_fields(row, truth=True), indicator_fields(got, truth=False))
            for row, got in zip(reading["indicators"], plan.indicators, strict=False)
        ]
        rows += [(INDICATOR_FIELDS, None, None)] * missing_indicators
        for i, (fields, expected, got) in enumerate(rows):
            for key in fields:
                count[key] += 1
                if expected is not None and got is not None and expected[key] == got[key]:
                    count[f"{key} ok"] += 1
                else:
                    where = f"{name[:3]} row {i} ({expected and expected['number']!r})"
                    differences.append(
                        f"{where} {key}:\n    truth: {expected and expected[key]!r}\n    got:   {got and got[key]!r}"
                    )
    return counts, differences


def share(counts: dict[str, Counter]) -> float:
    total = sum(v for c in counts.values() for k, v in c.items() if not k.endswith(" ok"))
    ok = sum(v for c in counts.values() for k, v in c.items() if k.endswith(" ok"))
    return ok / total


def main() -> None:
    counts, differences = compare()
    if "-v" in sys.argv:
        print("\n".join(differences))
    for name, count in counts.items():
        total = sum(v for k, v in count.items() if not k.endswith(" ok"))
        ok = sum(v for k, v in count.items() if k.endswith(" ok"))
        print(f"{name}: {ok}/{total} fields agree ({ok / total:.1%})")
    fields = sorted({k for c in counts.values() for k in c if not k.endswith(" ok")})
    for key in fields:
        total = sum(c[key] for c in counts.values())
        ok = sum(c[f"{key} ok"] for c in counts.values())
        print(f"  {key:14} {ok}/{total}")
    print(f"all seeds: {share(counts):.1%}")


if __name__ == "__main__":
    main()
