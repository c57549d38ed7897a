"""Login, logout, the user's own account, and the administrator's user pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, or_, select

from tracker.accounts.forms import EmptyForm, LoginForm, PasswordChangeForm, PasswordResetForm, TokenForm, UserForm
from tracker.accounts.models import ALL_ROLES, ROLE_LABELS, Role, User
from tracker.accounts.operations import (
    AccountError,
    create_user,
    end_all_sessions,
    generate_password,
    normalize_email,
    set_password,
    update_user,
)
from tracker.accounts.security import (
    attempt_succeeded,
    begin_attempt,
    end_session,
    hash_password,
    needs_rehash,
    public,
    roles_required,
    start_session,
    verify_dummy,
    verify_password,
)
from tracker.agencies.models import Agency
from tracker.core import clock
from tracker.core.pagination import paginate
from tracker.extensions import db

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host) is a safe place to go after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


THROTTLED = "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    error = None
    if request.args.get("expired"):
        error = "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."
    if form.validate_on_submit():
        now = clock.now()
        email = normalize_email(form.email.data)
        address = request.remote_addr or "unknown"
        attempt, refused = begin_attempt(email, address, now=now)
        if refused:
            error = THROTTLED
        else:
            user = db.session.scalar(select(User).where(User.email == email))
            # the same work for an unknown, a disabled and an enabled account: the time does not tell which it is
            if user is None:
                verify_dummy(form.password.data)
                ok = False
            else:
                ok = verify_password(user.password_hash, form.password.data) and user.is_enabled
            if ok:
                attempt_succeeded(attempt, email)
                if needs_rehash(user.password_hash):
                    user.password_hash = hash_password(form.password.data)
                user.last_login_at = now
                db.session.commit()
                login_user(user)
                start_session(user, now=now)
                return redirect(_safe_next(request.args.get("next")) or url_for("core.index"))
            db.session.commit()
            error = "Email hoặc mật khẩu không đúng."
    elif request.method == "POST" and not error:
        error = "Vui lòng nhập email và mật khẩu."
    status = 401 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@roles_required(*ALL_ROLES)
def logout():
    end_session(now=clock.now())
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # the current password is a password guess like a login's: the same throttle counts it
        email = current_user.email
        attempt, refused = begin_attempt(email, request.remote_addr or "unknown", now=clock.now())
        if refused:
            form.current_password.errors.append(THROTTLED)
        elif not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Mật khẩu hiện tại không đúng.")
        else:
            attempt_succeeded(attempt, email)
            try:
                set_password(current_user, form.new_password.data, by=current_user, now=clock.now())
            except AccountError as error:
                form.new_password.errors.extend(error.errors["password"])
            else:
                db.session.commit()
                # The new version ended every session, this one included: start it again
                user = current_user._get_current_object()
                end_session(now=clock.now())
                login_user(user)
                start_session(user, now=clock.now())
                flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "success")
                return redirect(url_for("accounts.account"))
    return _render_account(form)


def _render_account(form, *, new_token: str | None = None, token_form=None, code: int = 200):
    from tracker.accounts.tokens import tokens_of

    return (
        render_template(
            "accounts/account.html",
            form=form,
            sessions_form=EmptyForm(),
            token_form=token_form or TokenForm(formdata=None),
            tokens=tokens_of(current_user),
            new_token=new_token,
            now=clock.now(),
        ),
        code,
    )


@bp.post("/account/tokens")
@roles_required(*ALL_ROLES)
def create_api_token():
    """A personal access token for the API, shown once."""
    from tracker.accounts.tokens import create_token

    form = TokenForm()
    if not form.validate_on_submit():
        return _render_account(PasswordChangeForm(formdata=None), token_form=form, code=422)
    _token, secret = create_token(
        current_user, name=form.name.data or "", days=form.days.data, by=current_user, now=clock.now()
    )
    db.session.commit()
    # Not flashed: the secret is shown on this answer only, never kept in the session cookie
    return _render_account(PasswordChangeForm(formdata=None), new_token=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(*ALL_ROLES)
def revoke_api_token(token_id: int):
    from tracker.accounts.models import ApiToken
    from tracker.accounts.tokens import revoke_token

    if not EmptyForm().validate_on_submit():
        abort(400)
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if token is None:
        abort(404)
    revoke_token(token, by=current_user, now=clock.now())
    db.session.commit()
    flash(f"Đã thu hồi khoá {token.prefix}…", "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/logout-everywhere")
@roles_required(*ALL_ROLES)
def logout_everywhere():
    if not EmptyForm().validate_on_submit():
        abort(400)
    end_all_sessions(current_user, by=current_user, now=clock.now())
    db.session.commit()
    end_session(now=clock.now())
    flash("Đã đăng xuất khỏi mọi thiết bị.", "info")
    return redirect(url_for("accounts.login"))


# --- administration -----------------------------------------------------------------------------


def _agency_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.kind, Agency.name)).all()
    return [(0, "— Không thuộc đơn vị —"), *((row.id, row.name) for row in rows)]


def _fill_choices(form: UserForm) -> None:
    form.role.choices = [(role.value, ROLE_LABELS[role]) for role in Role]
    form.agency_id.choices = _agency_choices()


def _agency_or_none(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None


def _apply_errors(form: UserForm, error: AccountError) -> None:
    for field, messages in error.errors.items():
        target = getattr(form, "agency_id" if field == "agency" else field, None)
        if target is not None:
            target.errors = list(target.errors) + messages


@bp.get("/admin/users")
@roles_required(Role.ADMIN)
def users():
    query = select(User).order_by(User.role, User.email)
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    page = paginate(query, request.args.get("page", 1, type=int))
    return render_template("accounts/users.html", page=page, q=q, role=role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        password = form.password.data or generate_password()
        try:
            user = create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                agency=_agency_or_none(form.agency_id.data),
                password=password,
                by=current_user,
                now=clock.now(),
            )
        except AccountError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            db.session.commit()
            if not form.password.data:
                flash(f"Đã tạo tài khoản {user.email}. Mật khẩu tạm thời: {password}", "success")
            else:
                flash(f"Đã tạo tài khoản {user.email}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        form.agency_id.data = user.agency_id or 0
    form.email.data = user.email  # the login does not change
    if form.validate_on_submit():
        try:
            update_user(
                user,
                full_name=form.full_name.data,
                role=form.role.data,
                agency=_agency_or_none(form.agency_id.data),
                is_enabled=form.is_enabled.data,
                by=current_user,
                now=clock.now(),
            )
        except AccountError as error:
            db.session.rollback()
            user = db.get_or_404(User, user_id)
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash("Đã lưu tài khoản.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user, reset_form=PasswordResetForm())


@bp.post("/admin/users/<int:user_id>/password")
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        abort(400)
    password = form.password.data or generate_password()
    try:
        set_password(user, password, by=current_user, now=clock.now())
    except AccountError as error:
        db.session.rollback()
        flash(" ".join(error.errors["password"]), "error")
        return redirect(url_for("accounts.user_edit", user_id=user_id))
    db.session.commit()
    shown = "" if form.password.data else f" Mật khẩu mới: {password}"
    flash(f"Đã đặt lại mật khẩu cho {user.email}; các phiên đăng nhập của tài khoản đã kết thúc.{shown}", "success")
    return redirect(url_for("accounts.user_edit", user_id=user_id))
