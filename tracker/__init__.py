"""tracker: tracking the tasks of provincial plans."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from config import Config


def _default_database_uri(app: Flask) -> str:
    return "sqlite:///" + str(Path(app.instance_path) / "tracker.db")


def _instance_secret_key(app: Flask) -> str | None:
    """Read instance/secret_key, creating it on first start if allowed (never kept in the repository)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        if not app.config["GENERATE_SECRET_KEY"]:
            return None
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _engine_options(app: Flask) -> None:
    """PostgreSQL's pool from the configuration, and the app's name on its connections (pg_stat_activity)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options.setdefault("pool_size", app.config["DATABASE_POOL_SIZE"])
    options.setdefault("max_overflow", app.config["DATABASE_MAX_OVERFLOW"])
    options.setdefault("pool_timeout", app.config["DATABASE_POOL_TIMEOUT"])
    options.setdefault("pool_recycle", app.config["DATABASE_POOL_RECYCLE"])
    options["connect_args"] = {"application_name": "tracker", "connect_timeout": 10, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(config_class: type[Config] = Config, instance_path: str | None = None, **overrides) -> Flask:
    """Build the application; no queries and no scheduler here."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_path=instance_path or os.environ.get("TRACKER_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.json.ensure_ascii = False  # Vietnamese as it is written, in the API and every JSON answer
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _default_database_uri(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    config_class.check(app.config)
    _engine_options(app)

    from tracker.core.clock import Clock

    app.extensions.setdefault("tracker.clock", Clock(app.config["TIMEZONE"]))

    from tracker.extensions import csrf, db, login_manager, migrate

    for ext in (db, login_manager, csrf):
        ext.init_app(app)
    import tracker.core.versions  # noqa: F401 (the data version's session events)
    import tracker.models  # noqa: F401 (the whole schema, for Alembic)

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )

    from tracker.core import sqlite

    sqlite.configure(app)

    from tracker.core.web import register_web

    register_web(app)

    from tracker.cli import register_commands

    register_commands(app)
    return app
