"""Which of a chat's sources a turn answers from: its database, its spreadsheets or its documents.

Every file sent with an earlier message of the chat's current branch (or with this one) is a source
of the turn, whether or not the turn names it; the passages of all of them, ranked against the
question, go into the TurnContext. The choice between the sources (docs/api.md, "Sources of a turn"):

1. Each source has names: the database its display name, its tables and columns; a spreadsheet
   (CSV, XLSX) its file name, its table and its columns; the documents (every other file) their file
   names. "file", "attached", "csv", "spreadsheet"… name every file, "document", "pdf", "image"… the
   documents. A name is used when all its words are in the question (light stemming; "id" and
   "name" alone are too common to name anything).
2. A source's score is the number of the question's words its used names account for. The
   documents also count the words of their best passage when it holds at least half of the
   question's words (engines/documents.py).
3. The best score wins. A winning spreadsheet brings along the other spreadsheets naming question
   words it does not (a question naming columns of two files): they are joined (joined_tables.py)
   or, when they cannot be, the turn declines naming them. In a tie, the files sent with this very
   question win over the others (attaching a file says what the question is about); a tie left
   between sources that each bring no word of their own, or between a database and files, declines
   with the choices.
4. When nothing is named: the source of the chat's previous answer (a follow-up such as "only
   Sales"), else the only source, else the database (its engine answers or declines on its own),
   else a decline listing the files.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from services.chat.clients.upload import UploadClient
from services.chat.engines.base import Attachment, Database, EngineEvent, Note, Status, TurnContext
from services.chat.engines.documents import best_pieces
from services.chat.engines.passages import words
from services.chat.engines.schema import get_schema
from services.chat.engines.streaming import stream_text
from services.chat.sql.runner import QueryResult, run_query
from services.chat.turns.attachment_tables import FILE_WORDS, TABULAR_TYPES, AttachmentTables
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import turn_pb2
from services.common.jwt_tokens import Principal

log = logging.getLogger(__name__)

PASSAGES = 8
_DOCUMENT_WORDS = re.compile(r"\b(documents?|pdfs?|images?|pictures?|photos?|screenshots?)\b", re.I)
_TOO_COMMON = frozenset({"id", "name"})
# Stand-ins for the generic words, counted as one word each.
_ANY_FILE = "<file>"
_ANY_DOCUMENT = "<document>"

Kind = Literal["database", "table", "documents"]


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    files: tuple[str, ...]  # the file names (none for the database)
    covered: frozenset[str]  # the question's words its names account for
    label: str = ""  # the database's display name
    upload: dict[str, Any] | None = None  # a spreadsheet's upload
    sent: bool = False  # one of its files came with this question


@dataclass(frozen=True)
class Choice:
    """What the turn answers from; `decline` is the answer when it cannot tell."""

    database: bool = False
    tables: tuple[Candidate, ...] = ()
    documents: bool = False
    decline: str = ""
    choices: tuple[str, ...] = field(default=())


def named(question_words: set[str], names: Iterable[str]) -> set[str]:
    """The question's words accounted for by the names it uses (every word of a name present)."""
    covered: set[str] = set()
    for name in names:
        stems = words(re.sub(r"[_\-.]+", " ", name))
        if stems and not stems <= _TOO_COMMON and stems <= question_words:
            covered |= stems
    return covered


def _bold(names: Iterable[str]) -> str:
    return ", ".join(f"**{n}**" for n in names)


def _which(candidates: list[Candidate], *, tied: bool) -> Choice:
    databases = [c.label for c in candidates if c.kind == "database"]
    files = [f for c in candidates for f in c.files]
    parts = [f"the database **{d}**" for d in databases]
    if files:
        parts.append(f"the file{'s' if len(files) > 1 else ''} {_bold(files)}")
    listed = " and ".join(parts)
    if tied:
        text = (
            f"Your question could be about {listed}: it names them equally, so I will not guess. "
            "Which one should I answer from? Name a table, a column or a file that only it has."
        )
    else:
        text = (
            f"This chat has {listed}; which one should I answer from? "
            "Name a table, a column or a file in your question."
        )
    return Choice(decline=text, choices=(*databases, *files))


def choose(candidates: list[Candidate], previous: dict[str, Any] | None = None) -> Choice:
    """The source(s) the question names (see the module doc, rules 3 and 4); `previous` is what the
    chat's previous answer came from (its `metadata.answered_from`)."""
    if not candidates:
        return Choice(database=True)  # nothing to choose: the engine says what it has (or has not)
    best = max(len(c.covered) for c in candidates)
    if best == 0:
        again = _previous(candidates, previous)
        if again is not None:  # a follow-up that names nothing stays with the previous answer's source
            return again
        if len(candidates) == 1:
            return _only(candidates[0])
        if any(c.kind == "database" for c in candidates):
            return Choice(database=True)
        return _which(candidates, tied=False)
    winners = [c for c in candidates if len(c.covered) == best]
    sent = [c for c in winners if c.sent]
    if sent and len(sent) < len(winners):
        winners = sent  # the files attached to the question itself break the tie
    if any(c.kind != "table" for c in winners):
        return _only(winners[0]) if len(winners) == 1 else _which(winners, tied=True)
    group = list(winners)
    for c in group:  # tied spreadsheets must each bring a word of their own, or the tie is a guess
        others = frozenset().union(*(o.covered for o in group if o is not c))
        if len(group) > 1 and c.covered <= others:
            return _which(winners, tied=True)
    covered = frozenset().union(*(c.covered for c in group))
    rest = sorted(
        (c for c in candidates if c.kind == "table" and all(c is not g for g in group)), key=lambda c: -len(c.covered)
    )
    for c in rest:
        if c.covered - covered:
            group.append(c)
            covered |= c.covered
    return Choice(tables=tuple(group))


def _previous(candidates: list[Candidate], previous: dict[str, Any] | None) -> Choice | None:
    kind = (previous or {}).get("kind")
    if kind == "files":
        wanted = list((previous or {}).get("upload_ids") or [])
        by_id = {c.upload["id"]: c for c in candidates if c.upload is not None}
        if wanted and all(i in by_id for i in wanted):
            return Choice(tables=tuple(by_id[i] for i in wanted))
        return None
    same = next((c for c in candidates if c.kind == kind), None)
    return _only(same) if same is not None else None


def answered_from(choice: Choice) -> dict[str, Any]:
    """What an answer's `metadata.answered_from` records, for the next turn's rule 4."""
    if choice.tables:
        return {"kind": "files", "upload_ids": [c.upload["id"] for c in choice.tables if c.upload is not None]}
    return {"kind": "documents" if choice.documents else "database"}


def previous_source(context: TurnContext) -> dict[str, Any] | None:
    """The previous answer's `answered_from`, if the chat's last message is such an answer."""
    last = context.history[-1] if context.history else None
    if last is None or last.role != "assistant":
        return None
    value = last.metadata.get("answered_from")
    return value if isinstance(value, dict) else None


def _only(candidate: Candidate) -> Choice:
    if candidate.kind == "database":
        return Choice(database=True)
    if candidate.kind == "table":
        return Choice(tables=(candidate,))
    return Choice(documents=True)


def unjoinable(tables: Iterable[Candidate]) -> Choice:
    files = [f for c in tables for f in c.files]
    text = (
        f"Your question names columns of {_bold(files)}, but they share no column with unique values "
        "that I could join them on, so I will not combine them. Ask about one file at a time."
    )
    return Choice(decline=text, choices=tuple(files))


async def answering_from(choice: Choice, events: AsyncIterator[EngineEvent]) -> AsyncIterator[EngineEvent]:
    """The engine's answer, its metadata saying which source it came from."""
    yield Note("answered_from", answered_from(choice))
    try:
        async for event in events:
            yield event
    finally:  # closed early (the client went away): close the engine's stream too
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


async def declined(choice: Choice, delay: float) -> AsyncIterator[EngineEvent]:
    """The turn's answer when the source cannot be told: no query runs, the metadata says why."""
    yield Status(turn_pb2.PROCESSING_STATUS_THINKING)
    yield Note("declined", True)
    yield Note("source_choices", list(choice.choices))
    async for delta in stream_text(choice.decline, delay):
        yield delta


class ChatSources:
    """Puts a chat's files into a turn's context and chooses what the turn answers from."""

    def __init__(self, uploads: UploadClient, tables: AttachmentTables, *, query_timeout: float = 15.0) -> None:
        self._uploads = uploads
        self._tables = tables
        self._timeout = query_timeout

    async def attach(
        self,
        who: Principal,
        chat_id: str,
        context: TurnContext,
        uploads: list[dict[str, Any]],
        sent: Collection[str] = (),
    ) -> Choice | None:
        """Passages of every upload into `context`, and `context.database` set to the chosen source;
        None when the chat has no file (nothing to choose between). `sent`: the ids that came with
        the question itself."""
        if not uploads:
            return None
        chunks = await self._uploads.passages(who, chat_id, context.question, [u["id"] for u in uploads], PASSAGES)
        context.attachments = [Attachment(c.upload_id, c.filename, c.text, c.mime_type) for c in chunks]
        question = words(context.question)
        candidates: list[Candidate] = []
        if context.database is not None:
            names = [context.database.display_name, *await self._database_names(context.database)]
            candidates.append(
                Candidate("database", (), frozenset(named(question, names)), label=context.database.display_name)
            )
        any_file = {_ANY_FILE} if FILE_WORDS.search(context.question) else set()
        for upload in (u for u in uploads if u.get("mime_type") in TABULAR_TYPES):
            table = await self._tables.table(who, upload)
            names = [Path(upload["filename"]).stem, table.name, *(c for c, _ in table.columns)]
            covered = named(question, names) | any_file
            candidates.append(
                Candidate("table", (upload["filename"],), frozenset(covered), upload=upload, sent=upload["id"] in sent)
            )
        documents = [u for u in uploads if u.get("mime_type") not in TABULAR_TYPES]
        if documents:
            covered = named(question, [Path(u["filename"]).stem for u in documents]) | any_file
            if _DOCUMENT_WORDS.search(context.question):
                covered.add(_ANY_DOCUMENT)
            pieces = best_pieces(replace(context, attachments=self.document_passages(context)))
            if pieces:
                covered |= question & (pieces[0].body | pieces[0].context)
            files = tuple(u["filename"] for u in documents)
            fresh = any(u["id"] in sent for u in documents)
            candidates.append(Candidate("documents", files, frozenset(covered), sent=fresh))
        choice = choose(candidates, previous_source(context))
        if choice.tables:
            uploads_chosen = [c.upload for c in choice.tables if c.upload is not None]
            if len(uploads_chosen) == 1:
                context.database = await self._tables.database(who, uploads_chosen[0])
            else:
                joined = await self._tables.joined(who, uploads_chosen)
                if joined is None:
                    return unjoinable(choice.tables)
                context.database = joined
        elif choice.documents:
            context.database = None
        return choice

    @staticmethod
    def document_passages(context: TurnContext) -> list[Attachment]:
        return [a for a in context.attachments if a.mime_type not in TABULAR_TYPES]

    async def _database_names(self, db: Database) -> list[str]:
        """The database's table and column names, from the schema cache the engines share."""

        async def query(sql: str) -> QueryResult:
            return await run_query(db.url, sql, timeout=self._timeout, catalog=True)

        try:
            schema = await get_schema(db.url, db.dialect, query)
        except ApiError as err:  # the engine meets the same failure and reports it
            log.info("no schema for the source choice: %s", err.code)
            return []
        return [name for table in schema.tables.values() for name in (table.name, *(c.name for c in table.columns))]
