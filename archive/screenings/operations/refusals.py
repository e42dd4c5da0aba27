"""How a screening operation says no: ``Refused`` carries a status and a code a program can test."""

from __future__ import annotations

from typing import Any

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
        raise Refused(
            "wrong_status",
            f"Screening {screening.id} is {screening.status}; only a {' or '.join(allowed)} screening can be {action}.",
            409,
        )
