"""The embedded engine: answers from the connected database with no network and no model weights.

This first version maps a few question shapes onto the schema (row counts, listing a table,
which tables exist); it says what it can do instead of guessing when a question does not fit.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from google.protobuf import struct_pb2

from services.chat.engines.base import Database, EngineEvent, Note, Status, TurnContext, Viz
from services.chat.engines.streaming import stream_text, visualization_id
from services.chat.sql_runner import QueryResult, run_query
from services.common.gen.trellis.v1 import turn_pb2

MODEL_ID = "embedded-sql"

_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    "ORDER BY table_name",
    "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = database() ORDER BY table_name",
    "duckdb": "SELECT table_name FROM information_schema.tables ORDER BY table_name",
}
_COUNT = re.compile(
    r"\bhow many\s+(?:rows\s+)?(?:are\s+)?(?:there\s+)?(?:in\s+|of\s+)?(?:the\s+)?(?P<t>[\w ]+?)[?.!]*$"
)
_SHOW = re.compile(r"\b(?:show|list|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?(?P<t>[\w ]+?)[?.!]*$")
_WHICH_TABLES = re.compile(r"\b(?:what|which|list|show)\b.*\btables?\b")


def quote_ident(name: str, dialect: str) -> str:
    q = "`" if dialect == "mysql" else '"'
    return q + name.replace(q, q + q) + q


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    return word


def match_table(words: str, tables: list[str]) -> str | None:
    """The table a phrase names: exact, singular/plural, spaces for underscores."""
    wanted = words.strip().lower().replace(" ", "_")
    by_form: dict[str, str] = {}
    for table in tables:
        low = table.lower()
        by_form.setdefault(low, table)
        by_form.setdefault(_singular(low), table)
    return by_form.get(wanted) or by_form.get(_singular(wanted))


def table_visualization(result: QueryResult, title: str) -> turn_pb2.Visualization:
    table = turn_pb2.Table(title=title, headers=result.columns, truncated=result.truncated)
    if result.truncated:
        table.total_rows = result.total_rows
    for row in result.rows:
        table.rows.append(struct_pb2.ListValue(values=[_value(v) for v in row]))
    return turn_pb2.Visualization(id=visualization_id(), table=table)


def _value(v: object) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if v is None:
        out.null_value = struct_pb2.NULL_VALUE
    elif isinstance(v, bool):
        out.bool_value = v
    elif isinstance(v, int | float):
        out.number_value = float(v)
    else:
        out.string_value = str(v)
    return out


class EmbeddedEngine:
    model_id = MODEL_ID
    display_name = "Embedded SQL engine"
    description = "Runs offline on this server: answers questions about the connected database, no API key needed."

    def __init__(self, *, stream_delay: float = 0.0, query_timeout: float = 15.0) -> None:
        self._delay = stream_delay
        self._timeout = query_timeout

    async def _query(self, db: Database, sql: str) -> QueryResult:
        return await run_query(db.url, sql, timeout=self._timeout)

    async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        yield Status(turn_pb2.PROCESSING_STATUS_THINKING)
        db = ctx.database
        if db is None:
            text = (
                "This chat has no database connected, so I cannot look anything up. Create the chat with an "
                "`integration_id` (see `GET /v1/integrations`) or pass one with your message."
            )
            async for delta in stream_text(text, self._delay):
                yield delta
            return
        question = ctx.question.strip().lower()
        tables = [
            str(row[0]) for row in (await self._query(db, _TABLES_SQL.get(db.dialect, _TABLES_SQL["sqlite"]))).rows
        ]
        yield Status(turn_pb2.PROCESSING_STATUS_ANALYZING)
        if _WHICH_TABLES.search(question):
            async for event in self._list_tables(db, tables):
                yield event
            return
        for pattern, handler in ((_COUNT, self._count), (_SHOW, self._show)):
            found = pattern.search(question)
            table = match_table(found.group("t"), tables) if found else None
            if table:
                async for event in handler(db, table):
                    yield event
                return
        examples = ", ".join(f"“how many rows are in {t}”" for t in tables[:2])
        text = (
            f"I can't map that question onto the {db.display_name} database yet. I can answer questions such as "
            f"{examples}, “show {tables[0] if tables else 'a table'}” or “which tables are there?”."
        )
        async for delta in stream_text(text, self._delay):
            yield delta

    async def _count(self, db: Database, table: str) -> AsyncIterator[EngineEvent]:
        sql = f"SELECT COUNT(*) AS row_count FROM {quote_ident(table, db.dialect)}"  # noqa: S608 - identifier quoted
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        result = await self._query(db, sql)
        count = int(result.rows[0][0])
        yield Note("sql", sql)
        async for delta in stream_text(f"The **{table}** table has {count:,} rows.\n\n```sql\n{sql}\n```", self._delay):
            yield delta

    async def _show(self, db: Database, table: str) -> AsyncIterator[EngineEvent]:
        sql = f"SELECT * FROM {quote_ident(table, db.dialect)}"  # noqa: S608 - identifier quoted
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        result = await self._query(db, sql)
        yield Note("sql", result.sql)
        yield Viz(table_visualization(result, table))
        shown = len(result.rows)
        more = f" (of {result.total_rows:,} matching)" if result.truncated else ""
        text = f"Here are {shown:,} rows of **{table}**{more}.\n\n```sql\n{result.sql}\n```"
        async for delta in stream_text(text, self._delay):
            yield delta

    async def _list_tables(self, db: Database, tables: list[str]) -> AsyncIterator[EngineEvent]:
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        counts = []
        for table in tables:
            sql = f"SELECT COUNT(*) FROM {quote_ident(table, db.dialect)}"  # noqa: S608
            counts.append(int((await self._query(db, sql)).rows[0][0]))
        result = QueryResult(
            columns=["table", "rows"],
            rows=[[t, c] for t, c in zip(tables, counts, strict=True)],
            total_rows=len(tables),
            truncated=False,
            sql="",
        )
        yield Viz(table_visualization(result, "Tables"))
        listing = ", ".join(f"{t} ({c:,} rows)" for t, c in zip(tables, counts, strict=True))
        async for delta in stream_text(
            f"The {db.display_name} database has {len(tables)} tables: {listing}.", self._delay
        ):
            yield delta
