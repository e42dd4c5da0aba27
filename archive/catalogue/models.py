"""Catalogue records: items (films and photographs), collections, people, credits, themes."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.extensions import db
from archive.i18n.records import Shown, shown
from archive.timeutil import utcnow

KINDS = ("film", "photo")
VISIBILITIES = ("public", "partners", "restricted")
COLLECTION_KINDS = ("exhibition", "series")

# Stored codes stay as they are; pages show these names for them.
KIND_LABELS = {"film": _l("Film"), "photo": _l("Photograph")}
VISIBILITY_LABELS = {
    # Translators: visibility level of a record: anyone may see it.
    "public": _l("Public"),
    # Translators: visibility level of a record: signed-in venues and staff may see it.
    "partners": _l("Partners"),
    # Translators: visibility level of a record: staff only.
    "restricted": _l("Restricted"),
}
COLLECTION_KIND_LABELS = {"exhibition": _l("Exhibition"), "series": _l("Film series")}


item_themes = Table(
    "item_themes",
    db.metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", Integer, ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

collection_items = Table(
    "collection_items",
    db.metadata,
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)


class Item(db.Model):
    """A film or a photograph. Titles and descriptions are ``{language tag: text}``."""

    __tablename__ = "items"
    # On SQLite, AUTOINCREMENT: a deleted item's number (its address, its OAI identifier, its
    # deletion record) is never given to a later item. PostgreSQL's sequences never reuse one.
    __table_args__ = (Index("ix_items_visibility_embargo", "visibility", "embargo_until"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    year: Mapped[int | None]
    countries: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    rights_note: Mapped[str] = mapped_column(Text, default="")
    # Set from the film's probed original; screenings need it to know how long a booking lasts.
    duration_seconds: Mapped[float | None]
    visibility: Mapped[str] = mapped_column(String(12), default="restricted")
    embargo_until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    credits: Mapped[list[Credit]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Credit.position"
    )
    themes: Mapped[list[Theme]] = relationship(secondary=item_themes, order_by="Theme.name")
    collections: Mapped[list[Collection]] = relationship(
        secondary=collection_items, back_populates="items", order_by="Collection.id"
    )

    def shown_title(self, language: str | None = None) -> Shown:
        """The title in the reader's language when it has one, else its own (see ``i18n.records``)."""
        return shown(self.title, self.languages or (), language=language) or Shown(gettext("Item %(id)s", id=self.id))

    def shown_description(self, language: str | None = None) -> Shown:
        """The description in the reader's language when it has one, else its own."""
        return shown(self.description, self.languages or (), language=language)

    def display_title(self, prefer: str | None = None) -> str:
        """The title as plain text, in ``prefer`` or the reader's language when the item has it."""
        return self.shown_title(prefer).text


class Person(db.Model):
    """Someone credited on an item (director, photographer, interviewee, ...)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Credit(db.Model):
    """A person's role on one item."""

    __tablename__ = "credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[Item] = relationship(back_populates="credits")
    person: Mapped[Person] = relationship(lazy="joined")


class Theme(db.Model):
    """A subject used to group and filter items (e.g. memory, displacement, youth)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Collection(db.Model):
    """An exhibition or a film series grouping items."""

    __tablename__ = "collections"
    __table_args__ = {"sqlite_autoincrement": True}  # as for items: a deleted collection's number stays its own

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    visibility: Mapped[str] = mapped_column(String(12), default="restricted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[Item]] = relationship(
        secondary=collection_items, back_populates="collections", order_by="Item.id"
    )

    def shown_title(self, language: str | None = None) -> Shown:
        """The title in the reader's language when it has one, else English, else any."""
        return shown(self.title, language=language) or Shown(gettext("Collection %(id)s", id=self.id))

    def shown_description(self, language: str | None = None) -> Shown:
        """The description in the reader's language when it has one, else English, else any."""
        return shown(self.description, language=language)

    def display_title(self, prefer: str | None = None) -> str:
        """The title as plain text, in ``prefer`` or the reader's language when the collection has it."""
        return self.shown_title(prefer).text
