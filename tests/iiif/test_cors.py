"""CORS for viewers on other sites: public manifests, subtitles and media links only, never a hidden item's."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from archive.extensions import db
from archive.media.models import MediaFile
from archive.media.operations import derivative_url
from archive.subtitles.models import SubtitleTrack
from tests.iiif.test_manifests import subtitled_film


def _track_address(film) -> str:
    track = db.session.scalar(select(SubtitleTrack).where(SubtitleTrack.item_id == film.id).limit(1))
    return f"/items/{film.id}/subtitles/{track.id}.vtt"


def test_public_subtitles_and_media_links_are_readable_across_origins_and_hidden_ones_are_not(app, client, client_as,
                                                                                              profile):
    public = subtitled_film("Open film")
    partners = subtitled_film("Partners film", visibility="partners")
    venue = client_as("venue")
    assert client.get(f"/iiif/items/{public.id}/manifest").headers["Access-Control-Allow-Origin"] == "*"
    assert venue.get(f"/iiif/items/{partners.id}/manifest").status_code == 404

    answer = client.get(_track_address(public))
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    seen_by_venue = venue.get(_track_address(partners))
    assert seen_by_venue.status_code == 200 and "Access-Control-Allow-Origin" not in seen_by_venue.headers
    assert client.get(_track_address(partners)).status_code == 404

    media = db.session.scalar(select(MediaFile).where(MediaFile.item_id == public.id))
    proxy = client.get(f"/iiif/items/{public.id}/media/{media.id}/proxy")
    assert proxy.status_code == 302 and proxy.headers["Access-Control-Allow-Origin"] == "*"
    if profile == "embedded":  # files served by the app itself (the scaled profile's links are S3's own)
        target = urlsplit(proxy.location)
        assert client.get(f"{target.path}?{target.query}").headers["Access-Control-Allow-Origin"] == "*"
        hidden = db.session.scalar(select(MediaFile).where(MediaFile.item_id == partners.id))
        with app.test_request_context():
            for_partners = urlsplit(derivative_url(hidden.derivative("proxy"), "partners"))
        answer = venue.get(f"{for_partners.path}?{for_partners.query}")
        assert answer.status_code == 200 and "Access-Control-Allow-Origin" not in answer.headers
