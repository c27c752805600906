"""Document passages as citable pieces: the sentences of prose and the rows of a table, each with the
place in its file it comes from, and the words a question and a piece are compared on.

A passage is a chunk the Upload service indexed. It heads each chunk with its place in the file:
`report.pdf, page 3 of 9`, `sales.csv, lines 2–14; columns: region | amount`,
`book.xlsx, sheet 'Q1', rows 2–9; columns: …`, `notes.md, section “Warranty”, lines 12–20`. A chunk
without such a header (an image's caption) is cited by its file name alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.chat.engines.base import Attachment

TABLE_TYPES = frozenset({"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
MAX_PIECE_CHARS = 500  # a quote longer than this is cut (with an ellipsis)
_HEADING_WORDS = 6  # a line this short without closing punctuation reads as a heading

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_SPAN = re.compile(r"^(?P<prefix>.*?)(?P<unit>lines?|rows?) (?P<first>\d+)(?:–(?P<last>\d+))?$")
# Words that ask rather than name: they never make a passage relevant.
STOP_WORDS = frozenset(
    """
    a about above after all also am an and any are as at be been being below between both but by can could
    did do does doing done during each either else ever every few for from had has have having he her here
    hers him his how i if in into is it its itself just let me might more most much must my no nor not of
    off on once only or other our ours out over own per please same shall she should since so some such
    than that the their theirs them then there these they this those through to too under until up upon us
    very was we were what whatever when where whether which while who whom whose why will with within
    without would you your yours
    answer ask document documents file files find give know let list mention mentioned project say says
    show tell
    """.split()
)


def stem(word: str) -> str:
    """A light English stem, enough to match "warranties" with "warranty" and "covered" with "covers"."""
    w = word.lower().removesuffix("'s")
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            if suffix == "es" and not re.search(r"(s|x|z|ch|sh)es$", w):
                continue
            return w[: len(w) - len(suffix)] + keep
    return w


def words(text: str) -> set[str]:
    """The stems of the words of `text` that name something (not the ones that only ask)."""
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in STOP_WORDS}


@dataclass(frozen=True)
class Piece:
    """A quotable sentence or table row, with where it is."""

    document_id: str
    filename: str
    location: str  # "page 2", "line 4", "sheet 'Q1', row 7", "lines 3–17"; "" for a whole-file chunk
    text: str  # what is quoted: the sentence, or the row as "column: value · column: value"
    body: frozenset[str]  # the words that must match: the sentence's, or the row's cells'
    context: frozenset[str]  # words that count only next to a body match: file name, column names
    rank: int  # the passage's rank in the search (0: best)
    table: bool = False  # a table's row (else a sentence of prose, or a caption)

    @property
    def citation(self) -> str:
        return f"{self.filename}, {self.location}" if self.location else self.filename

    def source(self) -> dict[str, Any]:
        """The piece's entry in the answer's metadata.sources."""
        return {"document_id": self.document_id, "filename": self.filename, "location": self.location}


def _file_words(filename: str) -> frozenset[str]:
    return frozenset(words(Path(filename).stem.replace("_", " ").replace("-", " ")))


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_PIECE_CHARS else text[: MAX_PIECE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Passage:
    """A search hit: its document, the place its header names, and its lines (header removed)."""

    document_id: str
    filename: str
    mime_type: str
    location: str
    columns: list[str]
    lines: list[str]
    rank: int

    @classmethod
    def of(cls, attachment: Attachment, rank: int) -> Passage:
        head, _, rest = attachment.text.partition("\n")
        location, columns, lines = "", [], attachment.text.splitlines()
        if head.startswith(f"{attachment.filename}, "):
            location, _, column_part = head.removeprefix(f"{attachment.filename}, ").partition("; columns: ")
            columns = [c.strip() for c in column_part.split(" | ")] if column_part else []
            lines = rest.splitlines()
        return cls(attachment.upload_id, attachment.filename, attachment.mime_type, location, columns, lines, rank)

    @property
    def citation_location(self) -> str:
        return re.sub(r"^page (\d+) of \d+$", r"page \1", self.location)

    def pieces(self) -> list[Piece]:
        if self.columns:
            return self._rows()
        context = _file_words(self.filename)
        where = self.citation_location
        return [
            Piece(self.document_id, self.filename, where, _cut(s), frozenset(words(s)), context, self.rank)
            for paragraph in _paragraphs(self.lines)
            for s in _SENTENCE_END.split(paragraph)
            if s.strip()
        ]

    def _rows(self) -> list[Piece]:
        """One piece per row; each cited by its own line or row number when the chunk's span is exact."""
        rows = [line for line in self.lines if line.strip()]
        span = _SPAN.match(self.location)
        first = int(span["first"]) if span else 0
        exact = span is not None and len(rows) == int(span["last"] or first) - first + 1
        context = _file_words(self.filename) | frozenset(words(" ".join(self.columns)))
        out = []
        for i, row in enumerate(rows):
            cells = [c.strip() for c in row.split(" | ")]
            location = self.location
            if span is not None and exact:
                location = f"{span['prefix']}{span['unit'].rstrip('s')} {first + i}"
            shown = " · ".join(f"{name}: {value}" for name, value in zip(self.columns, cells, strict=False) if value)
            body, quoted = frozenset(words(row)), _cut(shown or row)
            out.append(Piece(self.document_id, self.filename, location, quoted, body, context, self.rank, table=True))
        return out


def _heading(line: str, following: str) -> bool:
    """A line that reads as a heading: short, without closing punctuation, not ending on a word that
    asks for more, and followed by a line that starts a sentence."""
    return (
        len(line.split()) <= _HEADING_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and line.split()[-1].lower() not in STOP_WORDS
        and following[:1].isupper()
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined back into running text (a PDF breaks sentences across lines), except after a heading."""
    kept = [line.strip() for line in lines if line.strip()]
    out: list[str] = []
    current: list[str] = []
    for i, line in enumerate(kept):
        current.append(line)
        if i + 1 < len(kept) and _heading(line, kept[i + 1]):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def passages(attachments: Iterable[Attachment]) -> list[Passage]:
    return [Passage.of(a, rank) for rank, a in enumerate(attachments)]


def table_document(attachments: Iterable[Attachment]) -> Attachment | None:
    """The best-ranked passage from a table (CSV, XLSX): the document a turn may query with SQL."""
    return next((a for a in attachments if a.mime_type in TABLE_TYPES), None)


def sources(attachments: Iterable[Attachment]) -> list[dict[str, Any]]:
    """metadata.sources for passages given as context: each document and place once, best first."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for passage in passages(attachments):
        key = (passage.document_id, passage.citation_location)
        out.setdefault(key, {"document_id": passage.document_id, "filename": passage.filename, "location": key[1]})
    return list(out.values())


def label(attachment: Attachment) -> str:
    """How a passage is named to a model, and how it should cite it: "report.pdf, page 3"."""
    passage = Passage.of(attachment, 0)
    return f"{passage.filename}, {passage.citation_location}" if passage.location else passage.filename
