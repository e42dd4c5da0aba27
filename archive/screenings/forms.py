"""Turn the screening pages' forms and query strings into the plain values the operations check."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from archive.timeutil import utcnow
from archive.validation import iso_date, record_id, text_problem
from archive.validation import month as validation_month


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
        errors: dict[str, str] = {}
        found = iso_date(raw, name, errors)
        if errors:
            abort(400, description=f"{name}: {errors[name]}")
        span.append(found)
    return span[0], span[1]


def calendar_filters(args: MultiDict) -> dict:
    """The calendar's filters from the query string: country, city, venue and film ids, language.

    The language of the audio or subtitles is ``language``: ``lang`` names the interface's language
    on every page, so a shared ``?lang=ru`` link changes the page's language, not the screenings shown.
    """
    filters: dict = {}
    for name in ("country", "city", "language"):
        problem = text_problem(args.get(name, ""))
        if problem:
            abort(400, description=f"{name}: {problem}")
    if args.get("country"):
        filters["country"] = args["country"].strip().upper()[:2]
    if args.get("city"):
        filters["city"] = args["city"].strip()[:120]
    for name in ("venue", "film"):
        raw = args.get(name, "")
        if raw:
            try:
                filters[name] = record_id(raw)
            except ValueError as exc:
                abort(400, description=f"{name}: {exc} " + _("Pick one from the list."))
    if args.get("language"):
        filters["language"] = args["language"].strip()[:35]
    return filters


def month(raw: str | None) -> date:
    """The first day of the month a calendar shows: ``month=YYYY-MM``, or this month."""
    if not raw:
        return utcnow().date().replace(day=1)
    try:
        return validation_month(raw)
    except ValueError as exc:
        abort(400, description=f"month: {exc}")
