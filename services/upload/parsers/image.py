"""PNG and JPEG: a factual caption (format, size, colours, embedded text) made by Pillow from the image itself."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers.chunking import Parsed, unreadable

# Decoding allocates width × height × 4 bytes, so colours are analysed only below this.
IMAGE_MAX_DECODE_PIXELS = 16_000_000
IMAGE_MAX_PIXELS = 200_000_000  # beyond: refused as a decompression bomb

_COLOUR_NAMES = {
    "black": (0, 0, 0),
    "dark grey": (64, 64, 64),
    "grey": (128, 128, 128),
    "light grey": (200, 200, 200),
    "white": (255, 255, 255),
    "red": (220, 30, 30),
    "dark red": (128, 0, 0),
    "orange": (255, 140, 0),
    "yellow": (240, 220, 40),
    "olive": (128, 128, 0),
    "green": (40, 170, 60),
    "dark green": (0, 90, 30),
    "teal": (0, 128, 128),
    "cyan": (40, 210, 220),
    "light blue": (150, 190, 240),
    "blue": (30, 80, 220),
    "navy": (10, 20, 100),
    "purple": (120, 40, 160),
    "magenta": (220, 40, 180),
    "pink": (245, 170, 190),
    "brown": (130, 80, 40),
    "beige": (225, 210, 170),
}
_EXIF_TEXT_TAGS = {
    0x010E: "Description",
    0x010F: "Camera make",
    0x0110: "Camera model",
    0x0131: "Software",
    0x0132: "Date",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9C9B: "Title",
    0x9C9C: "Comment",
    0x9C9D: "Author",
    0x9C9E: "Keywords",
    0x9C9F: "Subject",
}
_EXIF_IFD = 0x8769
_EXIF_USER_COMMENT = 0x9286
_EXIF_DATE_ORIGINAL = 0x9003


def colour_name(rgb: tuple[int, int, int]) -> str:
    return min(_COLOUR_NAMES, key=lambda n: sum((a - b) ** 2 for a, b in zip(_COLOUR_NAMES[n], rgb, strict=True)))


def dominant_colours(image: object, count: int = 4) -> list[tuple[str, str, float]]:
    """(name, #hex, share) of the most common colours, on a small reduced copy."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    small = image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image
    if small.mode == "RGBA":
        # Transparent pixels say nothing about the picture: put them on white.
        base = Image.new("RGBA", small.size, (255, 255, 255, 255))
        small = Image.alpha_composite(base, small)
    small = small.convert("RGB")
    small.thumbnail((96, 96))
    quantised = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts = Counter({index: n for index, n in enumerate(quantised.histogram()) if n})
    total = sum(counts.values()) or 1
    named: Counter[str] = Counter()
    sample: dict[str, str] = {}
    for index, n in counts.most_common():
        rgb = tuple(palette[index * 3 : index * 3 + 3])
        if len(rgb) != 3:
            continue
        name = colour_name(rgb)
        named[name] += n
        sample.setdefault(name, "#{:02x}{:02x}{:02x}".format(*rgb))
    return [(name, sample[name], n / total) for name, n in named.most_common(count) if n / total >= 0.03]


def _clean_meta(value: object) -> str:
    if isinstance(value, bytes):
        if value.startswith((b"ASCII\x00\x00\x00", b"UNICODE\x00", b"JIS\x00\x00\x00\x00\x00")):
            codec = "utf-16" if value.startswith(b"UNICODE") else "latin-1"
            value = value[8:].decode(codec, errors="replace")
        else:
            value = value.decode("utf-16-le" if value[1:2] == b"\x00" else "utf-8", errors="replace")
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip()
    return text[:500]


def image_metadata(image: object) -> list[tuple[str, str]]:
    """Text the file itself carries: PNG tEXt/iTXt/zTXt, JPEG comments and EXIF text tags."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    found: list[tuple[str, str]] = []
    for key, value in (getattr(image, "text", None) or {}).items():  # PNG text chunks
        found.append((str(key), _clean_meta(value)))
    comment = image.info.get("comment")
    if comment:
        found.append(("Comment", _clean_meta(comment)))
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - broken EXIF is not a broken image
        exif = None
    if exif:
        for tag, label in _EXIF_TEXT_TAGS.items():
            if tag in exif:
                found.append((label, _clean_meta(exif[tag])))
        try:
            sub = exif.get_ifd(_EXIF_IFD)
        except Exception:  # noqa: BLE001
            sub = {}
        if sub.get(_EXIF_USER_COMMENT):
            found.append(("User comment", _clean_meta(sub[_EXIF_USER_COMMENT])))
        if sub.get(_EXIF_DATE_ORIGINAL):
            found.append(("Taken", _clean_meta(sub[_EXIF_DATE_ORIGINAL])))
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for key, value in found:
        if value and (key, value) not in seen and len(out) < 20:
            seen.add((key, value))
            out.append((key, value))
    return out


def describe_image(path: Path, mime: str, filename: str) -> str:
    """A factual caption: format, size, colour mode, dominant colours and embedded text."""
    from PIL import Image, UnidentifiedImageError

    expected = "PNG" if mime == ct.PNG else "JPEG"
    try:
        with Image.open(path) as probe:
            if probe.format != expected:
                raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: not a {expected} image")
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ApiError(
                    "INVALID_REQUEST", f"{filename}: {width}×{height} pixels is too large (a decompression bomb?)"
                )
            probe.verify()  # chunk CRCs and structure, without decoding pixels
        with Image.open(path) as image:
            mode = image.mode
            meta = image_metadata(image)
            frames = getattr(image, "n_frames", 1)
            colours: list[tuple[str, str, float]] | None = None
            if expected == "JPEG":
                image.draft("RGB", (256, 256))  # decode at 1/2…1/8 scale: cheap whatever the size
            if image.size[0] * image.size[1] <= IMAGE_MAX_DECODE_PIXELS:
                image.load()
                colours = dominant_colours(image)
    except ApiError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable(filename, f"{expected} image", exc) from None
    modes = {
        "RGBA": "colour with transparency",
        "RGB": "colour",
        "L": "greyscale",
        "LA": "greyscale with transparency",
        "P": "palette colour",
        "1": "black and white",
        "CMYK": "CMYK colour",
    }
    parts = [f"{filename}: {expected} image, {width}×{height} pixels, {modes.get(mode, mode)}"]
    if frames > 1:
        parts[0] += f", {frames} frames (animated)"
    if width > height * 1.2:
        parts.append("landscape orientation")
    elif height > width * 1.2:
        parts.append("portrait orientation")
    else:
        parts.append("roughly square")
    if colours:
        parts.append("dominant colours: " + ", ".join(f"{name} ({hex_}, {share:.0%})" for name, hex_, share in colours))
    elif colours is None:
        parts.append("too large for a colour analysis")
    text = "; ".join(parts) + "."
    if meta:
        text += " Embedded text: " + "; ".join(f"{k}: {v}" for k, v in meta) + "."
    else:
        text += " No embedded text metadata."
    return text


def parse_image(path: Path, mime: str, filename: str) -> Parsed:
    out = Parsed()
    out.add(describe_image(path, mime, filename))
    return out
