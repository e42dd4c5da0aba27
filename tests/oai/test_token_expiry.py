"""Resumption tokens expire: each carries its expirationDate, and a late one is a badResumptionToken.

The app's clock is set in ``app.extensions["clock"]``, so the tests travel in time instead of waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken

from archive.extensions import db
from tests.factories import make_photo
from tests.oai.conftest import NS, error_code, identifiers, oai

START = datetime(2027, 3, 1, 9, 30, 15)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app):
    app.extensions["clock"] = moved = Clock(START)
    yield moved
    app.extensions.pop("clock", None)


def page(client, **args):
    root = oai(client, verb="ListIdentifiers", **args)  # checked against the OAI-PMH schema
    return root, root.find(".//o:resumptionToken", NS)


def test_tokens_carry_their_expiry_and_are_refused_once_it_passed(client, app, clock, small_pages):
    photos = [make_photo(f"P{n}") for n in range(5)]
    first, token = page(client, metadataPrefix="oai_dc")
    assert token.get("expirationDate") == "2027-03-02T09:30:15Z"  # the default: 24 hours

    clock.now = START + timedelta(hours=23, minutes=59, seconds=59)  # the last second it works
    second, next_token = page(client, resumptionToken=token.text)
    assert next_token.get("expirationDate") == "2027-03-03T09:30:14Z" and next_token.get("cursor") == "2"
    # A token's expiry counts from when it was given, not from the start of the harvest.
    clock.now = START + timedelta(hours=30)
    third, last = page(client, resumptionToken=next_token.text)
    assert identifiers(first) + identifiers(second) + identifiers(third) == [
        f"oai:localhost:item/{photo.id}" for photo in photos]
    assert last.text is None and last.get("expirationDate") is None  # the end of the list: nothing to expire

    clock.now = START + timedelta(hours=24)
    late = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert error_code(late) == "badResumptionToken"
    message = late.find("o:error", NS).text
    assert "expired at 2027-03-02T09:30:15Z" in message and "24 hours" in message and "without it" in message
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token.text)) == "badResumptionToken"

    # The lifetime is a setting.
    app.config["OAI_TOKEN_HOURS"] = 2
    _, short = page(client, metadataPrefix="oai_dc")
    assert short.get("expirationDate") == "2027-03-02T11:30:15Z"
    clock.now += timedelta(hours=2)
    assert "(tokens last 2 hours)" in oai(client, verb="ListIdentifiers", resumptionToken=short.text).find(
        "o:error", NS).text


def test_a_token_without_an_expiry_or_with_a_forged_one_is_refused(client, app, clock, small_pages):
    for n in range(3):
        make_photo(f"P{n}")
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="archive.oai.resumption-token")
    state = {"v": "ListIdentifiers", "a": {"metadataPrefix": "oai_dc"}, "after": 0, "sent": 0}
    for forged in ({**state}, {**state, "exp": "2999-01-01"}, {**state, "exp": True}, {**state, "exp": 1.5e12}):
        assert error_code(oai(client, verb="ListIdentifiers", resumptionToken=signer.dumps(forged))) == \
            "badResumptionToken", forged
    # An expiry pushed later by someone without the key breaks the signature.
    other = URLSafeSerializer("not-the-key", salt="archive.oai.resumption-token")
    assert error_code(oai(client, verb="ListIdentifiers", resumptionToken=other.dumps({**state, "exp": 2**40}))) == \
        "badResumptionToken"


def test_a_harvester_that_comes_back_too_late_is_told_to_start_again(app, clock, live_server, monkeypatch):
    monkeypatch.setattr("archive.oai.operations.PAGE_SIZE", 2)
    expected = [f"oai:127.0.0.1:item/{make_photo(f'Photo {n}').id}" for n in range(5)]
    db.session.remove()  # the server thread reads what was committed
    sickle = Sickle(f"{live_server}/oai", max_retries=0)

    on_time = sickle.ListIdentifiers(metadataPrefix="oai_dc")
    seen = [next(on_time).identifier for _ in range(2)]
    assert on_time.resumption_token.expiration_date == "2027-03-02T09:30:15Z"
    clock.now += timedelta(hours=12)
    seen += [header.identifier for header in on_time]
    assert seen == expected

    late = sickle.ListIdentifiers(metadataPrefix="oai_dc")
    next(late)
    clock.now += timedelta(hours=25)
    with pytest.raises(BadResumptionToken, match="expired at 2027-03-02T21:30:15Z"):
        list(late)
