"""A mixed catalogue: only public records reach JSON-LD, Open Graph tags and the sitemap; screenings as events."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from archive.catalogue import operations as catalogue
from archive.screenings.operations import decisions
from tests.factories import book, make_collection, make_licence, make_venue
from tests.screenings.helpers import local_start
from tests.webmeta.helpers import film_with_media, head_of, json_ld, meta, photo_with_display

HIDDEN = re.compile(r"HIDDEN-[a-z]+")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def mixed(app, users):
    """Public, partners, restricted and embargoed films; a public photo; public and hidden collections;
    venues with a public screening, a cancelled one, a pending request and one of a partners film."""
    films = {
        "public": film_with_media("Open film", lines=["First words", "Later words"]),
        "partners": film_with_media("HIDDEN-partners", "partners"),
        "restricted": film_with_media("HIDDEN-restricted", "restricted"),
        "embargoed": film_with_media("HIDDEN-embargoed", embargo_until="2999-01-01"),
    }
    photo = photo_with_display("Open photo")
    hidden_photo = photo_with_display("HIDDEN-photo", "restricted")
    open_collection = make_collection("Open exhibition", kind="exhibition", items=[*films.values(), photo, hidden_photo])
    secret = make_collection("HIDDEN-collection", "restricted", items=[films["public"]])
    venue = make_venue(name="Yerevan Film House", address="Abovyan 18")
    baku = make_venue(name="Baku Cinema Club", city="Baku", country="AZ", timezone="Asia/Baku")
    for film in (films["public"], films["partners"]):
        make_licence(film, territories=["AM", "AZ"])
    shown = book(users["admin"], films["public"], venue, local_start(venue, days=12), subtitle_lang="hy")
    decisions.approve(shown, users["admin"])
    called_off = book(users["admin"], films["public"], baku, local_start(baku, days=13), subtitle_lang="hy")
    decisions.approve(called_off, users["admin"])
    decisions.cancel(called_off, users["admin"])
    pending = book(users["admin"], films["public"], baku, local_start(baku, days=14))
    partners_show = book(users["admin"], films["partners"], venue, local_start(venue, days=15))
    decisions.approve(partners_show, users["admin"])
    return {"films": films, "photo": photo, "hidden_photo": hidden_photo, "collection": open_collection,
            "secret": secret, "venue": venue, "baku": baku, "shown": shown, "called_off": called_off,
            "pending": pending, "partners_show": partners_show}


def test_hidden_records_carry_no_metadata_for_anyone(app, client_as, mixed):
    films = mixed["films"]
    for role in (None, "venue", "archivist"):
        browser = client_as(role)
        for item in (films["partners"], films["restricted"], films["embargoed"], mixed["hidden_photo"]):
            response = browser.get(f"/items/{item.id}")
            if response.status_code == 404:
                continue  # not theirs to see at all
            html = response.get_data(as_text=True)
            assert json_ld(html) == [] and not [key for key in meta(html) if key.startswith(("og:", "twitter:"))]
            assert meta(html)["robots"] == ["noindex, nofollow"]
            assert not head_of(html).xpath('link[@rel="canonical"]')
        for screening in (mixed["pending"], mixed["partners_show"]):
            response = browser.get(f"/screenings/{screening.id}")
            if response.status_code == 200:
                html = response.get_data(as_text=True)
                assert json_ld(html) == [] and meta(html)["robots"] == ["noindex, nofollow"]
        # A public page names no hidden collection or film in its metadata.
        html = browser.get(f"/items/{films['public'].id}").get_data(as_text=True)
        head = etree.tostring(head_of(html), encoding="unicode")
        assert not HIDDEN.search(head)
    # A hidden collection's page, seen by staff, is not for search engines either.
    assert meta(client_as("archivist").get(f"/collections/{mixed['secret'].id}").get_data(as_text=True))["robots"] \
        == ["noindex, nofollow"]
    assert "robots" not in meta(client_as(None).get(f"/collections/{mixed['collection'].id}").get_data(as_text=True))
    # The stable media addresses the metadata uses refuse a hidden item's files.
    video = json_ld(client_as(None).get(f"/items/{films['public'].id}").get_data(as_text=True))[0]
    hidden_address = video["contentUrl"].replace(f"/items/{films['public'].id}/", f"/items/{films['partners'].id}/")
    assert client_as("venue").get(hidden_address).status_code == 404


def test_screening_page_describes_a_screening_event(app, client, mixed):
    shown, film, venue = mixed["shown"], mixed["films"]["public"], mixed["venue"]
    html = client.get(f"/screenings/{shown.id}").get_data(as_text=True)
    [event] = json_ld(html)
    assert event["@type"] == "ScreeningEvent"
    assert event["url"] == f"http://localhost/screenings/{shown.id}"
    assert event["startDate"].endswith("T19:00:00+04:00") and event["startDate"][:10] == local_start(venue, 12)[:10]
    assert event["endDate"].endswith("+04:00")
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"] == {"@type": "Place", "name": "Yerevan Film House",
                                 "url": f"http://localhost/venues/{venue.id}",
                                 "address": {"@type": "PostalAddress", "streetAddress": "Abovyan 18",
                                             "addressLocality": "Yerevan", "addressCountry": "AM"}}
    assert event["workPresented"]["@type"] == "Movie" and event["workPresented"]["name"] == "Open film"
    assert event["workPresented"]["url"] == f"http://localhost/items/{film.id}"
    assert event["workPresented"]["duration"] == "PT1H30M"
    assert event["inLanguage"] == event["subtitleLanguage"] == "hy"
    assert meta(html)["og:title"] == ["Open film · Yerevan Film House"]
    cancelled = json_ld(client.get(f"/screenings/{mixed['called_off'].id}").get_data(as_text=True))[0]
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"
    assert cancelled["startDate"].endswith("T19:00:00+04:00")  # Baku's offset
    assert cancelled["location"]["address"]["addressCountry"] == "AZ"


W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def sitemap_urls(document: bytes) -> dict[str, etree._Element]:
    """The ``<url>`` elements by address, once the file's structure is checked as the sitemap 0.9 schema has it."""
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(document)
    assert root.tag == f"{SM}urlset" and len(root) <= 50_000
    for url in root:
        assert url.tag == f"{SM}url"
        tags = [child.tag for child in url]
        assert tags[0] == f"{SM}loc" and tags.count(f"{SM}loc") == 1 and tags.count(f"{SM}lastmod") <= 1
        assert set(tags) <= {f"{SM}loc", f"{SM}lastmod", f"{XHTML}link"}
        assert url.findtext(f"{SM}loc").startswith("http://localhost/") and len(url.findtext(f"{SM}loc")) < 2048
        if url.find(f"{SM}lastmod") is not None:
            assert W3C_DATETIME.fullmatch(url.findtext(f"{SM}lastmod"))
    return {url.findtext(f"{SM}loc"): url for url in root.findall(f"{SM}url")}


def test_sitemap_lists_every_public_page_and_nothing_else(app, client, mixed):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.content_type == "application/xml; charset=utf-8"
    urls = sitemap_urls(response.get_data())
    base = "http://localhost"
    expected = {f"{base}/", f"{base}/items", f"{base}/collections", f"{base}/screenings", f"{base}/venues",
                f"{base}/items/{mixed['films']['public'].id}", f"{base}/items/{mixed['photo'].id}",
                f"{base}/collections/{mixed['collection'].id}", f"{base}/venues/{mixed['venue'].id}",
                f"{base}/venues/{mixed['baku'].id}", f"{base}/screenings/{mixed['shown'].id}"}
    assert set(urls) == expected
    item = urls[f"{base}/items/{mixed['photo'].id}"]
    alternates = {link.get("hreflang"): link.get("href") for link in item.findall(f"{XHTML}link")}
    assert alternates == {**{lang: f"{base}/items/{mixed['photo'].id}?lang={lang}" for lang in ("hy", "az", "ru", "en")},
                          "x-default": f"{base}/items/{mixed['photo'].id}"}
    assert item.findtext(f"{SM}lastmod") == mixed["photo"].updated_at.replace(microsecond=0).isoformat() + "+00:00"
    # Each alternate opens the page in that language.
    assert client.get(alternates["az"]).headers["Content-Language"] == "az"
    # A record made public appears; one hidden again leaves.
    catalogue.update_item(mixed["films"]["partners"], {"visibility": "public"})
    catalogue.update_item(mixed["photo"], {"visibility": "restricted"})
    urls = sitemap_urls(client.get("/sitemap.xml").get_data())
    assert f"{base}/items/{mixed['films']['partners'].id}" in urls and f"{base}/items/{mixed['photo'].id}" not in urls
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /manage/" in robots


def test_a_long_sitemap_becomes_an_index_of_numbered_sitemaps(app, client, mixed):
    app.config["SITEMAP_LIMIT"] = 4
    root = etree.fromstring(client.get("/sitemap.xml").get_data())
    assert root.tag == f"{SM}sitemapindex"
    parts = [entry.findtext(f"{SM}loc") for entry in root.findall(f"{SM}sitemap")]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for part in parts:
        urls = sitemap_urls(client.get(part.removeprefix("http://localhost")).get_data())
        assert 1 <= len(urls) <= 4
        seen += list(urls)
    assert len(seen) == len(set(seen)) == 11
    app.config["SITEMAP_LIMIT"] = 1000
    assert set(seen) == set(sitemap_urls(client.get("/sitemap.xml").get_data()))
    for bad in ("/sitemap-0.xml", "/sitemap-4.xml", "/sitemap-99999999999.xml", "/sitemap-1.xml", "/sitemap-x.xml"):
        assert client.get(bad).status_code == 404, bad
