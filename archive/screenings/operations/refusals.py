"""How a screening operation says no: ``Refused`` carries a status and a code a program can test."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from archive.screenings.labels import status_label
from archive.screenings.models import Screening


class Refused(Exception):
    """A request that is well formed but cannot be carried out; ``code`` is for programs."""

    def __init__(self, code: str, message: str, status: int = 422, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


def expect_status(screening: Screening, allowed: tuple[str, ...], action: str) -> None:
    """Refuse (409 ``wrong_status``) to act on a screening whose status does not allow ``action``."""
    if screening.status not in allowed:
        raise Refused("wrong_status", _wrong_status(screening, allowed, action), 409)


def _wrong_status(screening: Screening, allowed: tuple[str, ...], action: str) -> str:
    status = status_label(screening.status)
    if action == "approved":
        return _("Screening %(id)s is %(status)s; only a requested screening can be approved.", id=screening.id, status=status)
    if action == "declined":
        return _("Screening %(id)s is %(status)s; only a requested screening can be declined.", id=screening.id, status=status)
    if action == "cancelled":
        return _("Screening %(id)s is %(status)s; only a requested or approved screening can be cancelled.",
                 id=screening.id, status=status)
    if action == "reported on":
        return _("Screening %(id)s is %(status)s; only an approved screening can be reported on.",
                 id=screening.id, status=status)
    return _("Screening %(id)s is %(status)s; this cannot be done to it now.", id=screening.id, status=status)
