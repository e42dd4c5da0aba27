"""Turn the screening pages' forms and query strings into the plain values the operations check."""

from __future__ import annotations

from datetime import date

from flask import abort
from werkzeug.datastructures import MultiDict


def _clean(form: MultiDict, names: tuple[str, ...]) -> dict:
    return {name: form.get(name, "").strip() for name in names if form.get(name, "").strip() != ""}


def screening_data(form: MultiDict) -> dict:
    """A screening request from the form (or a pre-filled link): the API's fields, empty ones left out."""
    return _clean(form, ("item_id", "venue_id", "starts_at", "audio_lang", "subtitle_lang", "expected_audience",
                         "format", "discussion_minutes", "use", "notes"))


def report_data(form: MultiDict) -> dict:
    """An attendance report from the form."""
    attendance = {name: form.get(name, "").strip() for name in ("total", "women", "men", "other", "youth", "displaced")}
    attendance = {name: value for name, value in attendance.items() if value != "" or name == "total"}
    return {"attendance": attendance, "discussion": form.get("discussion", ""), "notes": form.get("notes", "")}


def licence_data(form: MultiDict) -> dict:
    """A licence from the form: territories as a comma-separated list, uses as checkboxes."""
    return {
        "territories": form.get("territories", ""),
        "starts_on": form.get("starts_on", ""),
        "ends_on": form.get("ends_on", ""),
        "uses": form.getlist("uses"),
        "max_screenings": form.get("max_screenings", "").strip() or None,
        "note": form.get("note", ""),
    }


def venue_data(form: MultiDict) -> dict:
    """A venue from the admin form."""
    data = _clean(form, ("name", "address", "city", "country", "timezone", "capacity", "buffer_minutes",
                         "accessibility", "contact"))
    for name in ("name", "city", "country", "timezone"):
        data.setdefault(name, "")
    return data


def date_span(args: MultiDict) -> tuple[date | None, date | None]:
    """The ``from`` and ``to`` dates of the impact page (either may be left out)."""
    span = []
    for name in ("from", "to"):
        raw = args.get(name, "").strip()
        if not raw:
            span.append(None)
            continue
        try:
            span.append(date.fromisoformat(raw))
        except ValueError:
            abort(400, description=f"{name}={raw!r} is not a date; use YYYY-MM-DD.")
    return span[0], span[1]
