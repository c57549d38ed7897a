"""Job schedules the administrator edits, and the lock that lets one scheduler run a job at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import UTCDateTime
from tracker.extensions import db


class JobSchedule(db.Model):
    """When a job runs, as a crontab line in the configured time zone."""

    __tablename__ = "job_schedules"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    crontab: Mapped[str] = mapped_column(String(100))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class JobLock(db.Model):
    """A lease on a job (SQLite; PostgreSQL uses a transaction-level advisory lock instead)."""

    __tablename__ = "job_locks"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
