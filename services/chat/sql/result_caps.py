"""Byte caps on a query's result, applied row by row while it is fetched (before anything is
streamed to a client or stored in a chat).

Each value becomes JSON-friendly and is cut to `max_cell_bytes` (UTF-8) with a marker saying how
long it was; rows are kept until their values add up to `max_result_bytes`, and the rows after that
are not fetched at all. Fetching goes in batches sized from the largest row seen so far, so a
result of a few huge values is read one row at a time: memory stays near one row plus the budget.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

MAX_BATCH_ROWS = 100
# Rows fetched at once hold at most about this much as the driver hands them over (before the caps).
RAW_BATCH_BYTES = 8 * 1024 * 1024
_ROW_OVERHEAD = 8  # brackets, commas: a row of empty values still costs something


@dataclass(frozen=True)
class ResultLimits:
    max_cell_bytes: int = 64 * 1024
    max_result_bytes: int = 4 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_cell_bytes < 64 or self.max_result_bytes < self.max_cell_bytes:
            raise ValueError("max_cell_bytes must be >= 64 and max_result_bytes >= max_cell_bytes")


def cut_marker(total_chars: int) -> str:
    return f"…[truncated: {total_chars:,} characters in all]"


def jsonable(value: Any) -> Any:
    """A JSON-friendly cell: ISO strings for times, floats for decimals, a placeholder for binary."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<binary {len(value)} bytes>"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [jsonable(v) for v in value]
    return str(value)


def _cut_text(text: str, limit: int) -> tuple[str, int, bool]:
    """`text` within `limit` UTF-8 bytes (marker included), its size in bytes, and whether it was cut.
    Never encodes more than 4 * limit bytes, whatever the length of `text`."""
    if len(text) <= limit:
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if size <= limit:
            return text, size, False
    marker = cut_marker(len(text))
    room = max(0, limit - len(marker.encode()))
    head = text[:room].encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")
    out = head + marker
    return out, len(out.encode("utf-8", "surrogatepass")), True


class Collector:
    """The rows of one result, capped per value and in total, filled batch by batch."""

    def __init__(self, limits: ResultLimits, max_rows: int) -> None:
        self.limits = limits
        self.wanted = max_rows + 1  # one more than shown tells that rows were left out
        self.rows: list[list[Any]] = []
        self.size = 0
        self.cells_cut = 0
        self.full = False  # the byte budget stopped the result
        self._largest_row = 0  # after the caps
        self._largest_raw = 0  # as the driver handed it over

    @property
    def done(self) -> bool:
        return self.full or len(self.rows) >= self.wanted

    def batch_size(self) -> int:
        """How many rows to fetch next: as many as the remaining budget holds at the largest row seen."""
        left = self.wanted - len(self.rows)
        if not self._largest_row:
            return min(left, 1)
        room = (self.limits.max_result_bytes - self.size) // self._largest_row
        raw_room = RAW_BATCH_BYTES // max(1, self._largest_raw)
        return max(1, min(left, MAX_BATCH_ROWS, room, raw_room))

    def add_all(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            if self.done:
                return
            self.add(row)

    def add(self, raw: Sequence[Any]) -> None:
        """Keep `raw` (values cut to the cell cap) unless it would overflow the result budget."""
        self._largest_raw = max(self._largest_raw, _ROW_OVERHEAD + sum(_raw_size(value) for value in raw))
        values = [jsonable(value) for value in raw]
        cells = [_cell(value, self.limits.max_cell_bytes) for value in values]
        row_size = _ROW_OVERHEAD + sum(size + 2 for _, size, _ in cells)
        self._largest_row = max(self._largest_row, row_size)
        if self.size + row_size > self.limits.max_result_bytes:
            if self.rows:
                self.full = True
                return
            # A single row over the budget: its values share the budget instead.
            share = max(64, self.limits.max_result_bytes // max(1, len(cells)) - 2)
            cells = [c if c[1] <= share else _cell(value, share) for value, c in zip(values, cells, strict=True)]
            row_size = self.limits.max_result_bytes
            self.full = True
        self.rows.append([value for value, _, _ in cells])
        self.cells_cut += sum(cut for _, _, cut in cells)
        self.size += row_size


def _raw_size(value: Any) -> int:
    """About how much memory the driver's value takes (without walking nested values)."""
    if isinstance(value, str | bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, list | dict | tuple):
        return 64 * len(value)
    return 16


def _cell(value: Any, limit: int) -> tuple[Any, int, bool]:
    """The value within `limit` bytes, its size, and whether it was cut."""
    if isinstance(value, str):
        return _cut_text(value, limit)
    if isinstance(value, list | dict):
        encoded = json.dumps(value, ensure_ascii=False, default=str)
        if len(encoded) <= limit and len(encoded.encode()) <= limit:
            return value, len(encoded), False
        return _cut_text(encoded, limit)[0], limit, True
    return value, len(str(value)), False
