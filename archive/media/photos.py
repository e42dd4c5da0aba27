"""Photograph derivatives with Pillow: upright, sRGB JPEGs in a few sizes, stripped of every metadata tag.

Derivatives are public: they carry no EXIF, XMP, IPTC or ICC block at all, so GPS and other location
tags (people photographed may be at risk) never leave the original. The date taken and the camera
are returned as metadata instead. The original file is only ever opened for reading.
"""

from __future__ import annotations

import io
import os
import warnings
from datetime import datetime
from typing import Any

from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from archive.jobs.reasons import failure
from archive.media.errors import MediaError

# Above this many pixels a file is refused before it is decoded: a small file can declare a huge
# picture (a decompression bomb) and exhaust the worker's memory. 200 MP covers large scans.
MAX_PIXELS = 200_000_000
# Pillow's own guard (warning above, error above twice) matches, so no other caller decodes more.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

DEFAULT_SIZES = {"display": 1600, "thumbnail": 400}
JPEG_QUALITY = 85
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp"}
_SRGB = ImageCms.createProfile("sRGB")
_EXIF_DATE_FORMAT = "%Y:%m:%d %H:%M:%S"


def inspect_image(path: str | os.PathLike, *, max_pixels: int = MAX_PIXELS) -> dict[str, Any]:
    """Format, size and mode of the photograph at ``path`` after checking that it decodes; MediaError if not."""
    with _open(path, max_pixels) as image:
        info = {"format": image.format, "mime": FORMATS[image.format], "width": image.width,
                "height": image.height, "mode": image.mode, "frames": getattr(image, "n_frames", 1)}
        # A reduced decode is enough to find a cut-off or corrupt file, and cheap for large JPEGs.
        image.draft(None, (512, 512))
        _load(image)
    return info


def make_photo_derivatives(
    path: str | os.PathLike,
    out_dir: str | os.PathLike,
    sizes: dict[str, int] | None = None,
    *,
    max_pixels: int = MAX_PIXELS,
    quality: int = JPEG_QUALITY,
) -> dict[str, Any]:
    """Write one JPEG per ``sizes`` entry (name -> longest side) into ``out_dir``; return metadata and paths."""
    sizes = dict(sizes or DEFAULT_SIZES)
    if not sizes or any(not isinstance(side, int) or side < 16 for side in sizes.values()):
        raise ValueError("sizes must map names to a longest side of at least 16 pixels")
    os.makedirs(out_dir, exist_ok=True)
    notes: list[str] = []
    with _open(path, max_pixels) as image:
        exif = image.getexif()
        width, height = image.size
        if exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
            width, height = height, width
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            notes.append(f"The file holds {frames} pictures; derivatives show the first.")
        result: dict[str, Any] = {
            "format": image.format,
            "mime": FORMATS[image.format],
            "mode": image.mode,
            "width": width,
            "height": height,
            **_camera_metadata(exif),
            "had_location": bool(exif.get_ifd(ExifTags.IFD.GPSInfo)),
        }
        # Decode JPEGs at the smallest scale still larger than the biggest derivative.
        largest = max(sizes.values())
        image.draft(None, (largest, largest))
        _load(image)
        upright = ImageOps.exif_transpose(image)
    picture = _to_srgb(upright, notes)
    derivatives = {}
    for name, side in sizes.items():
        copy = picture.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)  # keeps the aspect ratio, never enlarges
        target = os.path.join(out_dir, f"{name}.jpg")
        _save_clean(copy, target, quality)
        derivatives[name] = {"path": target, "width": copy.width, "height": copy.height, "mime": "image/jpeg"}
    result["derivatives"] = derivatives
    result["notes"] = notes
    return result


def clean_photo(data: bytes, name: str, *, longest_side: int = 2400, quality: int = JPEG_QUALITY,
                max_pixels: int = MAX_PIXELS) -> bytes:
    """A JPEG, PNG or WebP photograph (judged by its content) as an upright sRGB JPEG without any metadata.

    For photographs stored as they come from people rather than as archive originals (attendance
    reports): nothing but the pixels is kept, so no GPS tag, camera or date survives, and a file
    that only claims to be a picture is refused with MediaError.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(name, None, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"{name} is not a JPEG, PNG or WebP photograph; send the picture file itself.") from exc
    with image:
        if image.width * image.height > max_pixels:
            raise _too_large(name, image.size, max_pixels)
        image.draft(None, (longest_side, longest_side))
        _load(image)
        picture = _to_srgb(ImageOps.exif_transpose(image), [])
    picture.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _open(path: str | os.PathLike, max_pixels: int) -> Image.Image:
    """Open lazily (header only), refusing unknown formats and pictures too large to decode safely."""
    name = os.path.basename(os.fspath(path))
    try:
        if os.path.getsize(path) == 0:
            raise failure(MediaError, "empty_file", name=name)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(name, None, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise failure(MediaError, "not_a_picture", name=name) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise failure(MediaError, "picture_damaged", detail=exc, name=name) from exc
    if image.width * image.height > max_pixels:
        image.close()
        raise _too_large(name, (image.width, image.height), max_pixels)
    return image


def _too_large(name: str, size: tuple[int, int] | None, max_pixels: int) -> MediaError:
    return failure(MediaError, "too_large", detail=f"{size[0]}×{size[1]}" if size else "", name=name,
                   limit=f"{max_pixels / 1e6:.0f}")


def _load(image: Image.Image) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(os.path.basename(image.filename or "photo"), image.size, MAX_PIXELS) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        name = os.path.basename(getattr(image, "filename", "") or "photo")
        raise failure(MediaError, "picture_damaged", detail=exc, name=name) from exc


def _camera_metadata(exif: Image.Exif) -> dict[str, Any]:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    taken = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    return {
        "taken_at": _exif_date(taken),
        "camera_make": _text(exif.get(ExifTags.Base.Make)),
        "camera_model": _text(exif.get(ExifTags.Base.Model)),
    }


def _exif_date(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text[:19], _EXIF_DATE_FORMAT).isoformat()
    except ValueError:
        return None  # cameras with an unset clock write "0000:00:00 00:00:00"


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _to_srgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """8-bit RGB (or grayscale) in sRGB: deep images scaled down, alpha on white, colour profiles applied."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = _eight_bit_gray(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("PA", "LA", "RGBA", "RGBa", "La"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
        notes.append("Transparent areas are shown on white.")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB",
                                             renderingIntent=ImageCms.Intent.PERCEPTUAL)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            notes.append("The embedded colour profile could not be read; colours were converted without it.")
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _eight_bit_gray(image: Image.Image) -> Image.Image:
    """Scale a 16-bit or 32-bit grayscale picture to 8 bits (Pillow's plain conversion clips instead)."""
    if image.mode != "F":
        image = image.convert("I")
    low, high = image.getextrema()
    if image.mode == "F" and high <= 1.0:
        scale = 255.0  # floating-point pictures are usually 0..1
    else:
        scale = 255.0 / 65535.0 if high > 255 else 1.0
    return image.point(lambda value: value * scale).convert("L")


def _save_clean(image: Image.Image, target: str, quality: int) -> None:
    """Save pixels only: a fresh info dict means no EXIF, XMP, IPTC or ICC block is carried over."""
    image.info = {}
    tmp = f"{target}.part"
    try:
        image.save(tmp, "JPEG", quality=quality, optimize=True, progressive=True)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
