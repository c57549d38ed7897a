"""The home page sends each role where its work is."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from tracker.accounts.models import ALL_ROLES
from tracker.accounts.security import public, roles_required

bp = Blueprint("core", __name__)


@bp.get("/")
@roles_required(*ALL_ROLES)
def index():
    if current_user.role == "admin":
        return redirect(url_for("accounts.users"))
    if current_user.role in ("leader", "monitor"):
        return redirect(url_for("reports.overview"))  # leaders and the office start from the overview
    return redirect(url_for("workflow.items"))


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}
