"""Technical metadata, through ffprobe and through the `ffmpeg -i` fallback alike."""

from __future__ import annotations

import imageio_ffmpeg
import pytest

from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools
from archive.media.previews import film_info
from archive.media.probe import probe

FFMPEG_ONLY = Tools(ffmpeg=imageio_ffmpeg.get_ffmpeg_exe(), ffprobe=None)


def test_an_mp4_film(media):
    info = probe(media["mp4"])
    assert info["container"].startswith("mov,mp4")
    assert info["duration"] == pytest.approx(4.0, abs=0.1)
    assert (info["video_codec"], info["width"], info["height"], info["frame_rate"]) == ("h264", 320, 240, 25.0)
    assert (info["audio_codec"], info["audio_channels"], info["has_audio"]) == ("aac", 1, True)
    assert info["bit_rate"] > 0
    assert info["subtitles"] == [] and info["notes"] == []


def test_a_film_without_sound_is_fine_and_noted(media):
    info = probe(media["no_audio"])
    assert info["has_audio"] is False and info["audio_codec"] is None
    assert "The film has no sound track." in info["notes"]


def test_embedded_subtitle_streams_with_languages(media):
    subs = probe(media["subtitled"])["subtitles"]
    assert [(s["index"], s["codec"], s["language"], s["kind"]) for s in subs] == [
        (2, "mov_text", "hye", "text"), (3, "mov_text", "rus", "text")]


def test_bitmap_subtitles_are_marked_and_noted(media):
    info = probe(media["bitmap_subtitled"])
    assert [(s["codec"], s["kind"]) for s in info["subtitles"]] == [
        ("subrip", "text"), ("hdmv_pgs_subtitle", "bitmap")]
    assert any("pictures of text" in note for note in info["notes"])


def test_a_film_recorded_on_its_side_is_reported_upright(media):
    info = probe(media["rotated"])
    assert info["rotation"] in (90, 270)
    assert (info["width"], info["height"]) == (240, 320)
    assert (info["coded_width"], info["coded_height"]) == (320, 240)


@pytest.mark.parametrize("name", ["mp4", "mkv", "webm", "mov", "avi", "no_audio", "subtitled", "bitmap_subtitled",
                                  "anamorphic", "rotated", "audio_only"])
def test_the_ffmpeg_only_fallback_reads_the_same_facts(media, name):
    full, fallback = probe(media[name]), probe(media[name], tools=FFMPEG_ONLY)
    for key in ("video_codec", "width", "height", "coded_width", "rotation", "audio_codec", "audio_channels",
                "has_audio", "video_streams", "audio_streams", "subtitles", "notes", "pixel_format"):
        assert fallback[key] == full[key], key
    assert fallback["container"] == full["container"]
    assert fallback["duration"] == pytest.approx(full["duration"], abs=0.05)
    assert fallback["frame_rate"] == pytest.approx(full["frame_rate"] or 0, rel=0.01) or full["frame_rate"] is None
    assert fallback["sample_aspect_ratio"] == pytest.approx(full["sample_aspect_ratio"])


def test_a_streamed_film_without_a_duration_is_measured(media):
    assert probe(media["streamed"])["duration"] is None
    assert film_info(media["streamed"])["duration"] == pytest.approx(4.0, abs=0.1)


@pytest.mark.parametrize("tools", [None, FFMPEG_ONLY], ids=["ffprobe", "ffmpeg-only"])
@pytest.mark.parametrize(("name", "reason"), [
    ("empty", "empty.* is empty \\(0 bytes\\)"),
    ("text", "The file is not a video ffmpeg can read. Technical detail: .*Invalid data found"),
    ("truncated", "The file is not a video ffmpeg can read. Technical detail: .*Invalid data found"),
])
def test_unreadable_files_say_why(media, tools, name, reason):
    with pytest.raises(MediaError, match=reason):
        probe(media[name], tools=tools)


def test_a_missing_file(tmp_path):
    with pytest.raises(MediaError, match="There is no file at nothing.mp4"):
        probe(tmp_path / "nothing.mp4")
