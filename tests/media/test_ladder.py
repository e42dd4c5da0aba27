"""The HLS ladder with the real ffmpeg: renditions, aligned keyframes, never enlarged, stored, served, purged."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from archive.extensions import db
from archive.jobs.operations import drain
from archive.media import ladder
from archive.media.models import Derivative
from archive.storage import get_storage
from tests.factories import make_film
from tests.fixtures.links import fetch

FFPROBE = shutil.which("ffprobe")


@pytest.fixture(scope="module")
def wide_film(tmp_path_factory):
    """Six seconds at 640×360, 10 frames a second, with sound: small, but above two rungs of the ladder."""
    path = tmp_path_factory.mktemp("ladder") / "crossing.mp4"
    subprocess.run([shutil.which("ffmpeg"), "-nostdin", "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10:duration=6",
                    "-f", "lavfi", "-i", "sine=frequency=330:duration=6",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "7", "-c:a", "aac", "-shortest", str(path)],
                   check=True, timeout=120)
    return path


def first_video_packet(init: str, segment: str, tmp_path) -> tuple[float, str]:
    """Where a segment starts and whether it starts on a keyframe, read with ffprobe from init + segment."""
    joined = tmp_path / "joined.mp4"
    with open(joined, "wb") as out:
        for part in (init, segment):
            with open(part, "rb") as handle:
                out.write(handle.read())
    found = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "packet=pts_time,flags", "-read_intervals", "%+#1", "-of", "json", str(joined)],
                           capture_output=True, text=True, check=True, timeout=30)
    packet = json.loads(found.stdout)["packets"][0]
    return round(float(packet["pts_time"]), 3), packet["flags"]


def test_the_ladder_has_the_renditions_below_the_film_with_keyframes_aligned(wide_film, tmp_path):
    made = ladder.make_ladder(wide_film, tmp_path / "out", segment_seconds=2)
    heights = [r["height"] for r in made["renditions"]]
    assert heights == [240, 360]  # 720p and 1080p would enlarge a 360p film: skipped
    assert [r["width"] for r in made["renditions"]] == [426, 640]
    master = open(made["master"], encoding="utf-8").read()
    assert master.count("#EXT-X-STREAM-INF") == 2 and "RESOLUTION=426x240" in master and "RESOLUTION=640x360" in master

    starts = []
    for rendition in made["renditions"]:
        init, *segments = rendition["files"]
        assert init.endswith(".mp4") and len(segments) == 3
        boundaries = [first_video_packet(init, segment, tmp_path) for segment in segments]
        assert all("K" in flags for _, flags in boundaries), boundaries  # every segment opens on a keyframe
        starts.append([time for time, _ in boundaries])
        found = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                                "stream=height,codec_name", "-of", "csv=p=0", rendition["playlist"]],
                               capture_output=True, text=True, check=True, timeout=30).stdout
        assert set(filter(None, found.splitlines())) == {f"h264,{rendition['height']}"}
    assert starts[0] == starts[1]  # the same instants in every rendition, a segment's length apart
    assert [round(b - a, 3) for a, b in zip(starts[0], starts[0][1:], strict=False)] == [2.0, 2.0]


def test_a_film_smaller_than_the_lowest_rung_keeps_its_own_size(samples, tmp_path):
    info = {"width": 320, "height": 180, "sample_aspect_ratio": 1.0, "rotation": 0}
    assert [r.height for r in ladder.rungs_for(info)] == [180]
    info = {"width": 1920, "height": 1080, "sample_aspect_ratio": 1.0, "rotation": 0}
    assert [r.height for r in ladder.rungs_for(info)] == [240, 360, 720, 1080]
    info = {"width": 1280, "height": 720, "sample_aspect_ratio": 1.0, "rotation": 0}
    assert [r.height for r in ladder.rungs_for(info)] == [240, 360, 720]


def upload(client, token_for, item, path):
    response = client.post(f"/api/v1/items/{item.id}/media?filename={path.name}", headers=token_for("archivist"),
                           data=path.read_bytes(), content_type="application/octet-stream")
    assert response.status_code == 201, response.get_json()


def segment_links(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")] + [
        line.split('URI="', 1)[1].split('"', 1)[0] for line in text.splitlines() if line.startswith("#EXT-X-MAP")]


def test_the_ladder_is_stored_served_with_fresh_links_hidden_with_its_film_and_purged(
        app, client, client_as, token_for, wide_film, profile):
    app.config.update(HLS_LADDER=True, HLS_SEGMENT_SECONDS=2)
    film = make_film("Crossing", "public", duration=None)
    upload(client, token_for, film, wide_film)
    drain()  # the web version, then the ladder
    media = client.get(f"/api/v1/items/{film.id}").get_json()["media"][0]
    assert media["renditions"] == [{"width": 426, "height": 240}, {"width": 640, "height": 360}]
    assert not {"hls_segment", "hls_playlist", "hls_master"} & set(media["derivatives"])
    master = client.get(media["derivatives"]["hls"])
    assert master.status_code == 200 and master.mimetype == "application/vnd.apple.mpegurl"
    variants = [line for line in master.get_data(as_text=True).splitlines() if line.endswith(".m3u8")]
    assert variants == [f"/items/{film.id}/media/{media['id']}/hls/{n}.m3u8" for n in (0, 1)]
    links = []
    for variant in variants:
        text = client.get(variant).get_data(as_text=True)
        assert "#EXT-X-ENDLIST" in text and "segment:" not in text
        links += segment_links(text)
    assert len(links) == 8  # two renditions: an init segment and three media segments each
    status, data = fetch(client, links[0])
    assert status == 200 and data[4:8] in (b"styp", b"moof")
    keys = set(db.session.scalars(db.select(Derivative.storage_key).where(Derivative.kind.like("hls_%"))))
    assert len(keys) == 11  # 8 segments, 2 rendition playlists, the master

    # Restricted: the playlists are gone for the public, and on the app's own links the segments too.
    staff = token_for("archivist")
    assert client.patch(f"/api/v1/items/{film.id}", json={"visibility": "restricted"}, headers=staff).status_code == 200
    assert client.get(media["derivatives"]["hls"]).status_code == 404
    assert all(client.get(variant).status_code == 404 for variant in variants)
    if profile == "embedded":
        assert fetch(client, links[0])[0] == 404
    signed_in = client_as("archivist")
    assert signed_in.get(variants[0]).status_code == 200 and signed_in.get(media["derivatives"]["hls"]).status_code == 200

    # Deleted: no segment or playlist is left in storage.
    assert client.delete(f"/api/v1/items/{film.id}", headers=staff).status_code == 204
    drain()
    storage = get_storage()
    assert [key for key in keys if storage.exists(key)] == []
