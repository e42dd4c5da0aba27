"""Parts of the item page that other features fill in, so the catalogue shows them without importing them.

Media (the player, photo sizes, processing status) and subtitles (the player's tracks) build on
the catalogue; each adds its part at start-up with ``add_part`` and the item page asks for all of
them with ``parts``. A part is ``build(item, user)`` and its result reaches the template under its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.catalogue.models import Item

PartBuilder = Callable[[Item, Any], Any]

_PARTS: dict[str, PartBuilder] = {}


def add_part(name: str, build: PartBuilder) -> None:
    """Have the item page show ``build(item, user)`` as ``name`` (adding it again replaces it)."""
    _PARTS[name] = build


def parts(item: Item, user) -> dict[str, Any]:
    """Every contributed part for this item, as this user may see it."""
    return {name: build(item, user) for name, build in _PARTS.items()}
