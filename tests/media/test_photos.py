"""Photo derivatives: upright, sRGB, sized, and carrying no metadata at all (above all no location)."""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from PIL import Image

from archive.media.errors import MediaError
from archive.media.photos import inspect_image, make_photo_derivatives


def _sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_orientation_applied_and_metadata_kept_aside(media, tmp_path):
    result = make_photo_derivatives(media["jpeg_gps"], tmp_path, {"display": 320, "thumbnail": 100})
    assert (result["width"], result["height"]) == (480, 640)  # stored 640×480 sideways
    assert result["taken_at"] == "2021-07-14T10:20:30"
    assert (result["camera_make"], result["camera_model"]) == ("Canon", "Canon EOS 5D")
    assert result["had_location"] is True and "GPS" not in str({k: v for k, v in result.items() if k != "had_location"})
    display = result["derivatives"]["display"]
    assert (display["width"], display["height"]) == (240, 320)
    with Image.open(display["path"]) as picture:
        assert picture.size == (240, 320)
        # The left (blue) half of the stored picture is on top once turned.
        top, bottom = picture.getpixel((120, 20)), picture.getpixel((120, 300))
        assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]


@pytest.mark.parametrize("size", ["display", "thumbnail"])
def test_derivatives_carry_no_exif_gps_xmp_or_iptc(media, tmp_path, size):
    result = make_photo_derivatives(media["jpeg_gps"], tmp_path)
    path = result["derivatives"][size]["path"]
    with Image.open(path) as picture:
        exif = picture.getexif()
        assert len(exif) == 0 and not exif.get_ifd(0x8825)  # no EXIF at all, so no GPS IFD
        assert not {"exif", "xmp", "icc_profile", "photoshop"} & set(picture.info)
    data = open(path, "rb").read()
    for marker in (b"Exif\x00\x00", b"xmpmeta", b"Photoshop 3.0", b"GPS", b"Canon"):
        assert marker not in data


def test_the_original_is_never_modified(media, tmp_path):
    before = _sha(media["jpeg_gps"]), os.path.getmtime(media["jpeg_gps"])
    make_photo_derivatives(media["jpeg_gps"], tmp_path)
    assert (_sha(media["jpeg_gps"]), os.path.getmtime(media["jpeg_gps"])) == before


def test_large_photographs_are_scaled_and_small_ones_never_enlarged(media, tmp_path):
    big = make_photo_derivatives(media["big_jpeg"], tmp_path / "big")["derivatives"]
    assert (big["display"]["width"], big["display"]["height"]) == (1600, 1200)
    assert (big["thumbnail"]["width"], big["thumbnail"]["height"]) == (400, 300)
    small = make_photo_derivatives(media["png_alpha"], tmp_path / "small")["derivatives"]
    assert (small["display"]["width"], small["display"]["height"]) == (100, 100)


def test_cmyk_tiff_becomes_rgb(media, tmp_path):
    result = make_photo_derivatives(media["cmyk_tiff"], tmp_path)
    assert result["mode"] == "CMYK"
    with Image.open(result["derivatives"]["display"]["path"]) as picture:
        red, green, blue = picture.getpixel((10, 10))
        assert picture.mode == "RGB" and red > 200 and green < 40 and blue < 40


def test_16_bit_grayscale_tiff_is_scaled_not_clipped(media, tmp_path):
    result = make_photo_derivatives(media["gray16_tiff"], tmp_path)
    assert result["mode"].startswith("I;16")
    with Image.open(result["derivatives"]["display"]["path"]) as picture:
        assert picture.mode == "L"
        dark, middle, bright = (picture.getpixel((x, 5)) for x in (2, 128, 253))
        assert dark < 10 and 110 < middle < 145 and bright > 245


def test_48_bit_colour_tiff(media, tmp_path):
    result = make_photo_derivatives(media["rgb48_tiff"], tmp_path)
    with Image.open(result["derivatives"]["display"]["path"]) as picture:
        assert picture.mode == "RGB" and picture.size == (320, 240)
        assert len(picture.getcolors(maxcolors=1 << 20)) > 50  # the test pattern survived


def test_colour_profile_converted_to_srgb_and_not_embedded(media, tmp_path):
    result = make_photo_derivatives(media["jpeg_icc"], tmp_path)
    with Image.open(result["derivatives"]["display"]["path"]) as picture:
        assert "icc_profile" not in picture.info
        assert all(abs(a - b) <= 6 for a, b in zip(picture.getpixel((5, 5)), (10, 120, 220), strict=True))
    assert result["notes"] == []


def test_an_unreadable_colour_profile_is_noted_not_fatal(media, tmp_path):
    result = make_photo_derivatives(media["jpeg_bad_icc"], tmp_path)
    assert os.path.exists(result["derivatives"]["display"]["path"])
    assert result["notes"] == ["The embedded colour profile could not be read; colours were converted without it."]


def test_transparency_is_shown_on_white(media, tmp_path):
    result = make_photo_derivatives(media["png_alpha"], tmp_path)
    with Image.open(result["derivatives"]["display"]["path"]) as picture:
        assert min(picture.convert("RGB").getpixel((50, 50))) > 250
    assert "Transparent areas are shown on white." in result["notes"]


def test_webp(media, tmp_path):
    result = make_photo_derivatives(media["webp"], tmp_path)
    assert result["mime"] == "image/webp" and result["derivatives"]["display"]["width"] == 1600


def test_decompression_bomb_is_refused_quickly(media, tmp_path):
    started = time.monotonic()
    with pytest.raises(MediaError, match="too large to process safely.*Scale it down"):
        make_photo_derivatives(media["bomb_png"], tmp_path)
    assert time.monotonic() - started < 2
    assert os.listdir(tmp_path) == []


def test_the_pixel_limit_is_configurable(media, tmp_path):
    with pytest.raises(MediaError, match=r"the limit is 10 megapixels\. .* Technical detail: 4000×3000"):
        make_photo_derivatives(media["big_jpeg"], tmp_path, max_pixels=10_000_000)


@pytest.mark.parametrize(("name", "reason"), [
    ("corrupt_jpeg", "corrupt.jpg is not a JPEG, PNG, TIFF or WebP picture"),
    ("cut_jpeg", "damaged or cut off"),
    ("empty", "empty \\(0 bytes\\)"),
    ("text", "is not a JPEG, PNG, TIFF or WebP picture"),
])
def test_broken_pictures_give_a_clear_error(media, tmp_path, name, reason):
    with pytest.raises(MediaError, match=reason):
        make_photo_derivatives(media[name], tmp_path)
    assert not any(name.endswith(".jpg") for name in os.listdir(tmp_path))


def test_sizes_must_be_sensible(media, tmp_path):
    with pytest.raises(ValueError, match="at least 16 pixels"):
        make_photo_derivatives(media["jpeg_gps"], tmp_path, {"display": 0})


def test_inspect_image(media):
    assert inspect_image(media["gray16_tiff"]) == {
        "format": "TIFF", "mime": "image/tiff", "width": 256, "height": 10, "mode": "I;16", "frames": 1}
