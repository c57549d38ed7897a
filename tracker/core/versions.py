"""A version number of the tracked data, so that figures computed from it can be kept until it changes.

Every transaction that changes items, assignments, tasks, plans, agencies, extension requests or settings through the
session
bumps ``data_versions.items`` just before it commits (the last lock it takes, held for microseconds: no deadlock
with the row locks the workflow takes, and no writer waits on another's version for longer than a commit). A reader
reads the version first, then the data: what it computes is at least as new as the version it stores it under, so a
cached figure is never older than the version says.

Writes must go through the session (every write of the product does); a raw SQL script changing items behind its
back should call ``bump()``.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache
from threading import Lock
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.extensions import db

ITEMS = "items"
_FLAG = "tracker.items_changed"


@cache
def _tracked() -> tuple[type, ...]:
    from tracker.agencies.models import Agency
    from tracker.deadlines.models import CalendarOverride
    from tracker.plans.models import Assignment, DueItem, Plan, Task
    from tracker.reports.models import Setting
    from tracker.workflow.models import ExtensionRequest

    # the settings too: the monthly list's thresholds of criticism are among them; and the working calendar, which
    # says when "due within 7 working days" ends
    return (DueItem, Assignment, Task, Plan, Agency, ExtensionRequest, Setting, CalendarOverride)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    if session.info.get(_FLAG):
        return
    tracked = _tracked()
    if any(isinstance(obj, tracked) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    """A bulk INSERT, UPDATE or DELETE of a tracked table through the session counts as a change too."""
    if session_flag(state.session) or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _tracked_tables():
        state.session.info[_FLAG] = True


@cache
def _tracked_tables() -> frozenset[str]:
    return frozenset(model.__table__.name for model in _tracked())


def session_flag(session: Session) -> bool:
    return bool(session.info.get(_FLAG))


@event.listens_for(Session, "before_commit")
def _bump_on_commit(session: Session) -> None:
    session.flush()  # what is still pending, so that its changes are noted
    if session.info.pop(_FLAG, False):
        bump(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FLAG, None)


def bump(session: Session | None = None) -> None:
    """Add one to the version; a missing row (an emptied table) starts again from a random number, never from a
    number a running process may hold a figure under."""
    from tracker.core.models import DataVersion
    from tracker.notifications.ledger import dialect_insert

    session = session or db.session
    session.connection().execute(
        dialect_insert(DataVersion)
        .values(name=ITEMS, number=secrets.randbits(60))
        .on_conflict_do_update(index_elements=["name"], set_={"number": DataVersion.number + 1})
    )


def current() -> int:
    """The version now (0 before the first change). A request reads it once, so the figures of one page (its counts,
    its filters, the menu's queues) are kept under one version; a commit in the request reads it again."""
    from tracker.core.models import DataVersion

    memo = request.environ if has_request_context() else None
    if memo is not None and _MEMO in memo:
        return memo[_MEMO]
    version = db.session.scalar(select(DataVersion.number).where(DataVersion.name == ITEMS)) or 0
    if memo is not None:
        memo[_MEMO] = version
    return version


_MEMO = "tracker.data_version"


@event.listens_for(Session, "after_commit")
def _read_again(session: Session) -> None:
    if has_request_context():
        request.environ.pop(_MEMO, None)


class VersionedCache:
    """Values computed from the tracked data, each kept with the version it was computed at (in this process; a
    bounded number, the least recently used dropped)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        version = current()  # first: the data read after it is at least this new
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] == version:
                self._values.move_to_end(key)
                self.hits += 1
                return found[1]
        value = compute()
        with self._lock:
            self.misses += 1
            self._values[key] = (version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
