"""The admin's user pages: an account's interface language, and roles by their names."""

from __future__ import annotations

from archive.auth import operations as accounts
from archive.auth.models import User
from archive.errors import ValidationError
from archive.extensions import db


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def update(admin, user, **fields):
    data = {"action": "update", "role": user.role, "active": "on", "name": user.name, **fields}
    return admin.post(f"/admin/users/{user.id}", data=data)


def test_admin_sets_and_clears_an_accounts_language(client_as, users):
    admin = client_as("admin")
    venue = users["venue"]
    assert update(admin, venue, locale="az").status_code == 200
    assert reloaded(venue).locale == "az"
    page = admin.get(f"/admin/users/{venue.id}").get_data(as_text=True)
    assert '<option value="az" lang="az" selected>Azərbaycanca</option>' in page
    assert update(admin, venue, locale="").status_code == 200
    assert reloaded(venue).locale == ""


def test_a_language_that_is_not_offered_is_refused(client_as, users):
    admin = client_as("admin")
    venue = users["venue"]
    update(admin, venue, locale="ru")
    refused = update(admin, venue, locale="de")
    assert refused.status_code == 422
    assert "Choose one of the interface languages (hy, az, ru, en), or none." in refused.get_data(as_text=True)
    assert reloaded(venue).locale == "ru"


def test_a_form_without_the_language_leaves_it_as_it_is(client_as, users):
    admin = client_as("admin")
    users["venue"].locale = "hy"
    db.session.commit()
    assert update(admin, users["venue"], name="Hall").status_code == 200
    assert reloaded(users["venue"]).locale == "hy"


def test_update_user_checks_the_language(users):
    try:
        accounts.update_user(users["venue"], locale="english")
    except ValidationError as exc:
        assert set(exc.errors) == {"locale"}
    else:
        raise AssertionError("an unknown language was accepted")
    assert accounts.update_user(users["venue"], locale=" hy ").locale == "hy"


def test_roles_and_languages_are_shown_by_name(client_as, users):
    admin = client_as("admin")
    users["archivist"].locale = "hy"
    db.session.commit()
    english = admin.get("/admin/users").get_data(as_text=True)
    assert "<td>Archivist</td>" in english and "<td>Venue</td>" in english and "<td>Administrator</td>" in english
    assert '<span lang="hy">Հայերեն</span>' in english and "Not chosen" in english
    russian = admin.get("/admin/users?lang=ru").get_data(as_text=True)
    assert "<td>Архивист</td>" in russian and "<td>Площадка</td>" in russian
    assert '<option value="archivist" >Архивист</option>' in russian
    assert "Язык интерфейса" in russian and "Не выбран" in russian


def test_the_user_page_in_azerbaijani(client_as, users):
    admin = client_as("admin")
    page = admin.get(f"/admin/users/{users['venue'].id}?lang=az").get_data(as_text=True)
    assert "İnterfeys dili" in page and "Seçilməyib" in page and "Nümayiş məkanı" in page
    assert "Yadda saxlayın" in page


def test_a_new_account_can_be_given_its_language(client_as, users):
    admin = client_as("admin")
    created = admin.post("/admin/users", data={"email": "hall@example.org", "password": "a long password",
                                               "role": "venue", "locale": "hy"})
    assert created.status_code == 302
    assert db.session.scalar(db.select(User.locale).where(User.email == "hall@example.org")) == "hy"
    refused = admin.post("/admin/users", data={"email": "club@example.org", "password": "a long password",
                                               "role": "venue", "locale": "fr"})
    assert refused.status_code == 422
    assert db.session.scalar(db.select(User.id).where(User.email == "club@example.org")) is None
