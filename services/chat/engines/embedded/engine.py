"""The embedded engine: answers from the connected database with no network and no model weights.

It introspects the schema (cached per integration, see schema.py), maps the question onto it
(nl_parser.py: tables, columns and values by name, join paths from foreign keys, dates relative
to today), builds one read-only query (sql_builder.py), runs it through the safety-checked
runner, and answers with the numbers, the SQL, a table and — when asked — a chart. A question it
cannot map gets an honest "I can't" with questions it can answer about this schema.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

from services.chat.engines.base import EMBEDDED_MODEL_ID, Database, EngineEvent, Note, Status, TurnContext, Viz
from services.chat.engines.charts import chart_visualization, choose_chart, table_visualization
from services.chat.engines.embedded import followups
from services.chat.engines.embedded.answer_periods import comparison_answer, growth_answer
from services.chat.engines.embedded.answer_text import (
    definition_notes,
    grouped_answer,
    measure_text,
    rows_answer,
    scalar_answer,
)
from services.chat.engines.embedded.built import Built
from services.chat.engines.embedded.declining import database_phrase, decline_text, sentence
from services.chat.engines.embedded.followup_context import FOLLOWUP_OF, INTERPRETATION, lead, previous_spec
from services.chat.engines.embedded.followup_signal import NO_CONTEXT, followup_signal
from services.chat.engines.embedded.lexicon import Lexicon
from services.chat.engines.embedded.nl_parser import Parser
from services.chat.engines.embedded.query_spec import MetaRequest, Spec, Unmapped
from services.chat.engines.embedded.row_labels import describe_group, entity_name, label_columns
from services.chat.engines.embedded.spec_codec import storable
from services.chat.engines.embedded.sql_builder import CannotBuildError, SqlBuilder
from services.chat.engines.embedded.sql_dialect import ident, literal
from services.chat.engines.embedded.synonyms import synonyms_from
from services.chat.engines.schema import Schema, get_schema, invalidate_schema
from services.chat.engines.streaming import stream_text
from services.chat.sql.runner import QueryResult, run_query
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import turn_pb2

log = logging.getLogger(__name__)

MAX_META_TABLES = 200
MAX_COMPILED = 64


@dataclass
class _Compiled:
    schema: Schema
    parser: Parser
    builder: SqlBuilder


_compiled: dict[str, _Compiled] = {}


def _compile(url: str, schema: Schema) -> _Compiled:
    cached = _compiled.get(url)
    if cached is not None and cached.schema is schema:
        return cached
    lexicon = Lexicon(schema)
    parser = Parser(schema, lexicon)
    compiled = _Compiled(schema, parser, SqlBuilder(schema, parser.graph))
    _compiled.pop(url, None)
    _compiled[url] = compiled
    while len(_compiled) > MAX_COMPILED:
        _compiled.pop(next(iter(_compiled)))
    return compiled


_CITE_SOURCE = re.compile(r"\b(cite|name|mention|state|include|give|show)\b.{0,40}\b(data )?sources?\b", re.I)


def cites_source(rules: list[str]) -> bool:
    return any(_CITE_SOURCE.search(rule) for rule in rules)


class EmbeddedEngine:
    model_id = EMBEDDED_MODEL_ID
    display_name = "Embedded SQL engine"
    description = "Runs offline on this server: answers questions about the connected database, no API key needed."

    def __init__(self, *, stream_delay: float = 0.0, query_timeout: float = 15.0) -> None:
        self._delay = stream_delay
        self._timeout = query_timeout

    async def _query(self, db: Database, sql: str) -> QueryResult:
        # The engine writes its own SQL from the schema (no user SQL), and introspection reads catalogs.
        return await run_query(db.url, sql, timeout=self._timeout, catalog=True)

    async def schema(self, db: Database, *, refresh: bool = False) -> Schema:
        async def query(sql: str) -> QueryResult:
            return await self._query(db, sql)

        return await get_schema(db.url, db.dialect, query, refresh=refresh)

    async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        async for event in self._answer(ctx):
            yield event
        if ctx.database is not None and cites_source(ctx.organization_rules):
            # An organization rule the engine can honour: name where the figures come from.
            async for delta in stream_text(f"\n\nSource: {ctx.database.display_name}.", self._delay):
                yield delta

    async def _answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
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
        schema = await self.schema(db)
        compiled = _compile(db.url, schema)
        yield Status(turn_pb2.PROCESSING_STATUS_ANALYZING)
        today = ctx.today or date.today()
        synonyms = synonyms_from([*ctx.organization_rules, *ctx.memories], compiled.parser.lexicon)
        parsed = compiled.parser.parse(ctx.question, today, synonyms)
        if isinstance(parsed, MetaRequest):
            handler = self._columns if parsed.kind == "columns" else self._tables
            async for event in handler(db, schema, parsed):
                yield event
            return
        followed: str | None = None  # the previous answer this one follows on from, summed up
        # a refusal with an explanation of its own (an empty date range) stands; any other question that
        # cannot stand alone is read against the previous answer
        refused = isinstance(parsed, Unmapped) and bool(parsed.explanation)
        signal = "" if refused else followup_signal(compiled.parser, ctx.question, parsed, today)
        context = previous_spec(ctx.history, schema) if signal else None
        if context is not None:
            previous, followed = context
            parsed = followups.read(compiled.parser, previous, ctx.question, parsed, today, synonyms)
        elif signal == "refers":
            parsed = NO_CONTEXT  # "their", "those", a bare value: of what, nothing says
        if isinstance(parsed, Unmapped):
            async for event in self._unmapped(db, schema, parsed, followed):
                yield event
            return
        try:
            built = compiled.builder.build(parsed)
        except CannotBuildError as exc:
            log.info("embedded engine could not build SQL: %s", exc)
            async for event in self._unmapped(db, schema, Unmapped(str(exc)), followed):
                yield event
            return
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        try:
            result = await self._query(db, built.sql)
        except ApiError as exc:
            if exc.code != "QUERY_FAILED":
                raise
            # The schema may have changed under the cache: forget it so the next question reloads it.
            invalidate_schema(db.url)
            text = (
                f"I could not run the query I built for that question: the database said “{exc.detail}”. "
                f"The schema may have changed; ask again and I will read it afresh.\n\n```sql\n{built.sql}\n```"
            )
            yield Note("sql", built.sql)
            async for delta in stream_text(text, self._delay):
                yield delta
            return
        yield Note("sql", built.sql)
        # the exact figures: the text and the visualizations show them rounded for reading
        yield Note("result", {"columns": list(result.columns), "rows": [list(row) for row in result.rows]})
        # what the answer understood, stored so that a follow-on can be read as an edit of it
        stored = storable(parsed)
        if stored is not None:
            yield Note(INTERPRETATION, stored)
        if followed is not None:
            yield Note(FOLLOWUP_OF, followed)
        for viz in self._visualizations(parsed, built, schema, result):
            yield Viz(viz)
        if parsed.kind == "rows":
            text = rows_answer(parsed, schema, result)
        elif parsed.compare is not None:
            text = comparison_answer(parsed, built, result, schema)
        elif parsed.growth:
            text = growth_answer(parsed, built, result, schema)
        elif parsed.groups:
            text = grouped_answer(parsed, built, result, schema)
        else:
            text = scalar_answer(parsed, result, schema)
        text += definition_notes(parsed, schema)
        if result.cells_cut:  # values cut by QUERY_MAX_CELL_BYTES: say so (row cuts are reported above)
            text += " " + result.notice
            yield Note("truncated", result.notice)
        if parsed.readings:
            text += f" ({'; '.join(parsed.readings)}.)"
        if followed is not None:
            text = f"{lead(parsed, schema)}\n\n{text}"
        async for delta in stream_text(f"{text}\n\n```sql\n{built.sql}\n```", self._delay):
            yield delta

    # -- visualizations --

    def _visualizations(
        self, spec: Spec, built: Built, schema: Schema, result: QueryResult
    ) -> list[turn_pb2.Visualization]:
        out: list[turn_pb2.Visualization] = []
        if not result.rows:
            return out
        title = _title(spec)
        if spec.chart_wanted:
            chart = self._chart(spec, built, schema, result, title)
            if chart is not None:
                out.append(chart)
        out.append(table_visualization(result, title))
        return out

    def _chart(
        self, spec: Spec, built: Built, schema: Schema, result: QueryResult, title: str
    ) -> turn_pb2.Visualization | None:
        if spec.kind == "aggregate" and spec.groups and built.value_columns:
            time_series = spec.groups[0].kind == "time"
            kind = choose_chart(
                spec.chart_type, time_series=time_series, groups=len(spec.groups), points=len(result.rows)
            )
            labels = built.label_columns
            first_group_cols = _group_label_columns(spec, built)
            series: list[str] = []
            if kind == "stacked_bar" and len(spec.groups) > 1:
                series = [c for c in labels if c not in first_group_cols]
                labels = first_group_cols
            return chart_visualization(
                result,
                chart_type=kind,
                title=title,
                label_columns=labels,
                series_columns=series,
                value_column=built.value_columns[0],
                x_label=describe_group(spec.groups[0]).capitalize(),
                y_label=measure_text(spec.measures[0]).capitalize(),
            )
        if spec.kind == "rows" and spec.order_column is not None:
            col = schema.table(spec.order_column.table).column(spec.order_column.column)
            if col is None or not col.numeric:
                return None
            names = [c for c in label_columns(schema.table(spec.entity)) if c in result.columns]
            kind = choose_chart(spec.chart_type, time_series=False, groups=1, points=len(result.rows))
            return chart_visualization(
                result,
                chart_type="bar" if kind == "stacked_bar" else kind,
                title=title,
                label_columns=names,
                series_columns=[],
                value_column=spec.order_column.column,
                x_label=entity_name(spec.entity).capitalize(),
                y_label=spec.order_column.column.replace("_", " ").capitalize(),
            )
        return None

    # -- questions about the database --

    def _count_sql(self, db: Database, tables: list[str]) -> str:
        parts = [
            f"SELECT {literal(t, db.dialect)} AS table_name, COUNT(*) AS row_count "  # noqa: S608
            f"FROM {ident(t, db.dialect)}"
            for t in tables
        ]
        return "\nUNION ALL ".join(parts) + "\nORDER BY table_name"

    async def _tables(self, db: Database, schema: Schema, req: MetaRequest) -> AsyncIterator[EngineEvent]:
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        tables = schema.table_names
        if not tables:
            text = f"{sentence(database_phrase(db.display_name))} has no tables I can read."
            async for delta in stream_text(text, self._delay):
                yield delta
            return
        shown = tables[:MAX_META_TABLES]
        sql = self._count_sql(db, shown)
        result = await self._query(db, sql)
        yield Note("sql", sql)
        counts = {str(r[0]): int(r[1]) for r in result.rows}
        if req.chart_wanted:
            kind = choose_chart(req.chart_type, time_series=False, groups=1, points=len(result.rows))
            chart = chart_visualization(
                result,
                chart_type="bar" if kind == "stacked_bar" else kind,
                title="Rows per table",
                label_columns=["table_name"],
                series_columns=[],
                value_column="row_count",
                x_label="Table",
                y_label="Rows",
            )
            if chart is not None:
                yield Viz(chart)
        yield Viz(table_visualization(result, "Tables"))
        total = sum(counts.values())
        largest = max(counts, key=lambda t: counts[t])
        listing = ", ".join(f"{t} ({counts.get(t, 0):,} rows)" for t in shown)
        more = f" (and {len(tables) - len(shown)} more)" if len(tables) > len(shown) else ""
        named = sentence(database_phrase(db.display_name))
        text = (
            f"{named} has {len(tables)} tables holding {total:,} rows in total; the largest "
            f"is **{largest}** with {counts[largest]:,} rows. Row counts of all its tables: {listing}{more}. "
            f"Ask about any of them, for example “how many {largest} are there” or “describe {largest}”."
            f"\n\n```sql\n{sql}\n```"
        )
        async for delta in stream_text(text, self._delay):
            yield delta

    def _columns_sql(self, db: Database, tables: list[str]) -> str:
        if db.dialect == "sqlite":
            parts = [
                f"SELECT {literal(t, db.dialect)} AS table_name, name AS column_name, type AS data_type "  # noqa: S608
                f"FROM pragma_table_info({literal(t, db.dialect)})"
                for t in tables
            ]
            return "\nUNION ALL ".join(parts)
        scope = "database()" if db.dialect == "mysql" else "current_schema()"
        names = ", ".join(literal(t, db.dialect) for t in tables)
        return (
            "SELECT table_name, column_name, data_type FROM information_schema.columns\n"  # noqa: S608
            f"WHERE table_schema = {scope} AND table_name IN ({names})\nORDER BY table_name, ordinal_position"
        )

    async def _columns(self, db: Database, schema: Schema, req: MetaRequest) -> AsyncIterator[EngineEvent]:
        yield Status(turn_pb2.PROCESSING_STATUS_PROCESSING)
        tables = req.tables[:MAX_META_TABLES]
        sql = self._columns_sql(db, tables)
        result = await self._query(db, sql)
        yield Note("sql", sql)
        title = f"Columns of {tables[0]}" if len(tables) == 1 else "Columns"
        yield Viz(table_visualization(result, title))
        sentences = []
        for name in tables:
            table = schema.table(name)
            described = []
            for col in table.columns:
                notes = []
                if col.primary_key:
                    notes.append("primary key")
                fk = table.fk_for(col.name)
                if fk is not None:
                    notes.append(f"→ {fk.ref_table}.{fk.ref_column}")
                if col.values and len(col.values) <= 6:
                    notes.append("values " + ", ".join(col.values))
                kind = col.declared_type or col.kind
                described.append(f"{col.name} ({kind}{', ' if notes else ''}{'; '.join(notes)})")
            sentences.append(
                f"The **{name}** table has {len(table.columns)} columns and {table.row_count:,} rows: "
                + ", ".join(described)
                + "."
            )
        text = " ".join(sentences) + f"\n\n```sql\n{sql}\n```"
        async for delta in stream_text(text, self._delay):
            yield delta

    # -- questions it cannot map --

    async def _unmapped(
        self, db: Database, schema: Schema, why: Unmapped, followed: str | None = None
    ) -> AsyncIterator[EngineEvent]:
        """Decline: no SQL runs and no visualization is sent; the metadata says why."""
        yield Note("declined", True)
        yield Note("unmapped_terms", list(why.unknown))
        yield Note("decline_reason", why.reason)
        if followed is not None:  # read as a follow-on of that answer, which stays the context
            yield Note(FOLLOWUP_OF, followed)
        async for delta in stream_text(decline_text(db.display_name, schema, why), self._delay):
            yield delta


def _title(spec: Spec) -> str:
    if spec.kind == "rows":
        return entity_name(spec.entity).capitalize() if spec.limit == 1 else spec.entity.replace("_", " ").capitalize()
    what = measure_text(spec.measures[0]).capitalize()
    if spec.groups:
        return f"{what} by " + " and ".join(describe_group(g) for g in spec.groups)
    return what


def _group_label_columns(spec: Spec, built: Built) -> list[str]:
    """The result columns naming the first group (an entity may need several, e.g. first + last name)."""
    return built.group_columns[0] if built.group_columns else built.label_columns[:1]
