"""Turn the catalogue's HTML forms into the plain dicts the operations validate."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

DEFAULT_LANGUAGES = ("hy", "az", "ru", "en")
EXTRA_ROWS = 2


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def text_rows(titles: dict, descriptions: dict) -> list[dict]:
    """Rows for the multilingual part of a form: existing languages, the usual four, then blanks."""
    tags = list(dict.fromkeys([*titles, *descriptions, *DEFAULT_LANGUAGES]))
    rows = [{"lang": tag, "title": titles.get(tag, ""), "description": descriptions.get(tag, "")} for tag in tags]
    rows += [{"lang": "", "title": "", "description": ""} for _ in range(EXTRA_ROWS)]
    return rows


def _texts_from(form: MultiDict) -> tuple[dict, dict]:
    titles, descriptions = {}, {}
    for lang, title, description in zip(
        form.getlist("lang"), form.getlist("title"), form.getlist("description"), strict=False
    ):
        if not (title.strip() or description.strip()):
            continue
        titles[lang.strip()] = title
        descriptions[lang.strip()] = description
    return titles, descriptions


def parse_credits(text: str) -> list[dict]:
    """One credit per line, ``Name | role`` (the role may be left out)."""
    credits = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _, role = line.partition("|")
        credits.append({"name": name.strip(), "role": role.strip()})
    return credits


def format_credits(item) -> str:
    """The credits of ``item`` in the form's ``Name | role`` lines."""
    return "\n".join(f"{c.person.name} | {c.role}" if c.role else c.person.name for c in item.credits)


def item_data(form: MultiDict) -> dict:
    """The operations' input for an item from a submitted form."""
    titles, descriptions = _texts_from(form)
    return {
        "kind": form.get("kind", ""),
        "title": titles,
        "description": descriptions,
        "year": form.get("year", "").strip() or None,
        "countries": _split(form.get("countries", "")),
        "languages": _split(form.get("languages", "")),
        "themes": _split(form.get("themes", "")),
        "credits": parse_credits(form.get("credits", "")),
        "collections": form.getlist("collections"),
        "rights_note": form.get("rights_note", ""),
        "visibility": form.get("visibility", ""),
        "embargo_until": form.get("embargo_until", "").strip() or None,
    }


def collection_data(form: MultiDict) -> dict:
    """The operations' input for a collection from a submitted form."""
    titles, descriptions = _texts_from(form)
    return {
        "kind": form.get("kind", ""),
        "title": titles,
        "description": descriptions,
        "visibility": form.get("visibility", ""),
    }
