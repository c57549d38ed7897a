"""SQLite as an embedded production database: WAL, a busy timeout and foreign keys on."""

from __future__ import annotations

from weakref import WeakSet

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        _on_connect(dbapi_connection, busy_timeout_ms)

    return on_connect


def _on_connect(dbapi_connection, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: The engines given their pragmas (once each)
_CONFIGURED: WeakSet = WeakSet()


def configure(app: Flask) -> None:
    from tracker.extensions import db

    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and engine not in _CONFIGURED:
            _CONFIGURED.add(engine)
            event.listen(engine, "connect", _pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
