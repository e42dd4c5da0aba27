"""What is on soon, for the home page: the next screenings this visitor may see, through the calendar's own query."""

from __future__ import annotations

from flask import Flask

from archive.catalogue import home_page
from archive.extensions import db
from archive.screenings import calendars

SOON = 5  # screenings on the home page


def on_soon(user) -> list:
    """The next ``SOON`` screenings the calendar shows ``user``, soonest first."""
    return db.session.scalars(calendars.upcoming(calendars.calendar_query(user)).limit(SOON)).unique().all()


def init_app(app: Flask) -> None:
    """Give the home page its ``screenings``."""
    home_page.add_part("screenings", on_soon)
