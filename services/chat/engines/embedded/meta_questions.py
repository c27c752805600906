"""Questions about the database itself rather than its data: which tables there are, how many rows
each holds, and what columns a table (or every table) has."""

from __future__ import annotations

import re

from services.chat.engines.embedded.lexicon import Lexicon, Token
from services.chat.engines.embedded.linking import link
from services.chat.engines.embedded.query_spec import MetaRequest
from services.chat.engines.schema import Schema


def meta_request(
    schema: Schema,
    lexicon: Lexicon,
    text: str,
    tokens: list[Token],
    taken: set[int],
    chart_type: str | None,
    chart_asked: bool,
) -> MetaRequest | None:
    """The schema question `text` asks, or None when it asks about the data."""
    words = [t.text for i, t in enumerate(tokens) if i not in taken]
    wordset = set(words)
    named = _named_tables(lexicon, tokens, taken)
    tables_word = bool(wordset & {"tables", "table"})
    all_tables = bool(
        re.search(r"\b(each|every|per|all|all the|by|the|your|of the|different)\s+tables?\b", text)
        or re.search(r"\btables\b", text)
    )
    size_words = bool(
        wordset & {"rows", "row", "records", "record", "entries", "size", "sizes", "big", "large"}
        or re.search(r"\bhow many\b|\bnumber of\b|\bcounts?\b", text)
    )
    if tables_word and all_tables and size_words and not named:
        return MetaRequest("row_counts", chart_type=chart_type, chart_wanted=chart_asked)
    column_words = wordset & {"columns", "column", "fields", "field", "attributes", "schema", "structure"}
    describe = bool(re.search(r"\b(describe|definition of|what is in|what's in|whats in|look like)\b", text))
    if named and (column_words or describe) and not re.search(r"\bhow many\b", text):
        return MetaRequest("columns", tables=named)
    if column_words and not named and re.search(r"\b(what|which|list|show)\b", text) and not size_words:
        if "tables" in wordset or re.search(r"\b(database|schema)\b", text):
            return MetaRequest("columns", tables=sorted(schema.tables))
    if ("tables" in wordset or re.search(r"\bwhat (data|information)\b", text)) and not named:
        if re.search(r"\b(what|which|list|show|name|tell|are there|have|available|exist)\b", text):
            return MetaRequest("tables", chart_type=chart_type, chart_wanted=chart_asked)
    if re.search(
        r"\b(describe|schema of)\s+(the\s+)?(database|schema)\b|\bwhat(?:'s| is)? in (the|this|your|my) database\b",
        text,
    ):
        return MetaRequest("tables")
    return None


def _named_tables(lexicon: Lexicon, tokens: list[Token], taken: set[int]) -> list[str]:
    """The tables the question names outright (not through one of their values)."""
    out: list[str] = []
    items = link(tokens, set(taken), lexicon)
    for item in items:
        tables = [t for t in item.targets if t.kind == "table"]
        if tables and not item.of_kind("value"):
            best = max(tables, key=lambda t: t.weight)
            if best.table not in out:
                out.append(best.table)
    return out
