"""schema.org JSON-LD, Open Graph and Twitter tags on film and photo pages, read from the real pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from archive.catalogue import operations as catalogue
from archive.extensions import db
from tests.webmeta.helpers import film_with_media, head_of, json_ld, meta, photo_with_display

LINES = ["Բարեւ, we crossed at dawn", "The river was high", "Our village </script> & co", "We came back",
         "The school still stands", "Tea with the neighbours", "Letters kept", "Songs at night", "Goodbye"]


def test_film_page_describes_the_film_as_a_video_object(app, client):
    film = film_with_media("Border Stories", lines=LINES, languages=["hy", "ru"], year=2019, countries=["AM"],
                           credits=[{"name": "Ani Hakobyan", "role": "director"}, {"name": "Leyla", "role": "interviewee"}])
    html = client.get(f"/items/{film.id}").get_data(as_text=True)
    [video] = json_ld(html)
    page = f"http://localhost/items/{film.id}"
    assert video["@context"] == "https://schema.org" and video["@type"] == "VideoObject"
    assert video["name"] == "Border Stories" and video["description"] == "About Border Stories"
    assert video["url"] == page
    assert video["inLanguage"] == ["hy", "ru"]
    assert video["duration"] == "PT1H30M"
    assert video["uploadDate"] == film.created_at.replace(microsecond=0).isoformat() + "+00:00"
    assert video["creator"] == [{"@type": "Person", "name": "Ani Hakobyan", "roleName": "director"}]
    assert video["contributor"][0]["name"] == "Leyla"
    media_id = urlsplit(video["contentUrl"]).path.split("/")[5]
    # Stable app addresses that check visibility on each use, never a short-lived storage link.
    assert video["contentUrl"] == f"http://localhost/iiif/items/{film.id}/media/{media_id}/proxy"
    assert video["thumbnailUrl"] == [f"http://localhost/iiif/items/{film.id}/media/{media_id}/poster"]
    assert video["transcript"] == f"{page}?sub=hy#transcript"
    clips = video["hasPart"]
    # Eight stretches of 675 s, each clip from the first line spoken in it (the line at 605 s shares the first).
    assert [clip["startOffset"] for clip in clips] == [5, 1205, 1805, 2405, 3005, 3605, 4205, 4805]
    assert [clip["endOffset"] for clip in clips] == [1205, 1805, 2405, 3005, 3605, 4205, 4805, 5400]
    assert clips[0] == {"@type": "Clip", "name": "Բարեւ, we crossed at dawn", "inLanguage": "hy", "startOffset": 5,
                        "endOffset": 1205, "url": f"{page}#t=5"}
    assert clips[1]["name"] == "Our village </script> & co"  # the text stays as it is; the page stays whole
    assert "village </script>" not in html and "village \\u003c/script\\u003e \\u0026 co" in html
    # The transcript's address and a clip's open the page the player reads them from.
    assert client.get(urlsplit(video["transcript"]).path + "?sub=hy").status_code == 200
    tags = meta(html)
    assert tags["og:type"] == ["video.other"] and tags["og:title"] == ["Border Stories"]
    assert tags["og:url"] == [page] and tags["og:description"] == ["About Border Stories"]
    assert tags["og:image"] == video["thumbnailUrl"]
    assert tags["og:image:width"] == ["1280"] and tags["og:image:height"] == ["720"]
    assert tags["og:video"] == [video["contentUrl"]] and tags["og:video:type"] == ["video/mp4"]
    assert tags["og:locale"] == ["en_GB"] and sorted(tags["og:locale:alternate"]) == ["az_AZ", "hy_AM", "ru_RU"]
    assert tags["twitter:card"] == ["summary_large_image"] and tags["twitter:image"] == video["thumbnailUrl"]
    assert "robots" not in tags


def test_metadata_follows_the_reader_language(app, client):
    film = film_with_media("Border Stories")
    film.title = {"en": "Border Stories", "hy": "Սահմանի պատմություններ"}
    db.session.commit()
    html = client.get(f"/items/{film.id}?lang=hy").get_data(as_text=True)
    assert json_ld(html)[0]["name"] == "Սահմանի պատմություններ"
    tags = meta(html)
    assert tags["og:locale"] == ["hy_AM"] and "en_GB" in tags["og:locale:alternate"]
    assert tags["og:site_name"] == ["Երկխոսության արխիվ"]


def test_film_without_media_or_subtitles_says_only_what_it_knows(app, client):
    film = catalogue.create_item({"kind": "film", "title": {"en": "Still processing"}, "visibility": "public"})
    html = client.get(f"/items/{film.id}").get_data(as_text=True)
    [video] = json_ld(html)
    assert {"contentUrl", "thumbnailUrl", "hasPart", "transcript", "duration"}.isdisjoint(video)
    assert video["description"] == "Still processing"  # search engines want one; the title stands in
    tags = meta(html)
    assert tags["twitter:card"] == ["summary"] and "og:image" not in tags


def test_photo_page_describes_a_photograph(app, client):
    photo = photo_with_display("Market in Gyumri", year=1998, countries=["AM", "GE"],
                               description={"en": "Sellers & buyers"},
                               credits=[{"name": "Arman Petrosyan", "role": "photographer"}])
    html = client.get(f"/items/{photo.id}").get_data(as_text=True)
    [picture] = json_ld(html)
    assert picture["@type"] == "Photograph" and picture["name"] == "Market in Gyumri"
    assert picture["caption"] == "Sellers & buyers"
    assert picture["creator"] == [{"@type": "Person", "name": "Arman Petrosyan", "roleName": "photographer"}]
    assert picture["dateCreated"] == "1998"
    assert [place["address"]["addressCountry"] for place in picture["contentLocation"]] == ["AM", "GE"]
    assert picture["contentLocation"][0]["name"] == "Armenia"
    assert picture["image"]["width"] == 1600 and picture["image"]["contentUrl"].endswith("/display")
    assert picture["thumbnailUrl"].endswith("/thumbnail")
    tags = meta(html)
    assert tags["og:type"] == ["website"] and tags["og:image"] == [picture["image"]["contentUrl"]]
    assert (tags["og:image:width"], tags["og:image:height"]) == (["1600"], ["1067"])
    assert "og:video" not in tags and tags["twitter:card"] == ["summary_large_image"]


def test_pages_name_their_language_alternates(app, client):
    photo = photo_with_display("Portrait")
    html = client.get(f"/items/{photo.id}").get_data(as_text=True)
    head = head_of(html)
    assert head.xpath('link[@rel="canonical"]/@href') == [f"http://localhost/items/{photo.id}"]
    alternates = {link.get("hreflang"): link.get("href") for link in head.xpath('link[@rel="alternate"]')}
    assert alternates == {**{lang: f"http://localhost/items/{photo.id}?lang={lang}" for lang in ("hy", "az", "ru", "en")},
                          "x-default": f"http://localhost/items/{photo.id}"}
