"""Sample films and photographs made once per test session with the real ffmpeg and Pillow.

Films are small and short (320×240, 2–12 s) so the whole set takes a few seconds to make.
"""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

FFMPEG = shutil.which("ffmpeg")

SRT = """1
00:00:00,500 --> 00:00:01,500
Բարեւ, ընկերներ

2
00:00:02,000 --> 00:00:03,500
Привет, друзья
"""


def ffmpeg(*args: str) -> None:
    """Run the system ffmpeg quietly, failing the test session loudly if it cannot make a fixture."""
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-y", *args], check=True)


def lavfi_video(seconds: float, rate: int = 25) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate={rate}:duration={seconds}"]


def lavfi_sound(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _pgs_segment(pts: int, kind: int, data: bytes) -> bytes:
    return b"PG" + struct.pack(">IIBH", pts, 0, kind, len(data)) + data


def pgs_subtitles() -> bytes:
    """A tiny Blu-ray (PGS) subtitle file: one 4×1 picture shown from 1 s to 2 s."""
    pcs = struct.pack(">HHBHBBBB", 320, 240, 0x10, 0, 0x80, 0, 0, 1) + struct.pack(">HBBHH", 0, 0, 0, 10, 200)
    wds = struct.pack(">BBHHHH", 1, 0, 10, 200, 4, 1)
    pds = struct.pack(">BB", 0, 0) + bytes([1, 235, 128, 128, 255])
    rle = bytes([1, 1, 1, 1, 0, 0])
    ods = struct.pack(">HBB", 0, 0, 0xC0) + (len(rle) + 4).to_bytes(3, "big") + struct.pack(">HH", 4, 1) + rle
    clear = struct.pack(">HHBHBBBB", 320, 240, 0x10, 1, 0x00, 0, 0, 0)
    show, hide = 90_000, 180_000
    return b"".join([
        _pgs_segment(show, 0x16, pcs), _pgs_segment(show, 0x17, wds), _pgs_segment(show, 0x14, pds),
        _pgs_segment(show, 0x15, ods), _pgs_segment(show, 0x80, b""),
        _pgs_segment(hide, 0x16, clear), _pgs_segment(hide, 0x17, wds), _pgs_segment(hide, 0x80, b""),
    ])


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """Paths of every sample file, by name."""
    assert FFMPEG, "the tests need ffmpeg on PATH (apt-get install ffmpeg)"
    root = tmp_path_factory.mktemp("media")
    files: dict[str, Path] = {}

    def make(name: str, filename: str, *args: str) -> Path:
        path = root / filename
        ffmpeg(*args, str(path))
        files[name] = path
        return path

    make("mp4", "film.mp4", *lavfi_video(4), *lavfi_sound(4), *H264, "-c:a", "aac", "-shortest",
         "-metadata", "title=Interview in the village", "-metadata", "location=+40.1811+044.5136/")
    make("mkv", "film.mkv", *lavfi_video(3), *lavfi_sound(3), *H264, "-c:a", "libvorbis")
    make("webm", "film.webm", *lavfi_video(2), *lavfi_sound(2), "-c:v", "libvpx", "-deadline", "realtime",
         "-cpu-used", "8", "-b:v", "200k", "-g", "25", "-c:a", "libopus")
    make("mov", "film.mov", *lavfi_video(2), *lavfi_sound(2), *H264, "-c:a", "aac")
    make("avi", "film.avi", *lavfi_video(2), *lavfi_sound(2), "-c:v", "mpeg4", "-q:v", "5", "-c:a", "mp3")
    make("no_audio", "silent.mp4", *lavfi_video(3), *H264)
    make("audio_only", "sound.mp4", *lavfi_sound(2), "-c:a", "aac")
    make("ten_seconds", "ten.mp4", *lavfi_video(10), *lavfi_sound(10), *H264, "-c:a", "aac")
    # Black for 3.5 s, pictures for 1 s, sound for 12 s: seeking past 4.5 s finds no frame.
    make("short_video", "short-video.mkv", "-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=3.5",
         *lavfi_video(1), *lavfi_sound(12), "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]",
         "-map", "[v]", "-map", "2:a", *H264, "-c:a", "aac")
    make("black", "black.mp4", "-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=2", *H264)
    make("anamorphic", "anamorphic.mp4", *lavfi_video(2), "-vf", "setsar=16/11", *H264)
    rotated = root / "rotated.mp4"  # a phone film recorded on its side
    try:
        ffmpeg("-display_rotation:v:0", "90", "-i", str(files["no_audio"]), "-c", "copy", str(rotated))
    except subprocess.CalledProcessError:  # ffmpeg before 6.0 sets rotation through metadata
        ffmpeg("-i", str(files["no_audio"]), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated))
    files["rotated"] = rotated
    make("tall", "tall.mp4", "-f", "lavfi", "-i", "testsrc=size=640x1080:rate=25:duration=1", *H264)

    streamed = root / "streamed.mkv"  # written to a pipe: no duration, no index
    with open(streamed, "wb") as out:
        subprocess.run([FFMPEG, "-nostdin", "-v", "error", *lavfi_video(4), *H264, "-f", "matroska", "-"],
                       stdout=out, check=True)
    files["streamed"] = streamed

    srt = root / "subs.srt"
    srt.write_text(SRT, encoding="utf-8")
    make("subtitled", "subtitled.mp4", *lavfi_video(4), *lavfi_sound(4), "-i", str(srt), "-i", str(srt),
         "-map", "0", "-map", "1", "-map", "2", "-map", "3", *H264, "-c:a", "aac", "-c:s", "mov_text",
         "-metadata:s:s:0", "language=hye", "-metadata:s:s:1", "language=rus")
    sup = root / "subs.sup"
    sup.write_bytes(pgs_subtitles())
    make("bitmap_subtitled", "bitmap-subs.mkv", "-i", str(files["mp4"]), "-i", str(srt), "-f", "sup",
         "-i", str(sup), "-map", "0", "-map", "1", "-map", "2", "-c", "copy", "-c:s:0", "srt",
         "-metadata:s:s:0", "language=eng")

    data = files["mp4"].read_bytes()  # moov at the end: cut in half, the index is gone
    (root / "truncated.mp4").write_bytes(data[: len(data) // 2])
    files["truncated"] = root / "truncated.mp4"
    fast = make("faststart", "faststart.mp4", "-i", str(files["ten_seconds"]), "-c", "copy",
                "-movflags", "+faststart")
    data = fast.read_bytes()  # index first: it reads, but the pictures stop half-way
    (root / "truncated-faststart.mp4").write_bytes(data[: len(data) // 2])
    files["truncated_faststart"] = root / "truncated-faststart.mp4"

    (root / "notes.mp4").write_text("These are my notes, not a film.\n" * 20, encoding="utf-8")
    files["text"] = root / "notes.mp4"
    (root / "empty.mp4").write_bytes(b"")
    files["empty"] = root / "empty.mp4"

    mjpeg = make("mjpeg_avi", "mjpeg.avi", *lavfi_video(1), "-c:v", "mjpeg")
    header, rest = mjpeg.read_bytes()[:4096], mjpeg.read_bytes()[4096:]
    (root / "unknown-codec.avi").write_bytes(header.replace(b"MJPG", b"ZZZZ") + rest)
    files["unknown_codec"] = root / "unknown-codec.avi"

    playlist = root / "playlist.mp4"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://{files['mp4']}\n#EXT-X-ENDLIST\n")
    files["playlist"] = playlist

    files.update(_photos(root))
    return files


def _photos(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    # Landscape picture, stored sideways: orientation 6 turns it to portrait 480×640.
    picture = Image.new("RGB", (640, 480), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, 320, 480))  # left half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 5D"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2021:07:14 10:20:30"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 10.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (44.0, 30.0, 0.0)
    xmp = (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
           b"<rdf:Description xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='40,10.5N'/>"
           b"</rdf:RDF></x:xmpmeta>")
    files["jpeg_gps"] = root / "gps.jpg"
    picture.save(files["jpeg_gps"], exif=exif, xmp=xmp, quality=95)

    files["jpeg_icc"] = root / "srgb-profile.jpg"
    Image.new("RGB", (300, 200), (10, 120, 220)).save(
        files["jpeg_icc"], icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    files["jpeg_bad_icc"] = root / "bad-profile.jpg"
    Image.new("RGB", (300, 200), (10, 120, 220)).save(files["jpeg_bad_icc"], icc_profile=b"not a colour profile")

    files["cmyk_tiff"] = root / "cmyk.tif"
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(files["cmyk_tiff"])  # pure red in print colours
    files["gray16_tiff"] = root / "gray16.tif"
    gray = Image.new("I;16", (256, 10))
    gray.putdata([x * 256 for x in range(256)] * 10)  # a ramp over the full 16-bit range
    gray.save(files["gray16_tiff"])
    files["rgb48_tiff"] = root / "rgb48.tif"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", "-pix_fmt", "rgb48le",
           str(files["rgb48_tiff"]))
    files["png_alpha"] = root / "alpha.png"
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(files["png_alpha"])
    files["webp"] = root / "photo.webp"
    Image.new("RGB", (2000, 1000), (0, 128, 0)).save(files["webp"])
    files["big_jpeg"] = root / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 90, 90)).save(files["big_jpeg"])

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (1, 2, 3)).save(buffer, "JPEG")
    good = buffer.getvalue()
    files["corrupt_jpeg"] = root / "corrupt.jpg"
    # A JPEG signature, then noise that Pillow cannot identify as any picture (the same noise every run:
    # some noise parses as JPEG markers and fails later, as damaged, which is what cut_jpeg checks).
    files["corrupt_jpeg"].write_bytes(good[:3] + random.Random(0).randbytes(2000))
    files["cut_jpeg"] = root / "cut.jpg"
    files["cut_jpeg"].write_bytes(good[: len(good) // 2])

    # A few hundred bytes that declare a 30000×30000 picture: the decompression bomb.
    files["bomb_png"] = root / "bomb.png"
    files["bomb_png"].write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 30001))
        + _png_chunk(b"IEND", b"")
    )
    return files


@pytest.fixture
def hanging_ffmpeg(tmp_path) -> str:
    """An executable that behaves like an ffmpeg that never finishes."""
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\nsleep 60\n")
    script.chmod(0o755)
    return str(script)
