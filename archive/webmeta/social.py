"""Open Graph and Twitter card tags: what a shared link's preview shows (title, text, picture, languages)."""

from __future__ import annotations

from flask_babel import gettext as _

from archive.i18n.languages import LANGUAGES, current
from archive.webmeta.media import ItemMedia

# Open Graph names locales language_TERRITORY; each interface language with the country it is mostly read in.
OG_LOCALES = {"hy": "hy_AM", "az": "az_AZ", "ru": "ru_RU", "en": "en_GB"}
DESCRIPTION_CHARS = 300


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS - 1].rstrip() + "…"


def tags(*, kind: str, title: str, description: str, url: str, media: ItemMedia) -> dict[str, list[tuple[str, str]]]:
    """``{"open_graph": [(property, content)], "twitter": [(name, content)]}`` for one public page.

    ``kind`` is the Open Graph type: ``video.other`` for a film, ``website`` for anything else.
    """
    language = current()
    description = _short(description or title)
    og = [("og:type", kind), ("og:site_name", _("Dialogue Archive")), ("og:title", title),
          ("og:description", description), ("og:url", url), ("og:locale", OG_LOCALES[language])]
    og += [("og:locale:alternate", OG_LOCALES[other]) for other in LANGUAGES if other != language]
    image = media.image
    if image:
        og += [("og:image", image.url), ("og:image:type", image.mime), ("og:image:alt", title)]
        if image.width and image.height:
            og += [("og:image:width", str(image.width)), ("og:image:height", str(image.height))]
    if media.video and kind == "video.other":
        og += [("og:video", media.video.url), ("og:video:type", media.video.mime)]
        if media.video.width and media.video.height:
            og += [("og:video:width", str(media.video.width)), ("og:video:height", str(media.video.height))]
    twitter = [("twitter:card", "summary_large_image" if image else "summary"), ("twitter:title", title),
               ("twitter:description", description)]
    if image:
        twitter += [("twitter:image", image.url), ("twitter:image:alt", title)]
    return {"open_graph": og, "twitter": twitter}
