"""A turn of a chat on a document project: answered from the project's documents, with citations.

The turn brings the passages of the project's documents that best match the question (the Upload
service's full-text ranking) and, when one of them comes from a CSV or XLSX document, that table as a
database (turns/project_sources.py). Then:

- An OpenAI-compatible model gets the passages in its prompt (engines/openai/prompt.py), and the
  table through its SQL tools; the answer's metadata.sources lists the passages it was given.
- The embedded engine answers extractively. The passages are cut into sentences and table rows, and
  each is scored by how many of the question's words it holds (a row must match by a cell, not only
  by its column names). When the best piece is a table's row, or nothing matches but a table is
  there, the embedded NL→SQL engine is asked over that table first (a question such as "total
  stock" is a query, not a quote); it answers only when it can map the question, and then the
  table is cited. Otherwise the best pieces are quoted, each followed by its file and page, sheet,
  row or lines. When no piece holds at least half of the question's words, the turn declines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from services.chat.engines.base import EMBEDDED_MODEL_ID, Engine, EngineEvent, Note, Status, TurnContext
from services.chat.engines.passages import Piece, passages, sources, table_document, words
from services.chat.engines.streaming import stream_text
from services.common.gen.trellis.v1 import turn_pb2

MIN_COVERAGE = 0.5  # the share of the question's words a quoted piece must hold
MAX_QUOTES = 3


def _coverage(piece: Piece, wanted: set[str]) -> float:
    """The share of `wanted` the piece holds; 0 unless its body (the sentence, the row's cells) matches."""
    body = wanted & piece.body
    if not body:
        return 0.0
    return len(body | (wanted & piece.context)) / len(wanted)


def best_pieces(ctx: TurnContext) -> list[Piece]:
    """The pieces worth quoting, best first: those holding enough of the question's words."""
    wanted = words(ctx.question)
    if not wanted:
        return []
    scored = [(_coverage(p, wanted), p) for passage in passages(ctx.attachments) for p in passage.pieces()]
    scored = [(c, p) for c, p in scored if c >= MIN_COVERAGE]
    if not scored:
        return []
    scored.sort(key=lambda item: (-item[0], item[1].rank, len(item[1].text)))
    top = scored[0][0]
    kept: list[Piece] = []
    for coverage, piece in scored:
        if coverage < max(MIN_COVERAGE, top * 0.75) or len(kept) == MAX_QUOTES:
            break
        if all(piece.text != k.text for k in kept):
            kept.append(piece)
    return kept


def quoted_answer(project: str, pieces: list[Piece]) -> str:
    """The pieces quoted, each followed by where it comes from."""
    blocks = [f"> {piece.text}\n> — *{piece.citation}*" for piece in pieces]
    intro = f"From the documents of **{project}**:" if project else "From the documents:"
    return "\n\n".join([intro, *blocks])


def decline_text(project: str) -> str:
    where = f"the documents of **{project}**" if project else "this chat's documents"
    return (
        f"I could not find anything in {where} that answers this question, so I will not guess. "
        "Ask about something the documents cover, or ask an admin to add a document that does."
    )


class DocumentAnswers:
    """Answers a project chat's turn with `engine` (see the module doc)."""

    def __init__(self, *, stream_delay: float = 0.0) -> None:
        self._delay = stream_delay

    def answer(self, engine: Engine, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        if engine.model_id == EMBEDDED_MODEL_ID:
            return self._extractive(engine, ctx)
        return self._with_model(engine, ctx)

    async def _with_model(self, engine: Engine, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        async for event in engine.answer(ctx):
            yield event
        if ctx.attachments:
            yield Note("sources", sources(ctx.attachments))

    async def _extractive(self, engine: Engine, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        yield Status(turn_pb2.PROCESSING_STATUS_THINKING)
        pieces = best_pieces(ctx)
        table = table_document(ctx.attachments)
        if ctx.database is not None and table is not None and (not pieces or pieces[0].table):
            answered = await self._query_table(engine, ctx)
            if answered is not None:
                for event in answered:
                    if not (isinstance(event, Status) and event.status == turn_pb2.PROCESSING_STATUS_THINKING):
                        yield event  # (thinking was said already)
                async for delta in stream_text(f"\n\nSource: *{table.filename}*.", self._delay):
                    yield delta
                yield Note("sources", [{"document_id": table.upload_id, "filename": table.filename, "location": ""}])
                return
        text = quoted_answer(ctx.project, pieces) if pieces else decline_text(ctx.project)
        async for delta in stream_text(text, self._delay):
            yield delta
        if pieces:
            yield Note("sources", [piece.source() for piece in pieces])

    @staticmethod
    async def _query_table(engine: Engine, ctx: TurnContext) -> list[EngineEvent] | None:
        """The embedded engine's answer over the table, if it could map the question to a query."""
        events = [event async for event in engine.answer(replace(ctx, attachments=[]))]
        ran_sql = any(isinstance(e, Note) and e.key == "sql" for e in events)
        return events if ran_sql else None
