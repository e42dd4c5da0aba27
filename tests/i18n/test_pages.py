"""Every page answers in the visitor's language: the ``lang`` attribute, the switcher, the headers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from flask_babel import refresh

from archive.extensions import db
from archive.i18n import formats, names
from tests.factories import make_film


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize(("header", "expected"), [
    ("hy", "hy"), ("az-AZ,az;q=0.9", "az"), ("ru-RU, en;q=0.5", "ru"), ("en;q=0.5, hy-AM", "hy"), ("ka, de", "en"),
    ("", "en"), ("ru;q=0, az;q=0.1", "az"), ("*", "en"), ("hy-\u0531", "en"),
])
def test_the_browser_language_picks_the_interface(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header} if header else {})
    assert _lang(response.text) == expected
    assert response.headers["Content-Language"] == expected
    assert "Accept-Language" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]


def test_a_link_carries_the_language_and_the_choice_stays(client):
    assert _lang(client.get("/items?lang=hy", headers={"Accept-Language": "ru"}).text) == "hy"
    # Later pages keep it, whatever the browser asks for, until another choice.
    assert _lang(client.get("/collections", headers={"Accept-Language": "ru"}).text) == "hy"
    assert _lang(client.get("/collections?lang=az").text) == "az"
    assert _lang(client.get("/collections?lang=xx").text) == "az"  # not an interface language: ignored


def test_the_switcher_names_each_language_in_itself_and_marks_the_current_one(client):
    html = client.get("/?lang=ru").text
    for code, name in {"hy": "Հայերեն", "az": "Azərbaycanca", "ru": "Русский", "en": "English"}.items():
        assert f'value="{code}" lang="{code}"' in html and f">{name}</button>" in html
    assert 'value="ru" lang="ru" aria-current="true">Русский' in html


def test_the_switcher_keeps_the_choice_and_returns_to_the_page_without_its_old_lang(client):
    client.get("/collections?lang=hy&page=1")
    html = client.get("/collections?lang=hy&page=1").text
    assert 'name="next" value="/collections?page=1"' in html
    response = client.post("/language", data={"lang": "ru", "next": "/collections?page=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/collections?page=1"
    assert _lang(client.get("/collections").text) == "ru"


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/", "/\\example.org", "/x\r\nSet-Cookie: a=b"])
def test_the_switcher_never_leads_off_the_site(client, target):
    response = client.post("/language", data={"lang": "az", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_language_in_the_switcher_changes_nothing(client):
    client.get("/?lang=hy")
    client.post("/language", data={"lang": "xx", "next": "/"})
    client.post("/language", data={"lang": "hy\x00", "next": "/"})
    client.post("/language", data={"lang": ["ru", "az"], "next": "/"})  # two values: the first is taken
    assert _lang(client.get("/").text) == "ru"
    client.post("/language", data={"lang": "hy", "next": "/"})
    assert _lang(client.get("/").text) == "hy"


def test_pages_are_translated_from_the_compiled_catalogs(client):
    assert ">Войти</a>" in client.get("/?lang=ru").text
    assert ">Մուտք</a>" in client.get("/?lang=hy").text
    assert ">Daxil olun</a>" in client.get("/?lang=az").text


def test_a_record_is_shown_in_the_readers_language_with_its_tag(client, app):
    film = make_film("Two Banks of One River", languages=["hy"])
    film.title = {"en": "Two Banks of One River", "hy": "Մեկ գետի երկու ափ"}
    db.session.commit()
    item_id = film.id
    html = client.get(f"/items/{item_id}?lang=hy").text
    assert "Մեկ գետի երկու ափ" in html
    html = client.get(f"/items/{item_id}?lang=az").text  # no Azerbaijani title: the film's own, Armenian
    assert "Մեկ գետի երկու ափ" in html


@pytest.mark.parametrize("language", ["en", "hy", "az", "ru"])
def test_names_and_formats_come_from_cldr_in_the_interface_language(app, language):
    locale = Locale.parse(language)
    with app.test_request_context(f"/?lang={language}", headers={"Accept-Language": language}):
        refresh()
        assert names.country_name("AM") == locale.territories["AM"]
        assert names.country_name("ge") == locale.territories["GE"]
        assert names.country_name("QQ") == "QQ"
        assert names.language_name("hy").lower() == locale.languages["hy"].lower()
        assert names.language_name("hy")[0].isupper()
        assert names.language_name("not a tag") == "not a tag"
        when = formats.when(datetime(2027, 3, 1, 15, 0), ZoneInfo("Asia/Yerevan"))
        assert "19:00" in when and "7:00" not in when  # the venue's zone, the 24-hour clock
        assert "2027" in formats.day(date(2027, 3, 1))
        assert formats.duration(92 * 60).startswith("1")
        assert [number for number, _ in formats.week_days()][0] == locale.first_week_day


def test_azerbaijani_names_start_with_a_dotted_capital_i(app):
    with app.test_request_context("/?lang=az", headers={"Accept-Language": "az"}):
        refresh()
        assert names.language_name("en") == "İngilis"  # CLDR writes "ingilis"; "Ingilis" would be wrong
        assert names.language_name("en", capitalise=False) == "ingilis"
    with app.test_request_context("/?lang=ru", headers={"Accept-Language": "ru"}):
        refresh()
        assert names.language_name("en") == "Английский"


def test_formats_read_like_the_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        refresh()
        assert formats.day(date(2027, 3, 1)) == "1 марта 2027\u202fг."
        assert formats.month_title(date(2027, 3, 1)) == "март 2027\u202fг."
        assert formats.duration(92 * 60) == "1 ч 32 мин"
        assert formats.number(12345) == "12\xa0345"
        assert formats.zone_label(ZoneInfo("Asia/Baku")) == "Баку"
        assert names.country_name("AZ") == "Азербайджан"
    with app.test_request_context("/", headers={"Accept-Language": "hy"}):
        refresh()  # the test's app context outlives each request context; a real request has its own
        assert names.country_name("AM") == "Հայաստան"
        assert formats.when(datetime(2027, 3, 1, 15, 0, tzinfo=UTC), ZoneInfo("Asia/Yerevan")).endswith("19:00")
    with app.test_request_context("/", headers={"Accept-Language": "az"}):
        refresh()
        assert names.country_name("AZ") == "Azərbaycan"
        assert names.language_name("az") == "Azərbaycan"
