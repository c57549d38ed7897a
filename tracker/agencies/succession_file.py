"""A succession file: a province's reorganisation as data, applied on a date in one transaction.

The format (JSON, UTF-8; see README "Agencies change" and data/successions/2025_departments.json):

    {
      "title": "…",
      "agencies": [{"code", "name", "short_name", "kind", "aliases": [...]}],   successors to create if missing
      "changes": [
        {"kind": "rename" | "merger" | "split" | "transfer",
         "from": [codes], "to": [codes, the first the default],
         "rules": {code: [words of a task's content that send it to that successor]},
         "users": "move" | "disable",
         "note": "…"}
      ]
    }

A split sends each task of the unit to the first successor whose words its content holds, else to the default; a
transfer moves only the tasks its words name, and the unit goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from tracker.agencies.models import Agency, AgencyKind, SuccessionKind
from tracker.agencies.names import normalize_name
from tracker.agencies.operations import AgencyError, save_agency
from tracker.agencies.successions import SuccessionResult, SuccessionSpec, apply_succession
from tracker.extensions import db
from tracker.plans.models import Assignment, Task

KINDS = {k.value for k in SuccessionKind}


class SuccessionFileError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Change:
    kind: str
    sources: list[str]
    targets: list[str]
    rules: dict[str, list[str]]
    users: str
    note: str


@dataclass
class SuccessionFile:
    title: str
    agencies: list[dict[str, Any]]
    changes: list[Change]


def read_succession_file(data: bytes) -> SuccessionFile:
    """Parse and check the file's shape (SuccessionFileError with every problem, by change number)."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SuccessionFileError([f"Tệp không phải JSON UTF-8 hợp lệ: {error}."]) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("changes"), list) or not raw["changes"]:
        raise SuccessionFileError(["Tệp cần mục “changes”: danh sách các thay đổi."])
    problems: list[str] = []
    agencies = raw.get("agencies") or []
    for number, row in enumerate(agencies, start=1):
        if not isinstance(row, dict) or not row.get("code") or not row.get("name"):
            problems.append(f"Đơn vị mới {number}: cần “code” và “name”.")
        elif row.get("kind", "department") not in {k.value for k in AgencyKind}:
            problems.append(f"Đơn vị mới {number}: loại “{row.get('kind')}” không hợp lệ.")
    changes = []
    for number, row in enumerate(raw["changes"], start=1):
        if not isinstance(row, dict):
            problems.append(f"Thay đổi {number}: không đúng dạng.")
            continue
        kind = row.get("kind")
        sources, targets = row.get("from") or [], row.get("to") or []
        rules = row.get("rules") or {}
        if kind not in KINDS:
            problems.append(f"Thay đổi {number}: loại “{kind}” không hợp lệ (rename, merger, split, transfer).")
        if not sources or not targets or not all(isinstance(c, str) for c in [*sources, *targets]):
            problems.append(f"Thay đổi {number}: cần “from” và “to” là danh sách mã đơn vị.")
            continue
        if not isinstance(rules, dict) or not all(isinstance(v, list) for v in rules.values()):
            problems.append(f"Thay đổi {number}: “rules” là mã đơn vị kế thừa → danh sách từ ngữ.")
            continue
        unknown = [code for code in rules if code not in targets]
        if unknown:
            problems.append(f"Thay đổi {number}: “rules” nêu đơn vị không có trong “to”: {', '.join(unknown)}.")
        if kind == SuccessionKind.TRANSFER and not rules:
            problems.append(f"Thay đổi {number}: chuyển giao nhiệm vụ cần “rules” nêu nhiệm vụ nào chuyển.")
        changes.append(
            Change(
                kind=kind,
                sources=[c.strip().upper() for c in sources],
                targets=[c.strip().upper() for c in targets],
                rules={code.strip().upper(): [str(w) for w in words] for code, words in rules.items()},
                users=row.get("users", "move"),
                note=str(row.get("note", "")),
            )
        )
    if problems:
        raise SuccessionFileError(problems)
    return SuccessionFile(title=str(raw.get("title", "")), agencies=agencies, changes=changes)


def apply_succession_file(
    plan: SuccessionFile, *, on: date, by, now: datetime
) -> tuple[list[str], list[tuple[Change, SuccessionResult | None]]]:
    """Create the missing successors and apply every change as of ``on``, in the caller's transaction (one
    transaction for the file: the caller commits, or rolls back on SuccessionFileError). Returns the codes of the
    agencies created and each change's result (None for a transfer whose words name no task)."""
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    created = []
    for row in plan.agencies:
        code = row["code"].strip().upper()
        if code in existing:
            continue
        try:
            existing[code] = save_agency(
                None,
                code=code,
                name=row["name"],
                short_name=row.get("short_name", ""),
                kind=row.get("kind", "department"),
                parent_id=None,
                notice_emails=row.get("notice_emails", []),
                head_email=row.get("head_email", ""),
                active_from=on,
                active_to=None,
                successor_id=None,
                aliases=row.get("aliases", []),
                by=by,
                now=now,
            )
        except AgencyError as error:
            raise SuccessionFileError(
                [f"Đơn vị mới {code}: {m}" for ms in error.errors.values() for m in ms]
            ) from error
        created.append(code)
    db.session.flush()
    results = []
    for number, change in enumerate(plan.changes, start=1):
        missing = [code for code in [*change.sources, *change.targets] if code not in existing]
        if missing:
            raise SuccessionFileError([f"Thay đổi {number}: không có đơn vị mã {', '.join(missing)}."])
        sources = [existing[code] for code in change.sources]
        targets = [existing[code] for code in change.targets]
        choices = choices_by_rules(sources, {existing[c].id: words for c, words in change.rules.items()})
        if change.kind == SuccessionKind.TRANSFER and not choices:
            results.append((change, None))  # no task of the unit has the transfer's words: nothing to move
            continue
        spec = SuccessionSpec(
            kind=change.kind,
            effective_on=on,
            sources=sources,
            targets=targets,
            choices=choices,
            users=change.users,
            note=change.note,
        )
        try:
            results.append((change, apply_succession(spec, by=by, now=now)))
        except AgencyError as error:
            messages = [m for ms in error.errors.values() for m in ms]
            raise SuccessionFileError(
                [f"Thay đổi {number} ({change.note or change.kind}): {m}" for m in messages]
            ) from error
    return created, results


def choices_by_rules(sources: list[Agency], rules: dict[int, list[str]]) -> dict[int, int]:
    """Each task of the units whose content holds a rule's words → that rule's successor (the first that matches)."""
    if not rules:
        return {}
    words = [(agency_id, normalize_name(w)) for agency_id, ws in rules.items() for w in ws if normalize_name(w)]
    tasks = db.session.execute(
        select(Task.id, Task.content)
        .where(Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id.in_([a.id for a in sources]))))
        .order_by(Task.id)
    )
    choices = {}
    for task_id, content in tasks:
        text = f" {normalize_name(content)} "
        for agency_id, word in words:
            if f" {word} " in text:
                choices[task_id] = agency_id
                break
    return choices
