"""The kit's copies for projection with the real ffmpeg: the original when it suits a cinema, else a 1080p master
made on request with its sound copied, and an open-captions version; each with a size and SHA-256 that match."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.extensions import db
from archive.jobs.models import Job
from archive.jobs.operations import drain
from archive.media import projection
from archive.media.ingest import ingest
from archive.screenings.operations import decisions, venues
from archive.timeutil import utcnow
from tests.factories import add_subtitles, book, make_film, make_licence, make_venue
from tests.screenings.test_kit import fetch

FFMPEG, FFPROBE = shutil.which("ffmpeg"), shutil.which("ffprobe")


def make_sample(path, *codec_args: str) -> None:
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=2",
                    "-f", "lavfi", "-i", "sine=frequency=330:duration=2", *codec_args, "-shortest", str(path)],
                   check=True, timeout=120)


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    folder = tmp_path_factory.mktemp("projection")
    # MPEG-4 Part 2 with PCM sound in Matroska: no cinema player wants it, so a master is made.
    make_sample(folder / "archive.mkv", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "pcm_s16le")
    # H.264 in MP4 at a generous bit rate: projected as it is.
    make_sample(folder / "ready.mp4", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-c:a", "aac")
    return {"archive": folder / "archive.mkv", "ready": folder / "ready.mp4"}


def probe(data: bytes, tmp_path) -> dict:
    path = tmp_path / "probed"
    path.write_bytes(data)
    found = subprocess.run([FFPROBE, "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height",
                            "-show_entries", "format=format_name", "-of", "json", str(path)],
                           capture_output=True, text=True, check=True, timeout=30)
    return json.loads(found.stdout)


def test_which_originals_suit_projection():
    good = {"video_codec": "h264", "width": 1920, "height": 1080, "frame_rate": 25, "bit_rate": 8_000_000}
    assert projection.projection_ready(good, "video/mp4")
    assert projection.projection_ready({**good, "video_codec": "hevc"}, "video/mp4")
    assert not projection.projection_ready(good, "video/x-matroska")  # H.264, but not in MP4
    assert not projection.projection_ready({**good, "video_codec": "prores"}, "video/mp4")
    assert not projection.projection_ready({**good, "bit_rate": 1_000_000}, "video/mp4")  # too thin for a big screen
    assert not projection.projection_ready({**good, "bit_rate": None}, "video/mp4")
    assert projection.master_container({"has_audio": True, "audio_codec": "pcm_s16le"}) == ("mov", "mov", "video/quicktime")
    assert projection.master_container({"has_audio": True, "audio_codec": "aac"})[0] == "mp4"


def approved_screening(users, film, subtitle_lang="hy"):
    make_licence(film)
    venue = make_venue()
    venues.add_member(venue, users["venue"].email)
    start = (utcnow() + timedelta(hours=30)).replace(microsecond=0).isoformat() + "Z"
    screening = book(users["venue"], film, venue, start, subtitle_lang=subtitle_lang)
    decisions.approve(screening, users["archivist"])
    return screening


def shown_checksum(page: str) -> tuple[str, str]:
    found = re.findall(r"SHA-256 checksum ([0-9a-f]{64})", page)
    assert found, page
    return found[0], found[-1]


def test_a_master_is_made_on_request_with_its_sound_copied_and_its_checksum_shown(app, users, client_as, films,
                                                                                 tmp_path):
    film = make_film("Archive Reel", duration=None)
    with open(films["archive"], "rb") as handle:
        ingest(film, handle, "archive.mkv")
    add_subtitles(film, "hy")
    drain()
    screening = approved_screening(users, film)
    venue = client_as("venue")
    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert "Web version, not for projection" in page and 'id="kit-request-master"' in page

    base = f"/screenings/{screening.id}/kit"
    assert venue.post(f"{base}/prepare", data={"what": "nonsense"}).status_code == 400
    assert venue.post(f"{base}/prepare", data={"what": "master"}).status_code == 302
    assert venue.post(f"{base}/prepare", data={"what": "master"}).status_code == 302  # asked twice, made once
    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert "being made" in page and 'id="kit-request-master"' not in page
    drain()

    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert "Screening copy (" in page and ".mov" in page and 'id="kit-request-master"' not in page
    data = fetch(venue, venue.get(f"{base}/film"))
    assert hashlib.sha256(data).hexdigest() == shown_checksum(page)[0]
    streams = {s["codec_type"]: s for s in probe(data, tmp_path)["streams"]}
    assert streams["video"]["codec_name"] == "h264" and (streams["video"]["width"], streams["video"]["height"]) == (320, 240)
    assert streams["audio"]["codec_name"] == "pcm_s16le"  # untouched: copied, not encoded again

    # The open-captions version, on request; its own checksum.
    assert venue.post(f"{base}/prepare", data={"what": "open_captions"}).status_code == 302
    drain()
    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert 'id="kit-open-captions"' in page and 'id="kit-request-open_captions"' not in page
    burned = fetch(venue, venue.get(f"{base}/open-captions"))
    assert hashlib.sha256(burned).hexdigest() == shown_checksum(page)[1] and burned != data
    # Replacing the subtitles makes the burned-in words stale: the version is dropped, and can be asked for again.
    add_subtitles(film, "hy")
    drain()
    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert 'id="kit-open-captions"' not in page and 'id="kit-request-open_captions"' in page


def test_a_projection_ready_original_is_the_copy_with_its_own_checksum(app, client, users, client_as, token_for, films):
    film = make_film("Ready Reel", duration=None)
    with open(films["ready"], "rb") as handle:
        media = ingest(film, handle, "ready.mp4")
    drain()
    screening = approved_screening(users, film, subtitle_lang=None)
    venue = client_as("venue")
    # No subtitles chosen: there is nothing to burn in.
    assert venue.post(f"/screenings/{screening.id}/kit/prepare", data={"what": "open_captions"}).status_code == 409
    page = venue.get(f"/screenings/{screening.id}").get_data(as_text=True)
    assert 'id="kit-request-master"' not in page and shown_checksum(page)[0] == media.sha256
    assert hashlib.sha256(fetch(venue, venue.get(f"/screenings/{screening.id}/kit/film"))).hexdigest() == media.sha256
    copy = client.get(f"/api/v1/screenings/{screening.id}", headers=token_for("venue")).get_json()["kit"]["copy"]
    assert copy == {"source": "original", "filename": "Ready Reel.mp4", "size": media.size, "sha256": media.sha256}
    # Nothing to make: asking anyway queues nothing.
    assert venue.post(f"/screenings/{screening.id}/kit/prepare", data={"what": "master"}).status_code == 302
    assert db.session.scalar(select(Job.id).where(Job.kind == "screening_copy")) is None
