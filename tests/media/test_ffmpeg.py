"""Finding ffmpeg, and running it with a timeout: missing, hanging and crashing binaries give reasons."""

from __future__ import annotations

import os
import time

import imageio_ffmpeg
import pytest

from archive.media.errors import MediaError
from archive.media.ffmpeg import Tools, encode, find_tools, last_error_line, run, timeout_for
from archive.media.previews import make_proxy
from archive.media.probe import probe


def test_system_binaries_are_found_on_path():
    tools = find_tools()
    assert os.path.basename(tools.ffmpeg) == "ffmpeg"
    assert tools.ffprobe and os.path.basename(tools.ffprobe) == "ffprobe"


def test_pip_installed_ffmpeg_is_the_fallback(monkeypatch, tmp_path, media):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    tools = find_tools()
    assert tools.ffmpeg == imageio_ffmpeg.get_ffmpeg_exe()
    assert tools.ffprobe is None  # the pip package has no ffprobe: probing parses `ffmpeg -i`
    info = probe(media["mp4"], tools=tools)
    assert (info["video_codec"], info["width"], info["height"]) == ("h264", 320, 240)


def test_a_configured_path_that_does_not_exist_is_reported():
    with pytest.raises(MediaError, match="ffmpeg is not installed at /nonexistent/ffmpeg"):
        find_tools(ffmpeg="/nonexistent/ffmpeg")
    with pytest.raises(MediaError, match="ffprobe is not installed at /nonexistent/ffprobe"):
        find_tools(ffprobe="/nonexistent/ffprobe")


def test_a_missing_binary_at_run_time_says_ffmpeg_is_not_installed(media, tmp_path):
    missing = Tools(ffmpeg="/nonexistent/ffmpeg", ffprobe=None)
    with pytest.raises(MediaError, match="ffmpeg is not installed"):
        probe(media["mp4"], tools=missing)
    with pytest.raises(MediaError, match="ffprobe is not installed"):
        probe(media["mp4"], tools=Tools(ffmpeg="/nonexistent/ffmpeg", ffprobe="/nonexistent/ffprobe"))


def test_a_hanging_ffmpeg_is_stopped_after_its_timeout(hanging_ffmpeg, media):
    started = time.monotonic()
    with pytest.raises(MediaError, match="ffmpeg took longer than 1 s and was stopped"):
        probe(media["mp4"], tools=Tools(ffmpeg=hanging_ffmpeg), timeout=1)
    assert time.monotonic() - started < 10


def test_a_hanging_proxy_leaves_nothing_behind(hanging_ffmpeg, media, tmp_path):
    info = probe(media["mp4"])
    with pytest.raises(MediaError, match="The web version of the film cannot be made. ffmpeg took longer than 1 s"):
        make_proxy(media["mp4"], tmp_path / "out", tools=Tools(ffmpeg=hanging_ffmpeg), info=info, timeout=1)
    assert os.listdir(tmp_path / "out") == []


def test_a_crashing_ffmpeg_reports_its_last_words(tmp_path):
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\necho 'Segmentation fault in h264 decoder' >&2\nexit 139\n")
    script.chmod(0o755)
    with pytest.raises(MediaError, match="cannot be made. Technical detail: Segmentation fault in h264 decoder"):
        run([str(script)], 10, failure="proxy_failed")


def test_a_binary_that_cannot_be_executed_is_reported(tmp_path):
    script = tmp_path / "ffmpeg"
    script.write_text("not executable")
    with pytest.raises(MediaError, match="cannot be run: make it executable"):
        run([str(script)], 10, failure="proxy_failed")


def test_timeouts_grow_with_the_films_length():
    assert timeout_for(7200, 0.25) - timeout_for(60, 0.25) == pytest.approx((7200 - 60) / 0.25)
    assert timeout_for(None, 1) == timeout_for(0, 1) > 0


def test_the_explaining_line_is_chosen_and_paths_shortened():
    lines = ["/srv/up/a.mp4: Invalid data found when processing input", "", "Conversion failed!"]
    assert last_error_line(lines, ["/srv/up/a.mp4"]) == "a.mp4: Invalid data found when processing input"
    assert last_error_line([]) == "no explanation was given"


def fake_encoder(tmp_path, body: str) -> str:
    """An "ffmpeg" that writes its last argument as told and reports progress as ``-progress pipe:1`` does."""
    script = tmp_path / "fake-ffmpeg"
    script.write_text("#!/bin/sh\nfor last in \"$@\"; do :; done\n" + body)
    script.chmod(0o755)
    return str(script)


def test_an_encode_reports_its_progress_then_appears_whole_under_its_name(tmp_path):
    encoder = fake_encoder(tmp_path, "echo out_time_us=2500000\necho frame=50\necho out_time_us=5000000\n"
                                     "echo out_time_us=9000000\nprintf film > \"$last\"\n")
    partial, target = str(tmp_path / ".proxy.partial.mp4"), str(tmp_path / "proxy.mp4")
    seen: list[float] = []
    assert encode([encoder, partial], partial, target, duration=8, timeout=10, failure="proxy_failed",
                  progress=seen.append) == target
    assert seen == [31.25, 62.5, 100.0]  # a share of the film's length, never past 100
    assert open(target).read() == "film" and not os.path.exists(partial)


def test_a_failed_encode_leaves_the_old_version_and_no_partial_file(tmp_path):
    encoder = fake_encoder(tmp_path, "printf half > \"$last\"\necho 'Invalid data found when processing input' >&2\n"
                                     "exit 1\n")
    partial, target = str(tmp_path / ".proxy.partial.mp4"), str(tmp_path / "proxy.mp4")
    with open(target, "w") as old:
        old.write("the old version")
    with pytest.raises(MediaError, match="cannot be made. Technical detail: Invalid data found"):
        encode([encoder, partial], partial, target, duration=8, timeout=10, failure="proxy_failed")
    assert open(target).read() == "the old version" and not os.path.exists(partial)


def test_an_encode_into_a_folder_replaces_the_folder_there(tmp_path):
    encoder = fake_encoder(tmp_path, "printf new > \"$last/master.m3u8\"\n")
    work, target = tmp_path / ".hls-1", tmp_path / "hls"
    work.mkdir()
    target.mkdir()
    (target / "stale.m4s").write_text("old")
    encode([encoder, str(work)], str(work), str(target), duration=None, timeout=10, failure="proxy_failed")
    assert sorted(os.listdir(target)) == ["master.m3u8"] and not work.exists()
