"""``/sitemap.xml`` (a sitemap, or an index of ``/sitemap-<n>.xml`` when the addresses fill several) and ``/robots.txt``."""

from __future__ import annotations

from flask import Blueprint, Response, abort, stream_with_context, url_for
from flask_babel import gettext as _

from archive.webmeta import sitemap

bp = Blueprint("webmeta", __name__)
XML = "application/xml; charset=utf-8"
CACHE_SECONDS = 3600


def _xml(body) -> Response:
    response = Response(stream_with_context(body) if not isinstance(body, bytes) else body, content_type=XML)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@bp.get("/sitemap.xml")
def sitemap_xml():
    """Every public page with its language alternates; an index of numbered sitemaps when they are many."""
    count = sitemap.pages()
    if count == 1:
        return _xml(sitemap.urlset(0, sitemap.limit()))
    return _xml(sitemap.index(count))


@bp.get("/sitemap-<int:number>.xml")
def sitemap_page(number: int):
    """One numbered sitemap of a split one; 404 past the last (or when a single sitemap holds every page)."""
    count = sitemap.pages()
    if count == 1 or not 1 <= number <= count:
        abort(404, description=_("There is no sitemap %(number)s; /sitemap.xml lists the ones there are.",
                                 number=number))
    size = sitemap.limit()
    return _xml(sitemap.urlset((number - 1) * size, size))


@bp.get("/robots.txt")
def robots():
    """Crawlers may read the public pages; not the staff's, the venues' or the API; the sitemap says where to start."""
    lines = ["User-agent: *", "Disallow: /manage/", "Disallow: /admin/", "Disallow: /venue/", "Disallow: /api/",
             "Disallow: /files/", "Disallow: /login", "Disallow: /search", "Disallow: /exports/", "",
             f"Sitemap: {url_for('webmeta.sitemap_xml', _external=True)}", ""]
    response = Response("\n".join(lines), content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
