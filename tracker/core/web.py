"""Wiring of the web layer: blueprints, login, session checks, template helpers, error pages."""

from __future__ import annotations

from flask import (
    Flask,
    Request,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from tracker.core import clock
from tracker.core.dates import format_date, format_datetime, format_decimal, format_number
from tracker.core.text import clean_text
from tracker.extensions import db, login_manager


def _load_user(user_id: str):
    """The user of a session: its version current (no "log out everywhere" since) and its login not ended."""
    from sqlalchemy import exists, select

    from tracker.accounts.models import LoginSession, User

    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    sid = session.get("sid")
    if not sid:
        return None
    open_login = exists().where(LoginSession.id == sid, LoginSession.user_id == uid, LoginSession.ended_at.is_(None))
    user = db.session.scalar(select(User).where(User.id == uid, open_login))
    if user is None or not user.is_enabled or user.session_version != version:
        return None
    return user


#: Ids fit the databases' INTEGER (PostgreSQL's is 32-bit): a larger number in a path is not found, never a 500
MAX_ID = 2**31 - 1


def id_arg(name: str) -> int | None:
    """An id from the query string (a filter): None when absent or not a number; -1, which no row has, when it is
    beyond what the databases hold (PostgreSQL would refuse 2**64 with an error, not find nothing)."""
    value = request.args.get(name, type=int)
    if value is None:
        return None
    return value if 0 <= value <= MAX_ID else -1


#: The years a page accepts in its query string (a month, a calendar): dates outside them cannot be computed with
YEARS = range(1900, 2201)


def year_arg(value: int | None) -> int | None:
    """``value`` if it is a year a page can show, else None."""
    return value if value in YEARS else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: 0 to MAX_ID (row indexes start at 0)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _clean(value):
    """Strings of a JSON body with their control characters gone, however deep."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


class CleanRequest(Request):
    """What a browser or a client sends, without control characters: a NUL in a form field, a filter or a JSON body
    is refused by PostgreSQL (SQLite stores it, and the exports then fail), so no view ever sees one."""

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return ImmutableMultiDict([(k, clean_text(v)) for k, v in super().args.items(multi=True)])

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            self.__dict__["form"] = ImmutableMultiDict([(k, clean_text(v)) for k, v in form.items(multi=True)])

    def get_json(self, *args, **kwargs):
        return _clean(super().get_json(*args, **kwargs))


class TrustedProxies:
    """Werkzeug's ProxyFix for as many proxies as ``TRUSTED_PROXIES`` says (read per request), none by default:
    behind a reverse proxy every client has the proxy's address, and the login throttle would lock out everyone."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app, self.fixes = app, app.wsgi_app, {}

    def __call__(self, environ, start_response):
        count = self.app.config["TRUSTED_PROXIES"]
        if not count:
            return self.wsgi_app(environ, start_response)
        if count not in self.fixes:
            self.fixes[count] = ProxyFix(self.wsgi_app, x_for=count, x_proto=count)
        return self.fixes[count](environ, start_response)


def register_web(app: Flask) -> None:
    app.wsgi_app = TrustedProxies(app)
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
    from tracker.accounts.views import bp as accounts_bp
    from tracker.agencies.views import bp as agencies_bp
    from tracker.core.views import bp as core_bp
    from tracker.deadlines.views import bp as calendar_bp
    from tracker.importers.views import bp as imports_bp
    from tracker.notifications.views import bp as outbox_bp
    from tracker.plans.views import bp as plans_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.workflow.pending import bp as pending_bp
    from tracker.workflow.review import bp as review_bp
    from tracker.workflow.views import bp as workflow_bp

    for bp in (
        core_bp,
        accounts_bp,
        agencies_bp,
        plans_bp,
        workflow_bp,
        imports_bp,
        calendar_bp,
        reports_bp,
        outbox_bp,
        pending_bp,
        review_bp,
    ):
        app.register_blueprint(bp)

    from tracker.api import register_api

    register_api(app)

    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the session version and timeouts do this job

    @app.before_request
    def _session_lifetime():
        from tracker.accounts.security import check_session_lifetime
        from tracker.api import is_api_request

        if request.endpoint == "static" or is_api_request():
            return None  # the API authenticates each request by its token, never by the session
        if check_session_lifetime(now=clock.now()):
            return redirect(url_for("accounts.login", next=request.full_path, expired=1))
        return None

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        )
        if app.config["HSTS"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    from tracker.core.html import select_option, state_badge, status_badge, url_pattern
    from tracker.plans.models import is_extended, plan_reference

    app.jinja_env.globals.update(
        status_badge=status_badge,
        state_badge=state_badge,
        url_pattern=url_pattern,
        select_option=select_option,
        plan_reference=plan_reference,
        is_extended=is_extended,
    )
    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["thousands"] = format_number
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["vndatetime"] = lambda value: format_datetime(value, app.config["TIMEZONE"])

    @app.context_processor
    def _globals():
        from tracker.accounts.models import AGENCY_ROLES, ROLE_LABELS, Role
        from tracker.plans.models import ITEM_STATE_LABELS, LATE_REASON_LABELS
        from tracker.plans.status import STATUS_LABELS, STATUS_ORDER

        return {
            "ITEM_STATE_LABELS": ITEM_STATE_LABELS,
            "LATE_REASON_LABELS": LATE_REASON_LABELS,
            "Role": Role,
            "ROLE_LABELS": ROLE_LABELS,
            "AGENCY_ROLES": AGENCY_ROLES,
            "STATUS_LABELS": STATUS_LABELS,
            "STATUS_ORDER": STATUS_ORDER,
            "today": clock.today(),
            "menu_current": _current,
        }

    @app.context_processor
    def _office_queue():
        # The office's two queues, counted for its menu (two indexed counts, only for the office)
        if (
            not has_request_context()
            or not current_user.is_authenticated
            or current_user.role not in ("monitor", "admin")
        ):
            return {"office_queue": {}}
        from tracker.workflow.queries import office_queue_counts

        return {"office_queue": office_queue_counts()}

    def _page_error(code: int, message: str, field: str = "_"):
        """An error as the page's caller wants it: JSON for a script, else the error page."""
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"errors": {field: [message]}}), code
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        from tracker.api import is_api_request, problem

        if is_api_request():
            return problem(400, "Thiếu mã CSRF.")
        message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã CSRF). Vui lòng tải lại trang."
        return _page_error(400, message, "csrf_token")

    @app.errorhandler(OverflowError)  # SQLite's driver on a number past 64 bits; a date past year 9999
    @app.errorhandler(DataError)
    def _data_error(error: Exception):
        # A value the database refuses (too long for its column, out of its type's range) that no form caught: a
        # message and nothing written, never a 500. The forms check lengths first; this is the net under them.
        from tracker.api import is_api_request, problem

        db.session.rollback()
        current_app.logger.warning("value refused: %s", getattr(error, "orig", error))
        message = "Dữ liệu không hợp lệ: có giá trị quá dài hoặc quá lớn. Không có gì được lưu."
        return problem(422, message) if is_api_request() else _page_error(422, message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        from tracker.api import is_api_request, problem_from_http_exception

        if is_api_request():
            db.session.rollback()
            return problem_from_http_exception(error)
        messages = {
            400: "Yêu cầu không hợp lệ.",
            403: "Bạn không có quyền truy cập trang này.",
            404: "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
            405: "Phương thức không được hỗ trợ.",
            413: "Tệp tải lên vượt quá dung lượng cho phép.",
        }
        return _page_error(error.code or 500, messages.get(error.code or 500, "Đã xảy ra lỗi."))


#: The pages that belong under a menu entry (its own page aside), for aria-current
MENU_SECTIONS = {
    "plans.plans": ("plans.plan", "workflow.task", "plans.edit_plan"),
    "workflow.items": ("workflow.item",),
    "imports.index": ("imports.preview", "imports.edit_task"),
    "agencies.agencies": ("agencies.agency_new", "agencies.agency_edit"),
    "agencies.groups": ("agencies.group_new", "agencies.group_edit"),
    "outbox.index": ("outbox.show",),
    "outbox.schedules": ("outbox.schedule",),
    "accounts.users": ("accounts.user_new", "accounts.user_edit"),
}


def _current(endpoint: str):
    """' aria-current="page"' on the menu entry of the page being shown."""
    from markupsafe import Markup

    shown = request.endpoint if has_request_context() else None
    if shown and (shown == endpoint or shown in MENU_SECTIONS.get(endpoint, ())):
        return Markup(' aria-current="page"')
    return ""
