"""The JSON API under /api/v1: flask-smorest (marshmallow schemas, OpenAPI 3 generated from them), personal access
tokens, errors as application/problem+json (RFC 9457). The operations and the agency checks are the web views'.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from tracker.api.schemas import ProblemSchema

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"


class TrackerApi(Api):
    """flask-smorest's Api whose documented errors are problem documents and whose app keeps its own handlers."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _register_error_handlers(self) -> None:
        # The app's HTTPException handler answers problem+json under /api/ (tracker.core.web)
        return None

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Lỗi", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


TITLES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Chưa xác thực: gửi khoá truy cập (Authorization: Bearer …) còn hiệu lực.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy dữ liệu yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Nội dung đã được người khác thay đổi.",
    413: "Tệp tải lên vượt quá dung lượng cho phép.",
    415: "Kiểu nội dung không được hỗ trợ.",
    422: "Dữ liệu không hợp lệ.",
    428: "Thiếu điều kiện của yêu cầu.",
    429: "Quá nhiều khoá truy cập sai từ địa chỉ này: vui lòng thử lại sau 15 phút.",
}


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' {"json": {"late_reason": {"category": [...]}}} → {"late_reason.category": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                out.update(_flatten(value, name))
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[name] = list(value)
            else:
                out[name] = [str(value)]
    elif isinstance(messages, list):
        out[prefix or "_"] = [str(m) for m in messages]
    return out


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Lỗi"


def problem(status: int, detail: str | None = None, errors: dict[str, list[str]] | None = None, headers=None):
    """A problem document response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status) or _phrase(status),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def problem_from_http_exception(error) -> Response:
    """An HTTPException (including webargs' validation errors) as a problem document."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _flatten(data.get("messages")) if data.get("messages") else None
    # webargs names where each field was ("json", "query", "files", "form"): the client knows
    if errors:
        errors = {key.split(".", 1)[1] if "." in key else key: value for key, value in errors.items()}
    detail = TITLES.get(code) if code != 422 else "Vui lòng kiểm tra lại các trường được nêu."
    return problem(code, detail, errors, headers=data.get("headers"))


def is_api_request() -> bool:
    return request.path.startswith(PREFIX + "/") or request.path == PREFIX


def authenticate() -> Response | None:
    """before_request of every API blueprint: the bearer token's user acts; a session cookie does not."""
    from tracker.accounts.security import record_token_guess, token_guesses_throttled
    from tracker.accounts.tokens import user_for_token
    from tracker.core import clock

    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    now = clock.now()
    user = user_for_token(secret.strip(), now=now) if scheme.lower() == "bearer" else None
    if user is None:
        from tracker.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        if secret.strip():
            # a wrong token is a guess, like a wrong password: counted per address in the database, across workers;
            # past the limit the address is told to wait (a valid token, 256 random bits, is never slowed)
            address = request.remote_addr or "unknown"
            record_token_guess(address, now=now)
            if token_guesses_throttled(address, now=now):
                return problem(429, TITLES[429], headers={"Retry-After": "900"})
        return problem(401, TITLES[401])
    # flask-login's current_user for this request only (nothing written to the session)
    g._login_user = user
    return None


def api_roles(*roles) -> Callable:
    """The roles that may call an endpoint (the agency check is in its queries); declared like the web views'."""
    allowed = frozenset(roles)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            from flask_login import current_user

            if current_user.role not in allowed:
                return problem(403, TITLES[403])
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def if_match() -> int | None:
    """The item version a write is made on (``If-Match: 3`` or ``"3"``); None when the client does not say."""
    value = request.headers.get("If-Match", "").strip()
    if not value or value == "*":
        return None
    value = value.removeprefix("W/").strip('"')
    try:
        number = int(value)
    except ValueError:
        from flask_smorest import abort

        abort(400, messages={"headers": {"If-Match": ["Phiên bản không hợp lệ (một số nguyên)."]}})
    return number


def register_api(app: Flask) -> None:
    from tracker.api import views
    from tracker.extensions import csrf

    app.config.setdefault("API_TITLE", "tracker: theo dõi nhiệm vụ")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    # The document is served by our own blueprint (tracker.api.views), with the docs page and its local assets
    app.config.setdefault("OPENAPI_URL_PREFIX", None)
    api = TrackerApi(
        app,
        spec_kwargs={
            "info": {"description": "API của hệ thống theo dõi nhiệm vụ. Xác thực: Authorization: Bearer <khoá>."},
            "servers": [{"url": "/"}],
        },
    )
    from tracker.core.web import MAX_ID, IdConverter

    api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 0, "maximum": MAX_ID})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blueprint in views.BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=PREFIX + blueprint.url_prefix_within)
    app.register_blueprint(views.docs)
    app.extensions["tracker.api"] = api
