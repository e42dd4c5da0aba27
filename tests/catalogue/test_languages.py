"""The catalogue in the interface language: labels, names for codes, titles in the reader's language."""

from __future__ import annotations

import re

from archive.catalogue import operations as catalogue
from tests.factories import make_collection, make_film


def test_items_page_in_armenian_shows_armenian_labels_and_the_armenian_title(client, app):
    catalogue.create_item({"kind": "film", "title": {"en": "The Border", "hy": "Սահման"}, "visibility": "public",
                           "year": 2019})
    page = client.get("/items?lang=hy").get_data(as_text=True)
    assert "Ֆիլմեր և լուսանկարներ" in page  # the heading
    assert re.search(r'<a href="/items/\d+" lang="hy">Սահման</a>', page)
    assert "Ֆիլմ · 2019" in page  # the kind by its name, the year plain
    assert "The Border" not in page


def test_russian_reader_of_an_english_only_item_gets_the_english_title_marked_english(client, app):
    film = make_film("Only in English", countries=["AM", "GE"], languages=["hy", "ru"])
    page = client.get(f"/items/{film.id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<h1 lang="en">Only in English</h1>' in page
    assert "Фильм" in page
    assert "Армения, Грузия" in page  # countries by name, not AM, GE
    assert "Языки: Армянский, Русский" in page  # languages by name, not hy, ru


def test_item_page_shows_the_length_the_local_way(client, app):
    film = make_film("Long", duration=92 * 60)
    page = client.get(f"/items/{film.id}?lang=ru").get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert "1 ч 32 мин" in page


def test_staff_see_visibility_and_embargo_date_in_their_language(client_as, app):
    film = make_film("Later", visibility="partners", embargo_until="2999-03-01")
    page = client_as("archivist").get(f"/items/{film.id}?lang=ru").get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert "<strong>Для партнёров</strong>" in page
    assert "под эмбарго до 1 марта 2999 г." in page


def test_collection_page_names_its_kind_and_titles_in_the_reader_language(client, app):
    collection = catalogue.create_collection({"kind": "exhibition", "title": {"en": "Faces", "az": "Üzlər"},
                                              "description": {"en": "Portraits.", "az": "Portretlər."},
                                              "visibility": "public"})
    page = client.get(f"/collections/{collection.id}?lang=az").get_data(as_text=True)
    assert '<h1 lang="az">Üzlər</h1>' in page
    assert '<p lang="az">Portretlər.</p>' in page
    assert "Sərgi" in page
    listing = client.get("/collections").get_data(as_text=True)  # the choice is kept for the session
    assert 'lang="az">Üzlər</a>' in listing and "Sərgilər və film silsilələri" in listing


def test_item_form_names_fields_and_choices_in_russian(client_as, app):
    archivist = client_as("archivist")
    archivist.get("/manage/?lang=ru")
    form = archivist.get("/manage/items/new").get_data(as_text=True)
    assert '<option value="film" selected>Фильм</option>' in form
    assert '<option value="restricted" selected>Ограниченный доступ</option>' in form
    response = archivist.post("/manage/items/new", data={"kind": "film", "visibility": "public", "lang": ["en"],
                                                         "title": ["X"], "description": [""], "year": "nineteen"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<strong>Год</strong>: &#39;nineteen&#39; — не год" in page  # the summary names the field as the form does


def test_collection_form_summary_names_fields(client_as, app):
    archivist = client_as("archivist")
    response = archivist.post("/manage/collections/new?lang=hy", data={"kind": "song", "visibility": "public",
                                                                        "lang": ["en"], "title": ["X"], "description": [""]})
    assert response.status_code == 422
    assert "<strong>Տեսակ</strong>" in response.get_data(as_text=True)


def test_saved_message_in_the_interface_language(client_as, app):
    archivist = client_as("archivist")
    archivist.get("/manage/?lang=az")
    response = archivist.post("/manage/collections/new", data={"kind": "series", "visibility": "public",
                                                                "lang": ["en"], "title": ["Nights"], "description": [""]},
                              follow_redirects=True)
    assert "«Nights» yadda saxlanıldı." in response.get_data(as_text=True)


def test_not_found_page_in_russian_from_the_browser_language(client, app):
    response = client.get("/items/999999", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "По этому адресу ничего нет." in page and "Вернуться в архив" in page
    assert "Ошибка 404" in page


def test_api_error_message_follows_accept_language_and_keeps_its_code(client, app):
    response = client.get("/api/v1/items/999999", headers={"Accept-Language": "hy"})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert "999999" in error["message"] and "նյութ" in error["message"] and error["message"].endswith("։")
    bad = client.get("/api/v1/items?page=x", headers={"Accept-Language": "ru"}).get_json()["error"]
    assert bad["code"] == "bad_request" and "не номер страницы" in bad["message"]


def test_api_validation_message_in_russian_with_the_same_code(token_for, client, app):
    response = client.post("/api/v1/items", json={"kind": "film", "title": {"en": "X"}, "year": 3000},
                           headers={**token_for("archivist"), "Accept-Language": "ru"})
    assert response.status_code == 422
    body = response.get_json()["error"]
    english = client.post("/api/v1/items", json={"kind": "film", "title": {"en": "X"}, "year": 3000},
                          headers=token_for("archivist")).get_json()["error"]
    assert body["code"] == english["code"]
    assert "укажите год от 1850 до 2100" in str(body)


def test_english_stays_the_default(client, app):
    film = make_film("Plain", countries=["AZ"])
    make_collection("Crossings", kind="exhibition", items=[film])
    page = client.get(f"/items/{film.id}").get_data(as_text=True)
    assert "Film · " in page and "Azerbaijan" in page and "Part of:" in page
