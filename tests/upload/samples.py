"""Small real files of each allowed type, made in code (no fixtures on disk)."""

from __future__ import annotations

import io
import os
import zlib


def pdf_bytes(lines: list[str] | None = None, *, pages: int = 1) -> bytes:
    """A valid PDF whose pages show `lines` in Helvetica (text pypdf can extract)."""
    lines = lines or ["Quarterly report", "Revenue grew in the North region"]
    return pdf_pages([[*lines, f"Page {number + 1}"] for number in range(pages)])


def pdf_pages(pages: list[list[str]]) -> bytes:
    """A valid PDF with one page per item, each showing its lines in Helvetica."""
    streams = []
    for lines in pages:
        text = ["BT /F1 12 Tf 72 720 Td 14 TL"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            text.append(f"({escaped}) Tj T*")
        text.append("ET")
        streams.append("\n".join(text).encode("latin-1"))
    return pdf_from_streams(streams)


def pdf_from_streams(streams: list[bytes]) -> bytes:
    """A PDF with one page per content stream (Flate-compressed), Helvetica as font /F1."""
    pages = len(streams)
    objects: list[bytes] = []
    page_ids = [3 + 2 * i for i in range(pages)]
    font_id = 3 + 2 * pages
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    for number, raw in enumerate(streams):
        stream = zlib.compress(raw, 9)
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_ids[number] + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        ).encode()
        objects.append(page)
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30), **text: str) -> bytes:
    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", size, color)
    # A white band, so there are two dominant colours.
    for x in range(size[0]):
        for y in range(size[1] // 4):
            image.putpixel((x, y), (255, 255, 255))
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key.capitalize(), value)
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def jpeg_bytes(
    size: tuple[int, int] = (80, 60), color: tuple[int, int, int] = (20, 60, 200), description: str = ""
) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if description:
        exif[0x010E] = description  # ImageDescription
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def xlsx_bytes(rows: list[list[object]] | None = None, sheet: str = "Sales") -> bytes:
    from openpyxl import Workbook

    rows = rows or [["region", "revenue"], ["North", 120], ["South", 80], ["East", 45.5]]
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csv_bytes(rows: int = 4, *, bom: bool = False) -> bytes:
    lines = ["region,product,units"] + [f"Region {i % 3},Widget {i},{i * 7}" for i in range(rows)]
    return (b"\xef\xbb\xbf" if bom else b"") + ("\n".join(lines) + "\n").encode()


def big_csv(size: int) -> bytes:
    """A valid CSV of exactly `size` bytes (rows of random-looking hex, one column count)."""
    parts = [b"id,code,note\n"]
    total = len(parts[0])
    i = 0
    while size - total >= 200:
        line = f"{i},{os.urandom(16).hex()},{'x' * 60}\n".encode()
        parts.append(line)
        total += len(line)
        i += 1
    prefix = f"{i},z,".encode()
    parts.append(prefix + b"y" * (size - total - len(prefix) - 1) + b"\n")  # the last row fills up to size
    data = b"".join(parts)
    assert len(data) == size, (len(data), size)
    return data
