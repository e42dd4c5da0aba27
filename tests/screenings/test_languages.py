"""Screenings in the interface language: the calendar's month and weekdays, names of countries and
languages, the request form's messages, and notices written in the language the venue chose."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date

from babel import Locale
from babel.dates import format_skeleton

from archive import create_app
from archive.extensions import db
from archive.jobs.operations import drain
from archive.screenings import mail
from archive.screenings.models import VenueMessage
from archive.screenings.operations import decisions, venues
from tests.factories import book, make_film, make_licence, make_venue
from tests.screenings.helpers import local_start


def bilingual_film():
    """A public, licensed-to-be film titled in English (its own language) and Russian."""
    film = make_film("Letters from Gyumri")
    film.title = {"en": "Letters from Gyumri", "ru": "Письма из Гюмри"}
    db.session.commit()
    return film


def test_the_month_calendar_in_armenian_names_the_month_and_starts_the_week_the_armenian_way(client):
    page = client.get("/screenings?view=month&month=2027-03", headers={"Accept-Language": "hy"}).get_data(as_text=True)
    heading = re.search(r'<strong id="month-title">([^<]*)</strong>', page).group(1)
    assert heading == format_skeleton("yMMMM", date(2027, 3, 1), locale="hy")
    assert "մարտ" in heading.lower() and "March" not in page
    armenian = Locale("hy")
    days = armenian.days["stand-alone"]["abbreviated"]
    expected = [days[(armenian.first_week_day + offset) % 7] for offset in range(7)]
    headers = re.findall(r"<th>([^<]*)</th>", page.split('<table class="month">', 1)[1].split("</thead>", 1)[0])
    assert headers == expected and headers[0] == days[0]  # Monday first, in Armenian
    # The grid starts on that day too: 1 March 2027 is a Monday, so the first cell is the 1st.
    first_cell = page.split('<tbody>', 1)[1]
    assert re.search(r'<span class="day">(\d+)</span>', first_cell).group(1) == "1"


def test_a_weeks_first_day_follows_the_locale(client):
    # English (United States data) starts the week on Sunday: 1 March 2027 (a Monday) is the second cell.
    page = client.get("/screenings?view=month&month=2027-03&lang=en").get_data(as_text=True)
    headers = re.findall(r"<th>([^<]*)</th>", page.split('<table class="month">', 1)[1].split("</thead>", 1)[0])
    assert headers[0] == Locale("en").days["stand-alone"]["abbreviated"][Locale("en").first_week_day]
    cells = re.findall(r'<span class="day">(\d+)</span>', page.split('<tbody>', 1)[1])
    assert cells[(0 - Locale("en").first_week_day) % 7] == "1"


def test_a_venues_country_and_a_screenings_languages_are_named_in_russian(app, users, client):
    venue = make_venue()
    film = bilingual_film()
    make_licence(film)
    screening = book(users["admin"], film, venue, local_start(venue), audio_lang="hy")
    decisions.approve(screening, users["archivist"])
    page = client.get(f"/venues/{venue.id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<span id="venue-country">Армения</span>' in page and "(AM)" not in page
    assert "Ереван" in page  # the time zone's city
    assert '<td lang="ru">Письма из Гюмри</td>' in page
    assert "Yerevan Film House" in page  # a venue's own name is not translated
    shown = client.get(f"/screenings/{screening.id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "<dd>Армянский</dd>" in shown and "Статус:" in shown
    assert '<h1 lang="ru">Письма из Гюмри</h1>' in shown
    calendar = client.get("/screenings", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<option value="hy" >Армянский</option>' in calendar and ">Армения</option>" in calendar


def test_the_request_forms_messages_in_azerbaijani(app, users, client_as):
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    film = make_film()
    make_licence(film)
    browser = client_as("venue")
    response = browser.post("/venue/screenings/new?lang=az", data={
        "venue_id": venue.id, "item_id": film.id, "starts_at": "2020-01-01T19:00", "format": "cinema",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Başlanğıc (məkanın yerli vaxtı ilə)</strong>: " in page  # the field named by its label
    assert "artıq keçmişdədir; gələcək vaxt seçin." in page
    assert "Nümayiş sorğusu göndərin" in page and "in the past" not in page


def test_a_notice_is_written_in_the_language_the_venues_accounts_chose(app_config, profile, smtp_server):
    handler, url = smtp_server
    application = create_app({**app_config, "SMTP_URL": url, "MAIL_FROM": "archive@example.org"})
    with application.app_context():
        if profile == "embedded":
            db.create_all()
        from archive.auth import operations as accounts

        venue_user = accounts.create_user("venue-ru@example.org", "correct horse battery", "venue")
        venue_user.locale = "ru"
        staff = accounts.create_user("staff-hy@example.org", "correct horse battery", "archivist")
        staff.locale = "hy"  # the deciding staff member's own language plays no part
        db.session.commit()
        film = bilingual_film()
        make_licence(film)
        venue = make_venue()
        venues.add_member(venue, venue_user.email)
        assert mail.notice_language(venue) == "ru"
        screening = book(venue_user, film, venue, local_start(venue))
        decisions.approve(screening, staff, "До встречи")
        drain()
        notice = db.session.query(VenueMessage).one()
        assert notice.subject.startswith("Показ одобрен: Письма из Гюмри, ")
        assert "Ереван" in notice.subject
        assert notice.body.startswith("Ваш показ фильма «Письма из Гюмри» на площадке Yerevan Film House")
        assert "Причина: До встречи" in notice.body and "Комплект для показа" in notice.body
        db.session.remove()
        db.engine.dispose()
    [(recipients, content)] = handler.messages
    message = email.message_from_string(content, policy=email.policy.default)
    assert recipients == ["venue-ru@example.org"]
    assert str(message["Subject"]).strip().startswith("Показ одобрен: Письма из Гюмри, ")
    assert "одобрен." in message.get_content()


def test_the_notice_language_is_the_one_most_accounts_chose_else_english(app, make_user):
    venue = make_venue()
    assert mail.notice_language(venue) == "en"  # no accounts
    chosen = ["", "az", "hy", "az"]
    for index, language in enumerate(chosen):
        user = make_user("venue", f"venue-{index}@example.org")
        user.locale = language
        db.session.commit()
        venues.add_member(venue, user.email)
    assert mail.notice_language(venue) == "az"


def test_the_inbox_shows_a_notice_as_written_and_a_withheld_one_in_the_readers_language(app, users, client_as):
    venue = make_venue()
    users["venue"].locale = "ru"
    db.session.commit()
    venues.add_member(venue, users["venue"].email)
    film = make_film("Zanguezur testimony")
    make_licence(film)
    decisions.decline(book(users["admin"], film, venue, local_start(venue)), users["archivist"], "Re-edit")
    staff_page = client_as("archivist").get("/venue/inbox?lang=en").get_data(as_text=True)
    assert '<article class="message card" lang="ru">' in staff_page and "Показ отклонён" in staff_page
    film.visibility = "restricted"
    db.session.commit()
    page = client_as("venue").get("/venue/inbox?lang=hy").get_data(as_text=True)
    assert "Zanguezur" not in page
    assert "Ցուցադրությունը մերժված է: ցուցադրման վայրերին չտրամադրվող ֆիլմ" in page


def test_ics_events_are_written_in_the_feeds_language(app, users, client):
    venue = make_venue()
    film = bilingual_film()
    make_licence(film)
    screening = book(users["admin"], film, venue, local_start(venue), subtitle_lang=None)
    decisions.approve(screening, users["archivist"])
    body = client.get("/calendar.ics", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Письма из Гюмри — Yerevan Film House" in unfolded
    assert "Формат: общественное пространство" in unfolded and "Армения" in unfolded


def test_the_api_says_why_it_refuses_in_the_language_asked_for_with_the_same_code(app, users, token_for):
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    film = make_film()  # no licence
    headers = {**token_for("venue"), "Accept-Language": "ru"}
    response = app.test_client().post("/api/v1/screenings", headers=headers, json={
        "item_id": film.id, "venue_id": venue.id, "starts_at": local_start(venue)})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "no_licence"
    assert response.json["error"]["message"].startswith("У этого фильма пока нет лицензии на показ")
