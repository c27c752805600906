"""Lexical retrieval over upload chunks: SQLite FTS5 (bm25) or PostgreSQL full-text (ts_rank_cd).

Why lexical and not embeddings: no embedding model ships inside a PyPI package at a size and
quality worth carrying (models are downloaded from a hub at run time, which this project does not
do), while both supported databases have a mature full-text engine. It also suits the content:
uploaded tables are matched on column names, codes and figures, where exact terms matter.

A query is reduced to its words (letters and digits), which are OR-ed together and ranked, so
free text can never be read as query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

MAX_TERMS = 32
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    upload_id: str
    filename: str
    index: int
    text: str
    score: float
    mime_type: str


def terms(query: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(query)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


@dataclass(frozen=True)
class Scope:
    """Whose chunks a query sees: one member's uploads in one chat (or only the named ones among
    them), or, with `project_id`, the documents of one project of the organization."""

    organization_id: str
    member_id: str
    chat_id: str
    upload_ids: tuple[str, ...] = ()
    project_id: str = ""

    def where(self) -> str:
        if self.project_id:
            clause = "c.organization_id = :org AND c.project_id = :project"
        else:
            clause = "c.organization_id = :org AND c.member_id = :member AND c.chat_id = :chat"
        if self.upload_ids:
            clause += " AND c.upload_id IN :upload_ids"
        return clause

    def params(self, **extra: object) -> dict[str, object]:
        params: dict[str, object] = {"org": self.organization_id}
        if self.project_id:
            params["project"] = self.project_id
        else:
            params.update(member=self.member_id, chat=self.chat_id)
        if self.upload_ids:
            params["upload_ids"] = list(self.upload_ids)
        return params | extra

    def run(self, conn: Connection, stmt: str, params: dict[str, object]) -> list[Sequence[Any]]:
        query = text(stmt)
        if self.upload_ids:
            query = query.bindparams(bindparam("upload_ids", expanding=True))
        return list(conn.execute(query, params).all())


def search(conn: Connection, scope: Scope, query: str, limit: int) -> list[Hit]:
    words = terms(query)
    if not words:
        return []
    params = scope.params(limit=limit)
    if conn.dialect.name == "sqlite":
        # Each word quoted: FTS5 operators and column filters in the input stay plain words.
        params["q"] = " OR ".join(f'"{w}"' for w in words)
        stmt = f"""
            SELECT c.upload_id, u.filename, c.chunk_index, c.text, -bm25(upload_chunks_fts) AS score, u.mime_type
            FROM upload_chunks_fts
            JOIN upload_chunks c ON c.id = upload_chunks_fts.rowid
            JOIN uploads u ON u.id = c.upload_id
            WHERE upload_chunks_fts MATCH :q AND {scope.where()}
            ORDER BY bm25(upload_chunks_fts), c.upload_id, c.chunk_index
            LIMIT :limit
        """  # noqa: S608 - only fixed SQL fragments are interpolated; values are bound
    else:
        # Lexemes joined with | (OR); words are letters and digits only, so valid tsquery operands.
        # ts_rank_cd alone favours a word repeated over several words matched: the number of
        # distinct query words a chunk contains comes first, the density rank (in [0, 1)) second.
        params["q"] = " | ".join(words)
        coverage = []
        for i, word in enumerate(words):
            params[f"t{i}"] = word
            coverage.append(f"(CASE WHEN c.tsv @@ to_tsquery('english', :t{i}) THEN 1 ELSE 0 END)")
        stmt = f"""
            SELECT c.upload_id, u.filename, c.chunk_index, c.text,
                   {" + ".join(coverage)} + ts_rank_cd(c.tsv, q.query, 32) AS score, u.mime_type
            FROM upload_chunks c
            JOIN uploads u ON u.id = c.upload_id
            CROSS JOIN to_tsquery('english', :q) AS q(query)
            WHERE c.tsv @@ q.query AND {scope.where()}
            ORDER BY score DESC, c.upload_id, c.chunk_index
            LIMIT :limit
        """  # noqa: S608 - only fixed SQL fragments are interpolated; values are bound
    return [Hit(r[0], r[1], int(r[2]), r[3], float(r[4]), r[5]) for r in scope.run(conn, stmt, params)]


def leading_chunks(conn: Connection, scope: Scope, limit: int) -> list[Hit]:
    """The first chunks of each upload in scope, taken in turn (score 0: not a match, just context)."""
    stmt = f"""
        SELECT c.upload_id, u.filename, c.chunk_index, c.text, u.mime_type
        FROM upload_chunks c JOIN uploads u ON u.id = c.upload_id
        WHERE {scope.where()} AND c.chunk_index < :limit
        ORDER BY c.chunk_index, c.upload_id
        LIMIT :limit
    """  # noqa: S608 - only fixed SQL fragments are interpolated; values are bound
    return [Hit(r[0], r[1], int(r[2]), r[3], 0.0, r[4]) for r in scope.run(conn, stmt, scope.params(limit=limit))]
