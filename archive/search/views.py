"""Search pages: the catalogue search with facets, and "search inside this film"."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from archive.auth.permissions import acting_user
from archive.catalogue import item_page
from archive.catalogue.models import KIND_LABELS, Item
from archive.catalogue.views import visible_item_or_404
from archive.i18n.names import label, language_name
from archive.pagination import page_number
from archive.search.operations import IndexRebuilding
from archive.search.parsing import QueryError
from archive.search.queries import options_from_args, search

bp = Blueprint("search", __name__)
FACET_NAMES = {"kind": _l("Kind"), "year": _l("Year"), "lang": _l("Language of the film"),
               "subtitle_lang": _l("Subtitles"), "theme": _l("Theme"), "collection": _l("Collection")}
# On pages the film-language filter travels as ``film_lang``: ``lang`` in a page's address chooses
# the interface language (archive/i18n), so a facet link must not switch the reader's language.
PAGE_PARAMS = {"lang": "film_lang"}


def _options_args(args) -> MultiDict:
    """The page's query string with its parameter names as ``options_from_args`` reads them."""
    renamed = MultiDict()
    for key, value in args.items(multi=True):
        if key in PAGE_PARAMS:
            continue  # the interface language, not a filter
        option = next((name for name, param in PAGE_PARAMS.items() if param == key), key)
        renamed.add(option, value)
    return renamed


def page_options(args) -> dict:
    """The facet filters of a search page's address (``film_lang`` for the film's language); QueryError when malformed."""
    return options_from_args(_options_args(args))


def facet_label(name: str, value) -> str:
    """What a facet entry is called on the page: a kind's or a language's name, else the value."""
    if name == "kind":
        return label(KIND_LABELS, value)
    if name in ("lang", "subtitle_lang"):
        return language_name(value)
    return str(value)


def _render(status: int = 200, headers=None, **values):
    values.setdefault("facet_names", FACET_NAMES)
    values.setdefault("page_params", PAGE_PARAMS)
    values.setdefault("facet_label", facet_label)
    return render_template("search/results.html", **values), status, headers or {}


@bp.get("/search")
def results():
    """Search everything this visitor may see."""
    text = request.args.get("q", "")
    found, message, options = None, None, {}
    try:
        options = page_options(request.args)
        if text.strip():
            found = search(text, user=acting_user(), page=page_number(), per_page=current_app.config["PAGE_SIZE"],
                           **options)
    except QueryError as exc:
        message = str(exc)
    except IndexRebuilding as exc:
        return _render(exc.status, exc.headers, q=text, found=None, message=str(exc), options=options)
    return _render(q=text, found=found, message=message, options=options)


@bp.get("/items/<int:item_id>/search")
def inside_item(item_id: int):
    """Every matching moment in one film."""
    item = visible_item_or_404(item_id)
    text = request.args.get("q", "")
    found, message = None, None
    try:
        if text.strip():
            found = search(text, user=acting_user(), item_id=item.id, hits_per_item=1000)
    except QueryError as exc:
        message = str(exc)
    hits = sorted(found.items[0].hits, key=lambda hit: (hit.start, hit.lang)) if found and found.items else []
    return render_template("search/inside.html", item=item, q=text, found=found, hits=hits, message=message)


def inside_hits(item: Item, user) -> dict:
    """The film page's "search inside" (``?q=``): the matched cues' marked text, keyed by (track id, cue
    position), and how many each track holds."""
    query = (request.args.get("q", "") if has_request_context() else "").strip()[:500]
    if not query:
        return {"query": "", "by_cue": {}, "per_track": {}}
    try:
        found = search(query, user=user, item_id=item.id, hits_per_item=1000)
    except (QueryError, IndexRebuilding):
        return {"query": query, "by_cue": {}, "per_track": {}}
    hits = found.items[0].hits if found and found.items else []
    per_track: dict[int, int] = {}
    for hit in hits:
        per_track[hit.track_id] = per_track.get(hit.track_id, 0) + 1
    return {"query": query, "by_cue": {(hit.track_id, hit.position): hit.snippet for hit in hits}, "per_track": per_track}


def init_app(app: Flask) -> None:
    """Let the film page's transcript mark what "search inside this film" found."""
    item_page.add_part("inside_hits", inside_hits)
