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

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.agencies.models import Agency, ItemMove, Succession, SuccessionKind, succession_agencies
from tracker.agencies.operations import AgencyError
from tracker.core.db import UTCDateTime
from tracker.core.models import record_audit
from tracker.extensions import db
from tracker.plans.models import Assignment, AssignmentRole, DueItem, ItemState, Task
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
    mover = _Mover(succession, names)
    source_ids = [a.id for a in spec.sources]
    lead_first = case((Assignment.role == AssignmentRole.LEAD.value, 0), else_=1)
    theirs = select(Assignment.task_id).where(Assignment.agency_id.in_(source_ids))
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.task_id.in_(theirs), Assignment.agency_id.in_(source_ids + [a.id for a in spec.targets]))
        .options(selectinload(Assignment.items), selectinload(Assignment.task).selectinload(Task.plan))
        .order_by(Assignment.task_id, lead_first, Assignment.id)
    ).all()
    for row in rows:
        if row.agency_id not in source_ids:
            mover.parts[(row.task_id, row.agency_id, row.role)] = row
    for row in rows:
        if row.agency_id not in source_ids:
            continue
        if spec.kind == SuccessionKind.TRANSFER:
            target = spec.choices.get(row.task_id)  # only the tasks chosen: the unit goes on with the others
        elif spec.kind == SuccessionKind.SPLIT:
            target = spec.choices.get(row.task_id, default.id)
        else:
            target = default.id
        if target is not None:
            mover.hand_over(row, target)
    mover.one_part_per_task()
    db.session.flush()
    mover.record_versions()

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
    for move in mover.moves:
        record_audit(
            mover.items[move.item_id],
            "item_moved" if move.absorbed_into_id is None else "item_merged",
            by=by,
            now=now,
            before={"agency": names.get(move.from_agency_id), "assignment": move.from_assignment_id},
            after={
                "agency": names.get(move.to_agency_id),
                "assignment": move.to_assignment_id,
                "merged_into": move.absorbed_into_id,
                "succession": succession.id,
            },
        )
    db.session.flush()
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


class _Mover:
    """The moves of one succession: assignments re-pointed or created, items moved or merged."""

    def __init__(self, succession: Succession, names: dict[int, str]) -> None:
        self.succession = succession
        self.names = names
        #: (task, agency, role) → the successors' assignments, as they are and as they are made
        self.parts: dict[tuple[int, int, str], Assignment] = {}
        self.lines: dict[tuple[int, int, str], MoveLine] = {}
        self.moves: list[ItemMove] = []
        self.items: dict[int, DueItem] = {}
        self.undo: dict[str, list] = {"repointed": [], "created": [], "deleted": []}

    def line(self, part: Assignment, from_id: int, to_id: int) -> MoveLine:
        key = (part.task_id, from_id, part.role)
        if key not in self.lines:
            task = part.task
            self.lines[key] = MoveLine(
                task_id=task.id,
                task_label=f"{task.number}. {task.content}" if task.number else task.content,
                plan_reference=task.plan.reference,
                role=part.role,
                from_name=self.names[from_id],
                to_name=self.names[to_id],
            )
        return self.lines[key]

    def hand_over(self, part: Assignment, target: int) -> None:
        """Pass ``part``'s open items to ``target``'s part in the task (the same role, or its lead part)."""
        source = part.agency_id
        open_items = [i for i in part.items if i.state != ItemState.ACCEPTED.value]
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
            part.agency_id = target
            self.parts[(part.task_id, target, part.role)] = part
            self.undo["repointed"].append([part.id, source])
            for item in open_items:
                self._record(item, part, part, source, target)
            line.moved += len(open_items)
            return
        if into is None:
            into = Assignment(task_id=part.task_id, agency_id=target, role=part.role, via_group=part.via_group)
            into.items = []
            db.session.add(into)
            db.session.flush()
            self.parts[(part.task_id, target, part.role)] = into
            self.undo["created"].append(into.id)
        for item in open_items:
            if self.move_item(item, part, into, source, target):
                line.merged += 1
            else:
                line.moved += 1
        if not part.items:
            self.undo["deleted"].append(_snapshot(part))
            db.session.delete(part)

    def move_item(self, item: DueItem, part: Assignment, into: Assignment, source: int, target: int) -> bool:
        """Move ``item`` into ``into``; True if it was merged with an item of the same due date there."""
        same = next((x for x in into.items if _key(x) == _key(item)), None)
        if same is None:
            db.session.flush()
            item.assignment = into
            self._record(item, part, into, source, target)
            return False
        if _advance(item) > _advance(same):
            # the successor's own item is the less advanced: it merges into the one coming in
            self.absorb(same, item, into, into.agency_id, target)
            item.assignment = into
            self._record(item, part, into, source, target)
        else:
            self.absorb(item, same, part, source, target)
        return True

    def absorb(self, gone: DueItem, kept: DueItem, part: Assignment, source: int, target: int) -> None:
        """Merge ``gone`` into ``kept``: its rows follow ``kept``; its columns stay in the move for a revert."""
        db.session.flush()
        # one pending extension request per item: the kept item's stands; the other's is kept here for a revert
        pending = ExtensionRequest.state == ExtensionState.PENDING.value
        dropped = []
        if db.session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.due_item_id == kept.id, pending)):
            for request in db.session.scalars(
                select(ExtensionRequest).where(ExtensionRequest.due_item_id == gone.id, pending)
            ):
                dropped.append(_snapshot(request))
                db.session.delete(request)
            db.session.flush()
        followed = {}
        for model in ITEM_ROWS:
            ids = list(db.session.scalars(select(model.id).where(model.due_item_id == gone.id)))
            if ids:
                db.session.execute(update(model).where(model.id.in_(ids)).values(due_item_id=kept.id))
                followed[model.__tablename__] = ids
        snapshot = {"item": _snapshot(gone), "rows": followed, "dropped": dropped}
        gone.assignment.items.remove(gone)
        db.session.delete(gone)
        db.session.flush()
        move = self._record(gone, part, kept.assignment, source, target)
        move.absorbed_into_id = kept.id
        move.snapshot = snapshot

    def one_part_per_task(self) -> None:
        """A successor that is now lead of a task and was its coordinator keeps one part: the lead's."""
        for (task_id, agency_id, role), lead in list(self.parts.items()):
            if role != AssignmentRole.LEAD.value:
                continue
            coordinator = self.parts.get((task_id, agency_id, AssignmentRole.COORDINATOR.value))
            if coordinator is None or coordinator is lead or not self._touched(task_id, agency_id):
                continue
            line = self.line(coordinator, agency_id, agency_id)
            for item in [i for i in coordinator.items if i.state != ItemState.ACCEPTED.value]:
                if self.move_item(item, coordinator, lead, agency_id, agency_id):
                    line.merged += 1
                else:
                    line.moved += 1
            if not coordinator.items:
                self.undo["deleted"].append(_snapshot(coordinator))
                db.session.delete(coordinator)
                del self.parts[(task_id, agency_id, AssignmentRole.COORDINATOR.value)]

    def _touched(self, task_id: int, agency_id: int) -> bool:
        return any(m.task_id == task_id and m.to_agency_id == agency_id for m in self.moves)

    def _record(self, item: DueItem, part: Assignment, into: Assignment, source: int, target: int) -> ItemMove:
        move = ItemMove(
            succession=self.succession,
            item_id=item.id,
            task_id=part.task_id,
            role=part.role,
            from_agency_id=source,
            to_agency_id=target,
            from_assignment_id=part.id,
            to_assignment_id=into.id,
            moved_on=self.succession.effective_on,
            version=0,
        )
        db.session.add(move)
        self.moves.append(move)
        self.items[item.id] = item
        return move

    def record_versions(self) -> None:
        """Each move keeps the version its item (or the item it merged into) has now."""
        ids = {m.absorbed_into_id or m.item_id for m in self.moves}
        versions = dict(db.session.execute(select(DueItem.id, DueItem.version).where(DueItem.id.in_(ids))).all())
        for move in self.moves:
            move.version = versions.get(move.absorbed_into_id or move.item_id, 0)


def revert_succession(succession: Succession, *, by: User | None, now: datetime) -> None:
    """Undo a succession while none of its items changed since (AgencyError otherwise), in the caller's
    transaction: items back, merged ones restored, units' dates and accounts as they were."""
    if succession.state != "applied":
        raise AgencyError({"state": ["Thay đổi này đã được hoàn tác."]})
    moves = sorted(succession.moves, key=lambda m: m.id)
    ids = {m.absorbed_into_id or m.item_id for m in moves}
    versions = dict(db.session.execute(select(DueItem.id, DueItem.version).where(DueItem.id.in_(ids))).all())
    touched = [m for m in moves if versions.get(m.absorbed_into_id or m.item_id) != m.version]
    if touched:
        tasks = db.session.scalars(select(Task).where(Task.id.in_({m.task_id for m in touched[:3]}))).all()
        named = "; ".join(f"{t.number} {t.content[:60]}".strip() for t in tasks)
        raise AgencyError(
            {"state": [f"{len(touched)} nhiệm vụ đã được cập nhật sau khi chuyển ({named}…): không hoàn tác được."]}
        )
    parts = {m.to_assignment_id for m in moves}
    later = select(ItemMove.id).where(
        ItemMove.succession_id > succession.id,
        ItemMove.from_assignment_id.in_(parts) | ItemMove.item_id.in_(ids),
    )
    if db.session.scalar(later.limit(1)) is not None:
        raise AgencyError({"state": ["Một thay đổi sau đó đã chuyển tiếp các nhiệm vụ này: hãy hoàn tác nó trước."]})
    undo = succession.undo
    for row in undo.get("deleted", []):
        db.session.add(_restore(Assignment, row))
    db.session.flush()
    for move in reversed(moves):
        if move.absorbed_into_id is not None:
            db.session.add(_restore(DueItem, move.snapshot["item"]))
            db.session.flush()
            for model in ITEM_ROWS:
                ids_back = move.snapshot["rows"].get(model.__tablename__)
                if ids_back:
                    db.session.execute(update(model).where(model.id.in_(ids_back)).values(due_item_id=move.item_id))
            for row in move.snapshot.get("dropped", []):
                db.session.add(_restore(ExtensionRequest, row))
        elif move.from_assignment_id != move.to_assignment_id:
            db.session.execute(
                update(DueItem)
                .where(DueItem.id == move.item_id)
                .values(assignment_id=move.from_assignment_id, version=DueItem.version + 1)
            )
            db.session.flush()
    for assignment_id, agency_id in undo.get("repointed", []):
        db.session.execute(update(Assignment).where(Assignment.id == assignment_id).values(agency_id=agency_id))
    if undo.get("created"):
        db.session.execute(delete(Assignment).where(Assignment.id.in_(undo["created"])))
    for agency_id, (active_to, successor_id) in undo.get("agencies", {}).items():
        db.session.execute(
            update(Agency)
            .where(Agency.id == int(agency_id))
            .values(active_to=date.fromisoformat(active_to) if active_to else None, successor_id=successor_id)
        )
    for user_id, agency_id, enabled in undo.get("users", []):
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(agency_id=agency_id, is_enabled=enabled, session_version=User.session_version + 1)
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


def _key(item: DueItem) -> tuple:
    return (item.original_due_date, item.kind, item.period_label)


def _advance(item: DueItem) -> tuple:
    return (ADVANCE[item.state], item.progress or 0)


def _snapshot(obj) -> dict[str, Any]:
    out = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _restore(model, data: dict[str, Any]):
    values = {}
    for column in model.__table__.columns:
        value = data.get(column.key)
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and column.type.python_type is date:
            value = date.fromisoformat(value)
        values[column.key] = value
    return model(**values)
