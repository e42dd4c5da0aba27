"""The JSON API: items and collections, errors in one shape, pagination, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.catalogue import operations as catalogue
from archive.catalogue.models import Item
from archive.extensions import db
from tests.factories import make_film, make_photo


@pytest.fixture
def staff(token_for):
    return token_for("archivist")


def test_create_read_update_item(client, staff):
    response = client.post("/api/v1/items", headers=staff, json={
        "kind": "film", "title": {"en": "Two Shores", "ru": "Два берега"}, "visibility": "public",
        "year": 2021, "credits": [{"name": "Leyla Mammadova", "role": "director"}], "countries": ["GE"],
    })
    assert response.status_code == 201, response.get_json()
    item_id = response.get_json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/items/{item_id}")
    body = client.get(f"/api/v1/items/{item_id}").get_json()
    assert body["title"]["ru"] == "Два берега"
    assert body["credits"] == [{"name": "Leyla Mammadova", "role": "director"}]
    patched = client.patch(f"/api/v1/items/{item_id}", headers=staff, json={"year": 2022}).get_json()
    assert patched["year"] == 2022 and patched["title"]["en"] == "Two Shores"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "film", "title": {}}, "title"),
        ({"kind": "film", "title": {"en": ""}}, "title"),
        ({"kind": "film", "title": {"en": "x" * 301}}, "title"),
        ({"kind": "film", "title": {"xx-invalid-tag-!": "x"}}, "title"),
        ({"kind": "film", "title": "just a string"}, "title"),
        ({"kind": "film", "title": {"en": "x"}, "year": 99999}, "year"),
        ({"kind": "film", "title": {"en": "x"}, "visibility": "everyone"}, "visibility"),
        ({"kind": "film", "title": {"en": "x"}, "countries": ["ZZ"]}, "countries"),
        ({"kind": "film", "title": {"en": "x"}, "collections": [12345]}, "collections"),
        ({"kind": "film", "title": {"en": "x"}, "credits": "Ani"}, "credits"),
        ({"title": {"en": "x"}}, "kind"),
    ],
)
def test_invalid_item_is_422_naming_the_field(client, staff, body, field):
    response = client.post("/api/v1/items", headers=staff, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert db.session.scalar(select(func.count(Item.id))) == 0


def test_malformed_json_is_400_with_the_error_shape(client, staff):
    response = client.post("/api/v1/items", headers={**staff, "Content-Type": "application/json"}, data="{not json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]["message"]
    response = client.post("/api/v1/items", headers=staff, json=[1, 2])
    assert response.status_code == 400


def test_missing_item_and_unknown_route_are_json_404(client):
    response = client.get("/api/v1/items/424242")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.put("/api/v1/items")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_bad_authorization_header_is_401(client):
    for header in ("Basic abc", "Bearer ", "Bearer da_wrong"):
        response = client.get("/api/v1/items", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_list_paginates_and_hides_what_the_caller_may_not_see(client, app, token_for):
    for number in range(30):
        make_film(f"Public {number}", "public")
    make_film("Partners only", "partners")
    make_photo("Staff only", "restricted")

    public = client.get("/api/v1/items?per_page=10&page=3").get_json()
    assert public["total"] == 30 and public["pages"] == 3 and len(public["items"]) == 10
    titles = {i["title"]["en"] for page in (1, 2, 3)
              for i in client.get(f"/api/v1/items?per_page=10&page={page}").get_json()["items"]}
    assert "Partners only" not in titles and "Staff only" not in titles and len(titles) == 30

    venue = client.get("/api/v1/items?per_page=100", headers=token_for("venue")).get_json()
    assert venue["total"] == 31
    staff = client.get("/api/v1/items?per_page=100", headers=token_for("archivist")).get_json()
    assert staff["total"] == 32
    assert client.get("/api/v1/items?per_page=1000").status_code == 400
    assert client.get("/api/v1/items?kind=song").status_code == 400


def test_restricted_collection_membership_does_not_leak(client, app):
    hidden = catalogue.create_collection({"kind": "series", "title": {"en": "Hidden"}})
    item = catalogue.create_item({"kind": "film", "title": {"en": "Open"}, "visibility": "public",
                                  "collections": [hidden.id]})
    assert client.get(f"/api/v1/items/{item.id}").get_json()["collections"] == []


def test_delete_item(client, staff, app):
    item = make_film("Gone", "public")
    assert client.delete(f"/api/v1/items/{item.id}", headers=staff).status_code == 204
    assert client.get(f"/api/v1/items/{item.id}").status_code == 404
