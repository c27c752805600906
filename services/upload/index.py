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
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

MAX_TERMS = 32
MAX_LIMIT = 50
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    upload_id: str
    filename: str
    index: int
    text: str
    score: float


def terms(query: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(query)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def _owner_filter(upload_ids: list[str]) -> str:
    clause = "c.organization_id = :org AND c.member_id = :member AND c.chat_id = :chat"
    if upload_ids:
        clause += " AND c.upload_id IN :upload_ids"
    return clause


def _bind(stmt: str, upload_ids: list[str]) -> object:
    out = text(stmt)
    if upload_ids:
        out = out.bindparams(bindparam("upload_ids", expanding=True))
    return out


def search(
    conn: Connection,
    org_id: str,
    member_id: str,
    chat_id: str,
    query: str,
    upload_ids: list[str],
    limit: int,
) -> list[Hit]:
    words = terms(query)
    if not words:
        return []
    params: dict[str, object] = {"org": org_id, "member": member_id, "chat": chat_id, "limit": limit}
    if upload_ids:
        params["upload_ids"] = upload_ids
    if conn.dialect.name == "sqlite":
        # Each word quoted: FTS5 operators and column filters in the input stay plain words.
        params["q"] = " OR ".join(f'"{w}"' for w in words)
        stmt = f"""
            SELECT c.upload_id, u.filename, c.chunk_index, c.text, -bm25(upload_chunks_fts) AS score
            FROM upload_chunks_fts
            JOIN upload_chunks c ON c.id = upload_chunks_fts.rowid
            JOIN uploads u ON u.id = c.upload_id
            WHERE upload_chunks_fts MATCH :q AND {_owner_filter(upload_ids)}
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
                   {" + ".join(coverage)} + ts_rank_cd(c.tsv, q.query, 32) AS score
            FROM upload_chunks c
            JOIN uploads u ON u.id = c.upload_id
            CROSS JOIN to_tsquery('english', :q) AS q(query)
            WHERE c.tsv @@ q.query AND {_owner_filter(upload_ids)}
            ORDER BY score DESC, c.upload_id, c.chunk_index
            LIMIT :limit
        """  # noqa: S608 - only fixed SQL fragments are interpolated; values are bound
    rows = conn.execute(_bind(stmt, upload_ids), params).all()  # type: ignore[arg-type]
    return [Hit(r[0], r[1], int(r[2]), r[3], float(r[4])) for r in rows]


def leading_chunks(
    conn: Connection, org_id: str, member_id: str, chat_id: str, upload_ids: list[str], limit: int
) -> list[Hit]:
    """The first chunks of each named upload, taken in turn (score 0: not a match, just context)."""
    params = {"org": org_id, "member": member_id, "chat": chat_id, "upload_ids": upload_ids, "limit": limit}
    stmt = f"""
        SELECT c.upload_id, u.filename, c.chunk_index, c.text
        FROM upload_chunks c JOIN uploads u ON u.id = c.upload_id
        WHERE {_owner_filter(upload_ids)} AND c.chunk_index < :limit
        ORDER BY c.chunk_index, c.upload_id
        LIMIT :limit
    """  # noqa: S608 - only fixed SQL fragments are interpolated; values are bound
    rows = conn.execute(_bind(stmt, upload_ids), params).all()  # type: ignore[arg-type]
    return [Hit(r[0], r[1], int(r[2]), r[3], 0.0) for r in rows]
