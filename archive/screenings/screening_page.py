"""Parts of a screening's page that other features fill in, so screenings shows them without importing them.

The same arrangement as the item page's (``archive/catalogue/item_page.py``): a part is
``build(screening, user)``, its result reaches the template under its name, and a part added with
``head=`` has that template included in the page's ``<head>`` whenever its result is not empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive.screenings.models import Screening

PartBuilder = Callable[[Screening, Any], Any]
HEAD = "screening_head"  # the template names to include in the page's <head>, under this name

_PARTS: dict[str, PartBuilder] = {}
_HEAD_TEMPLATES: dict[str, str] = {}


def add_part(name: str, build: PartBuilder, head: str | None = None) -> None:
    """Have the screening page receive ``build(screening, user)`` as ``name`` (adding it again replaces it)."""
    _PARTS[name] = build
    if head:
        _HEAD_TEMPLATES[name] = head
    else:
        _HEAD_TEMPLATES.pop(name, None)


def parts(screening: Screening, user) -> dict[str, Any]:
    """Every contributed part for this screening, as this user may see it, and the head templates to include."""
    built = {name: build(screening, user) for name, build in _PARTS.items()}
    built[HEAD] = [template for name, template in _HEAD_TEMPLATES.items() if built.get(name)]
    return built
