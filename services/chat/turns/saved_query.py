"""A turn that runs a saved query's SQL directly, bypassing the engine (docs/api.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from services.chat.engines.base import Database, EngineEvent, Note, Status, Viz
from services.chat.engines.charts import table_visualization
from services.chat.engines.streaming import stream_text
from services.chat.sql.parameters import bind
from services.chat.sql.runner import run_query
from services.chat.sql.safety import check_read_only
from services.chat.storage.models import SavedQuery
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import turn_pb2


def prepare_saved_sql(query: SavedQuery, values: dict[str, Any], database: Database | None) -> tuple[str, dict]:
    """Everything that can refuse the request, done before the stream starts."""
    if query.sql is None:
        bind("", values)  # a prompt-only query takes no parameters: extras are refused
        return "", {}
    if database is None:
        raise ApiError(
            "INVALID_REQUEST", "integration_id: this saved query runs SQL, so the chat needs a database integration"
        )
    sql, params = bind(query.sql, values)  # values become bind parameters, never SQL text
    check_read_only(sql, database.dialect, max_rows=1)
    return sql, params


async def saved_query_events(
    query: SavedQuery,
    sql: str,
    params: dict[str, Any],
    database: Database,
    *,
    query_timeout: float,
    stream_delay: float,
) -> AsyncIterator[EngineEvent]:
    yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
    result = await run_query(database.url, sql, params, timeout=query_timeout)
    yield Note("sql", sql)
    yield Note("saved_query_id", query.id)
    yield Viz(table_visualization(result, query.title))
    count = f"{result.total_rows:,} rows" if result.truncated else f"{len(result.rows):,} rows"
    text = f"Ran the saved query **{query.title}**: {count}.\n\n```sql\n{sql}\n```"
    if result.notice:  # the byte caps cut values or rows: say so, and keep it on the message
        yield Note("truncated", result.notice)
        text = f"Ran the saved query **{query.title}**: {count}. {result.notice}\n\n```sql\n{sql}\n```"
    async for delta in stream_text(text, stream_delay):
        yield delta
