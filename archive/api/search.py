"""API route for search: the same search as the pages, as JSON."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for

from archive.api import bp
from archive.auth.permissions import acting_user
from archive.pagination import page_number, per_page
from archive.search.hits import ItemResult
from archive.search.queries import SearchResults, options_from_args, search


def results_json(results: SearchResults) -> dict:
    """Results grouped by item, hits with times and escaped, highlighted snippets, and facets.

    A hit's ``matched_as`` lists the cue's words that matched though not typed so (another form,
    letters typed without diacritics, another script); empty when the words typed matched as such.
    A hit's ``moment_url`` opens what is said at that moment in every subtitle language of the film
    (null when the film has subtitles in one language only, or the item is a photograph).
    """
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "pages": results.pages,
        "items": [_item_json(found) for found in results.items],
        "facets": results.facets,
    }


def _item_json(found: ItemResult) -> dict:
    # One url_for per address, not per hit: a hit's addresses are the item's with its time added
    # (what url_for would build: no URL defaults apply to these endpoints).
    url = url_for("catalogue.item", item_id=found.item.id, _external=True)
    moment = url_for("subtitles.moment", item_id=found.item.id, _external=True) if found.has_moment_view else None
    return {
        "id": found.item.id,
        "title": found.item.display_title(),
        "titles": found.item.title,
        "kind": found.item.kind,
        "year": found.item.year,
        "url": url,
        "hit_count": found.hit_count,
        "hits": [
            {
                "start": hit.start,
                "end": hit.end,
                "lang": hit.lang,
                "snippet": str(hit.snippet),
                "matched_as": hit.matched_as,
                "url": f"{url}#t={hit.start:.3f}",
                "moment_url": f"{moment}?{urlencode({'t': f'{hit.start:.3f}', 'sub': hit.lang}, safe=_QUERY_SAFE)}"
                if moment else None,
            }
            for hit in found.hits
        ],
    }


_QUERY_SAFE = "!$'()*,/:;?@"  # as werkzeug's url_for encodes query arguments


@bp.get("/search")
def search_catalogue():
    """Search titles, descriptions, credits and subtitles; ``kind``, ``lang``, ``subtitle_lang`` ... narrow it."""
    options = options_from_args(request.args)
    results = search(request.args.get("q"), user=acting_user(), page=page_number(), per_page=per_page(), **options)
    return results_json(results)
