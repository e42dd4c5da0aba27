"""The interface in the region's languages: Armenian, Azerbaijani, Russian and English.

``languages`` picks the language of each request, ``records`` picks which of a record's texts to
show, ``names`` and ``formats`` write names, dates, times and numbers the local way (CLDR through
Babel), and ``catalogs`` extracts, updates, compiles and checks the message catalogs under
``archive/translations/``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, redirect, request, session
from flask_babel import Babel

from archive.i18n import formats, languages, names, records
from archive.routing import safe_next

babel = Babel()


def this_page() -> str:
    """The current page's path and query without ``lang``, for the switcher to come back to."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(kept) if kept else "")


def init_app(app: Flask) -> None:
    """Answer every request in its language; take ``?lang=`` from any page link; offer the switch."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", languages.DEFAULT)
    babel.init_app(app, locale_selector=languages.select)

    @app.before_request
    def language_from_link():
        # A shared link such as /items/7?lang=hy opens the page, and what follows, in that language.
        if not request.path.startswith("/api/"):
            chosen = languages.interface_language(request.args.get("lang"))
            if chosen:
                session[languages.SESSION_KEY] = chosen

    @app.after_request
    def say_language(response: Response) -> Response:
        response.headers.setdefault("Content-Language", languages.current())
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    @app.post("/language")
    def choose_language():
        """The switcher: keep the chosen language and go back to the page it was chosen on."""
        chosen = languages.interface_language(request.form.get("lang"))
        if chosen:
            languages.remember_choice(chosen)
        return redirect(safe_next(request.form.get("next")))

    app.jinja_env.globals.update(
        this_page=this_page,
        interface_languages=languages.LANGUAGES,
        current_language=languages.current,
        language_name=names.language_name,
        country_name=names.country_name,
        shown=records.shown,
    )
    formats.init_app(app)
