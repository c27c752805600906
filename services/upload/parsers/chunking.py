"""What every parser produces, and how lines and table rows become index chunks of a bounded size."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from services.common.errors import ApiError

CHUNK_CHARS = 1200  # about 300 tokens: small enough to quote, big enough to carry context
MAX_INDEXED_CHARS = 2_000_000  # per upload; the rest of a huge file is stored but not indexed
MAX_CELL_CHARS = 200
MAX_ROW_CELLS = 200

Cell = str | float | bool | None
TableRow = list[Cell]  # a row as ReadUploadTable sends it


# Where each chunk also goes as soon as it is made: the parse sandbox streams them to its parent,
# so that a parse stopped by a limit still leaves what it extracted.
chunk_sink: ContextVar[Callable[[str], None] | None] = ContextVar("chunk_sink", default=None)


@dataclass
class Parsed:
    chunks: list[str] = field(default_factory=list)
    truncated: bool = False  # the index holds only the beginning of the file
    stopped: str = ""  # the limit that stopped the extraction early, "" when it ran to the end

    def add(self, chunk: str) -> None:
        self.chunks.append(chunk)
        sink = chunk_sink.get()
        if sink is not None:
            sink(chunk)


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
        self.out.add(text)
        self.total += len(text)
        self._lines, self._size = [], 0


def row_text(row: Iterable[object]) -> str:
    """A table row as one index line: cells cut to MAX_CELL_CHARS, at most MAX_ROW_CELLS of them."""
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
        text = row_text(values)
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


def unreadable(filename: str, what: str, exc: BaseException) -> ApiError:
    """The refusal of a file its library could not read, with the library's reason (cut short)."""
    reason = (str(exc).strip() or exc.__class__.__name__)[:200]
    return ApiError("INVALID_REQUEST", f"{filename}: not a readable {what} ({reason})")
