"""Parts of the item page that other features fill in, so the catalogue shows them without importing them.

Media (the player, photo sizes, processing status) and subtitles (the player's tracks) build on
the catalogue; each adds its part at start-up with ``add_part`` and the item page asks for all of
them with ``parts``. A part is ``build(item, user)`` and its result reaches the template under its name.

A part may also bring its own template (``template=``): the page includes it, in the order the
parts were added, whenever the part's result is not empty (``None``, ``{}``, ``[]``), so a feature
such as screenings shows a section without the catalogue's template naming it. With ``head=``, the
template goes into the page's ``<head>`` instead (the web metadata: schema.org, Open Graph, robots).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.catalogue.models import Item

PartBuilder = Callable[[Item, Any], Any]
SECTIONS = "item_sections"  # the template names of the sections to include, under this name
HEAD = "item_head"  # the template names to include in the page's <head>, under this name

_PARTS: dict[str, PartBuilder] = {}
_TEMPLATES: dict[str, str] = {}
_HEAD_TEMPLATES: dict[str, str] = {}


def add_part(name: str, build: PartBuilder, template: str | None = None, head: str | None = None) -> None:
    """Have the item page show ``build(item, user)`` as ``name`` (adding it again replaces it).

    With ``template``, the page includes that template (it reads the result as ``name``) when there is something to show;
    with ``head``, the same in the page's ``<head>``.
    """
    _PARTS[name] = build
    for chosen, registry in ((template, _TEMPLATES), (head, _HEAD_TEMPLATES)):
        if chosen:
            registry[name] = chosen
        else:
            registry.pop(name, None)


def parts(item: Item, user) -> dict[str, Any]:
    """Every contributed part for this item, as this user may see it, and the sections to include."""
    built = {name: build(item, user) for name, build in _PARTS.items()}
    built[SECTIONS] = [template for name, template in _TEMPLATES.items() if built.get(name)]
    built[HEAD] = [template for name, template in _HEAD_TEMPLATES.items() if built.get(name)]
    return built
