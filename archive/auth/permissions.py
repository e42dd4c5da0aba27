"""The one place where roles become permissions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from archive.auth.models import Role
from archive.extensions import login_manager

STAFF = (Role.ADMIN.value, Role.ARCHIVIST.value)
ADMIN = (Role.ADMIN.value,)
SIGNED_IN = (Role.ADMIN.value, Role.ARCHIVIST.value, Role.VENUE.value)


def acting_user():
    """The user behind this request: a bearer token on the API, else the session."""
    if g.get("api_request"):
        return g.get("api_user")
    return current_user if current_user.is_authenticated else None


def has_role(user, roles: tuple[str, ...]) -> bool:
    """Whether ``user`` (possibly None) holds one of ``roles``."""
    return user is not None and user.role in roles


def audience_of(user) -> str:
    """Which visibility levels a user may see: 'staff', 'partners' or 'public'."""
    if has_role(user, STAFF):
        return "staff"
    if has_role(user, SIGNED_IN):
        return "partners"
    return "public"


def require(roles: tuple[str, ...]) -> Callable:
    """Decorate a view so only ``roles`` reach it: others get sign-in (401/redirect) or 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = acting_user()
            if user is None:
                if request.path.startswith("/api/"):
                    abort(401, description=_("Send an API token: Authorization: Bearer TOKEN."))
                if session.get("signed_in_at"):
                    # Signed in on this browser before, and that sign-in is over: expired, or ended elsewhere.
                    flash(_("Your sign-in has ended; sign in again to continue."), "info")
                else:
                    flash(str(login_manager.login_message), "info")
                return redirect(url_for("auth.login", next=request.full_path))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
