"""Successions: on a date units end and their open work passes to their successors.

A rename (A → A'), a merger (A, B → C) or a split (A → B for some tasks, C for others, with a default). From the
date the units' open items (every state but accepted) pass to the successor; accepted ones stay with the unit that
did them. A task keeps one assignment per unit and role: two merged leads become one, and two items of one due date
become one (the more advanced stays; the other's files, evidence, extension requests and notices follow it). Every
move is an ItemMove (the reports read it to show the old unit as of a day before) and an audit event.

Applied in the caller's transaction: a preview applies and rolls back, so it shows exactly what the commit does.
A succession is reverted while none of the items it moved has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, case, delete, func, insert, select

from tracker.accounts.models import User
from tracker.agencies.models import Agency, ItemMove, Succession, SuccessionKind, succession_agencies
from tracker.agencies.operations import AgencyError
from tracker.core.db import UTCDateTime
from tracker.core.models import AuditEvent, record_audit
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, ItemState, Plan, Task, plan_reference
from tracker.workflow.models import EvidenceDocument, ExtensionRequest, ExtensionState, ItemFile, UserNotice

#: Rows that belong to an item and follow it when it is merged into the successor's item of the same due date
ITEM_ROWS = (ItemFile, EvidenceDocument, ExtensionRequest, UserNotice)
#: How far an item has gone: the more advanced of two merged items stays
ADVANCE = {
    ItemState.OPEN.value: 0,
    ItemState.RETURNED.value: 1,
    ItemState.REPORTED.value: 2,
    ItemState.ACCEPTED.value: 3,
}


@dataclass
class SuccessionSpec:
    kind: str
    effective_on: date
    sources: list[Agency]
    #: The successors; the first is the default (a split's tasks go to it unless ``choices`` says otherwise)
    targets: list[Agency]
    #: A split's choice per task: task id → successor id
    choices: dict[int, int] = field(default_factory=dict)
    #: The accounts of the units that end: "move" (to the default successor) or "disable"
    users: str = "move"
    note: str = ""


@dataclass
class MoveLine:
    """What happens to one unit's part in one task."""

    task_id: int
    task_label: str
    plan_reference: str
    role: str
    from_name: str
    to_name: str
    moved: int = 0
    kept: int = 0
    merged: int = 0


@dataclass
class SuccessionResult:
    succession: Succession
    lines: list[MoveLine]
    users_moved: int = 0
    users_disabled: int = 0

    @property
    def moved(self) -> int:
        return sum(line.moved for line in self.lines)

    @property
    def kept(self) -> int:
        return sum(line.kept for line in self.lines)

    @property
    def merged(self) -> int:
        return sum(line.merged for line in self.lines)


def check_spec(spec: SuccessionSpec) -> dict[str, list[str]]:
    """Every reason the succession cannot be applied, per field."""
    errors: dict[str, list[str]] = {}
    if spec.kind not in {k.value for k in SuccessionKind}:
        errors.setdefault("kind", []).append("Loại thay đổi không hợp lệ.")
    if not spec.sources:
        errors.setdefault("sources", []).append("Vui lòng chọn đơn vị kết thúc hoạt động.")
    if not spec.targets:
        errors.setdefault("targets", []).append("Vui lòng chọn đơn vị kế thừa.")
    if spec.kind == SuccessionKind.RENAME and (len(spec.sources) > 1 or len(spec.targets) > 1):
        errors.setdefault("kind", []).append("Đổi tên là một đơn vị thành một đơn vị.")
    if spec.kind == SuccessionKind.MERGER and len(spec.targets) > 1:
        errors.setdefault("targets", []).append("Hợp nhất, sáp nhập có một đơn vị kế thừa.")
    if spec.kind in (SuccessionKind.SPLIT, SuccessionKind.TRANSFER) and len(spec.sources) > 1:
        errors.setdefault("sources", []).append("Chia tách, chuyển giao nhiệm vụ là của một đơn vị.")
    if spec.kind == SuccessionKind.TRANSFER and not spec.choices:
        errors.setdefault("choices", []).append("Vui lòng chọn các nhiệm vụ chuyển giao.")
    if spec.users not in ("move", "disable"):
        errors.setdefault("users", []).append("Vui lòng chọn chuyển hoặc khóa tài khoản.")
    both = {a.id for a in spec.sources} & {a.id for a in spec.targets}
    if both:
        errors.setdefault("targets", []).append("Một đơn vị không thể vừa kết thúc vừa kế thừa.")
    day_before = spec.effective_on - timedelta(days=1)
    if spec.kind != SuccessionKind.TRANSFER:  # a unit ends once: the same change applied again is refused
        already = [f"{a.name} (đến {a.active_to:%d/%m/%Y})" for a in spec.sources if a.active_to is not None]
        if already:
            errors.setdefault("sources", []).append(f"Đã kết thúc hoạt động: {', '.join(already)}.")
    ended = [a.name for a in spec.sources if not a.is_active_on(day_before)]
    if ended:
        errors.setdefault("sources", []).append(f"Không hoạt động vào ngày {day_before:%d/%m/%Y}: {', '.join(ended)}.")
    absent = [a.name for a in spec.targets if not a.is_active_on(spec.effective_on)]
    if absent:
        errors.setdefault("targets", []).append(
            f"Chưa hoặc không hoạt động vào ngày {spec.effective_on:%d/%m/%Y}: {', '.join(absent)}."
        )
    chosen = set(spec.choices.values()) - {a.id for a in spec.targets}
    if chosen:
        errors.setdefault("choices", []).append("Mỗi nhiệm vụ chỉ chuyển cho một trong các đơn vị kế thừa.")
    return errors


def apply_succession(spec: SuccessionSpec, *, by: User | None, now: datetime) -> SuccessionResult:
    """Record the succession and move the work, in the caller's transaction (AgencyError if it cannot be)."""
    errors = check_spec(spec)
    if errors:
        raise AgencyError(errors)
    default = spec.targets[0]
    names = {a.id: a.name for a in [*spec.sources, *spec.targets]}
    succession = Succession(
        kind=spec.kind,
        effective_on=spec.effective_on,
        note=spec.note.strip(),
        users=spec.users,
        state="applied",
        applied_at=now,
        applied_by_id=by.id if by else None,
        undo={},
    )
    db.session.add(succession)
    db.session.flush()
    db.session.execute(
        insert(succession_agencies),
        [
            {"succession_id": succession.id, "agency_id": agency.id, "side": side, "position": position}
            for side, agencies in (("from", spec.sources), ("to", spec.targets))
            for position, agency in enumerate(agencies)
        ],
    )
    source_ids = [a.id for a in spec.sources]
    mover = _Mover(succession, names, source_ids + [a.id for a in spec.targets], source_ids)
    for part in mover.source_parts():
        if spec.kind == SuccessionKind.TRANSFER:
            target = spec.choices.get(part.task_id)  # only the tasks chosen: the unit goes on with the others
        elif spec.kind == SuccessionKind.SPLIT:
            target = spec.choices.get(part.task_id, default.id)
        else:
            target = default.id
        if target is not None:
            mover.hand_over(part, target)
    mover.one_part_per_task()
    mover.write()

    # the units end the day before (not in a transfer); their accounts follow the default successor or are disabled
    ended: dict[str, list] = {}
    accounts: list[list] = []
    result = SuccessionResult(succession, list(mover.lines.values()))
    if spec.kind != SuccessionKind.TRANSFER:
        _end_units(spec, succession, result, ended, accounts, names, by=by, now=now)
    succession.undo = {**mover.undo, "agencies": ended, "users": accounts}
    record_audit(
        succession,
        "succession_applied",
        by=by,
        now=now,
        after={
            "kind": spec.kind,
            "effective_on": spec.effective_on.isoformat(),
            "from": [a.name for a in spec.sources],
            "to": [a.name for a in spec.targets],
            "moved": result.moved,
            "kept": result.kept,
            "merged": result.merged,
            "users": spec.users,
        },
    )
    mover.audit(by=by, now=now)
    db.session.flush()
    db.session.expire_all()  # the items and parts were changed in bulk, under the ORM's feet
    return result


def _end_units(spec, succession, result, ended, accounts, names, *, by, now) -> None:
    """The units end the day before the change; their accounts move to the default successor or are disabled,
    and their sessions end. What they were goes into ``ended`` and ``accounts`` for a revert."""
    default = spec.targets[0]
    for agency in spec.sources:
        ended[str(agency.id)] = [agency.active_to.isoformat() if agency.active_to else None, agency.successor_id]
        agency.active_to = spec.effective_on - timedelta(days=1)
        agency.successor_id = default.id
    users = select(User).where(User.agency_id.in_([a.id for a in spec.sources])).order_by(User.id)
    for user in db.session.scalars(users):
        accounts.append([user.id, user.agency_id, user.is_enabled])
        before = {"agency": names[user.agency_id], "enabled": user.is_enabled}
        if spec.users == "move":
            user.agency_id = default.id
            result.users_moved += 1
        else:
            user.is_enabled = False
            result.users_disabled += 1
        user.session_version += 1  # the old unit's sessions end
        after = {"agency": names[user.agency_id], "enabled": user.is_enabled, "succession": succession.id}
        record_audit(user, "user_succession", by=by, now=now, before=before, after=after)


@dataclass
class _Part:
    """An assignment as the mover sees it: its items as rows (dicts of columns)."""

    id: int | None
    task_id: int
    agency_id: int
    role: str
    via_group: str
    items: list[dict[str, Any]]
    created: bool = False


class _Mover:
    """The moves of one succession, decided in Python on rows read in a few queries and written in bulk: a handful
    of statements whatever the number of items (parts re-pointed or created, items moved or merged)."""

    def __init__(self, succession: Succession, names: dict[int, str], agency_ids: list[int], source_ids: list[int]):
        self.succession = succession
        self.names = names
        self.source_ids = set(source_ids)
        tasks = select(Assignment.task_id).where(Assignment.agency_id.in_(source_ids))
        lead_first = case((Assignment.role == AssignmentRole.LEAD.value, 0), else_=1)
        # subqueries, not lists of ids: a merger of tens of thousands of items stays within the bind-parameter limits
        involved = (Assignment.task_id.in_(tasks), Assignment.agency_id.in_(agency_ids))
        parts = db.session.execute(
            select(Assignment.id, Assignment.task_id, Assignment.agency_id, Assignment.role, Assignment.via_group)
            .where(*involved)
            .order_by(Assignment.task_id, lead_first, Assignment.id)
        ).all()
        self.all_parts = [_Part(p.id, p.task_id, p.agency_id, p.role, p.via_group, []) for p in parts]
        by_id = {p.id: p for p in self.all_parts}
        table = DueItem.__table__
        for row in db.session.execute(
            select(table).where(table.c.assignment_id.in_(select(Assignment.id).where(*involved))).order_by(table.c.id)
        ).mappings():
            by_id[row["assignment_id"]].items.append(dict(row))
        self.labels = {
            t.id: (f"{t.number}. {t.content}" if t.number else t.content, plan_reference(t.doc_kind, t.doc_number))
            for t in db.session.execute(
                select(Task.id, Task.number, Task.content, Plan.doc_kind, Plan.doc_number)
                .join(Plan, Task.plan_id == Plan.id)
                .where(Task.id.in_(tasks))
            )
        }
        #: (task, agency, role) → the successors' parts, as they are and as they are made
        self.parts = {(p.task_id, p.agency_id, p.role): p for p in self.all_parts if p.agency_id not in source_ids}
        self.lines: dict[tuple[int, int, str], MoveLine] = {}
        #: (item, from part, into part, from agency, to agency); merged: (gone, kept, from part, into part, …)
        self.moved: list[tuple[dict, _Part, _Part, int, int]] = []
        self.merged: list[tuple[dict, dict, _Part, _Part, int, int]] = []
        self.repointed: list[tuple[_Part, int]] = []
        #: item id → the part and unit it was in before this succession touched it
        self.origin: dict[int, tuple[_Part, int]] = {}
        self.emptied: list[_Part] = []
        self.moves: list[dict[str, Any]] = []

    def source_parts(self) -> list[_Part]:
        return [p for p in self.all_parts if p.agency_id in self.source_ids]

    def line(self, part: _Part, from_id: int, to_id: int) -> MoveLine:
        key = (part.task_id, from_id, part.role)
        if key not in self.lines:
            label, reference = self.labels[part.task_id]
            self.lines[key] = MoveLine(
                task_id=part.task_id,
                task_label=label,
                plan_reference=reference,
                role=part.role,
                from_name=self.names[from_id],
                to_name=self.names[to_id],
            )
        return self.lines[key]

    def hand_over(self, part: _Part, target: int) -> None:
        """Pass ``part``'s open items to ``target``'s part in the task (the same role, or its lead part)."""
        source = part.agency_id
        open_items = [i for i in part.items if i["state"] != ItemState.ACCEPTED.value]
        line = self.line(part, source, target)
        line.kept = len(part.items) - len(open_items)
        if not open_items:
            return  # completed work stays with the unit that did it
        # a coordinator's part joins the successor's lead part if it has one (one part per unit and task)
        into = self.parts.get((part.task_id, target, AssignmentRole.LEAD.value))
        if into is None and part.role == AssignmentRole.COORDINATOR.value:
            into = self.parts.get((part.task_id, target, part.role))
        if into is None and not line.kept:
            # the whole part passes: the assignment itself changes hands
            self.repointed.append((part, source))
            part.agency_id = target
            self.parts[(part.task_id, target, part.role)] = part
            self.moved.extend((item, part, part, source, target) for item in open_items)
            line.moved += len(open_items)
            return
        if into is None:
            into = _Part(None, part.task_id, target, part.role, part.via_group, [], created=True)
            self.parts[(part.task_id, target, part.role)] = into
        for item in open_items:
            if self.move_item(item, part, into, source, target):
                line.merged += 1
            else:
                line.moved += 1
        if not part.items:
            self.emptied.append(part)

    def move_item(self, item: dict, part: _Part, into: _Part, source: int, target: int) -> bool:
        """Move ``item`` into ``into``; True if it was merged with an item of the same due date there."""
        part.items.remove(item)
        self.origin.setdefault(item["id"], (part, source))
        same = next((x for x in into.items if _key(x) == _key(item)), None)
        if same is None:
            into.items.append(item)
            self.moved.append((item, part, into, source, target))
            return False
        if _advance(item) > _advance(same):
            # the successor's own item is the less advanced: it merges into the one coming in
            into.items.remove(same)
            into.items.append(item)
            first, unit = self.origin.get(same["id"], (into, into.agency_id))
            self.merged.append((same, item, first, into, unit, target))
            self.moved.append((item, part, into, source, target))
        else:
            self.merged.append((item, same, part, into, source, target))
        return True

    def one_part_per_task(self) -> None:
        """A successor that is now lead of a task and was its coordinator keeps one part: the lead's."""
        touched = {(into.task_id, to) for _, _, into, _, to in self.moved} | {
            (into.task_id, to) for *_, into, _, to in self.merged
        }
        for (task_id, agency_id, role), lead in list(self.parts.items()):
            coordinator = self.parts.get((task_id, agency_id, AssignmentRole.COORDINATOR.value))
            if role != AssignmentRole.LEAD.value or coordinator is None or (task_id, agency_id) not in touched:
                continue
            line = self.line(coordinator, agency_id, agency_id)
            for item in [i for i in coordinator.items if i["state"] != ItemState.ACCEPTED.value]:
                if self.move_item(item, coordinator, lead, agency_id, agency_id):
                    line.merged += 1
                else:
                    line.moved += 1
            if not coordinator.items:
                self.emptied.append(coordinator)
                del self.parts[(task_id, agency_id, AssignmentRole.COORDINATOR.value)]

    def write(self) -> None:
        """Write every decision: a few statements each for all the items."""
        items = DueItem.__table__
        created = [p for p in self.parts.values() if p.created]
        if created:
            ids = db.session.scalars(
                insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True),
                [
                    {"task_id": p.task_id, "agency_id": p.agency_id, "role": p.role, "via_group": p.via_group}
                    for p in created
                ],
            ).all()
            for part, new_id in zip(created, ids, strict=True):
                part.id = new_id
        undo: dict[str, list] = {
            "repointed": [[p.id, source] for p, source in self.repointed],
            "created": [p.id for p in created],
            "deleted": [],
        }
        gone = {g["id"]: (g, kept) for g, kept, *_ in self.merged}
        for item_id, (item, kept) in list(gone.items()):
            while kept["id"] in gone:  # merged into one that was merged in turn: the last one stands
                kept = gone[kept["id"]][1]
            gone[item_id] = (item, kept)
        self.merged = [(g, gone[g["id"]][1], *rest) for g, _, *rest in self.merged]
        # an item moved in and then merged into a more advanced one is only merged (its row goes back as it was)
        self.moved = [m for m in self.moved if m[0]["id"] not in gone]
        followed: dict[int, dict[str, list[int]]] = {i: {} for i in gone}
        dropped: dict[int, list[dict]] = {i: [] for i in gone}
        if gone:
            # one pending extension request per item: the kept item's stands; the other's is kept for a revert
            pending = ExtensionRequest.state == ExtensionState.PENDING.value
            kept_pending = set(
                db.session.scalars(
                    select(ExtensionRequest.due_item_id).where(
                        ExtensionRequest.due_item_id.in_({k["id"] for _, k in gone.values()}), pending
                    )
                )
            )
            requests = ExtensionRequest.__table__
            clash = [
                dict(r)
                for r in db.session.execute(
                    select(requests).where(requests.c.due_item_id.in_(gone), pending)
                ).mappings()
                if gone[r["due_item_id"]][1]["id"] in kept_pending
            ]
            if clash:
                for row in clash:
                    dropped[row["due_item_id"]].append(_plain(row))
                db.session.execute(delete(ExtensionRequest).where(ExtensionRequest.id.in_([r["id"] for r in clash])))
            for model in ITEM_ROWS:
                table = model.__table__
                rows = db.session.execute(
                    select(table.c.id, table.c.due_item_id).where(table.c.due_item_id.in_(gone))
                ).all()
                for row_id, item_id in rows:
                    followed[item_id].setdefault(model.__tablename__, []).append(row_id)
                if rows:
                    db.session.execute(
                        table.update().where(table.c.id == bindparam("row")).values(due_item_id=bindparam("kept")),
                        [{"row": row_id, "kept": gone[item_id][1]["id"]} for row_id, item_id in rows],
                    )
            db.session.execute(delete(DueItem).where(DueItem.id.in_(gone)))
        if self.repointed:
            db.session.execute(
                Assignment.__table__.update()
                .where(Assignment.__table__.c.id == bindparam("part"))
                .values(agency_id=bindparam("agency")),
                [{"part": p.id, "agency": p.agency_id} for p, _ in self.repointed],
            )
        changed = [(item, into) for item, part, into, *_ in self.moved if part is not into]
        if changed:
            db.session.execute(
                items.update()
                .where(items.c.id == bindparam("item"))
                .values(assignment_id=bindparam("into"), version=items.c.version + 1),
                [{"item": item["id"], "into": into.id} for item, into in changed],
            )
        if self.emptied:
            undo["deleted"] = [
                {"id": p.id, "task_id": p.task_id, "agency_id": p.agency_id, "role": p.role, "via_group": p.via_group}
                for p in self.emptied
            ]
            db.session.execute(delete(Assignment).where(Assignment.id.in_([p.id for p in self.emptied])))
        # each move keeps the version its item (or the item it merged into) has now, so a later change shows: the
        # items moved to another part were bumped by one above, the others are as they were read
        bumped = {item["id"] for item, _ in changed}

        def version(item: dict) -> int:
            return item["version"] + (item["id"] in bumped)

        self.moves = [
            self._row(item, part, into, source, target, version(item))
            for item, part, into, source, target in self.moved
        ] + [
            {
                **self._row(item, part, into, source, target, version(kept)),
                "absorbed_into_id": kept["id"],
                "snapshot": {"item": _plain(item), "rows": followed[item["id"]], "dropped": dropped[item["id"]]},
            }
            for item, kept, part, into, source, target in self.merged
        ]
        if self.moves:
            db.session.execute(insert(ItemMove), self.moves)
        self.undo = undo

    def _row(self, item: dict, part: _Part, into: _Part, source: int, target: int, version: int) -> dict[str, Any]:
        """An item_moves row (its ``version``: the item's, or the one it merged into, right after the move)."""
        return {
            "succession_id": self.succession.id,
            "moved_on": self.succession.effective_on,
            "item_id": item["id"],
            "task_id": part.task_id,
            "role": part.role,
            "from_agency_id": source,
            "to_agency_id": target,
            "from_assignment_id": part.id,
            "to_assignment_id": into.id,
            "version": version,
            "absorbed_into_id": None,
            "snapshot": None,
        }

    def audit(self, *, by, now: datetime) -> None:
        """Every move an audit event of its item, in one statement."""
        if not self.moves:
            return
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "at": now,
                    "actor_id": by.id if by else None,
                    "object_type": DueItem.__tablename__,
                    "object_id": move["item_id"],
                    "action": "item_moved" if move["absorbed_into_id"] is None else "item_merged",
                    "before": {
                        "agency": self.names.get(move["from_agency_id"]),
                        "assignment": move["from_assignment_id"],
                    },
                    "after": {
                        "agency": self.names.get(move["to_agency_id"]),
                        "assignment": move["to_assignment_id"],
                        "merged_into": move["absorbed_into_id"],
                        "succession": self.succession.id,
                    },
                }
                for move in self.moves
            ],
        )


def revert_succession(succession: Succession, *, by: User | None, now: datetime) -> None:
    """Undo a succession while none of its items changed since (AgencyError otherwise), in the caller's
    transaction and in a few statements: items back, merged ones restored with their rows, the units' dates and
    accounts as they were."""
    if succession.state != "applied":
        raise AgencyError({"state": ["Thay đổi này đã được hoàn tác."]})
    mine = ItemMove.succession_id == succession.id
    moves = db.session.execute(select(ItemMove.__table__).where(mine).order_by(ItemMove.id)).mappings().all()
    current = DueItem.id == func.coalesce(ItemMove.absorbed_into_id, ItemMove.item_id)
    versions = dict(
        db.session.execute(select(DueItem.id, DueItem.version).join(ItemMove, current).where(mine).distinct()).all()
    )
    later = select(ItemMove.id).where(
        ItemMove.succession_id > succession.id,
        ItemMove.from_assignment_id.in_(select(ItemMove.to_assignment_id).where(mine))
        | ItemMove.item_id.in_(select(ItemMove.item_id).where(mine)),
    )
    if db.session.scalar(later.limit(1)) is not None:
        raise AgencyError({"state": ["Một thay đổi sau đó đã chuyển tiếp các nhiệm vụ này: hãy hoàn tác nó trước."]})
    touched = [m for m in moves if versions.get(m["absorbed_into_id"] or m["item_id"]) != m["version"]]
    if touched:
        tasks = db.session.scalars(select(Task).where(Task.id.in_({m["task_id"] for m in touched[:3]}))).all()
        named = "; ".join(f"{t.number} {t.content[:60]}".strip() for t in tasks)
        raise AgencyError(
            {"state": [f"{len(touched)} nhiệm vụ đã được cập nhật sau khi chuyển ({named}…): không hoàn tác được."]}
        )
    db.session.flush()
    undo = succession.undo
    items = DueItem.__table__
    if undo.get("deleted"):
        db.session.execute(insert(Assignment.__table__), undo["deleted"])
    moved_back = [
        m for m in moves if m["absorbed_into_id"] is None and m["from_assignment_id"] != m["to_assignment_id"]
    ]
    if moved_back:
        db.session.execute(
            items.update()
            .where(items.c.id == bindparam("item"))
            .values(assignment_id=bindparam("back"), version=items.c.version + 1),
            [{"item": m["item_id"], "back": m["from_assignment_id"]} for m in moved_back],
        )
    merged = [m for m in moves if m["absorbed_into_id"] is not None]
    if merged:
        db.session.execute(insert(items), [_typed(DueItem, m["snapshot"]["item"]) for m in merged])
        for model in ITEM_ROWS:
            back = [
                {"row": row_id, "item": m["item_id"]}
                for m in merged
                for row_id in m["snapshot"]["rows"].get(model.__tablename__, [])
            ]
            if back:
                table = model.__table__
                db.session.execute(
                    table.update().where(table.c.id == bindparam("row")).values(due_item_id=bindparam("item")), back
                )
        dropped = [_typed(ExtensionRequest, row) for m in merged for row in m["snapshot"].get("dropped", [])]
        if dropped:
            db.session.execute(insert(ExtensionRequest.__table__), dropped)
    if undo.get("repointed"):
        table = Assignment.__table__
        db.session.execute(
            table.update().where(table.c.id == bindparam("part")).values(agency_id=bindparam("agency")),
            [{"part": part, "agency": agency} for part, agency in undo["repointed"]],
        )
    if undo.get("created"):
        db.session.execute(delete(Assignment).where(Assignment.id.in_(undo["created"])))
    if undo.get("agencies"):
        table = Agency.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == bindparam("unit"))
            .values(active_to=bindparam("until"), successor_id=bindparam("next")),
            [
                {"unit": int(unit), "until": date.fromisoformat(until) if until else None, "next": following}
                for unit, (until, following) in undo["agencies"].items()
            ],
        )
    if undo.get("users"):
        table = User.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == bindparam("user"))
            .values(
                agency_id=bindparam("unit"),
                is_enabled=bindparam("enabled"),
                session_version=table.c.session_version + 1,
            ),
            [{"user": user, "unit": unit, "enabled": enabled} for user, unit, enabled in undo["users"]],
        )
    db.session.execute(delete(ItemMove).where(ItemMove.succession_id == succession.id))
    succession.state = "reverted"
    succession.reverted_at = now
    succession.reverted_by_id = by.id if by else None
    record_audit(succession, "succession_reverted", by=by, now=now, after={"items": len(moves)})
    db.session.flush()
    db.session.expire_all()


def moved_from(task_ids: list[int]) -> dict[int, list[str]]:
    """For each assignment of these tasks, the names of the units its items came from ("trước đây: …")."""
    rows = db.session.execute(
        select(ItemMove.to_assignment_id, Agency.name)
        .join(Agency, Agency.id == ItemMove.from_agency_id)
        .where(ItemMove.task_id.in_(task_ids), ItemMove.from_agency_id != ItemMove.to_agency_id)
        .distinct()
        .order_by(ItemMove.to_assignment_id, Agency.name)
    ).all()
    found: dict[int, list[str]] = {}
    for assignment_id, name in rows:
        found.setdefault(assignment_id, []).append(name)
    return found


# --- rows kept for a revert -------------------------------------------------------------------------------


def _key(item: dict[str, Any]) -> tuple:
    return (item["original_due_date"], item["kind"], item["period_label"])


def _advance(item: dict[str, Any]) -> tuple:
    return (ADVANCE[item["state"]], item["progress"] or 0)


def _plain(row) -> dict[str, Any]:
    """A row's columns as JSON keeps them (dates and times as ISO text)."""
    return {key: value.isoformat() if isinstance(value, date | datetime) else value for key, value in dict(row).items()}


def _typed(model, data: dict[str, Any]) -> dict[str, Any]:
    """``_plain``'s dict back to the column types of ``model``'s table, for an insert."""
    values = {}
    for column in model.__table__.columns:
        value = data.get(column.key)
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        values[column.key] = value
    return values
