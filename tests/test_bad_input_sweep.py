"""No input breaks a page: malformed input across the API and the forms answers 4xx with a reason.

Each case is sent as an attacker or a clumsy user would send it: lone surrogates, NUL and other
control characters in text fields, digits that are not ASCII, dates at the calendar's edges, ids
no database column can hold, JSON nested past any sane depth, numbers JSON cannot hold. Every
answer must be below 500 and carry a reason a person can act on: the words given with the case.
Runs in both profiles, since PostgreSQL refuses NUL bytes and large ids where SQLite does not.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from PIL import Image

from archive.errors import MESSAGES
from archive.extensions import db
from archive.screenings.operations import decisions
from archive.screenings.operations import venues as venue_rules
from tests.factories import book, make_collection, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start

BIG = 2**31  # one past the largest id a PostgreSQL integer column holds
HUGE = 2**70
SURROGATE = "x\ud800y"
DEEP = "[" * 100_000 + "]" * 100_000
SRT_FILE = b"1\n00:00:01,000 --> 00:00:02,000\nHello\n"


def _jpeg() -> bytes:
    """A small real photograph for report uploads."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


@dataclass
class Case:
    """One malformed request: who sends it, where, what, and the words its answer must hold."""

    who: str | None
    method: str
    url: str
    reason: str
    json: object = None
    data: object = None
    raw_json: str | None = None
    follow: bool = False  # a form that redirects: the reason must show on the page it leads to
    shown: bool = False  # a page that answers 200 showing the reason (the search pages do)
    accepted: bool = False  # read as something sensible rather than refused: only a 5xx is wrong
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.reason})"


def item(**fields):
    """An item body for the API with ``fields`` on top of a valid minimum."""
    return {"kind": "film", "title": {"en": "Sweep"}, "visibility": "public", **fields}


def screening_body(**fields):
    """A screening request body whose ids are filled in from the records."""
    return {"item_id": "{film}", "venue_id": "{venue}", "starts_at": "2027-03-01T19:00", "format": "community", **fields}


def item_form(**fields):
    """The item form with ``fields`` on top of a valid minimum."""
    return {"kind": "film", "lang": "en", "title": "Sweep", "description": "", "visibility": "public", **fields}


def venue_form(**fields):
    """The venue form with ``fields`` on top of a valid minimum."""
    return {"name": "Hall", "city": "Gyumri", "country": "AM", "timezone": "Asia/Yerevan", **fields}


API_CASES = [
    # Text fields: lone surrogates, NUL, control characters, a newline where one line is expected.
    Case("archivist", "POST", "/api/v1/items", "lone surrogate", json=item(title={"en": SURROGATE})),
    Case("archivist", "POST", "/api/v1/items", "NUL", json=item(title={"en": "x\x00y"})),
    Case("archivist", "POST", "/api/v1/items", "U+0007", json=item(title={"en": "bell\x07"})),
    Case("archivist", "POST", "/api/v1/items", "one line", json=item(title={"en": "two\nlines"})),
    Case("archivist", "POST", "/api/v1/items", "U+001B", json=item(description={"en": "esc\x1b[31m"})),
    Case("archivist", "POST", "/api/v1/items", "lone surrogate", json=item(rights_note=SURROGATE)),
    Case("archivist", "POST", "/api/v1/items", "NUL", json=item(credits=[{"name": "Ani\x00", "role": "director"}])),
    Case("archivist", "POST", "/api/v1/items", "NUL", json=item(themes=["memory\x00"])),
    Case("archivist", "POST", "/api/v1/items", "language tag", json=item(title={"e\x00n": "x"})),
    Case("archivist", "POST", "/api/v1/items", "language tag", json=item(languages=["h\ud800y"])),
    Case("archivist", "POST", "/api/v1/items", "country code", json=item(countries=["A\x00"])),
    Case("archivist", "PATCH", "/api/v1/items/{film}", "lone surrogate", json={"title": {"en": SURROGATE}}),
    Case("archivist", "POST", "/api/v1/items", "Unknown field", json=item(**{SURROGATE: 1})),
    Case("archivist", "POST", "/api/v1/items", "country code", json=item(countries=[SURROGATE])),
    Case("admin", "POST", "/api/v1/venues", "IANA time zone",
         json={"name": "Hall", "city": "Gyumri", "country": "AM", "timezone": SURROGATE}),
    Case("archivist", "POST", "/api/v1/collections", "NUL",
         json={"kind": "series", "title": {"en": "x\x00"}, "visibility": "public"}),
    Case("archivist", "PATCH", "/api/v1/collections/{collection}", "lone surrogate",
         json={"description": {"en": SURROGATE}}),
    # Numbers: Unicode digits, values JSON can write but no column holds.
    Case("archivist", "POST", "/api/v1/items", "not a year", json=item(year="²")),
    Case("archivist", "POST", "/api/v1/items", "not a year", json=item(year="٢٠١٩")),
    Case("archivist", "POST", "/api/v1/items", "not a year",
         raw_json='{"kind": "film", "title": {"en": "x"}, "year": Infinity}'),
    Case("archivist", "POST", "/api/v1/items", "not a year",
         raw_json='{"kind": "film", "title": {"en": "x"}, "year": NaN}'),
    Case("archivist", "POST", "/api/v1/items", "not a year",
         raw_json='{"kind": "film", "title": {"en": "x"}, "year": 1e400}'),
    Case("archivist", "POST", "/api/v1/items", "not an id", json=item(collections=[HUGE])),
    Case("archivist", "POST", "/api/v1/items", "not an id", json=item(collections=["٣"])),
    Case("archivist", "POST", "/api/v1/items", "not a date", json=item(embargo_until="２０２７-01-01")),
    Case("archivist", "POST", "/api/v1/collections", "not an id",
         json={"kind": "series", "title": {"en": "x"}, "items": [HUGE]}),
    # Bodies that are not what they claim.
    Case("archivist", "POST", "/api/v1/items", "JSON",
         raw_json='{"kind": "film", "title": {"en": "x"}, "year": 1' + "0" * 5000 + "}"),
    Case("archivist", "POST", "/api/v1/items", "nested too deeply", raw_json=DEEP),
    Case("archivist", "POST", "/api/v1/items", "nested too deeply", raw_json='{"title": ' + DEEP + "}"),
    Case("archivist", "POST", "/api/v1/items", "JSON", raw_json='{"title": "\\ud800'),
    Case("archivist", "POST", "/api/v1/items", "not a list", json=[1, 2]),
    Case("archivist", "POST", "/api/v1/collections", "nested too deeply", raw_json=DEEP),
    Case("admin", "POST", "/api/v1/venues", "nested too deeply", raw_json=DEEP),
    Case("admin", "POST", "/api/v1/screenings", "nested too deeply", raw_json=DEEP),
    Case("archivist", "POST", "/api/v1/screenings/{screening}/decline", "nested too deeply", raw_json=DEEP),
    # Ids no integer column holds, on every kind of <int:id> route.
    Case(None, "GET", f"/api/v1/items/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/api/v1/items/{HUGE}", "nothing at this address"),
    Case(None, "GET", f"/api/v1/collections/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/api/v1/venues/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/api/v1/screenings/{BIG}", "nothing at this address"),
    Case("archivist", "POST", f"/api/v1/jobs/{BIG}/retry", "nothing at this address"),
    Case("archivist", "GET", f"/api/v1/items/{BIG}/licences", "nothing at this address"),
    Case("archivist", "DELETE", f"/api/v1/items/{{film}}/subtitles/{BIG}", "nothing at this address"),
    # Query-string numbers and filters.
    Case(None, "GET", "/api/v1/items?page=%C2%B2", "page"),
    Case(None, "GET", "/api/v1/items?page=%D9%A3", "page"),
    Case(None, "GET", "/api/v1/items?per_page=%C2%B9", "per_page"),
    Case(None, "GET", "/api/v1/items?kind=film%00", "kind"),
    Case("archivist", "GET", "/api/v1/jobs?item=%C2%B2", "not an id"),
    Case("archivist", "GET", f"/api/v1/jobs?item={BIG}", "not an id"),
    Case("archivist", "GET", "/api/v1/jobs?status=failed%00", "status"),
    Case(None, "GET", "/api/v1/screenings?venue=%C2%B2", "not an id"),
    Case(None, "GET", f"/api/v1/screenings?item={BIG}", "not an id"),
    Case(None, "GET", "/api/v1/screenings?status=approved%00", "status"),
    Case(None, "GET", "/api/v1/screenings?from=0001-01-01T00:00:00%2B01:00", "out of range"),
    Case(None, "GET", "/api/v1/screenings?to=9999-12-31T23:59:59-01:00", "out of range"),
    Case(None, "GET", "/api/v1/screenings?from=%D9%A2%D9%A0%D9%A2%D9%A7-01-01", "not a date"),
    Case(None, "GET", "/api/v1/search?q=border&page=%C2%B2", "page"),
    Case(None, "GET", "/api/v1/search?q=border&per_page=%C2%B2", "per_page"),
    Case(None, "GET", "/api/v1/search?q=border&year=%C2%B2", "not a number"),
    Case(None, "GET", "/api/v1/search?q=border&collection=%D9%A3", "not a number"),
    Case(None, "GET", f"/api/v1/search?q=border&collection={HUGE}", "not a number"),
    Case(None, "GET", "/api/v1/search?q=border&theme=a%00", "not a valid value"),
    Case(None, "GET", "/api/v1/search?q=a%00b", "", accepted=True),  # control characters read as spaces
    Case(None, "GET", "/api/v1/search?q=year:%C2%B2", "", accepted=True),
    Case("archivist", "POST", "/api/v1/items/{film}/subtitles?lang=e%00n&filename=a.srt", "language tag",
         data=b"1\n00:00:01,000 --> 00:00:02,000\nHello\n"),
    Case("archivist", "POST", "/api/v1/items/{film}/subtitles?lang=en&filename=a.srt&label=Eng%00lish", "NUL",
         data=b"1\n00:00:01,000 --> 00:00:02,000\nHello\n"),
    Case("archivist", "POST", "/api/v1/items/{film}/subtitles?lang=en&filename=a%00.srt", "",  # a display name:
         data=b"1\n00:00:01,000 --> 00:00:02,000\nHello\n", accepted=True),  # its controls are left out
    # Screenings: text, numbers and times at the calendar's edges.
    Case("admin", "POST", "/api/v1/venues", "one line",
         json={"name": "Hall\nSet-Cookie: x", "city": "Gyumri", "country": "AM", "timezone": "Asia/Yerevan"}),
    Case("admin", "POST", "/api/v1/venues", "whole number",
         json={"name": "Hall", "city": "Gyumri", "country": "AM", "timezone": "Asia/Yerevan", "capacity": "²"}),
    Case("admin", "POST", "/api/v1/venues", "IANA time zone",
         json={"name": "Hall", "city": "Gyumri", "country": "AM", "timezone": "Asia/Yerevan\x00"}),
    Case("admin", "POST", "/api/v1/venues/{venue}/members", "e-mail", json={"email": "venue\x00@example.org"}),
    Case("archivist", "POST", "/api/v1/items/{film}/licences", "whole number",
         json={"territories": ["AM"], "starts_on": "2026-01-01", "ends_on": "2027-01-01", "uses": ["educational"],
               "max_screenings": "²"}),
    Case("archivist", "POST", "/api/v1/items/{film}/licences", "NUL",
         json={"territories": ["AM"], "starts_on": "2026-01-01", "ends_on": "2027-01-01", "uses": ["educational"],
               "note": "\x00"}),
    Case("archivist", "POST", "/api/v1/screenings", "out of range",
         json=screening_body(starts_at="0001-01-01T00:00+14:00")),
    Case("archivist", "POST", "/api/v1/screenings", "out of range",
         json=screening_body(starts_at="9999-12-31T23:59-12:00")),
    Case("archivist", "POST", "/api/v1/screenings", "out of range", json=screening_body(starts_at="9999-12-31T22:00")),
    Case("archivist", "POST", "/api/v1/screenings", "out of range", json=screening_body(starts_at="0001-01-01T00:00")),
    Case("archivist", "POST", "/api/v1/screenings", "not an id", json=screening_body(item_id=HUGE)),
    Case("archivist", "POST", "/api/v1/screenings", "not an id", json=screening_body(venue_id="²")),
    Case("archivist", "POST", "/api/v1/screenings", "NUL", json=screening_body(notes="\x00")),
    Case("archivist", "POST", "/api/v1/screenings", "whole number", json=screening_body(discussion_minutes="³")),
    Case("archivist", "POST", "/api/v1/screenings/{screening}/decline", "NUL", json={"reason": "no\x00"}),
    Case("archivist", "POST", "/api/v1/screenings/{screening}/approve", "lone surrogate", json={"reason": SURROGATE}),
    Case("venue", "POST", "/api/v1/screenings/{screening}/cancel", "NUL", json={"reason": "\x00"}),
    Case("venue", "POST", "/api/v1/screenings/{past}/report", "whole number", json={"attendance": {"total": "²"}}),
    Case("venue", "POST", "/api/v1/screenings/{past}/report", "NUL", json={"attendance": {"total": 5}, "notes": "\x00"}),
    Case("venue", "POST", "/api/v1/screenings/{past}/report", "nested too deeply", raw_json=DEEP),
]

FORM_CASES = [
    Case(None, "POST", "/login", "wrong", data={"email": "admin\x00@example.org", "password": "whatever it is"}),
    Case(None, "POST", "/login", "wrong", data={"email": "x" * 5000, "password": "whatever it is"}),
    Case("archivist", "POST", "/manage/items/new", "NUL", data=item_form(title="x\x00")),
    Case("archivist", "POST", "/manage/items/new", "U+0008", data=item_form(description="back\x08space")),
    Case("archivist", "POST", "/manage/items/new", "not a year", data=item_form(year="²")),
    Case("archivist", "POST", "/manage/items/new", "not an id", data=item_form(collections=str(HUGE))),
    Case("archivist", "POST", "/manage/items/new", "NUL", data=item_form(credits="Ani\x00 | director")),
    Case("archivist", "POST", "/manage/items/{film}/edit", "U+0001", data=item_form(title="\x01")),
    Case("archivist", "POST", "/manage/items/{film}/subtitles/preview", "NUL",
         data={"lang": "en", "label": "Eng\x00lish", "file": (SRT_FILE, "film.srt")}),
    Case("archivist", "POST", "/manage/items/{film}/subtitles/preview", "language tag",
         data={"lang": "e\x00n", "label": "English", "file": (SRT_FILE, "film.srt")}),
    Case("archivist", "POST", "/manage/collections/new", "NUL",
         data={"kind": "series", "lang": "en", "title": "x\x00", "description": "", "visibility": "public"}),
    Case("admin", "POST", "/manage/venues", "NUL", data=venue_form(name="Hall\x00")),
    Case("admin", "POST", "/manage/venues", "whole number", data=venue_form(buffer_minutes="٣٠")),
    Case("admin", "POST", "/manage/venues", "Choose a venue",
         data={"action": "member", "venue_id": str(BIG), "email": "venue@example.org"}),
    Case("admin", "POST", "/manage/venues", "Choose a venue",
         data={"action": "member", "venue_id": "²", "email": "venue@example.org"}),
    Case("admin", "POST", "/manage/venues", "e-mail",
         data={"action": "member", "venue_id": "{venue}", "email": "venue\x00@example.org"}),
    Case("archivist", "POST", "/manage/items/{film}/licences", "whole number",
         data={"territories": "AM", "starts_on": "2026-01-01", "ends_on": "2027-01-01", "uses": "educational",
               "max_screenings": "²"}),
    Case("archivist", "POST", "/manage/items/{film}/licences", "not a date",
         data={"territories": "AM", "starts_on": "٢٠٢٦-01-01", "ends_on": "2027-01-01", "uses": "educational"}),
    Case("venue", "POST", "/venue/screenings/new", "out of range",
         data={"item_id": "{film}", "venue_id": "{venue}", "starts_at": "0001-01-01T00:00+14:00", "format": "community"}),
    Case("venue", "POST", "/venue/screenings/new", "not an id",
         data={"item_id": "²", "venue_id": "{venue}", "starts_at": "2027-03-01T19:00", "format": "community"}),
    Case("venue", "POST", "/venue/screenings/new", "NUL",
         data={"item_id": "{film}", "venue_id": "{venue}", "starts_at": "2027-03-01T19:00", "format": "community",
               "notes": "\x00"}),
    Case("archivist", "POST", "/manage/screenings/{screening}/decline", "NUL", data={"reason": "no\x00"}, follow=True),
    Case("venue", "POST", "/screenings/{screening}/cancel", "NUL", data={"reason": "\x00"}, follow=True),
    Case("venue", "POST", "/screenings/{past}/report", "whole number", data={"total": "٣٠"}),
    Case("venue", "POST", "/screenings/{past}/report", "NUL", data={"total": "30", "discussion": "Talk\x00"}),
    Case("venue", "POST", "/screenings/{past}/report", "", accepted=True,  # a display name: its controls left out
         data={"total": "30", "photos": (JPEG, "hall\x00.jpg")}),
    Case("admin", "POST", "/admin/users", "e-mail",
         data={"email": "new\x00@example.org", "password": "long enough password", "role": "venue"}),
    Case("admin", "POST", "/admin/users", "NUL",
         data={"email": "new@example.org", "password": "long enough password", "role": "venue", "name": "N\x00"}),
    Case("admin", "POST", "/admin/users/{venue_user}", "NUL", data={"action": "update", "role": "venue", "name": "\x00"}),
    Case("admin", "POST", "/admin/users/{venue_user}", "NUL", data={"action": "token", "label": "t\x00"}),
    Case("admin", "POST", "/admin/users/{venue_user}", "does not belong", data={"action": "revoke", "token_id": str(BIG)}),
    Case("admin", "POST", "/admin/users/{venue_user}", "does not belong", data={"action": "revoke", "token_id": "²"}),
]

PAGE_CASES = [
    Case(None, "GET", "/items?page=%C2%B2", "page"),
    Case(None, "GET", "/collections?page=%D9%A3", "page"),
    Case("archivist", "GET", "/manage/?page=%C2%B2", "page"),
    Case(None, "GET", "/search?q=border&page=%C2%B2", "page"),
    Case(None, "GET", "/search?q=border&year=%C2%B2", "not a number", shown=True),
    Case(None, "GET", "/search?q=border&collection=%C2%B2", "not a number", shown=True),
    Case(None, "GET", "/search?q=border%00", "", accepted=True),
    Case(None, "GET", "/search?q=%ED%A0%80", "", accepted=True),
    Case(None, "GET", "/items/{film}/search?q=a%00b", "", accepted=True),
    Case(None, "GET", "/screenings?venue=%C2%B2", "not an id"),
    Case(None, "GET", f"/screenings?film={BIG}", "not an id"),
    Case(None, "GET", "/screenings?city=Gyumri%00", "NUL"),
    Case(None, "GET", "/screenings?language=hy%00", "NUL"),
    Case(None, "GET", "/screenings?country=A%00", "NUL"),
    Case(None, "GET", "/screenings?view=month&month=9999-12", "out of range"),
    Case(None, "GET", "/screenings?view=month&month=0001-01", "out of range"),
    Case(None, "GET", "/screenings?view=month&month=%D9%A2%D9%A0%D9%A2%D9%A7-01", "not a month"),
    Case("archivist", "GET", "/impact?from=%D9%A2%D9%A0%D9%A2%D9%A7-01-01", "not a date"),
    Case("archivist", "GET", "/impact.csv?from=0001-01-01&to=9999-12-31", "", accepted=True),
    Case("archivist", "GET", "/impact?from=2027-02-30", "not a date"),
    Case(None, "GET", f"/items/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/items/{HUGE}", "nothing at this address"),
    Case(None, "GET", f"/collections/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/venues/{BIG}", "nothing at this address"),
    Case(None, "GET", f"/venues/{BIG}/calendar.ics", "nothing at this address"),
    Case(None, "GET", f"/items/{BIG}/calendar.ics", "nothing at this address"),
    Case(None, "GET", f"/screenings/{BIG}", "nothing at this address"),
    Case("archivist", "GET", f"/manage/items/{BIG}/edit", "nothing at this address"),
    Case("archivist", "GET", f"/manage/items/{BIG}/media", "nothing at this address"),
    Case("archivist", "GET", f"/manage/items/{BIG}/subtitles", "nothing at this address"),
    Case("archivist", "GET", f"/manage/media/{BIG}/original", "nothing at this address"),
    Case("archivist", "POST", f"/manage/screenings/{BIG}/approve", "nothing at this address"),
    Case("venue", "GET", f"/screenings/{BIG}/kit/film", "nothing at this address"),
    Case("venue", "GET", f"/screenings/photos/{BIG}", "nothing at this address"),
    Case("admin", "GET", f"/admin/users/{BIG}", "nothing at this address"),
]


@pytest.fixture
def records(users):
    """A public film with a licence, a collection, a venue the venue account acts for, a requested screening."""
    film = make_film("Sweep film")
    make_licence(film)
    collection = make_collection(items=[film])
    venue = make_venue(name="Sweep hall")
    venue_rules.add_member(venue, users["venue"].email)
    screening = book(users["venue"], film, venue, local_start(venue, days=20))
    past = book(users["venue"], film, venue, local_start(venue, days=25))
    decisions.approve(past, users["archivist"])
    held = timedelta(days=30)  # moved back past its start, as if it had been held, so it can be reported on
    past.starts_at, past.ends_at, past.blocked_until = past.starts_at - held, past.ends_at - held, past.blocked_until - held
    db.session.commit()
    return {"film": film.id, "collection": collection.id, "venue": venue.id, "screening": screening.id,
            "past": past.id, "venue_user": users["venue"].id}


def _fill(value, records: dict):
    """``value`` with the records' ids put in for ``{film}``, ``{venue}``... wherever they appear."""
    if isinstance(value, str):
        for name, number in records.items():
            if value == "{" + name + "}":
                return number
            value = value.replace("{" + name + "}", str(number))
        return value
    if isinstance(value, dict):
        return {key: _fill(entry, records) for key, entry in value.items()}
    if isinstance(value, list):
        return [_fill(entry, records) for entry in value]
    return value


def _form_value(value):
    """A form field as the test client sends it: text, or a fresh file for ``(bytes, name)``."""
    if isinstance(value, tuple):
        return (io.BytesIO(value[0]), value[1])
    return value if isinstance(value, str) else str(value)


def _send(case: Case, records: dict, clients: dict, tokens: dict):
    url = _fill(case.url, records)
    if url.startswith("/api/"):
        client, headers = clients[None], tokens[case.who]
    else:
        client, headers = clients[case.who], {}
    kwargs: dict = {"headers": headers, "follow_redirects": case.follow}
    if case.raw_json is not None:
        kwargs.update(data=case.raw_json, content_type="application/json")
    elif case.json is not None:
        kwargs["json"] = _fill(case.json, records)
    elif isinstance(case.data, bytes):
        kwargs["data"] = case.data
    elif case.data is not None:
        kwargs["data"] = {key: _form_value(_fill(value, records)) for key, value in case.data.items()}
    return client.open(url, method=case.method, **kwargs)


def _problem(case: Case, response) -> str | None:
    """What is wrong with the answer to ``case``, or None when it is a 4xx (or a form again) with its reason."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if case.accepted:
        return None if response.status_code < 400 else f"{response.status_code}: refused"
    if response.status_code < 400 and not (case.follow or case.shown):
        return f"{response.status_code}: accepted"
    if response.is_json:
        message = (response.get_json().get("error") or {}).get("message", "")
        text = message + " " + " ".join(str(v) for v in (response.get_json()["error"].get("fields") or {}).values())
        if not message or message == MESSAGES[500]:
            return f"{response.status_code} without a reason"
    else:
        text = response.get_data(as_text=True)
    if case.reason.lower() not in text.lower():
        return f"{response.status_code} without {case.reason!r}: {text[:300]!r}"
    return None


def _sweep(cases, records, client_as, token_for):
    roles = {case.who for case in cases}
    clients = {role: client_as(role) for role in roles | {None}}
    tokens = {role: token_for(role) for role in roles}
    failures = []
    for case in cases:
        response = _send(case, records, clients, tokens)
        problem = _problem(case, response)
        if problem:
            failures.append(f"{case}: {problem}")
    return failures


def _pages_still_work(client_as) -> list[str]:
    """The pages every visitor and archivist opens: nothing the sweep sent may have broken them."""
    broken = []
    for role, url in [(None, "/"), (None, "/items"), (None, "/search?q=sweep"), (None, "/screenings"),
                      (None, "/calendar.ics"), ("archivist", "/manage/"), ("venue", "/venue/inbox"),
                      ("admin", "/admin/users"), (None, "/api/v1/items"), (None, "/api/v1/screenings")]:
        status = client_as(role).get(url).status_code
        if status != 200:
            broken.append(f"afterwards GET {url} as {role}: {status}")
    return broken


def test_api_refuses_malformed_input_with_a_reason(records, client_as, token_for):
    failures = _sweep(API_CASES, records, client_as, token_for) + _pages_still_work(client_as)
    assert not failures, "\n".join(failures)


def test_forms_refuse_malformed_input_with_a_reason(records, client_as, token_for):
    failures = _sweep(FORM_CASES, records, client_as, token_for) + _pages_still_work(client_as)
    assert not failures, "\n".join(failures)


def test_pages_refuse_malformed_addresses_with_a_reason(records, client_as, token_for):
    failures = _sweep(PAGE_CASES, records, client_as, token_for)
    assert not failures, "\n".join(failures)


def test_the_sweep_is_wide(records):
    assert len(API_CASES) + len(FORM_CASES) + len(PAGE_CASES) >= 60
