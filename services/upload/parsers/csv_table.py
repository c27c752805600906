"""CSV: UTF-8 delimited text, checked to its last row, indexed as rows under their column names.

Named csv_table so that `import csv` here and elsewhere is always the standard library.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers.chunking import MAX_CELL_CHARS, ChunkWriter, Parsed, RowChunker, TableRow, row_text


def text_lines(path: Path, filename: str) -> Iterator[str]:
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


def _delimiter(path: Path) -> str:
    """The delimiter the file's first whole lines agree on (a comma when they agree on none)."""
    with path.open("rb") as fh:
        sample = fh.read(ct.SNIFF_BYTES)
    text = sample.decode("utf-8-sig", errors="ignore")
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return ct.detect_delimiter(text[:cut] if cut > 0 else text, drop_last=cut > 0) or ","


def parse_csv(path: Path, filename: str) -> Parsed:
    out = Parsed()
    writer = ChunkWriter(out)
    reader = csv.reader(text_lines(path, filename), delimiter=_delimiter(path), strict=True)
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
                rows = RowChunker(writer, f"{filename}, lines", row_text(header))
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
        out.add(f"{filename}: columns {row_text(header)} (no data rows)")
    return out


def read_csv_rows(path: Path, filename: str) -> Iterator[TableRow]:
    """The header row first, then the data rows, split on the delimiter the upload was parsed with."""
    for row in csv.reader(text_lines(path, filename), delimiter=_delimiter(path)):
        if any(cell.strip() for cell in row):
            yield [cell[:MAX_CELL_CHARS] for cell in row]


def _not_csv(filename: str, why: str) -> ApiError:
    return ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: not a valid CSV file: {why}")
