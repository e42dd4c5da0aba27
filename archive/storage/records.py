"""Who keeps rows for stored objects: every feature that stores objects says how to find its keys.

Storage knows bytes, not what they are. The features that store objects (media, subtitles,
screenings) register a ``Keeper`` at start-up, so that storage can tell whether a row still points
at a key (a link to an object without a row is refused), and the audit can list objects with no
row and rows with no object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app


@dataclass(frozen=True)
class Keeper:
    """One feature's view of its stored objects.

    ``keys()`` yields every key a row points at; ``holds(key)`` tells whether one does;
    ``spares(key, now)`` is true for an object with no row that must still be left alone
    (a subtitle preview waiting to be saved, an upload whose row is not written yet).
    """

    name: str
    keys: Callable[[], Iterable[str]]
    holds: Callable[[str], bool]
    spares: Callable[[str, datetime], bool] | None = None


def init_app(app: Flask) -> None:
    """Give the app an empty list of keepers; features add theirs with ``add_keeper``."""
    app.extensions["storage_keepers"] = []


def add_keeper(app: Flask, keeper: Keeper) -> None:
    """Register a feature's keeper (adding one of the same name again replaces it)."""
    keepers = app.extensions.setdefault("storage_keepers", [])
    keepers[:] = [k for k in keepers if k.name != keeper.name] + [keeper]


def keepers() -> list[Keeper]:
    """The current app's keepers."""
    return list(current_app.extensions.get("storage_keepers", []))


def is_recorded(key: str) -> bool:
    """Whether a row still points at ``key``; with no keepers at all (a bare storage), every key counts."""
    found = keepers()
    return not found or any(keeper.holds(key) for keeper in found)


def recorded_keys() -> dict[str, str]:
    """Every key a row points at, with the name of the keeper whose row it is."""
    return {key: keeper.name for keeper in keepers() for key in keeper.keys()}


def is_spared(key: str, now: datetime) -> bool:
    """Whether an object with no row must be left alone for now."""
    return any(keeper.spares(key, now) for keeper in keepers() if keeper.spares is not None)
