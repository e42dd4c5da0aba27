"""What the item JSON tells each reader about its media: camera details and failure reasons are staff-only."""

from __future__ import annotations

import pytest

from archive.extensions import db
from archive.jobs.models import Job
from archive.media.models import MediaFile
from tests.factories import make_film, make_photo

CAMERA = {"format": "JPEG", "mime": "image/jpeg", "width": 800, "height": 600, "taken_at": "2021-05-04T10:11:12",
          "camera_make": "Canon", "camera_model": "EOS 5D Mark IV", "had_location": True}


@pytest.fixture
def photo_and_failed_film(app):
    photo = make_photo("Portrait at the border", "public")
    db.session.add(MediaFile(item_id=photo.id, kind="image", storage_key="media/originals/x", filename="IMG_0042.jpg",
                             size=10, sha256="0" * 64, mime="image/jpeg", technical=CAMERA, width=800, height=600))
    film = make_film("Unprocessable film", "public")
    media = MediaFile(item_id=film.id, kind="video", storage_key="media/originals/y",
                      filename="interview-with-Anna-Petrosyan.mp4", size=10, sha256="1" * 64, mime="video/mp4",
                      technical={})
    db.session.add(media)
    db.session.flush()
    db.session.add(Job(kind="derive", item_id=film.id, payload={"media_id": media.id}, status="failed",
                       error="interview-with-Anna-Petrosyan.mp4 holds no video stream ffmpeg can read."))
    db.session.commit()
    return photo, film


@pytest.mark.parametrize("role", [None, "venue", "archivist"], ids=lambda r: r or "anonymous")
def test_camera_details_and_failure_reasons_are_staff_only(app, photo_and_failed_film, token_for, role):
    photo, film = photo_and_failed_film
    staff = role == "archivist"
    api = app.test_client()
    technical = api.get(f"/api/v1/items/{photo.id}", headers=token_for(role)).get_json()["media"][0]["technical"]
    assert technical["width"] == 800  # what a viewer needs stays
    for key in ("taken_at", "camera_make", "camera_model", "had_location"):
        assert (key in technical) is staff, key
    film_json = api.get(f"/api/v1/items/{film.id}", headers=token_for(role)).get_data(as_text=True)
    assert ("Anna-Petrosyan" in film_json) is staff
    assert '"status": "failed"' in film_json or '"status":"failed"' in film_json  # everyone may know it failed
