"""Impact figures from screenings and their reports: per month, country and film, and gender balance."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from archive.extensions import db
from archive.i18n.formats import month_title
from archive.i18n.names import country_name
from archive.screenings import charts as svg
from archive.screenings import labels, times
from archive.screenings.models import Screening

# The export's column headers: in English the short names programs read; in the other interface
# languages, the same columns named in that language.
CSV_COLUMNS = [
    # Translators: a column header of the impact CSV export (the screening's number).
    _l("screening_id"),
    # Translators: a column header of the impact CSV export.
    _l("date"),
    # Translators: a column header of the impact CSV export (a two-letter country code).
    _l("country"),
    # Translators: a column header of the impact CSV export.
    _l("city"),
    # Translators: a column header of the impact CSV export.
    _l("venue"),
    # Translators: a column header of the impact CSV export (the film's number).
    _l("film_id"),
    # Translators: a column header of the impact CSV export (the film's title).
    _l("film"),
    # Translators: a column header of the impact CSV export (cinema, university...).
    _l("format"),
    # Translators: a column header of the impact CSV export (whether an attendance report was filed).
    _l("reported"),
    # Translators: a column header of the impact CSV export (people in the audience).
    _l("total"),
    # Translators: a column header of the impact CSV export.
    _l("women"),
    # Translators: a column header of the impact CSV export.
    _l("men"),
    # Translators: a column header of the impact CSV export (another or undisclosed gender).
    _l("other"),
    # Translators: a column header of the impact CSV export (people under 30).
    _l("youth"),
    # Translators: a column header of the impact CSV export (displaced people).
    _l("displaced"),
]


@dataclass
class Tally:
    """Screenings held and people reached for one month, country or film."""

    screenings: int = 0
    audience: int = 0


@dataclass
class Figures:
    """Everything the impact page shows."""

    screenings: int = 0
    reported: int = 0
    audience: int = 0
    women: int = 0
    men: int = 0
    other: int = 0
    youth: int = 0
    displaced: int = 0
    per_month: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_country: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_film: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def _approved(start: date | None, end: date | None) -> list[Screening]:
    query = (
        select(Screening)
        .where(Screening.status == "approved")
        .options(joinedload(Screening.item), joinedload(Screening.venue), joinedload(Screening.report))
        .order_by(Screening.starts_at, Screening.id)
    )
    if start:
        query = query.where(Screening.starts_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(Screening.starts_at < datetime.combine(end, time.max))
    return list(db.session.scalars(query).unique())


def figures(start: date | None = None, end: date | None = None) -> Figures:
    """Count approved screenings (by the venue's local month) and sum their reported audiences."""
    result = Figures()
    for screening in _approved(start, end):
        local = times.to_local(screening.starts_at, times.zone(screening.venue.timezone))
        report = screening.report
        audience = report.total if report else 0
        film = f"{screening.item.display_title()} (#{screening.item_id})"
        for key, table in ((f"{local:%Y-%m}", result.per_month), (screening.venue.country, result.per_country),
                           (film, result.per_film)):
            table[key].screenings += 1
            table[key].audience += audience
        result.screenings += 1
        if report:
            result.reported += 1
            result.audience += report.total
            result.women += report.women
            result.men += report.men
            result.other += report.other_gender
            result.youth += report.youth
            result.displaced += report.displaced
    return result


def charts(result: Figures) -> dict[str, object]:
    """The page's SVG charts."""
    months = [(month_title(date.fromisoformat(f"{key}-01")), tally) for key, tally in sorted(result.per_month.items())]
    countries = [(country_name(key), tally) for key, tally in sorted(result.per_country.items(), key=lambda kv: -kv[1].audience)]
    films = sorted(result.per_film.items(), key=lambda kv: -kv[1].audience)[:15]
    return {
        "month_screenings": svg.bar_chart(_("Screenings per month"), [(k, v.screenings) for k, v in months]),
        "month_audience": svg.bar_chart(_("Audience per month"), [(k, v.audience) for k, v in months]),
        "country": svg.bar_chart(_("Audience per country"), [(k, v.audience) for k, v in countries]),
        "film": svg.bar_chart(_("Audience per film"), [(k, v.audience) for k, v in films]),
        "gender": svg.balance_chart(
            _("Gender balance of reported audiences"),
            [(_("Women"), result.women), (_("Men"), result.men), (_("Another or undisclosed"), result.other)],
        ),
    }


def _cell(value: object) -> object:
    # A spreadsheet would run a cell starting with = + - @ as a formula: keep text inert.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(start: date | None = None, end: date | None = None) -> str:
    """One CSV row per approved screening, with its report's figures where filed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column) for column in CSV_COLUMNS])
    for s in _approved(start, end):
        local = times.to_local(s.starts_at, times.zone(s.venue.timezone))
        r = s.report
        writer.writerow([_cell(v) for v in [
            s.id, local.date().isoformat(), s.venue.country, s.venue.city, s.venue.name, s.item_id,
            s.item.display_title(), labels.format_label(s.format), _("yes") if r else _("no"),
            *((r.total, r.women, r.men, r.other_gender, r.youth, r.displaced) if r else ("",) * 6),
        ]])
    return out.getvalue()
