"""Plain text and Markdown (a project's documents): UTF-8 checked to the last byte, indexed by lines.

Each chunk is headed by where its lines are: `notes.md, lines 3–17`, and in Markdown the heading
they fall under, `notes.md, section “Returns”, lines 12–20` (a heading starts a new chunk).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from services.common.errors import ApiError
from services.upload import content_types as ct
from services.upload.parsers.chunking import CHUNK_CHARS, ChunkWriter, Parsed

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_HEADER_ROOM = 120  # what a chunk's header may take of CHUNK_CHARS


def _lines(path: Path, filename: str) -> Iterator[str]:
    """The file's lines as UTF-8 (BOM dropped), read incrementally; a bad byte is a clear refusal."""
    with path.open("r", encoding="utf-8-sig", errors="strict", newline=None) as fh:
        try:
            for line in fh:
                if "\x00" in line:
                    raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: the file is binary, not text")
                yield line.rstrip("\n")
        except UnicodeDecodeError as exc:
            raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{filename}: a text file must be UTF-8 ({exc.reason})") from None


class _Section:
    """Consecutive lines under one heading, written as chunks headed by their line span."""

    def __init__(self, writer: ChunkWriter, filename: str) -> None:
        self.writer = writer
        self.filename = filename
        self.heading = ""
        self.lines: list[tuple[int, str]] = []
        self.size = 0

    def add(self, number: int, line: str) -> None:
        if self.lines and self.size + len(line) > CHUNK_CHARS - _HEADER_ROOM:
            self.flush()
        self.lines.append((number, line))
        self.size += len(line) + 1

    def flush(self) -> None:
        if not self.lines:
            return
        first, last = self.lines[0][0], self.lines[-1][0]
        span = f"line {first}" if first == last else f"lines {first}–{last}"
        where = f"section “{self.heading}”, {span}" if self.heading else span
        self.writer.section(f"{self.filename}, {where}")
        for _, line in self.lines:
            if not self.writer.add(line):
                break
        self.writer.flush()
        self.lines, self.size = [], 0


def parse_text(path: Path, mime: str, filename: str) -> Parsed:
    out = Parsed()
    writer = ChunkWriter(out)
    section = _Section(writer, filename)
    markdown = mime == ct.MARKDOWN
    for number, line in enumerate(_lines(path, filename), start=1):
        if writer.full:
            out.truncated = True
            continue  # the rest is still read: the whole file must be UTF-8
        if not line.strip():
            continue
        heading = _HEADING.match(line) if markdown else None
        if heading:
            section.flush()
            section.heading = heading.group(1)[:200]
        section.add(number, line.strip())
    section.flush()
    if not out.chunks:
        out.add(f"{filename}: an empty text file")
    return out
