"""The JSON API answers in the language Accept-Language asks for; its error codes never change."""

from __future__ import annotations

import pytest


@pytest.fixture
def staff(token_for):
    return token_for("archivist")


def test_a_validation_message_follows_accept_language_and_keeps_its_code(client, staff):
    body = {"kind": "film", "title": {"en": "x" * 301}}
    english = client.post("/api/v1/items", headers=staff, json=body)
    russian = client.post("/api/v1/items", headers={**staff, "Accept-Language": "ru"}, json=body)
    assert english.status_code == russian.status_code == 422
    assert english.get_json()["error"]["code"] == russian.get_json()["error"]["code"] == "invalid"
    assert set(english.get_json()["error"]["fields"]) == set(russian.get_json()["error"]["fields"]) == {"title"}
    message = russian.get_json()["error"]["fields"]["title"]
    assert message.startswith("Длина текста «en» — 301; допустимо не более ") and message.endswith(" символов.")
    assert "Длина текста «en»" in russian.get_json()["error"]["message"]
    assert russian.headers["Content-Language"] == "ru"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("hy", "'ZZ' արժեքը ISO 3166 երկրի կոդ չէ։ Օգտագործեք երկու տառ, օրինակ՝ AM, AZ կամ GE։"),
        ("az", "'ZZ' ISO 3166 ölkə kodu deyil; iki hərfdən istifadə edin, məsələn, AM, AZ və ya GE."),
        ("ru", "'ZZ' — не код страны ISO 3166; используйте две буквы, например AM, AZ или GE."),
        ("en", "'ZZ' is not an ISO 3166 country code; use two letters such as AM, AZ or GE."),
    ],
)
def test_a_refused_value_is_named_in_every_language(client, staff, language, expected):
    response = client.post("/api/v1/items", headers={**staff, "Accept-Language": language},
                           json={"kind": "film", "title": {"en": "x"}, "countries": ["ZZ"]})
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid", "message": f"countries: {expected}", "fields": {"countries": expected},
    }


def test_api_refusals_of_the_token_and_body_are_translated(client, staff):
    unknown = client.get("/api/v1/deletions", headers={"Authorization": "Bearer da_nope", "Accept-Language": "az"})
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["message"] == (
        "API tokeni naməlumdur və ya ləğv edilib; administratordan yenisini istəyin."
    )
    not_json = client.post("/api/v1/items", headers={**staff, "Accept-Language": "hy"}, data="x")
    assert not_json.status_code == 400
    assert "Ուղարկեք JSON օբյեկտ" in not_json.get_json()["error"]["message"]


def test_the_session_language_does_not_reach_the_api(client, staff):
    client.get("/?lang=hy")
    response = client.post("/api/v1/items", headers=staff, json={"kind": "film", "title": {}})
    assert response.get_json()["error"]["fields"]["title"] == "Give at least one title, in any language."
