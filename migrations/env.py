"""Alembic environment, run through Flask-Migrate (``tracker db upgrade``)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.exc import OperationalError

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


class MigrationBusy(RuntimeError):
    def __init__(self, timeout_ms: int):
        super().__init__(
            f"Một bảng đang được ứng dụng dùng quá {timeout_ms} ms: chưa nâng cấp gì, cơ sở dữ liệu giữ nguyên; "
            "hãy chạy lại `tracker db upgrade` (hoặc tăng TRACKER_MIGRATION_LOCK_TIMEOUT_MS)."
        )


def render_item(type_, obj, autogen_context):
    """Migrations name plain SQLAlchemy types, never the app's own (UTCDateTime is a timezone-aware DateTime)."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    """Emit SQL to stdout (``tracker db upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # No empty migration when autogenerate finds no change
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # While the app serves: wait a bounded time for a lock, so pages never queue behind the migration;
                # on a timeout the whole upgrade rolls back (PostgreSQL's DDL is transactional) and can be rerun
                timeout = int(current_app.config["MIGRATION_LOCK_TIMEOUT_MS"])
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout}")
            try:
                context.run_migrations()
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                raise MigrationBusy(timeout) from error


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
