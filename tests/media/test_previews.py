"""Poster, storyboard, web proxy and subtitle extraction on real (small) films."""

from __future__ import annotations

import math
import os
import re

import pytest
from PIL import Image, ImageStat

from archive.media.errors import MediaError
from archive.media.ffmpeg import default_tools
from archive.media.previews import (
    BLANK_STDDEV,
    extract_subtitles,
    film_info,
    make_poster,
    make_proxy,
    make_small_poster,
)
from archive.media.probe import probe
from archive.media.storyboard import make_storyboard, storyboard_command, thumbnails_vtt


def _spread(path) -> float:
    with Image.open(path) as picture:
        return ImageStat.Stat(picture.convert("L")).stddev[0]


# ---------------------------------------------------------------- poster

def test_poster_is_a_jpeg_at_ten_percent(media, tmp_path):
    seen: list[float] = []
    poster = make_poster(media["mp4"], tmp_path, progress=seen.append)
    assert poster["path"] == str(tmp_path / "poster.jpg")
    with Image.open(poster["path"]) as picture:
        assert (picture.format, picture.size) == ("JPEG", (320, 240)) == ("JPEG", (poster["width"], poster["height"]))
    assert poster["time"] == pytest.approx(0.4, abs=0.01) and poster["method"] == "seek"
    assert seen == sorted(seen) and seen[-1] == 100
    assert os.listdir(tmp_path) == ["poster.jpg"]  # no candidates left lying around


def test_poster_skips_black_frames_and_falls_back_when_seeking_finds_nothing(media, tmp_path):
    # Black until 3.5 s, pictures until 4.5 s, sound until 12 s: 10% and 25% are black, and fast
    # seeking to 50% (6 s) finds no picture at all, so the last picture before it is taken.
    poster = make_poster(media["short_video"], tmp_path)
    assert poster["method"] == "nearest-earlier"
    assert _spread(poster["path"]) >= BLANK_STDDEV
    assert poster["notes"] == []


def test_a_blank_film_still_gets_a_poster_with_a_note(media, tmp_path):
    poster = make_poster(media["black"], tmp_path)
    assert os.path.exists(poster["path"])
    assert poster["notes"] == ["Every candidate frame is nearly blank; the least blank one was used."]


def test_poster_of_non_square_pixels_and_large_frames(media, tmp_path):
    assert make_poster(media["anamorphic"], tmp_path / "a")["width"] == 466  # 320 × 16/11, even
    tall = make_poster(media["tall"], tmp_path / "t", max_height=360)
    assert (tall["width"], tall["height"]) == (214, 360)


def test_a_poster_wider_than_the_small_size_gets_one_beside_it(media, tmp_path):
    poster = make_poster(media["anamorphic"], tmp_path)  # 466 × 240
    small = poster["small"]
    assert small["path"] == str(tmp_path / "poster-small.jpg")
    with Image.open(small["path"]) as picture:
        assert (picture.format, picture.size) == ("JPEG", (400, 206)) == ("JPEG", (small["width"], small["height"]))
    assert sorted(os.listdir(tmp_path)) == ["poster-small.jpg", "poster.jpg"]
    assert make_poster(media["mp4"], tmp_path / "narrow")["small"] is None  # 320 wide: small already


def test_the_small_poster_keeps_the_shape_and_is_a_fraction_of_the_bytes(tmp_path):
    big = tmp_path / "poster.jpg"
    Image.effect_noise((1280, 720), 60).convert("RGB").save(big, "JPEG", quality=90)
    small = make_small_poster(big, tmp_path)
    assert (small["width"], small["height"]) == (400, 224)  # 225, made even
    assert os.path.getsize(small["path"]) * 5 < os.path.getsize(big)
    assert make_small_poster(small["path"], tmp_path / "again", width=400) is None


# ---------------------------------------------------------------- storyboard

def test_storyboard_uses_keyframes_only(media, tmp_path):
    info = film_info(media["ten_seconds"])
    args = storyboard_command(str(media["ten_seconds"]), info, "x-%03d.jpg", 2, (160, 120), 10, 10, default_tools())
    assert args.index("-skip_frame") < args.index("-i") and args[args.index("-skip_frame") + 1] == "nokey"
    board = make_storyboard(media["ten_seconds"], tmp_path, interval=2, info=info)
    assert board["method"] == "keyframes"
    # Keyframes are 1 s apart in this film: each thumbnail is the first keyframe of its 2-second slot.
    assert [tile["start"] for tile in board["tiles"]] == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert board["tiles"][-1]["end"] == pytest.approx(10.0, abs=0.05)
    assert (board["thumb_width"], board["thumb_height"]) == (160, 120)
    [sheet] = board["sheets"]
    with Image.open(sheet["path"]) as picture:
        assert picture.size == (1600, 120)  # one row used of ten: cropped
    assert _spread(sheet["path"]) > BLANK_STDDEV


def test_storyboard_vtt_track(media, tmp_path):
    board = make_storyboard(media["ten_seconds"], tmp_path, interval=2)
    text = open(board["vtt"], encoding="utf-8").read()
    assert text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nstoryboard-001.jpg#xywh=0,0,160,120\n")
    cues = re.findall(r"(\S+) --> (\S+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)", text)
    assert len(cues) == 5 and cues[1][3:] == ("160", "0", "160", "120")
    assert sorted(os.listdir(tmp_path)) == ["storyboard-001.jpg", "storyboard.vtt"]


def test_storyboard_spreads_over_several_sheets(media, tmp_path):
    board = make_storyboard(media["ten_seconds"], tmp_path, interval=1, columns=2, rows=2)
    assert len(board["tiles"]) == 10 and len(board["sheets"]) == 3
    assert [sheet["height"] for sheet in board["sheets"]] == [240, 240, 120]
    assert board["tiles"][4]["sheet"] == 1 and (board["tiles"][5]["x"], board["tiles"][5]["y"]) == (160, 0)
    text = open(board["vtt"], encoding="utf-8").read()
    assert "storyboard-003.jpg#xywh=0,0,160,120" in text


def test_storyboard_seeks_when_keyframes_are_too_sparse(media, tmp_path):
    # A thumbnail a second, but no pictures (so no keyframes) after 4.5 s of 12.
    info = film_info(media["short_video"])
    board = make_storyboard(media["short_video"], tmp_path, interval=1, info=info)
    assert board["method"] == "seek"
    assert "Keyframes are too far apart" in board["notes"][0]
    # The late ones show the last picture instead of failing.
    assert len(board["tiles"]) == math.ceil(info["duration"])


def test_storyboard_of_a_streamed_film_without_duration(media, tmp_path):
    progress: list[float] = []
    board = make_storyboard(media["streamed"], tmp_path, interval=1, progress=progress.append)
    assert board["tiles"][-1]["end"] == pytest.approx(4.0, abs=0.1)
    assert progress[-1] == 100


def test_thumbnails_vtt_with_real_urls():
    tiles = [{"start": 0.0, "end": 10.0, "sheet": 0, "x": 0, "y": 0, "w": 160, "h": 90},
             {"start": 10.0, "end": 3725.5, "sheet": 1, "x": 160, "y": 90, "w": 160, "h": 90}]
    text = thumbnails_vtt(tiles, ["https://s3/a.jpg?sig=1", "https://s3/b.jpg?sig=2"])
    assert "00:00:10.000 --> 01:02:05.500\nhttps://s3/b.jpg?sig=2#xywh=160,90,160,90" in text


# ---------------------------------------------------------------- proxy

@pytest.mark.parametrize("name", ["mp4", "mkv", "webm", "mov", "avi"])
def test_proxy_is_browser_friendly_mp4(media, tmp_path, name):
    seen: list[float] = []
    proxy = make_proxy(media[name], tmp_path, progress=seen.append)
    info = probe(proxy["path"])
    assert info["container"].startswith("mov,mp4") and proxy["mime"] == "video/mp4"
    assert (info["video_codec"], info["pixel_format"], info["audio_codec"]) == ("h264", "yuv420p", "aac")
    assert (info["width"], info["height"]) == (proxy["width"], proxy["height"]) == (320, 240)  # never enlarged
    assert info["duration"] == pytest.approx(probe(media[name])["duration"], abs=0.2)
    data = open(proxy["path"], "rb").read()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while downloading
    assert seen == sorted(seen) and seen[-1] == 100
    assert os.listdir(tmp_path) == ["proxy.mp4"]


def test_proxy_carries_no_metadata(media, tmp_path):
    proxy = make_proxy(media["mp4"], tmp_path)
    data = open(proxy["path"], "rb").read()
    assert b"Interview in the village" not in data and b"+40.1811" not in data


def test_proxy_is_scaled_to_the_maximum_height(media, tmp_path):
    proxy = make_proxy(media["tall"], tmp_path)
    info = probe(proxy["path"])
    assert (info["width"], info["height"]) == (426, 720)
    small = make_proxy(media["tall"], tmp_path / "small", max_height=241)
    assert (small["width"], small["height"]) == (142, 240)  # even dimensions


def test_proxy_of_a_silent_film_is_video_only(media, tmp_path):
    proxy = make_proxy(media["no_audio"], tmp_path)
    assert proxy["has_audio"] is False
    assert probe(proxy["path"])["audio_streams"] == 0


def test_proxy_of_a_film_on_its_side_is_upright(media, tmp_path):
    proxy = make_proxy(media["rotated"], tmp_path)
    info = probe(proxy["path"])
    assert (info["width"], info["height"], info["rotation"]) == (240, 320, 0)


@pytest.mark.parametrize(("name", "reason"), [
    ("text", "not a video ffmpeg can read"),
    ("audio_only", "has no video stream"),
    ("empty", "empty.mp4 is empty \\(0 bytes\\)"),
])
def test_previews_refuse_what_is_not_a_film(media, tmp_path, name, reason):
    for make in (make_poster, make_storyboard, make_proxy, extract_subtitles):
        with pytest.raises(MediaError, match=reason):
            make(media[name], tmp_path)
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- subtitles

def test_text_subtitles_are_extracted_with_their_languages(media, tmp_path):
    tracks = extract_subtitles(media["subtitled"], tmp_path)
    assert [(t.index, t.language) for t in tracks] == [(2, "hye"), (3, "rus")]
    index, language, path = tracks[0]
    assert path == str(tmp_path / "subtitles-2-hye.srt")
    text = open(path, encoding="utf-8").read()
    assert "Բարեւ, ընկերներ" in text and "Привет, друзья" in text and "00:00:00,500 --> 00:00:01,500" in text
    assert sorted(os.listdir(tmp_path)) == ["subtitles-2-hye.srt", "subtitles-3-rus.srt"]


def test_bitmap_subtitles_are_skipped_with_a_note(media, tmp_path):
    notes: list[str] = []
    tracks = extract_subtitles(media["bitmap_subtitled"], tmp_path, notes=notes)
    assert [(t.index, t.language) for t in tracks] == [(2, "eng")]
    assert len(notes) == 1 and "hdmv_pgs_subtitle" in notes[0] and "not extracted" in notes[0]


def test_a_film_without_subtitles_gives_none(media, tmp_path):
    assert extract_subtitles(media["mp4"], tmp_path) == []


def test_a_probe_without_duration_is_completed_before_use(media, tmp_path):
    info = probe(media["streamed"])
    assert info["duration"] is None
    poster = make_poster(media["streamed"], tmp_path, info=info)
    assert poster["time"] == pytest.approx(0.4, abs=0.05)  # 10% of the measured 4 s
