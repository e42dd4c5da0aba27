"""Sign-in pages and the admin's user management pages."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from archive.auth import calendar_feeds, operations, throttle
from archive.auth.models import ROLE_LABELS, ApiToken, Role, User
from archive.auth.permissions import ADMIN, SIGNED_IN, require
from archive.errors import ValidationError
from archive.extensions import db, login_manager
from archive.pagination import page_number, paginate
from archive.routing import safe_next
from archive.validation import optional, record_id

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "auth.login"
# Shown when a page needs a signed-in person, also when a sign-in has expired; written in the
# reader's language when it is flashed (localize_callback turns the lazy message into text then).
login_manager.login_message = _l("Sign in to continue.")
login_manager.localize_callback = str
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's lookup of the signed-in user, on every request: an ended or expired session finds nobody."""
    signed_in_at = session.get("signed_in_at")
    if not isinstance(signed_in_at, int | float) or time.time() - signed_in_at > _session_seconds():
        return None
    return operations.user_for_session(session_id)


def _session_seconds() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser; the sign-in lasts ``ARCHIVE_SESSION_HOURS`` at most."""
    login_user(user)
    session["signed_in_at"] = int(time.time())


@bp.route("/login", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_account
def login():
    """Sign in with e-mail and password."""
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            user = operations.authenticate(email, request.form.get("password", ""))
        except operations.SignInRefused as exc:
            error = str(exc)
        else:
            start_session(user)
            return throttle.remember_device(redirect(safe_next(request.args.get("next"))), user.email)
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    """Sign out, ending every session of the account (a copied cookie too)."""
    if current_user.is_authenticated:
        operations.sign_out(current_user)
    logout_user()
    session.pop("signed_in_at", None)
    flash(_("You are signed out."), "success")
    return redirect(url_for("catalogue.index"))


@bp.get("/account")
@require(SIGNED_IN)
def account():
    """The signed-in person's account: who they are, and their secret calendar address."""
    return render_template("auth/account.html", account=current_user, role_labels=ROLE_LABELS,
                           feed=current_user.calendar_feed, feed_token=calendar_feeds.token_of(current_user))


@bp.post("/account/calendar")
@require(SIGNED_IN)
def calendar_address():
    """Create, renew or revoke the secret calendar address; a renewed one replaces the old at once."""
    action = request.form.get("action")
    if action == "renew":
        had_one = current_user.calendar_feed is not None
        calendar_feeds.renew(current_user)
        flash(_("Your calendar address is renewed; the old one no longer works. Give calendar programs the new one.")
              if had_one else _("Your calendar address is ready. Give it to your calendar program."), "success")
    elif action == "revoke":
        if calendar_feeds.revoke(current_user):
            flash(_("Your calendar address is revoked; calendar programs subscribed to it get nothing more."), "success")
    else:
        return render_template("error.html", status=400, message=_("Choose to renew or to revoke the address.")), 400
    return redirect(url_for("auth.account") + "#calendar")


@admin_bp.route("/users", methods=["GET", "POST"])
@require(ADMIN)
def users():
    """List accounts and create new ones."""
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            user = operations.create_user(
                form.get("email", ""), form.get("password", ""), form.get("role", ""), form.get("name", ""),
                form.get("locale", ""),
            )
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    page = paginate(select(User).order_by(User.email), page_number())
    status = 422 if errors else 200
    return (
        render_template(
            "admin/users.html", page=page, errors=errors, form=form, roles=[r.value for r in Role], role_labels=ROLE_LABELS
        ),
        status,
    )


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(ADMIN)
def user(user_id: int):
    """Change an account's role, name, state or password; issue and revoke its API tokens."""
    account = db.get_or_404(User, user_id)
    errors, new_token = {}, None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "update":
                operations.update_user(
                    account,
                    role=request.form.get("role"),
                    active=request.form.get("active") == "on",
                    name=request.form.get("name", ""),
                    locale=request.form.get("locale"),  # absent: left as it is
                )
                flash(_("Account updated."), "success")
            elif action == "password":
                operations.set_password(account, request.form.get("password", ""))
                flash(_("Password changed."), "success")
            elif action == "token":
                new_token = operations.issue_token(account, request.form.get("label", ""))
            elif action == "revoke":
                token_id = optional(record_id, request.form.get("token_id", ""), "token", {})
                token = db.session.get(ApiToken, token_id) if token_id else None
                if token is None or token.user_id != account.id:
                    errors = {"token": _("That token does not belong to this account.")}
                else:
                    operations.revoke_token(token)
                    flash(_("Token revoked."), "success")
            else:
                errors = {"action": _("Unknown action.")}
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        if account.id == current_user.id and account.is_active:
            login_user(account)  # the admin's own change ends their other sessions, not this one
    status = 422 if errors else 200
    return (
        render_template(
            "admin/user.html", account=account, errors=errors, new_token=new_token,
            roles=[r.value for r in Role], role_labels=ROLE_LABELS,
        ),
        status,
    )
