"""Search pages: the catalogue search with facets, and "search inside this film"."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from archive.auth.permissions import acting_user
from archive.catalogue.views import visible_item_or_404
from archive.pagination import page_number
from archive.search.operations import IndexRebuilding
from archive.search.parsing import QueryError
from archive.search.queries import options_from_args, search

bp = Blueprint("search", __name__)
FACET_NAMES = {"kind": "Kind", "year": "Year", "lang": "Language of the film", "subtitle_lang": "Subtitles",
               "theme": "Theme", "collection": "Collection"}


@bp.get("/search")
def results():
    """Search everything this visitor may see."""
    text = request.args.get("q", "")
    found, message, options = None, None, {}
    try:
        options = options_from_args(request.args)
        if text.strip():
            found = search(text, user=acting_user(), page=page_number(), per_page=current_app.config["PAGE_SIZE"],
                           **options)
    except QueryError as exc:
        message = str(exc)
    except IndexRebuilding as exc:
        return render_template("search/results.html", q=text, found=None, message=str(exc), options=options,
                               facet_names=FACET_NAMES), exc.status, exc.headers
    return render_template("search/results.html", q=text, found=found, message=message, options=options,
                           facet_names=FACET_NAMES)


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
