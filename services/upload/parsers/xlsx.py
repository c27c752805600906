"""XLSX: a zip checked against inflation limits, then read by openpyxl in read-only mode, sheet by sheet."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.common.errors import ApiError
from services.upload.parsers.chunking import (
    MAX_CELL_CHARS,
    MAX_ROW_CELLS,
    Cell,
    ChunkWriter,
    Parsed,
    RowChunker,
    TableRow,
    row_text,
    unreadable,
)

# XLSX (a zip of XML): refuse archives that would inflate beyond reason before openpyxl sees them.
XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024
XLSX_MAX_RATIO = 200  # per member, for members above 1 MiB uncompressed
XLSX_MAX_SHEETS = 100
XLSX_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


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
        raise unreadable(filename, "XLSX workbook", exc) from None
    if XLSX_CONTENT_TYPE not in types:
        raise ApiError(
            "UNSUPPORTED_MEDIA_TYPE", f"{filename}: a zip archive (an Office file?) but not an XLSX workbook"
        )


@contextmanager
def _workbook(path: Path, filename: str) -> Iterator[Any]:
    """The checked archive opened read-only by openpyxl (values, not formulas), closed afterwards."""
    check_xlsx_archive(path, filename)
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx (ours is .part).
    with path.open("rb") as fh:
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken parts
            raise unreadable(filename, "XLSX workbook", exc) from None
        try:
            yield book
        finally:
            book.close()


def parse_xlsx(path: Path, filename: str) -> Parsed:
    out = Parsed()
    writer = ChunkWriter(out)
    with _workbook(path, filename) as book:
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
            raise unreadable(filename, "XLSX workbook", exc) from None
    if not out.chunks:
        out.add(f"{filename}: an empty workbook ({', '.join(book.sheetnames)})")
    return out


def _read_sheet(ws: Any, filename: str, writer: ChunkWriter) -> bool:
    title = getattr(ws, "title", "sheet")
    rows: RowChunker | None = None
    header_row = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if writer.full:
            writer.out.truncated = True
            return False
        cells = _trim(values)
        if not cells:
            continue
        if rows is None:  # the first non-empty row names the columns
            rows = RowChunker(writer, f"{filename}, sheet {title!r}, rows", row_text(cells))
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


def read_xlsx_rows(path: Path, filename: str) -> Iterator[TableRow]:
    """The first sheet's header row, then its data rows; blank rows are skipped."""
    with _workbook(path, filename) as book:
        for values in book.worksheets[0].iter_rows(values_only=True):
            if any(v not in (None, "") for v in values):
                yield [_cell(v) for v in values]


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)[:MAX_CELL_CHARS]
