"""The interface language across sign-in: the switcher, ?lang= links, the browser's and the account's choice.

Needs the compiled catalogs (``make messages`` / the merged translations) for the translated texts.
"""

from __future__ import annotations

import re

import pytest

from archive.auth.models import User
from archive.extensions import db
from tests.conftest import PASSWORD, running_app, sign_in


def page_language(response) -> str:
    found = re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def alert(response) -> str:
    found = re.search(r'role="alert">([^<]*)<', response.get_data(as_text=True))
    return found.group(1).strip() if found else ""


def saved_locale(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).locale


def test_a_language_chosen_before_sign_in_survives_sign_in(client, users):
    chosen = client.post("/language", data={"lang": "hy", "next": "/login"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login"
    assert page_language(client.get("/login")) == "hy"
    assert sign_in(client, users["venue"].email).status_code == 302
    page = client.get("/")
    assert page_language(page) == "hy"
    assert page.headers["Content-Language"] == "hy"


def test_after_sign_in_the_switcher_saves_the_choice_to_the_account(client, users):
    assert users["archivist"].locale == ""
    assert sign_in(client, users["archivist"].email).status_code == 302
    assert client.post("/language", data={"lang": "ru", "next": "/"}).status_code == 302
    assert saved_locale(users["archivist"].id) == "ru"
    # A new browser, with no choice of its own, opens in the account's language once signed in.
    elsewhere = client.application.test_client()
    assert page_language(elsewhere.get("/")) == "en"
    assert sign_in(elsewhere, users["archivist"].email).status_code == 302
    assert page_language(elsewhere.get("/")) == "ru"


def test_the_switcher_without_anyone_signed_in_saves_no_account(client, users):
    client.post("/language", data={"lang": "az", "next": "/"})
    assert all(saved_locale(user.id) == "" for user in users.values())


def test_a_lang_link_keeps_its_language_on_later_pages(client):
    assert page_language(client.get("/?lang=hy")) == "hy"
    later = client.get("/login")
    assert page_language(later) == "hy"
    assert "Մուտք" in later.get_data(as_text=True)


def test_accept_language_picks_the_language(client):
    page = client.get("/login", headers={"Accept-Language": "az-AZ,az;q=0.9,en;q=0.5"})
    assert page_language(page) == "az"
    assert page.headers["Content-Language"] == "az"


def test_a_signed_in_account_with_a_saved_language_gets_it(client, users):
    users["venue"].locale = "ru"
    db.session.commit()
    assert sign_in(client, users["venue"].email).status_code == 302
    page = client.get("/", headers={"Accept-Language": "az"})  # the account's choice comes before the browser's
    assert page_language(page) == "ru"
    assert "Войти" not in page.get_data(as_text=True) and "Выйти" in page.get_data(as_text=True)


def test_an_unknown_lang_is_ignored(client):
    assert page_language(client.get("/?lang=xx")) == "en"
    assert page_language(client.get("/?lang=xx", headers={"Accept-Language": "ru"})) == "ru"
    assert page_language(client.get("/login?lang=%00hy")) == "en"


def test_an_unknown_language_from_the_switcher_changes_nothing(client):
    client.post("/language", data={"lang": "hy", "next": "/"})
    response = client.post("/language", data={"lang": "xx", "next": "/login"})
    assert response.status_code == 302
    assert page_language(client.get("/login")) == "hy"


@pytest.mark.parametrize("target", ["https://evil.example/steal", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_the_switcher_never_leads_off_site(client, target):
    response = client.post("/language", data={"lang": "ru", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_sign_in_page_in_armenian(client, users):
    page = client.get("/login?lang=hy")
    text = page.get_data(as_text=True)
    assert page_language(page) == "hy"
    assert "<h1>Մուտք</h1>" in text and "Գաղտնաբառ" in text and "Էլ. փոստ" in text
    refused = sign_in(client, users["venue"].email, "not the password")
    assert refused.status_code == 401
    assert alert(refused) == "Էլ. փոստի հասցեն կամ գաղտնաբառը սխալ է։"


def test_a_switched_off_account_is_told_so_in_russian(client, users):
    users["venue"].active = False
    db.session.commit()
    refused = client.post("/login?lang=ru", data={"email": users["venue"].email, "password": PASSWORD})
    assert refused.status_code == 401
    assert alert(refused) == "Эта учётная запись отключена. Попросите администратора включить её."


def test_a_page_that_needs_sign_in_asks_for_it_in_the_readers_language(client):
    response = client.get("/admin/users", headers={"Accept-Language": "ru"})
    assert response.status_code == 302
    login = client.get(response.headers["Location"], headers={"Accept-Language": "ru"})
    assert "Войдите, чтобы продолжить." in login.get_data(as_text=True)


def test_an_ended_sign_in_is_explained_in_the_readers_language(client_as, users):
    browser = client_as("archivist")
    browser.get("/?lang=hy")
    with browser.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 60
    response = browser.get("/manage/")
    assert response.status_code == 302
    login = browser.get(response.headers["Location"])
    assert "Ձեր աշխատաշրջանն ավարտվել է։ Շարունակելու համար կրկին մուտք գործեք։" in login.get_data(as_text=True)


def test_after_signing_out_a_page_just_asks_to_sign_in(client_as, users):
    browser = client_as("archivist")
    browser.post("/logout")
    browser.get("/?lang=ru")  # the sign-out notice is read here
    login = browser.get(browser.get("/manage/").headers["Location"])
    assert "Войдите, чтобы продолжить." in login.get_data(as_text=True)


def test_signing_out_is_confirmed_in_the_chosen_language(client, users):
    client.get("/?lang=az")
    sign_in(client, users["venue"].email)
    home = client.post("/logout", follow_redirects=True)
    assert "Siz sistemdən çıxdınız." in home.get_data(as_text=True)
    assert page_language(home) == "az", "signing out keeps the browser's language"


@pytest.fixture
def strict_app(app_config, profile):
    yield from running_app({**app_config, "SIGNIN_LIMIT": "2 per minute"}, profile)


def test_the_sign_in_throttle_speaks_the_readers_language(strict_app):
    browser = strict_app.test_client()
    answers = [browser.post("/login", data={"email": "x@example.org", "password": "wrong wrong"},
                            headers={"Accept-Language": "ru"}) for _ in range(3)]
    assert answers[-1].status_code == 429
    text = answers[-1].get_data(as_text=True)
    assert "Слишком много попыток входа." in text
    assert re.search(r"Повторите попытку через \d+ секунд[уы]?\.", text)
