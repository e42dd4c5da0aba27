"""Type by content: magic bytes, then probing; every kind of bad file gets a reason."""

from __future__ import annotations

import shutil

import pytest

from archive.media.detect import detect, sniff
from archive.media.errors import MediaError


@pytest.mark.parametrize(("name", "kind", "mime", "extension"), [
    ("mp4", "video", "video/mp4", "mp4"),
    ("mkv", "video", "video/x-matroska", "mkv"),
    ("webm", "video", "video/webm", "webm"),
    ("mov", "video", "video/quicktime", "mov"),
    ("avi", "video", "video/x-msvideo", "avi"),
    ("no_audio", "video", "video/mp4", "mp4"),
    ("streamed", "video", "video/x-matroska", "mkv"),
    ("jpeg_gps", "image", "image/jpeg", "jpg"),
    ("cmyk_tiff", "image", "image/tiff", "tif"),
    ("gray16_tiff", "image", "image/tiff", "tif"),
    ("png_alpha", "image", "image/png", "png"),
    ("webp", "image", "image/webp", "webp"),
])
def test_readable_files_are_recognised(media, name, kind, mime, extension):
    found = detect(media[name])
    assert (found.kind, found.mime, found.extension) == (kind, mime, extension)
    assert found.info["width"] > 0


def test_the_name_is_ignored(media, tmp_path):
    disguised = tmp_path / "holiday.jpg"
    shutil.copy(media["mkv"], disguised)
    assert detect(disguised).mime == "video/x-matroska"
    assert detect(media["mp4"]).info["video_codec"] == "h264"  # the probe comes along


@pytest.mark.parametrize(("name", "reason"), [
    ("empty", "is empty \\(0 bytes\\)"),
    ("text", "is not a film or photograph the archive can read"),
    ("truncated", "looks like a MP4 film, but it cannot be read. Technical detail: .*Invalid data"),
    ("truncated_faststart", "is cut off: it ends before the film does"),
    ("audio_only", "has no video stream \\(it is a sound recording\\)"),
    ("unknown_codec", "uses a video format ffmpeg cannot decode"),
    ("playlist", "is not a film or photograph the archive can read"),
    ("corrupt_jpeg", "corrupt.jpg is not a JPEG, PNG, TIFF or WebP picture"),
    ("cut_jpeg", "damaged or cut off"),
    ("bomb_png", "too large to process safely"),
])
def test_bad_files_get_a_clear_error(media, name, reason):
    with pytest.raises(MediaError, match=reason):
        detect(media[name])


def test_magic_bytes_of_containers_without_samples():
    assert sniff(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20)[0] == "heif"
    assert sniff(b"\x00\x00\x00\x14ftyp3gp5" + b"\x00" * 20)[1] == "video/3gpp"
    assert sniff(b"\x06\x0e\x2b\x34\x02\x05\x01\x01\x0d\x01\x02\x01\x01\x02\x04\x00")[1] == "application/mxf"
    packets = bytearray(188 * 3)
    packets[0] = packets[188] = packets[376] = 0x47
    assert sniff(bytes(packets) + b"\x00")[1] == "video/mp2t"
    assert sniff(b"\x00\x00\x01\xba" + b"\x00" * 20)[1] == "video/mpeg"
    assert sniff(b"hello world") is None


def test_heic_photographs_are_refused_with_advice(tmp_path):
    heic = tmp_path / "photo.heic"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
    with pytest.raises(MediaError, match="export it as JPEG or TIFF"):
        detect(heic)
