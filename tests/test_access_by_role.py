"""Every route × every role: the status each must get.

The table must name every route the app has (``test_table_covers_every_route``), so a new route
cannot ship without a decision about who may reach it.
"""

from __future__ import annotations

import io

import pytest

from archive.auth import calendar_feeds
from archive.catalogue import operations as catalogue
from archive.catalogue.models import Item
from archive.extensions import db
from archive.jobs.models import Job
from archive.media import resumable
from archive.media.models import Derivative, MediaFile
from archive.storage import get_storage
from tests.screenings.helpers import screening_records

ANON, VENUE, ARCHIVIST, ADMIN = None, "venue", "archivist", "admin"
ORDER = (ANON, VENUE, ARCHIVIST, ADMIN)


def statuses(anon, venue, archivist, admin):
    return dict(zip(ORDER, (anon, venue, archivist, admin), strict=True))


PUBLIC = statuses(200, 200, 200, 200)
STAFF_PAGE = statuses(302, 403, 200, 200)
ADMIN_PAGE = statuses(302, 403, 403, 200)
STAFF_FORM_SAVED = statuses(302, 403, 302, 302)  # anonymous: redirect to sign-in; staff: redirect after save
STAFF_API = statuses(401, 403, 200, 200)
NOWHERE = statuses(404, 404, 404, 404)

NEW_ITEM_FORM = {"kind": "film", "visibility": "public", "lang": ["en"], "title": ["New film"], "description": [""]}
NEW_COLLECTION_FORM = {"kind": "series", "visibility": "public", "lang": ["en"], "title": ["A series"],
                       "description": [""]}

# (endpoint, method, path, expected statuses, body); {public}, {partners}, {restricted}, {collection},
# {hidden_collection} and {user} are filled in with ids made for each test.
TABLE = [
    ("static", "GET", "/static/style.css", PUBLIC, None),
    ("catalogue.index", "GET", "/", PUBLIC, None),
    ("catalogue.items", "GET", "/items", PUBLIC, None),
    ("catalogue.item", "GET", "/items/{public}", PUBLIC, None),
    ("catalogue.item", "GET", "/items/{partners}", statuses(404, 200, 200, 200), None),
    ("catalogue.item", "GET", "/items/{restricted}", statuses(404, 404, 200, 200), None),
    ("catalogue.item", "GET", "/items/{embargoed}", statuses(404, 404, 200, 200), None),
    ("catalogue.item", "GET", "/items/999999", statuses(404, 404, 404, 404), None),
    ("catalogue.collections", "GET", "/collections", PUBLIC, None),
    ("catalogue.collection", "GET", "/collections/{collection}", PUBLIC, None),
    ("catalogue.collection", "GET", "/collections/{hidden_collection}", statuses(404, 404, 200, 200), None),
    ("auth.login", "GET", "/login", PUBLIC, None),
    ("auth.login", "POST", "/login", statuses(401, 401, 401, 401), {"email": "x@example.org", "password": "nope"}),
    ("auth.logout", "POST", "/logout", statuses(302, 302, 302, 302), {}),
    ("auth.account", "GET", "/account", statuses(302, 200, 200, 200), None),
    ("auth.calendar_address", "POST", "/account/calendar", statuses(302, 302, 302, 302), {"action": "renew"}),
    ("choose_language", "POST", "/language", statuses(302, 302, 302, 302), {"lang": "hy", "next": "/items"}),
    ("manage.dashboard", "GET", "/manage/", STAFF_PAGE, None),
    ("manage.new_item", "GET", "/manage/items/new", STAFF_PAGE, None),
    ("manage.new_item", "POST", "/manage/items/new", STAFF_FORM_SAVED, NEW_ITEM_FORM),
    ("manage.edit_item", "GET", "/manage/items/{restricted}/edit", STAFF_PAGE, None),
    ("manage.edit_item", "POST", "/manage/items/{public}/edit", STAFF_FORM_SAVED, NEW_ITEM_FORM),
    ("manage.delete_item", "POST", "/manage/items/{public}/delete", STAFF_FORM_SAVED, {}),
    ("manage.new_collection", "GET", "/manage/collections/new", STAFF_PAGE, None),
    ("manage.new_collection", "POST", "/manage/collections/new", STAFF_FORM_SAVED, NEW_COLLECTION_FORM),
    ("manage.edit_collection", "GET", "/manage/collections/{collection}/edit", STAFF_PAGE, None),
    ("manage.edit_collection", "POST", "/manage/collections/{collection}/edit", STAFF_FORM_SAVED,
     NEW_COLLECTION_FORM),
    ("admin.users", "GET", "/admin/users", ADMIN_PAGE, None),
    ("admin.users", "POST", "/admin/users", statuses(302, 403, 403, 302),
     {"email": "new@example.org", "password": "long enough password", "role": "venue"}),
    ("admin.user", "GET", "/admin/users/{user}", ADMIN_PAGE, None),
    ("admin.user", "POST", "/admin/users/{user}", statuses(302, 403, 403, 200), {"action": "token", "label": "t"}),
    ("storage.serve", "GET", "/files/not-a-valid-token", statuses(403, 403, 403, 403), None),
    ("health.healthz", "GET", "/healthz", PUBLIC, None),
    ("health.readyz", "GET", "/readyz", PUBLIC, None),
    ("health.metrics_page", "GET", "/metrics", PUBLIC, None),  # the test client comes from 127.0.0.1
    ("media.upload_page", "GET", "/manage/items/{restricted}/media", STAFF_PAGE, None),
    # An empty body is refused (422) only once the role check let the request through.
    ("media.upload", "POST", "/manage/items/{public}/media?filename=a.mp4", statuses(302, 403, 422, 422), None),
    ("media.upload_options", "OPTIONS", "/manage/uploads", statuses(204, 204, 204, 204), None),
    ("media.create_upload", "POST", "/manage/uploads", statuses(302, 403, 412, 412), {}),
    ("media.upload_state", "GET", "/manage/uploads/{upload}", statuses(302, 403, 200, 404), None),
    ("media.upload_chunk", "PATCH", "/manage/uploads/{upload}", statuses(302, 403, 412, 412), None),
    ("media.cancel_upload", "DELETE", "/manage/uploads/{upload}", statuses(302, 403, 412, 412), None),
    ("media.status", "GET", "/manage/items/{restricted}/status.json", STAFF_PAGE, None),
    ("media.retry_job", "POST", "/manage/jobs/{job}/retry", STAFF_FORM_SAVED, {}),
    ("media.original", "GET", "/manage/media/{media}/original", statuses(302, 403, 302, 302), None),
    # A film's storyboard frame: these test films have no storyboard, so 404 for everyone (the visibility
    # check comes first, and tests/media/test_cards.py covers a real frame and a hidden film's).
    ("frames.frame", "GET", "/items/{public}/frame.jpg?t=1", statuses(404, 404, 404, 404), None),
    ("frames.frame", "GET", "/items/{restricted}/frame.jpg?t=1", statuses(404, 404, 404, 404), None),
    ("media.storyboard_track", "GET", "/items/{public}/media/{media}/storyboard.vtt", statuses(404, 404, 404, 404),
     None),
    # A film's HLS playlists: on the visibility rule, like every other part of the film.
    ("media.hls_master", "GET", "/items/{ladder_public}/media/{ladder_public_media}/hls/master.m3u8", PUBLIC, None),
    ("media.hls_master", "GET", "/items/{ladder_restricted}/media/{ladder_restricted_media}/hls/master.m3u8",
     statuses(404, 404, 200, 200), None),
    ("media.hls_rendition", "GET", "/items/{ladder_public}/media/{ladder_public_media}/hls/0.m3u8", PUBLIC, None),
    ("media.hls_rendition", "GET", "/items/{ladder_restricted}/media/{ladder_restricted_media}/hls/0.m3u8",
     statuses(404, 404, 200, 200), None),
    ("media.hls_rendition", "GET", "/items/{ladder_public}/media/{ladder_public_media}/hls/7.m3u8", NOWHERE, None),
    ("media.fixity", "GET", "/admin/fixity", ADMIN_PAGE, None),
    ("media.fixity", "POST", "/admin/fixity", statuses(302, 403, 403, 302), {}),
    # The API authenticates with bearer tokens only.
    ("api.me", "GET", "/api/v1/me", statuses(401, 200, 200, 200), None),
    ("api.list_items", "GET", "/api/v1/items", PUBLIC, None),
    ("api.create_item", "POST", "/api/v1/items", statuses(401, 403, 201, 201),
     {"kind": "photo", "title": {"en": "x"}}),
    ("api.get_item", "GET", "/api/v1/items/{public}", PUBLIC, None),
    ("api.get_item", "GET", "/api/v1/items/{partners}", statuses(404, 200, 200, 200), None),
    ("api.get_item", "GET", "/api/v1/items/{restricted}", statuses(404, 404, 200, 200), None),
    ("api.update_item", "PATCH", "/api/v1/items/{public}", STAFF_API, {"year": 2001}),
    ("api.delete_item", "DELETE", "/api/v1/items/{public}", statuses(401, 403, 204, 204), None),
    ("api.list_collections", "GET", "/api/v1/collections", PUBLIC, None),
    ("api.create_collection", "POST", "/api/v1/collections", statuses(401, 403, 201, 201),
     {"kind": "exhibition", "title": {"hy": "Ցուցահանդես"}}),
    ("api.get_collection", "GET", "/api/v1/collections/{collection}", PUBLIC, None),
    ("api.get_collection", "GET", "/api/v1/collections/{hidden_collection}", statuses(404, 404, 200, 200), None),
    ("api.update_collection", "PATCH", "/api/v1/collections/{collection}", STAFF_API, {"visibility": "partners"}),
    # OAI-PMH: open to everyone, answering as to the public (errors are 200 with an <error> element).
    ("oai.endpoint", "GET", "/oai?verb=Identify", PUBLIC, None),
    ("oai.endpoint", "POST", "/oai", PUBLIC, {"verb": "ListSets"}),
    # Search and subtitles.
    ("search.results", "GET", "/search?q=border", PUBLIC, None),
    ("search.inside_item", "GET", "/items/{public}/search?q=border", PUBLIC, None),
    ("search.inside_item", "GET", "/items/{restricted}/search?q=border", statuses(404, 404, 200, 200), None),
    ("subtitles.vtt", "GET", "/items/{public}/subtitles/999999.vtt", statuses(404, 404, 404, 404), None),
    ("subtitles.moment", "GET", "/items/{partners}/moment?t=abc", statuses(404, 400, 400, 400), None),
    ("subtitles.moment", "GET", "/items/{restricted}/moment?t=abc", statuses(404, 404, 400, 400), None),
    ("subtitles.manage", "GET", "/manage/items/{public}/subtitles", STAFF_PAGE, None),
    ("subtitles.preview", "POST", "/manage/items/{public}/subtitles/preview", statuses(302, 403, 422, 422), {}),
    ("subtitles.confirm", "POST", "/manage/items/{public}/subtitles/confirm", statuses(302, 403, 400, 400), {}),
    ("subtitles.delete", "POST", "/manage/items/{public}/subtitles/999999/delete", statuses(302, 403, 404, 404), {}),
    ("api.search_catalogue", "GET", "/api/v1/search?q=border", PUBLIC, None),
    ("api.upload_subtitles", "POST", "/api/v1/items/{public}/subtitles?lang=en", statuses(401, 403, 422, 422), None),
    ("api.list_subtitles", "GET", "/api/v1/items/{public}/subtitles", PUBLIC, None),
    ("api.list_subtitles", "GET", "/api/v1/items/{restricted}/subtitles", statuses(404, 404, 200, 200), None),
    ("api.delete_subtitles", "DELETE", "/api/v1/items/{public}/subtitles/999999", statuses(401, 403, 404, 404), None),
    ("api.upload_options", "OPTIONS", "/api/v1/uploads", statuses(204, 204, 204, 204), None),
    ("api.create_upload", "POST", "/api/v1/uploads", statuses(401, 403, 412, 412), {}),
    # Staff may upload to any item, as with the one-shot upload, but an upload is its owner's alone.
    ("api.upload_state", "GET", "/api/v1/uploads/{upload}", statuses(401, 403, 200, 404), None),
    ("api.upload_chunk", "PATCH", "/api/v1/uploads/{upload}", statuses(401, 403, 412, 412), None),
    ("api.cancel_upload", "DELETE", "/api/v1/uploads/{upload}", statuses(401, 403, 412, 412), None),
    ("api.upload_media", "POST", "/api/v1/items/{public}/media?filename=a.jpg", statuses(401, 403, 422, 422), None),
    ("api.list_jobs", "GET", "/api/v1/jobs", STAFF_API, None),
    ("api.retry_job", "POST", "/api/v1/jobs/{job}/retry", STAFF_API, None),
    ("api.list_deletions", "GET", "/api/v1/deletions", STAFF_API, None),
    # Screenings: {scr_requested} is the venue account's own pending request, {scr_other_requested}
    # another venue's, {scr_approved} another venue's approved screening of a public film (22 days ahead).
    ("screenings.calendar", "GET", "/screenings", PUBLIC, None),
    ("screenings.screening", "GET", "/screenings/{scr_approved}", PUBLIC, None),
    ("screenings.screening", "GET", "/screenings/{scr_requested}", statuses(404, 200, 200, 200), None),
    ("screenings.screening", "GET", "/screenings/{scr_other_requested}", statuses(404, 404, 200, 200), None),
    ("screenings.venues", "GET", "/venues", PUBLIC, None),
    ("screenings.venue", "GET", "/venues/{scr_venue}", PUBLIC, None),
    ("screenings.venue", "GET", "/venues/999999", statuses(404, 404, 404, 404), None),
    ("screenings.feed", "GET", "/calendar.ics", PUBLIC, None),
    ("screenings.venue_feed", "GET", "/venues/{scr_venue}/calendar.ics", PUBLIC, None),
    # A secret calendar address opens its account's feed to anyone who has it, signed in or not.
    ("screenings.subscription_feed", "GET", "/calendar/{calendar_token}.ics", PUBLIC, None),
    ("screenings.subscription_feed", "GET", "/calendar/" + "A" * 43 + ".ics", NOWHERE, None),
    ("screenings.not_a_feed", "GET", "/calendar/{calendar_token}", NOWHERE, None),
    ("screenings.film", "GET", "/items/{public}/screenings", PUBLIC, None),
    ("screenings.film", "GET", "/items/{partners}/screenings", statuses(404, 200, 200, 200), None),
    ("screenings.film", "GET", "/items/{restricted}/screenings", statuses(404, 404, 404, 404), None),
    ("screenings.film_feed", "GET", "/items/{public}/calendar.ics", PUBLIC, None),
    ("screenings.film_feed", "GET", "/items/{partners}/calendar.ics", statuses(404, 200, 200, 200), None),
    ("screenings.film_feed", "GET", "/items/{restricted}/calendar.ics", statuses(404, 404, 404, 404), None),
    ("screenings.my_screenings", "GET", "/venue/", statuses(302, 200, 200, 200), None),
    ("screenings.inbox", "GET", "/venue/inbox", statuses(302, 200, 200, 200), None),
    ("screenings.new_request", "GET", "/venue/screenings/new", statuses(302, 200, 200, 200), None),
    ("screenings.new_request", "POST", "/venue/screenings/new", statuses(302, 422, 422, 422), {}),
    ("screenings.cancel", "POST", "/screenings/{scr_requested}/cancel", statuses(302, 302, 302, 302), {}),
    ("screenings.cancel", "POST", "/screenings/{scr_other_requested}/cancel", statuses(302, 404, 302, 302), {}),
    ("screenings.kit_file", "GET", "/screenings/{scr_approved}/kit/film", statuses(302, 403, 403, 403), None),
    ("screenings.prepare_copy", "POST", "/screenings/{scr_approved}/kit/prepare", statuses(302, 403, 409, 409),
     {"what": "master"}),
    ("screenings.prepare_copy", "POST", "/screenings/{scr_requested}/kit/prepare", statuses(302, 409, 409, 409),
     {"what": "master"}),
    ("screenings.report", "GET", "/screenings/{scr_requested}/report", statuses(302, 200, 200, 200), None),
    ("screenings.report", "POST", "/screenings/{scr_requested}/report", statuses(302, 409, 409, 409), {"total": "1"}),
    ("screenings.photo", "GET", "/screenings/photos/999999", statuses(302, 404, 404, 404), None),
    ("screenings.manage", "GET", "/manage/screenings", STAFF_PAGE, None),
    ("screenings.decide", "POST", "/manage/screenings/{scr_requested}/approve", STAFF_FORM_SAVED, {}),
    ("screenings.licences", "GET", "/manage/items/{public}/licences", STAFF_PAGE, None),
    ("screenings.licences", "POST", "/manage/items/{public}/licences", statuses(302, 403, 422, 422), {}),
    ("screenings.manage_venues", "GET", "/manage/venues", ADMIN_PAGE, None),
    ("screenings.manage_venues", "POST", "/manage/venues", statuses(302, 403, 403, 422), {}),
    ("screenings.impact_page", "GET", "/impact", STAFF_PAGE, None),
    ("screenings.impact_csv", "GET", "/impact.csv", STAFF_PAGE, None),
    ("api.list_venues", "GET", "/api/v1/venues", PUBLIC, None),
    ("api.get_venue", "GET", "/api/v1/venues/{scr_venue}", PUBLIC, None),
    ("api.create_venue", "POST", "/api/v1/venues", statuses(401, 403, 403, 201),
     {"name": "V", "city": "Yerevan", "country": "AM", "timezone": "Asia/Yerevan"}),
    ("api.add_venue_member", "POST", "/api/v1/venues/{scr_other_venue}/members", statuses(401, 403, 403, 201),
     {"email": "venue@example.org"}),
    ("api.list_licences", "GET", "/api/v1/items/{scr_film}/licences", STAFF_API, None),
    ("api.create_licence", "POST", "/api/v1/items/{scr_film}/licences", statuses(401, 403, 201, 201),
     {"territories": ["AM"], "starts_on": "2027-01-01", "ends_on": "2027-12-31", "uses": ["festival"]}),
    ("api.list_screenings", "GET", "/api/v1/screenings", PUBLIC, None),
    ("api.create_screening", "POST", "/api/v1/screenings", statuses(401, 422, 422, 422), {}),
    ("api.get_screening", "GET", "/api/v1/screenings/{scr_approved}", PUBLIC, None),
    ("api.get_screening", "GET", "/api/v1/screenings/{scr_requested}", statuses(404, 200, 200, 200), None),
    ("api.approve_screening", "POST", "/api/v1/screenings/{scr_requested}/approve", STAFF_API, None),
    ("api.decline_screening", "POST", "/api/v1/screenings/{scr_requested}/decline", STAFF_API, {"reason": "x"}),
    ("api.cancel_screening", "POST", "/api/v1/screenings/{scr_requested}/cancel", statuses(401, 200, 200, 200), None),
    ("api.cancel_screening", "POST", "/api/v1/screenings/{scr_other_requested}/cancel", statuses(401, 404, 200, 200), None),
    ("api.report_screening", "POST", "/api/v1/screenings/{scr_requested}/report", statuses(401, 409, 409, 409),
     {"attendance": {"total": 1}}),
    # The API's description, and IIIF: open to everyone, answering as to the public.
    ("api.openapi_document", "GET", "/api/v1/openapi.json", PUBLIC, None),
    ("api_docs.page", "GET", "/api/docs", PUBLIC, None),
    ("iiif.manifest", "GET", "/iiif/items/{iiif_photo}/manifest", PUBLIC, None),
    ("iiif.manifest", "GET", "/iiif/items/{partners}/manifest", NOWHERE, None),
    ("iiif.manifest", "GET", "/iiif/items/{restricted}/manifest", NOWHERE, None),
    ("iiif.manifest", "GET", "/iiif/items/{embargoed}/manifest", NOWHERE, None),
    ("iiif.collection", "GET", "/iiif/collections/{collection}", PUBLIC, None),
    ("iiif.collection", "GET", "/iiif/collections/{hidden_collection}", NOWHERE, None),
    ("iiif.media", "GET", "/iiif/items/{iiif_photo}/media/{iiif_media}/display", statuses(302, 302, 302, 302), None),
    ("iiif.media", "GET", "/iiif/items/{iiif_partners_photo}/media/{iiif_partners_media}/display", NOWHERE, None),
    # Web metadata: the sitemap (public pages only, whoever asks) and robots.txt; one sitemap, so no numbered ones.
    ("webmeta.sitemap_xml", "GET", "/sitemap.xml", PUBLIC, None),
    ("webmeta.sitemap_page", "GET", "/sitemap-1.xml", NOWHERE, None),
    ("webmeta.robots", "GET", "/robots.txt", PUBLIC, None),
    # Exports are for staff, restricted records and collections included.
    ("exports.collection", "GET", "/exports/collections/{hidden_collection}.csv", STAFF_PAGE, None),
    ("exports.collection", "GET", "/exports/collections/{collection}.xml", STAFF_PAGE, None),
    ("exports.collection", "GET", "/exports/collections/999999.csv", statuses(302, 403, 404, 404), None),
    ("exports.search", "GET", "/exports/search.csv?q=border", STAFF_PAGE, None),
    ("exports.search", "GET", "/exports/search.xml?q=border&kind=nope", statuses(302, 403, 400, 400), None),
]


@pytest.fixture
def records(app, users, request):
    """One item per visibility level, an embargoed one, and a public and a restricted collection."""
    ids = {}
    for level in ("public", "partners", "restricted"):
        ids[level] = catalogue.create_item({"kind": "film", "title": {"en": level}, "visibility": level}).id
    ids["embargoed"] = catalogue.create_item(
        {"kind": "photo", "title": {"en": "later"}, "visibility": "public", "embargo_until": "2999-01-01"}
    ).id
    ids["collection"] = catalogue.create_collection({"kind": "series", "title": {"en": "s"}, "visibility": "public"}).id
    ids["hidden_collection"] = catalogue.create_collection({"kind": "series", "title": {"en": "h"}}).id
    ids["user"] = users["venue"].id
    ids["calendar_token"] = calendar_feeds.renew(users["venue"])
    stored = get_storage().save(io.BytesIO(b"\xff\xd8\xff" + b"0" * 100), prefix="originals")
    media = MediaFile(item_id=ids["public"], kind="image", storage_key=stored.key, filename="a.jpg",
                      size=stored.size, sha256=stored.sha256, mime="image/jpeg")
    job = Job(kind="derive", item_id=ids["public"], status="failed", error="for the test")
    db.session.add_all([media, job])
    db.session.commit()
    ids["media"], ids["job"] = media.id, job.id
    ids["upload"] = resumable.create(db.session.get(Item, ids["public"]), users["archivist"], "a.mp4", 100).id
    for name, level in (("iiif_photo", "public"), ("iiif_partners_photo", "partners")):
        ids[name], ids[name.replace("photo", "media")] = _photo_with_display(level)
    case = getattr(request.node, "callspec", None) and request.node.callspec.params.get("case")
    if not case or "{ladder_" in case[2]:  # films with a streaming ladder only for the rows that use them
        for level in ("public", "restricted"):
            ids[f"ladder_{level}"], ids[f"ladder_{level}_media"] = _film_with_ladder(level)
    if not case or "{scr_" in case[2]:  # venues and bookings only for the rows that use them
        ids.update(screening_records(users))
    return ids


def _film_with_ladder(visibility: str) -> tuple[int, int]:
    """A film with a one-rendition HLS ladder (master, playlist, one segment): its id and its media's."""
    film = catalogue.create_item({"kind": "film", "title": {"en": "l"}, "visibility": visibility})
    storage = get_storage()
    original = storage.save(io.BytesIO(b"film " + visibility.encode()), prefix="originals")
    media = MediaFile(item_id=film.id, kind="video", storage_key=original.key, filename="f.mp4", size=original.size,
                      sha256=original.sha256, mime="video/mp4")
    db.session.add(media)
    db.session.flush()
    for kind, data in (("hls_master", b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nrendition:0\n"),
                       ("hls_playlist", b"#EXTM3U\n#EXTINF:4,\nsegment:0\n#EXT-X-ENDLIST\n"),
                       ("hls_segment", b"segment " + visibility.encode())):
        stored = storage.save(io.BytesIO(data), prefix="derivatives")
        db.session.add(Derivative(media_id=media.id, kind=kind, storage_key=stored.key, size=stored.size,
                                  sha256=stored.sha256, mime="video/mp4"))
    db.session.commit()
    return film.id, media.id


def _photo_with_display(visibility: str) -> tuple[int, int]:
    """A photo with a display size (so it has a IIIF manifest when public): its id and its media's."""
    photo = catalogue.create_item({"kind": "photo", "title": {"en": "p"}, "visibility": visibility})
    storage = get_storage()
    original = storage.save(io.BytesIO(b"\xff\xd8\xff" + visibility.encode()), prefix="originals")
    media = MediaFile(item_id=photo.id, kind="image", storage_key=original.key, filename="p.jpg", size=original.size,
                      sha256=original.sha256, mime="image/jpeg", width=40, height=30)
    db.session.add(media)
    db.session.flush()
    display = storage.save(io.BytesIO(b"\xff\xd8\xff display " + visibility.encode()), prefix="display")
    db.session.add(Derivative(media_id=media.id, kind="display", storage_key=display.key, size=display.size,
                              sha256=display.sha256, mime="image/jpeg", width=40, height=30))
    db.session.commit()
    return photo.id, media.id


def _case_id(case):
    endpoint, method, path, _, _ = case
    return f"{method} {path}"


@pytest.mark.parametrize("role", ORDER, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("case", TABLE, ids=_case_id)
def test_route_status_for_role(app, client_as, token_for, records, case, role):
    endpoint, method, path, expected, body = case
    url = path.format(**records)
    if url.startswith("/api/v1/"):
        browser = app.test_client()
        response = browser.open(url, method=method, json=body, headers=token_for(role))
        assert response.status_code == 204 or response.is_json, f"API answered {response.content_type}"
    else:
        browser = client_as(role)
        response = browser.open(url, method=method, data=body)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:500]


def test_table_covers_every_route(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    } | {(rule.endpoint, "OPTIONS") for rule in app.url_map.iter_rules() if rule.methods - {"HEAD"} == {"OPTIONS"}}
    covered = {(endpoint, method) for endpoint, method, *_ in TABLE}
    assert routes - covered == set(), "routes missing from the access table"
    assert covered - routes == set(), "table rows for routes that do not exist"
