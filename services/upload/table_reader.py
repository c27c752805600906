"""Rows of a stored CSV or XLSX (first sheet) for ReadUploadTable, read from a local copy."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from services.common.errors import ApiError
from services.upload.parsers import MAX_CELL_CHARS, _text_lines, check_xlsx_archive

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: object) -> str | float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)[:MAX_CELL_CHARS]


def read_rows(path: Path, mime: str, filename: str) -> Iterator[list[str | float | bool | None]]:
    """The header row first, then the data rows; blank rows are skipped."""
    if mime == CSV:
        for row in csv.reader(_text_lines(path, filename)):
            if any(cell.strip() for cell in row):
                yield [cell[:MAX_CELL_CHARS] for cell in row]
        return
    if mime != XLSX:
        raise ApiError("INVALID_REQUEST", f"{filename}: only CSV and XLSX uploads have rows")
    check_xlsx_archive(path, filename)
    from openpyxl import load_workbook

    with path.open("rb") as fh:
        book = load_workbook(fh, read_only=True, data_only=True)
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                if any(v not in (None, "") for v in values):
                    yield [_cell(v) for v in values]
        finally:
            book.close()
