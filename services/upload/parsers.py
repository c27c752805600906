"""Whole-file checks and text extraction, run on the staged copy once every byte has arrived.

Each parser confirms the structure `content_types.sniff` guessed from the first bytes and turns
the file into text chunks for the index: PDF pages (pypdf), CSV rows, XLSX sheets (openpyxl in
read-only mode behind zip-bomb limits), and a factual caption for images (Pillow). A file that
cannot be read is an `ApiError` naming the problem, reported for that file alone.
"""

from __future__ import annotations

import csv
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from services.common.errors import ApiError
from services.upload import content_types as ct

log = logging.getLogger(__name__)

CHUNK_CHARS = 1200  # about 300 tokens: small enough to quote, big enough to carry context
MAX_INDEXED_CHARS = 2_000_000  # per upload; the rest of a huge file is stored but not indexed
MAX_PDF_PAGES = 1000
MAX_CELL_CHARS = 200
MAX_ROW_CELLS = 200
# XLSX (a zip of XML): refuse archives that would inflate beyond reason before openpyxl sees them.
XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024
XLSX_MAX_RATIO = 200  # per member, for members above 1 MiB uncompressed
XLSX_MAX_SHEETS = 100
XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
# Images: decoding allocates width × height × 4 bytes, so colours are analysed only below this.
IMAGE_MAX_DECODE_PIXELS = 16_000_000
IMAGE_MAX_PIXELS = 200_000_000  # beyond: refused as a decompression bomb


@dataclass
class Parsed:
    chunks: list[str] = field(default_factory=list)
    truncated: bool = False  # the index holds only the beginning of the file


class ChunkWriter:
    """Packs lines into chunks of about CHUNK_CHARS, each starting with a locating header."""

    def __init__(self, out: Parsed) -> None:
        self.out = out
        self.total = sum(len(c) for c in out.chunks)
        self._header = ""
        self._lines: list[str] = []
        self._size = 0

    @property
    def full(self) -> bool:
        return self.total >= MAX_INDEXED_CHARS

    def section(self, header: str) -> None:
        self.flush()
        self._header = header

    def add(self, line: str) -> bool:
        """Add a line; False once the upload's index budget is spent."""
        if self.full:
            self.out.truncated = True
            return False
        line = line.strip()
        if not line:
            return True
        while len(line) > CHUNK_CHARS:  # a very long line (a PDF page without breaks) is split
            cut = line.rfind(" ", 0, CHUNK_CHARS)
            cut = cut if cut > CHUNK_CHARS // 2 else CHUNK_CHARS
            self.add(line[:cut])
            line = line[cut:].strip()
        if self._size + len(line) > CHUNK_CHARS:
            self.flush()
        self._lines.append(line)
        self._size += len(line) + 1
        return True

    def flush(self) -> None:
        if not self._lines:
            return
        text = "\n".join([self._header, *self._lines]) if self._header else "\n".join(self._lines)
        self.out.chunks.append(text)
        self.total += len(text)
        self._lines, self._size = [], 0


def parse(path: Path, mime: str, filename: str) -> Parsed:
    if mime == ct.PDF:
        return parse_pdf(path, filename)
    if mime == ct.CSV:
        return parse_csv(path, filename)
    if mime == ct.XLSX:
        return parse_xlsx(path, filename)
    return parse_image(path, mime, filename)


# --- PDF ------------------------------------------------------------------------------


def parse_pdf(path: Path, filename: str) -> Parsed:
    # An open file, not the path: given a path, pypdf reads the whole file into memory first;
    # given a file it seeks to the objects it needs (embedded images and attachments stay on disk).
    with path.open("rb") as fh:
        return _parse_pdf(fh, filename)


def _parse_pdf(fh: BinaryIO, filename: str) -> Parsed:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    out = Parsed()
    writer = ChunkWriter(out)
    try:
        reader = PdfReader(fh)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ApiError("INVALID_REQUEST", f"{filename}: the PDF is password-protected")
        pages = len(reader.pages)
    except ApiError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise ApiError("INVALID_REQUEST", f"{filename}: not a readable PDF ({_reason(exc)})") from None
    if pages == 0:
        raise ApiError("INVALID_REQUEST", f"{filename}: the PDF has no pages")
    for number in range(min(pages, MAX_PDF_PAGES)):
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - one unreadable page must not lose the others
            log.info("%s: page %d has no extractable text: %s", filename, number + 1, exc)
            continue
        writer.section(f"{filename}, page {number + 1} of {pages}")
        for line in text.splitlines():
            if not writer.add(line):
                return out
    writer.flush()
    out.truncated = out.truncated or pages > MAX_PDF_PAGES
    return out


# --- CSV ------------------------------------------------------------------------------


def _text_lines(path: Path, filename: str) -> Iterator[str]:
    """The file as UTF-8 text lines (BOM dropped), read incrementally; a bad byte is a clear refusal."""
    with path.open("r", encoding="utf-8-sig", errors="strict", newline="") as fh:
        try:
            for line in fh:
                if "\x00" in line:
                    raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: the file is binary, not CSV text")
                yield line
        except UnicodeDecodeError as exc:
            raise ApiError(
                "UNSUPPORTED_MEDIA_TYPE", f"{filename}: a CSV file must be UTF-8 text ({exc.reason})"
            ) from None


def parse_csv(path: Path, filename: str) -> Parsed:
    with path.open("rb") as fh:
        sample = fh.read(ct.SNIFF_BYTES)
    text = sample.decode("utf-8-sig", errors="ignore")
    cut = max(text.rfind("\n"), text.rfind("\r"))
    delimiter = ct.detect_delimiter(text[:cut] if cut > 0 else text, drop_last=cut > 0) or ","
    out = Parsed()
    writer = ChunkWriter(out)
    reader = csv.reader(_text_lines(path, filename), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: RowChunker | None = None
    try:
        for row in reader:
            if not row:
                continue  # blank lines (a trailing newline) carry no row
            if header is None:
                header = row
                if len(header) < 2:
                    raise _not_csv(filename, "it has a single column (no delimiter found)")
                rows = RowChunker(writer, f"{filename}, lines", _row_text(header))
                continue
            if len(row) != len(header):
                raise _not_csv(
                    filename, f"line {reader.line_num} has {len(row)} fields where the header has {len(header)}"
                )
            assert rows is not None
            rows.add(reader.line_num, row)  # past the index budget it only counts: the file is still checked
    except csv.Error as exc:
        raise _not_csv(filename, f"line {reader.line_num}: {exc}") from None
    if header is None or rows is None:
        raise _not_csv(filename, "it has no rows")
    rows.flush()
    if not out.chunks:  # a header without rows is still worth finding
        out.chunks.append(f"{filename}: columns {_row_text(header)} (no data rows)")
    return out


def _not_csv(filename: str, why: str) -> ApiError:
    return ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: not a valid CSV file: {why}")


def _row_text(row: Iterable[object]) -> str:
    cells = []
    for i, cell in enumerate(row):
        if i >= MAX_ROW_CELLS:
            cells.append("…")
            break
        text = "" if cell is None else str(cell)
        cells.append(text[:MAX_CELL_CHARS].replace("\n", " ").strip())
    return " | ".join(cells)


class RowChunker:
    """Groups table rows into chunks headed by where they come from and the column names."""

    def __init__(self, writer: ChunkWriter, label: str, header: str) -> None:
        self.writer = writer
        self.label = label
        self.header = header
        self.rows: list[str] = []
        self.size = 0
        self.first = self.last = 0
        self.budget = max(CHUNK_CHARS // 3, CHUNK_CHARS - len(label) - len(header) - 40)

    def add(self, number: int, values: Iterable[object]) -> bool:
        if self.writer.full:
            self.writer.out.truncated = True
            return False
        text = _row_text(values)
        if self.rows and self.size + len(text) > self.budget:
            self.flush()
        if not self.rows:
            self.first = number
        self.rows.append(text)
        self.size += len(text) + 1
        self.last = number
        return True

    def flush(self) -> None:
        if not self.rows:
            return
        span = f"{self.first}" if self.first == self.last else f"{self.first}–{self.last}"
        self.writer.section(f"{self.label} {span}; columns: {self.header}")
        for row in self.rows:
            self.writer.add(row)
        self.writer.flush()
        self.rows, self.size = [], 0


# --- XLSX -----------------------------------------------------------------------------


def check_xlsx_archive(path: Path, filename: str) -> None:
    """A zip whose [Content_Types].xml declares a spreadsheetml workbook, within the inflation limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > XLSX_MAX_MEMBERS:
                raise ApiError("INVALID_REQUEST", f"{filename}: the workbook has too many parts ({len(members)})")
            total = 0
            for info in members:
                total += info.file_size
                big = info.file_size > 1024 * 1024
                if big and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                    raise ApiError(
                        "INVALID_REQUEST", f"{filename}: {info.filename} inflates suspiciously (a zip bomb?)"
                    )
            if total > XLSX_MAX_UNCOMPRESSED:
                raise ApiError(
                    "INVALID_REQUEST",
                    f"{filename}: the workbook inflates to {total // (1024 * 1024)} MiB, "
                    f"above the {XLSX_MAX_UNCOMPRESSED // (1024 * 1024)} MiB limit",
                )
            names = {info.filename for info in members}
            if "[Content_Types].xml" not in names:
                raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: a zip archive, not an XLSX workbook")
            with archive.open("[Content_Types].xml") as fh:
                types = fh.read(1024 * 1024)
    except zipfile.BadZipFile as exc:
        raise ApiError("INVALID_REQUEST", f"{filename}: not a readable XLSX workbook ({exc})") from None
    if XLSX_CONTENT_TYPE not in types:
        raise ApiError(
            "UNSUPPORTED_MEDIA_TYPE", f"{filename}: a zip archive (an Office file?) but not an XLSX workbook"
        )


def parse_xlsx(path: Path, filename: str) -> Parsed:
    check_xlsx_archive(path, filename)
    from openpyxl import load_workbook

    out = Parsed()
    writer = ChunkWriter(out)
    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx (ours is .part).
    with path.open("rb") as fh:
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken parts
            raise ApiError("INVALID_REQUEST", f"{filename}: not a readable XLSX workbook ({_reason(exc)})") from None
        try:
            sheets = book.worksheets
            if len(sheets) > XLSX_MAX_SHEETS:
                out.truncated = True
            for ws in sheets[:XLSX_MAX_SHEETS]:
                if not _read_sheet(ws, filename, writer):
                    break
            writer.flush()
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken sheet XML surfaces while iterating
            raise ApiError("INVALID_REQUEST", f"{filename}: not a readable XLSX workbook ({_reason(exc)})") from None
        finally:
            book.close()
    if not out.chunks:
        out.chunks.append(f"{filename}: an empty workbook ({', '.join(book.sheetnames)})")
    return out


def _read_sheet(ws: object, filename: str, writer: ChunkWriter) -> bool:
    title = getattr(ws, "title", "sheet")
    rows: RowChunker | None = None
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if writer.full:
            writer.out.truncated = True
            return False
        cells = _trim(values)
        if not cells:
            continue
        if rows is None:  # the first non-empty row names the columns
            rows = RowChunker(writer, f"{filename}, sheet {title!r}, rows", _row_text(cells))
            header_row = number
            continue
        rows.add(number, cells)
    if rows is None:
        return True
    if not rows.rows and not rows.last:
        writer.section(f"{filename}, sheet {title!r}, row {header_row}")
        writer.add(rows.header)
        writer.flush()
    rows.flush()
    return True


def _trim(values: tuple[object, ...]) -> list[object]:
    out = list(values[: MAX_ROW_CELLS + 1])
    while out and out[-1] in (None, ""):
        out.pop()
    return out


# --- images ---------------------------------------------------------------------------

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
        name = colour_name(rgb)  # type: ignore[arg-type]
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
    out = []
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
        raise ApiError("INVALID_REQUEST", f"{filename}: not a readable {expected} image ({_reason(exc)})") from None
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
    return Parsed(chunks=[describe_image(path, mime, filename)])


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text[:200]
