"""Changes to accounts: create, edit, passwords, ending sessions."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select

from tracker.accounts.models import AGENCY_ROLES, Role, User
from tracker.accounts.security import hash_password
from tracker.agencies.models import Agency
from tracker.core.models import record_audit
from tracker.extensions import db

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """Bad account data: ``errors`` maps a field to its messages (Vietnamese)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def normalize_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_password(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."]
    if len(password) > 256:
        return ["Mật khẩu quá dài (tối đa 256 ký tự)."]
    return []


def _check_role_and_agency(role: str, agency: Agency | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role not in {r.value for r in Role}:
        errors["role"] = ["Vai trò không hợp lệ."]
    elif role in AGENCY_ROLES and agency is None:
        errors["agency"] = ["Vai trò của đơn vị phải gắn với một cơ quan, đơn vị."]
    return errors


def _snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "agency_id": user.agency_id,
        "is_enabled": user.is_enabled,
    }


def create_user(
    *, email: str, full_name: str, role: str, agency: Agency | None, password: str, by: User | None, now: datetime
) -> User:
    email = normalize_email(email)
    errors = _check_role_and_agency(role, agency)
    if "@" not in email or len(email) > 254:
        errors["email"] = ["Địa chỉ email không hợp lệ."]
    elif db.session.scalar(select(func.count()).where(User.email == email)):
        errors["email"] = ["Email này đã có tài khoản."]
    if not full_name.strip():
        errors["full_name"] = ["Vui lòng nhập họ và tên."]
    if password_errors := _check_password(password):
        errors["password"] = password_errors
    if errors:
        raise AccountError(errors)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        agency=agency if role in AGENCY_ROLES else None,
        password_hash=hash_password(password),
        created_at=now,
    )
    db.session.add(user)
    record_audit(user, "user_created", by=by, now=now, after=_snapshot(user))
    return user


def update_user(
    user: User, *, full_name: str, role: str, agency: Agency | None, is_enabled: bool, by: User, now: datetime
) -> None:
    errors = _check_role_and_agency(role, agency)
    if not full_name.strip():
        errors["full_name"] = ["Vui lòng nhập họ và tên."]
    if user.id == by.id and (role != user.role or not is_enabled):
        errors["role"] = ["Không thể tự đổi vai trò hoặc tự khóa tài khoản của mình."]
    if errors:
        raise AccountError(errors)
    before = _snapshot(user)
    changes_access = role != user.role or (agency.id if agency else None) != user.agency_id or not is_enabled
    user.full_name = full_name.strip()
    user.role = role
    user.agency = agency if role in AGENCY_ROLES else None
    user.is_enabled = is_enabled
    if changes_access:
        # A new role, agency or a disabled account must not keep old sessions alive
        user.session_version += 1
    record_audit(user, "user_updated", by=by, now=now, before=before, after=_snapshot(user))


def set_password(user: User, password: str, *, by: User | None, now: datetime) -> None:
    if errors := _check_password(password):
        raise AccountError({"password": errors})
    user.password_hash = hash_password(password)
    user.session_version += 1
    record_audit(user, "password_changed", by=by, now=now)


def end_all_sessions(user: User, *, by: User | None, now: datetime) -> None:
    user.session_version += 1
    record_audit(user, "sessions_ended", by=by, now=now)
