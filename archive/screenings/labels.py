"""What a screening's status, format and use are called in the interface language.

The database keeps the codes (``approved``, ``mobile_cinema``, ``non-commercial``); pages, notices,
calendars and exports show these names instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from archive.i18n.names import label

STATUS_LABELS = {
    "requested": _l("requested"), "approved": _l("approved"), "declined": _l("declined"), "cancelled": _l("cancelled"),
}
FORMAT_LABELS = {
    "cinema": _l("cinema"), "community": _l("community"), "university": _l("university"),
    "mobile_cinema": _l("mobile cinema"),
}
USE_LABELS = {
    "non-commercial": _l("non-commercial"), "educational": _l("educational"), "festival": _l("festival"),
    "commercial": _l("commercial"),
}


def status_label(code: str | None) -> str:
    """A screening status's name: ``approved`` → ``одобрен``."""
    return label(STATUS_LABELS, code)


def format_label(code: str | None) -> str:
    """A screening format's name: ``mobile_cinema`` → ``mobile cinema``."""
    return label(FORMAT_LABELS, code)


def use_label(code: str | None) -> str:
    """A permitted use's name: ``educational`` → ``образовательный``."""
    return label(USE_LABELS, code)
