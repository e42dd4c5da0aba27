"""Parts of the home page that other features fill in, so the catalogue shows them without importing them.

Screenings add what is on soon; a part is ``build(user)`` and its result reaches the home page's
template under its name (see ``item_page`` for the same on an item's page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PartBuilder = Callable[[Any], Any]

_PARTS: dict[str, PartBuilder] = {}


def add_part(name: str, build: PartBuilder) -> None:
    """Have the home page show ``build(user)`` as ``name`` (adding it again replaces it)."""
    _PARTS[name] = build


def parts(user) -> dict[str, Any]:
    """Every contributed part of the home page, as this user may see it."""
    return {name: build(user) for name, build in _PARTS.items()}
