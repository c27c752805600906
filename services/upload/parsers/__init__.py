"""Whole-file checks and text extraction, run on the staged copy once every byte has arrived.

Each format module confirms the structure `content_types.sniff` guessed from the first bytes and
turns the file into text chunks for the index: PDF pages, CSV rows, XLSX sheets, the lines of
a text or Markdown document (projects only), and a factual caption for images. A file that cannot
be read is an `ApiError` naming the problem, reported for that file alone. This module picks the
format module by content type.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers.chunking import Parsed, TableRow
from services.upload.parsers.csv_table import parse_csv, read_csv_rows
from services.upload.parsers.image import parse_image
from services.upload.parsers.pdf import parse_pdf
from services.upload.parsers.text import parse_text
from services.upload.parsers.xlsx import parse_xlsx, read_xlsx_rows

__all__ = ["Parsed", "TableRow", "parse", "read_rows"]


def parse(path: Path, mime: str, filename: str) -> Parsed:
    if mime == ct.PDF:
        return parse_pdf(path, filename)
    if mime == ct.CSV:
        return parse_csv(path, filename)
    if mime == ct.XLSX:
        return parse_xlsx(path, filename)
    if mime in (ct.TEXT, ct.MARKDOWN):
        return parse_text(path, mime, filename)
    return parse_image(path, mime, filename)


def read_rows(path: Path, mime: str, filename: str) -> Iterator[TableRow]:
    """A stored table's header row, then its data rows (CSV, or an XLSX's first sheet)."""
    if mime == ct.CSV:
        return read_csv_rows(path, filename)
    if mime == ct.XLSX:
        return read_xlsx_rows(path, filename)
    raise ApiError("INVALID_REQUEST", f"{filename}: only CSV and XLSX uploads have rows")
