"""The declarative base with a naming convention, and SQL helpers that differ per dialect."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import DateTime, Integer, MetaData, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An instant, stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (see tracker.core.clock)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class day_diff(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """Whole days from ``start`` to ``end`` (``end - start``) as an integer, on every dialect."""

    type = Integer()
    inherit_cache = True


@compiles(day_diff)
def _day_diff_default(element, compiler, **kw):
    end, start = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(day_diff, "sqlite")
def _day_diff_sqlite(element, compiler, **kw):
    end, start = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"


def days_between(end: ColumnElement | date, start: ColumnElement | date) -> day_diff:
    """SQL for ``end - start`` in days."""
    from sqlalchemy import Date, literal

    if isinstance(end, date):
        end = literal(end, Date)
    if isinstance(start, date):
        start = literal(start, Date)
    return day_diff(end, start)
