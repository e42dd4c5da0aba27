"""Every ``<int:...>`` in a route holds an id a row can have: larger numbers and other digits name nothing (404)."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from archive.routing import RecordIdConverter
from archive.validation import MAX_RECORD_ID
from tests.factories import make_film


def test_every_int_route_uses_the_bounded_converter(app):
    assert app.url_map.converters["int"] is RecordIdConverter
    # Werkzeug keeps each rule's converters on the rule; none may be the unbounded original.
    used = [c for rule in app.url_map.iter_rules() for c in getattr(rule, "_converters", {}).values()]
    assert sum(isinstance(c, RecordIdConverter) for c in used) >= 30
    assert not [c for c in used if isinstance(c, IntegerConverter) and not isinstance(c, RecordIdConverter)]


@pytest.mark.parametrize(
    "number", [str(MAX_RECORD_ID + 1), str(2**63), "9" * 40, "9" * 5000, "%D9%A3", "%EF%BC%91", "%C2%B2"]
)
@pytest.mark.parametrize("path", ["/items/{}", "/api/v1/items/{}", "/api/v1/screenings/{}", "/venues/{}/calendar.ics"])
def test_ids_no_row_can_have_are_404(client, path, number):
    response = client.get(path.format(number))
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "nothing at this address" in text


def test_the_largest_id_still_reaches_the_view(client):
    film = make_film()
    assert client.get(f"/items/{film.id}").status_code == 200
    assert client.get(f"/items/{MAX_RECORD_ID}").status_code == 404  # the view looked and found nothing
    assert client.get(f"/items/0{film.id}").status_code == 200
