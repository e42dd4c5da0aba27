"""How a screening operation says no: ``Refused`` carries a status and a code a program can test."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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


# What may not happen to a screening in the wrong status, as the refusal says it.
_ACTIONS = {"approved": _l("approved"), "declined": _l("declined"), "cancelled": _l("cancelled"),
            "reported on": _l("reported on")}


def _wrong_status(screening: Screening, allowed: tuple[str, ...], action: str) -> str:
    if len(allowed) == 1:
        # Translators: e.g. "Screening 7 is cancelled; only a requested screening can be approved."
        return _("Screening %(id)s is %(status)s; only a %(allowed)s screening can be %(action)s.", id=screening.id,
                 status=status_label(screening.status), allowed=status_label(allowed[0]),
                 action=str(_ACTIONS.get(action, action)))
    # Translators: e.g. "Screening 7 is declined; only a requested or approved screening can be cancelled."
    return _("Screening %(id)s is %(status)s; only a %(first)s or %(second)s screening can be %(action)s.",
             id=screening.id, status=status_label(screening.status), first=status_label(allowed[0]),
             second=status_label(allowed[-1]), action=str(_ACTIONS.get(action, action)))
