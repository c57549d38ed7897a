"""Configuration classes, read from TRACKER_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit

#: Addresses that only this machine can open
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - compared with, never bound


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


class Config:
    #: None means "use instance/tracker.db", resolved in create_app once the instance path is known
    SQLALCHEMY_DATABASE_URI = _env("TRACKER_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL's connection pool, per process (a gunicorn worker, the scheduler): connections kept open, extra
    # ones allowed at a peak, seconds a request waits for one before it fails, seconds before one is renewed
    DATABASE_POOL_SIZE = _env_int("TRACKER_DATABASE_POOL_SIZE", 5)
    DATABASE_MAX_OVERFLOW = _env_int("TRACKER_DATABASE_MAX_OVERFLOW", 10)
    DATABASE_POOL_TIMEOUT = _env_int("TRACKER_DATABASE_POOL_TIMEOUT", 10)
    DATABASE_POOL_RECYCLE = _env_int("TRACKER_DATABASE_POOL_RECYCLE", 1800)
    #: `tracker db upgrade` on PostgreSQL waits at most this long (ms) for a table the app is using, then stops with
    #: nothing changed, so the pages never queue behind a migration's lock
    MIGRATION_LOCK_TIMEOUT_MS = _env_int("TRACKER_MIGRATION_LOCK_TIMEOUT_MS", 5000)
    #: None means "read instance/secret_key" (created on first start unless in production)
    SECRET_KEY = _env("TRACKER_SECRET_KEY")
    GENERATE_SECRET_KEY = True
    TIMEZONE = _env("TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh")

    SMTP_HOST = _env("TRACKER_SMTP_HOST")
    SMTP_PORT = _env_int("TRACKER_SMTP_PORT", 25)
    SMTP_SECURITY = _env("TRACKER_SMTP_SECURITY", "none")
    SMTP_USER = _env("TRACKER_SMTP_USER")
    SMTP_PASSWORD = _env("TRACKER_SMTP_PASSWORD")
    MAIL_FROM = _env("TRACKER_MAIL_FROM", "tracker@localhost")
    CHAIRMAN_OFFICE_EMAILS = _env("TRACKER_CHAIRMAN_OFFICE_EMAILS", "")

    # The session cookie: Secure, HttpOnly, SameSite=Lax. Browsers accept Secure cookies from
    # http://localhost and http://127.0.0.1, so the development server works with it too.
    SESSION_COOKIE_NAME = "tracker_session"
    SESSION_COOKIE_SECURE = _env_bool("TRACKER_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Absolute lifetime of a login, whatever the activity
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=_env_int("TRACKER_SESSION_HOURS", 10))
    #: A login unused for this long ends
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("TRACKER_SESSION_IDLE_MINUTES", 30))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # CSRF tokens live as long as the session; the session's own timeouts bound them
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = False

    #: How long a SQLite writer waits for another's lock before it gives up (a job elsewhere: "running elsewhere")
    SQLITE_BUSY_TIMEOUT_MS = _env_int("TRACKER_SQLITE_BUSY_TIMEOUT_MS", 5000)
    #: Strict-Transport-Security on every answer (production: the site is only ever served over HTTPS)
    HSTS = False
    #: Reverse proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are believed (0: none, so a
    #: client cannot pose as another address). Behind one nginx: 1. The login throttle counts per client address.
    TRUSTED_PROXIES = _env_int("TRACKER_TRUSTED_PROXIES", 0)

    # Login throttling, counted in the database so it holds across worker processes
    LOGIN_WINDOW = timedelta(minutes=15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30

    # argon2id (RFC 9106's second recommended option; above OWASP ASVS 5.0's minimum of m=19 MiB, t=2)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Reminders: working days before the due date for the due-soon notices, days between overdue notices,
    # days overdue before the agency's head is told
    REMINDER_DUE_SOON_WORKING_DAYS = (7, 1)
    REMINDER_OVERDUE_REPEAT_DAYS = _env_int("TRACKER_REMINDER_OVERDUE_REPEAT_DAYS", 7)
    REMINDER_ESCALATE_AFTER_DAYS = _env_int("TRACKER_REMINDER_ESCALATE_AFTER_DAYS", 14)
    # The monthly list of late units proposes for criticism an agency with this many overdue items, or one
    # overdue this many days (the administrator can change both)
    CRITICISM_MIN_OVERDUE_ITEMS = _env_int("TRACKER_CRITICISM_MIN_OVERDUE_ITEMS", 3)
    CRITICISM_MIN_DAYS_OVERDUE = _env_int("TRACKER_CRITICISM_MIN_DAYS_OVERDUE", 60)
    #: How an indicator target rises past the central one: "relative" (×1.1) or "points" (+10 for a rate)
    INDICATOR_RAISE = _env("TRACKER_INDICATOR_RAISE", "relative")
    #: Links in emails point here
    BASE_URL = _env("TRACKER_BASE_URL", "http://127.0.0.1:5000")

    #: The largest evidence file an agency may attach (PDF, Word, Excel, JPEG, PNG)
    ITEM_FILE_MAX_BYTES = _env_int("TRACKER_FILE_MAX_MB", 20) * 1024 * 1024
    #: None means instance/files (outside the web root)
    ITEM_FILE_DIR = _env("TRACKER_FILE_DIR")
    #: A request may carry one file of the largest size and its form
    MAX_CONTENT_LENGTH = ITEM_FILE_MAX_BYTES + 1024 * 1024
    #: An appendix that unpacks to more, or has more rows or cells, is refused before it is parsed
    IMPORT_MAX_UNCOMPRESSED_MB = _env_int("TRACKER_IMPORT_MAX_UNCOMPRESSED_MB", 100)
    IMPORT_MAX_ROWS = _env_int("TRACKER_IMPORT_MAX_ROWS", 20_000)
    IMPORT_MAX_CELLS = _env_int("TRACKER_IMPORT_MAX_CELLS", 400_000)
    IMPORT_MAX_PDF_PAGES = _env_int("TRACKER_IMPORT_MAX_PDF_PAGES", 300)
    #: An upload larger than this is read by a process of its own while its page shows the progress (the largest
    #: seed appendix is 80 KB as text; a 5,000-row sheet is about 120 KB); that process may use this much memory
    #: and CPU time
    IMPORT_BACKGROUND_BYTES = _env_int("TRACKER_IMPORT_BACKGROUND_KB", 128) * 1024
    IMPORT_PARSE_MEMORY_MB = _env_int("TRACKER_IMPORT_PARSE_MEMORY_MB", 2048)
    IMPORT_PARSE_SECONDS = _env_int("TRACKER_IMPORT_PARSE_SECONDS", 300)
    #: Personal access tokens for the API last this many days unless the user says otherwise
    API_TOKEN_DAYS = _env_int("TRACKER_API_TOKEN_DAYS", 90)
    ITEMS_PER_PAGE = 50

    @staticmethod
    def check(config: dict) -> None:
        """Fail at start-up on settings that cannot work."""
        if config["SMTP_SECURITY"] not in ("none", "starttls", "ssl"):
            raise RuntimeError("TRACKER_SMTP_SECURITY must be none, starttls or ssl")
        if config.get("INDICATOR_RAISE") not in ("relative", "points"):
            raise RuntimeError("TRACKER_INDICATOR_RAISE must be relative or points")
        from zoneinfo import ZoneInfo

        ZoneInfo(config["TIMEZONE"])


class ProductionConfig(Config):
    SESSION_COOKIE_NAME = "__Host-tracker_session"
    SESSION_COOKIE_SECURE = True
    GENERATE_SECRET_KEY = False
    HSTS = True

    @staticmethod
    def check(config: dict) -> None:
        Config.check(config)
        if not config.get("SECRET_KEY"):
            raise RuntimeError("TRACKER_SECRET_KEY (or instance/secret_key) must be set in production")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("TRACKER_DATABASE_URL must be set in production")
        # the links in every mail: the address people open, never this machine's loopback
        base = urlsplit(config.get("BASE_URL") or "")
        if base.scheme not in ("http", "https") or (base.hostname or "") in LOOPBACK:
            raise RuntimeError(
                "TRACKER_BASE_URL must be set in production to the address users open (https://…), "
                "not a loopback address: the links in the emails use it"
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Never an SMTP server from the environment: tests start their own (the smtp fixture)
    SMTP_HOST = None
    SMTP_USER = None
    SMTP_PASSWORD = None
    # Cheap hashes keep the suite fast; the production parameters are tested on their own
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
