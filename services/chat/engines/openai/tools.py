"""The tools the OpenAI-compatible engine offers the model, run against the chat's database.

Every statement, the catalog queries included, goes through sql_runner.run_query (checked read-only,
limited, timed out). A tool never raises for something the model can fix: bad arguments, unsafe or
failing SQL, an invalid chart come back as `{"error": ...}` tool results so the model can try
again. Only an unreachable database ends the turn (DATABASE_UNAVAILABLE).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from services.chat.engines.base import Database, EngineEvent, Note, Viz
from services.chat.engines.charts import table_visualization
from services.chat.engines.schema import quote_ident
from services.chat.engines.streaming import visualization_id
from services.chat.sql.runner import QueryResult, run_query
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import turn_pb2

MAX_RESULT_ROWS = 1000  # rows a query may return (and a table visualization may show)
MODEL_ROWS = 50  # rows of a result the model sees
MAX_TOOL_CHARS = 12_000  # size of one tool result sent to the model
MAX_CELL_CHARS = 200
MAX_CHART_POINTS = 500
SAMPLE_ROWS = 3
MAX_CATEGORY_VALUES = 10
MAX_PROFILED_COLUMNS = 12
SAMPLING_TIMEOUT = 5.0

AXIS_CHARTS = ("bar", "bar_horizontal", "stacked_bar", "line", "area")
SEGMENT_CHARTS = ("pie", "donut")
VISUALIZATION_TYPES = (*AXIS_CHARTS, *SEGMENT_CHARTS, "table")
_ALIASES = {"horizontal_bar": "bar_horizontal", "stacked": "stacked_bar", "doughnut": "donut", "column": "bar"}
_TEXT_TYPE = re.compile(r"char|text|string|enum|clob|citext", re.I)

_STRING = {"type": "string"}
TOOL_SPECS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "list_tables",
            "description": "List the tables of the connected database with their column names.",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "describe_table",
            "description": "Describe one table: columns with types, primary and foreign keys, the distinct "
            "values of low-cardinality text columns, the row count and a few sample rows.",
            "parameters": {
                "type": "object",
                "properties": {"table": {"type": "string", "description": "Table name as list_tables gives it"}},
                "required": ["table"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "run_sql",
            "description": "Run one read-only SELECT (or WITH ... SELECT) statement and get its columns, the first "
            f"{MODEL_ROWS} rows and the total row count. Anything that is not a single read-only query is refused.",
            "parameters": {
                "type": "object",
                "properties": {"sql": {"type": "string", "description": "One SELECT statement, no bind parameters"}},
                "required": ["sql"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "make_visualization",
            "description": "Show the user a chart or a table. chart_type 'table' shows the rows of the last run_sql "
            "result. For a chart, either name columns of the last run_sql result (label_column, value_column, and "
            "series_column for stacked_bar) or give labels/values (and series for stacked_bar) explicitly. Axis "
            "charts (bar, bar_horizontal, stacked_bar, line, area) need x_axis_label and y_axis_label (they default "
            "to the column names); pie and donut need non-negative values.",
            "parameters": {
                "type": "object",
                "properties": {
                    "chart_type": {"type": "string", "enum": list(VISUALIZATION_TYPES)},
                    "title": _STRING,
                    "label_column": _STRING,
                    "value_column": _STRING,
                    "series_column": _STRING,
                    "labels": {"type": "array", "items": _STRING},
                    "values": {"type": "array", "items": {"type": "number"}},
                    "series": {"type": "array", "items": _STRING},
                    "x_axis_label": _STRING,
                    "y_axis_label": _STRING,
                },
                "required": ["chart_type"],
            },
        },
    },
]
TOOL_NAMES = frozenset(spec["function"]["name"] for spec in TOOL_SPECS)


class ToolError(Exception):
    """Something the model did wrong; becomes an `{"error": ...}` tool result."""


@dataclass
class ToolResult:
    payload: dict[str, Any]
    events: list[EngineEvent] = field(default_factory=list)
    malformed: bool = False  # the call itself could not be read (invalid JSON arguments, no such tool)

    @property
    def ok(self) -> bool:
        return "error" not in self.payload


# --- catalog queries ------------------------------------------------------------------------

_TABLE_COLUMNS_SQL = {
    "sqlite": "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
    "WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
    "postgresql": "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    "mysql": "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = database() ORDER BY table_name, ordinal_position",
    "duckdb": "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
}
_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
    "ORDER BY name",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    "ORDER BY table_name",
    "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = database() ORDER BY table_name",
    "duckdb": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    "ORDER BY table_name",
}
# (column, type, is primary key) in column order.
_COLUMNS_SQL = {
    "sqlite": "SELECT name, type, pk > 0 FROM pragma_table_info(:t) ORDER BY cid",
    "postgresql": "SELECT c.column_name, c.data_type, EXISTS (SELECT 1 FROM information_schema.table_constraints "
    "AS tc JOIN information_schema.key_column_usage AS k ON k.constraint_name = tc.constraint_name "
    "AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name WHERE tc.constraint_type = 'PRIMARY KEY' "
    "AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name AND k.column_name = c.column_name) "
    "FROM information_schema.columns AS c WHERE c.table_schema = current_schema() AND c.table_name = :t "
    "ORDER BY c.ordinal_position",
    "mysql": "SELECT column_name, column_type, column_key = 'PRI' FROM information_schema.columns "
    "WHERE table_schema = database() AND table_name = :t ORDER BY ordinal_position",
    "duckdb": "SELECT column_name, data_type, FALSE FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = :t ORDER BY ordinal_position",
}
# (column, referenced table, referenced column).
_FOREIGN_KEYS_SQL = {
    "sqlite": 'SELECT "from", "table", "to" FROM pragma_foreign_key_list(:t)',
    "postgresql": "SELECT k.column_name, u.table_name, u.column_name FROM information_schema.table_constraints AS tc "
    "JOIN information_schema.key_column_usage AS k ON k.constraint_name = tc.constraint_name "
    "AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name "
    "JOIN information_schema.constraint_column_usage AS u ON u.constraint_name = tc.constraint_name "
    "AND u.constraint_schema = tc.constraint_schema "
    "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = :t",
    "mysql": "SELECT column_name, referenced_table_name, referenced_column_name "
    "FROM information_schema.key_column_usage "
    "WHERE table_schema = database() AND table_name = :t AND referenced_table_name IS NOT NULL",
}


def _cell(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[: MAX_CELL_CHARS - 1] + "…"
    return value


def _error(err: ApiError | ToolError) -> dict[str, Any]:
    if isinstance(err, ApiError):
        return {"error": err.detail, "code": err.code}
    return {"error": str(err)}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or value is None:
        raise ToolError(f"{where} is {json.dumps(value)}, not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            raise ToolError(f"{where} is {value!r}, not a number") from None
    else:
        raise ToolError(f"{where} is not a number")
    if not math.isfinite(number):
        raise ToolError(f"{where} is not a finite number")
    return number


def _text(value: Any) -> str:
    return "(empty)" if value is None else str(value)


def _optional_str(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ToolError(f"{name} must be a string")
    return value.strip()


class DatabaseTools:
    """The tool calls of one turn on one database; remembers the last successful query result."""

    def __init__(self, db: Database, *, query_timeout: float) -> None:
        self.db = db
        self.query_timeout = query_timeout
        self.last_result: QueryResult | None = None
        self.last_sql: str | None = None
        self.visualizations = 0
        self._tables: list[str] | None = None

    async def call(self, name: str, arguments: str) -> ToolResult:
        if name not in TOOL_NAMES:
            known = ", ".join(sorted(TOOL_NAMES))
            return ToolResult({"error": f"There is no tool named {name!r}; the tools are {known}"}, malformed=True)
        try:
            args = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            return ToolResult(
                {"error": f"The arguments are not valid JSON ({exc}); send a JSON object"}, malformed=True
            )
        if not isinstance(args, dict):
            return ToolResult({"error": "The arguments must be a JSON object"}, malformed=True)
        try:
            if name == "list_tables":
                return ToolResult(await self.list_tables())
            if name == "describe_table":
                return ToolResult(await self.describe_table(args.get("table")))
            if name == "run_sql":
                return await self.run_sql(args.get("sql"))
            return self.make_visualization(args)
        except ToolError as err:
            return ToolResult(_error(err))
        except ApiError as err:
            if err.code == "DATABASE_UNAVAILABLE":
                raise  # nothing the model can do about it: the turn ends with this code
            return ToolResult(_error(err))

    async def _query(
        self,
        sql: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - enforced by the database (run_query)
        max_rows: int = MAX_RESULT_ROWS,
        catalog: bool = True,
    ) -> QueryResult:
        """Tool internals may read catalogs; the model's own SQL (run_sql) may not."""
        return await run_query(
            self.db.url, sql, params, timeout=timeout or self.query_timeout, max_rows=max_rows, catalog=catalog
        )

    # --- schema -------------------------------------------------------------------------

    async def tables(self) -> list[str]:
        if self._tables is None:
            sql = _TABLES_SQL.get(self.db.dialect, _TABLES_SQL["sqlite"])
            self._tables = [str(row[0]) for row in (await self._query(sql, max_rows=10_000)).rows]
        return self._tables

    async def list_tables(self) -> dict[str, Any]:
        tables = await self.tables()
        columns: dict[str, list[str]] = {t: [] for t in tables}
        try:
            sql = _TABLE_COLUMNS_SQL.get(self.db.dialect, _TABLE_COLUMNS_SQL["sqlite"])
            for table, column in (await self._query(sql, max_rows=20_000)).rows:
                if str(table) in columns:
                    columns[str(table)].append(str(column))
        except ApiError as err:
            if err.code == "DATABASE_UNAVAILABLE":
                raise
            return {"tables": tables}  # names only; describe_table still works
        listing = [{"table": t, "columns": cols} for t, cols in columns.items()]
        payload: dict[str, Any] = {"tables": listing}
        if len(json.dumps(payload)) > MAX_TOOL_CHARS:
            payload = {"tables": tables, "note": "Too many columns to list here: use describe_table."}
        return payload

    async def _resolve_table(self, table: Any) -> str:
        if not isinstance(table, str) or not table.strip():
            raise ToolError("describe_table needs a `table` name")
        tables = await self.tables()
        wanted = table.strip().strip('"`[]')
        candidates = [wanted, wanted.rsplit(".", 1)[-1].strip('"`[]')]
        for candidate in candidates:
            if candidate in tables:
                return candidate
            lowered = {t.lower(): t for t in tables}
            if candidate.lower() in lowered:
                return lowered[candidate.lower()]
        shown = ", ".join(tables[:100])
        raise ToolError(f"There is no table {table!r}. The tables are: {shown}")

    async def describe_table(self, table: Any) -> dict[str, Any]:
        name = await self._resolve_table(table)
        dialect = self.db.dialect
        quoted = quote_ident(name, dialect)
        columns: list[dict[str, Any]] = []
        try:
            result = await self._query(_COLUMNS_SQL.get(dialect, _COLUMNS_SQL["sqlite"]), {"t": name})
            for column, data_type, primary in result.rows:
                entry: dict[str, Any] = {"name": str(column), "type": str(data_type or "")}
                if primary:
                    entry["primary_key"] = True
                columns.append(entry)
        except ApiError as err:
            if err.code == "DATABASE_UNAVAILABLE":
                raise
        if dialect in _FOREIGN_KEYS_SQL:
            try:
                by_name = {c["name"]: c for c in columns}
                for column, ref_table, ref_column in (await self._query(_FOREIGN_KEYS_SQL[dialect], {"t": name})).rows:
                    if str(column) in by_name:
                        by_name[str(column)]["references"] = f"{ref_table}.{ref_column}"
            except ApiError as err:
                if err.code == "DATABASE_UNAVAILABLE":
                    raise
        sample = await self._query(f"SELECT * FROM {quoted}", max_rows=SAMPLE_ROWS)  # noqa: S608 - quoted
        if not columns:  # no catalog access: at least the names, and types guessed from the sample
            columns = [{"name": c, "type": ""} for c in sample.columns]
        payload: dict[str, Any] = {"table": name, "columns": columns}
        try:
            count = await self._query(f"SELECT COUNT(*) FROM {quoted}", timeout=self._sampling_timeout())  # noqa: S608
            payload["row_count"] = int(count.rows[0][0])
        except ApiError as err:
            if err.code == "DATABASE_UNAVAILABLE":
                raise
        await self._profile(quoted, columns, sample)
        payload["sample_rows"] = [[_cell(v) for v in row] for row in sample.rows]
        return payload

    def _sampling_timeout(self) -> float:
        return min(self.query_timeout, SAMPLING_TIMEOUT)

    async def _profile(self, quoted_table: str, columns: list[dict[str, Any]], sample: QueryResult) -> None:
        """Adds `values` (all distinct values, most frequent first) to low-cardinality text columns."""
        index = {c: i for i, c in enumerate(sample.columns)}
        profiled = 0
        for column in columns:
            position = index.get(column["name"])
            looks_text = bool(_TEXT_TYPE.search(column["type"])) or (
                not column["type"] and position is not None and any(isinstance(r[position], str) for r in sample.rows)
            )
            if not looks_text or column.get("primary_key") or profiled >= MAX_PROFILED_COLUMNS:
                continue
            profiled += 1
            col = quote_ident(column["name"], self.db.dialect)
            sql = (
                f"SELECT {col}, COUNT(*) AS n FROM {quoted_table} WHERE {col} IS NOT NULL "  # noqa: S608 - quoted
                f"GROUP BY {col} ORDER BY n DESC, {col}"
            )
            try:
                result = await self._query(sql, timeout=self._sampling_timeout(), max_rows=MAX_CATEGORY_VALUES)
            except ApiError as err:
                if err.code == "DATABASE_UNAVAILABLE":
                    raise
                continue
            if not result.truncated:
                column["values"] = [_cell(row[0]) for row in result.rows]

    # --- queries ------------------------------------------------------------------------

    async def run_sql(self, sql: Any) -> ToolResult:
        if not isinstance(sql, str) or not sql.strip():
            raise ToolError("run_sql needs a `sql` string holding one SELECT statement")
        sql = sql.strip()
        result = await self._query(sql, catalog=False)
        self.last_result, self.last_sql = result, sql
        payload: dict[str, Any] = {
            "columns": result.columns,
            "row_count": result.total_rows,
            "rows": [[_cell(v) for v in row] for row in result.rows[:MODEL_ROWS]],
        }
        if result.truncated and not result.byte_limited:
            payload["note"] = f"More than {MAX_RESULT_ROWS} rows matched; row_count is the total."
        events: list[EngineEvent] = [Note("sql", sql)]
        if result.notice:  # byte caps: tell the model, so the answer says so, and keep it on the message
            payload["note"] = " ".join(filter(None, [payload.get("note"), result.notice]))
            events.append(Note("truncated", result.notice))
        while len(json.dumps(payload, default=str)) > MAX_TOOL_CHARS and len(payload["rows"]) > 1:
            payload["rows"] = payload["rows"][: len(payload["rows"]) // 2]
        if len(payload["rows"]) < len(result.rows):
            payload["rows_shown"] = len(payload["rows"])
        return ToolResult(payload, events)

    # --- visualizations -----------------------------------------------------------------

    def make_visualization(self, args: dict[str, Any]) -> ToolResult:
        kind = args.get("chart_type")
        if not isinstance(kind, str):
            raise ToolError(f"chart_type is required, one of: {', '.join(VISUALIZATION_TYPES)}")
        kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
        if kind not in VISUALIZATION_TYPES:
            raise ToolError(f"Unknown chart_type {args['chart_type']!r}; use one of: {', '.join(VISUALIZATION_TYPES)}")
        title = _optional_str(args, "title")[:200]
        if kind == "table":
            if self.last_result is None:
                raise ToolError("There is no query result to show yet: call run_sql first")
            if not self.last_result.columns:
                raise ToolError("The last query returned no columns")
            viz = table_visualization(self.last_result, title)
            self.visualizations += 1
            return ToolResult(
                {"ok": True, "visualization_id": viz.id, "type": "table", "rows": len(self.last_result.rows)},
                [Viz(viz)],
            )
        chart = self._chart(kind, title, args)
        viz = turn_pb2.Visualization(id=visualization_id(), chart=chart)
        self.visualizations += 1
        payload = {"ok": True, "visualization_id": viz.id, "chart_type": kind, "points": len(chart.values)}
        return ToolResult(payload, [Viz(viz)])

    def _chart(self, kind: str, title: str, args: dict[str, Any]) -> turn_pb2.Chart:
        stacked = kind == "stacked_bar"
        x_label, y_label = _optional_str(args, "x_axis_label"), _optional_str(args, "y_axis_label")
        if any(args.get(k) is not None for k in ("labels", "values", "series")):
            labels, values, series = self._explicit_points(args, stacked)
        else:
            labels, values, series, (label_col, value_col) = self._column_points(args, stacked)
            x_label, y_label = x_label or label_col, y_label or value_col
        if not values:
            raise ToolError("A chart needs at least one point")
        if len(values) > MAX_CHART_POINTS:
            raise ToolError(f"{len(values)} points are too many for a chart (at most {MAX_CHART_POINTS}); aggregate")
        chart = turn_pb2.Chart(chart_type=getattr(turn_pb2, f"CHART_TYPE_{kind.upper()}"), title=title)
        if kind in SEGMENT_CHARTS:
            if any(v < 0 for v in values) or not any(v > 0 for v in values):
                raise ToolError(f"A {kind} chart needs non-negative values, at least one of them positive")
            for label, value in zip(labels, values, strict=True):
                chart.values.append(turn_pb2.ChartPoint(text=label, value=value))
            return chart
        if not x_label or not y_label:
            raise ToolError(f"A {kind} chart needs x_axis_label and y_axis_label")
        chart.x_axis_label, chart.y_axis_label = x_label[:100], y_label[:100]
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            point = turn_pb2.ChartPoint(label=label, value=value)
            if stacked:
                point.series = series[i]
            chart.values.append(point)
        return chart

    @staticmethod
    def _explicit_points(args: dict[str, Any], stacked: bool) -> tuple[list[str], list[float], list[str]]:
        labels, values, series = args.get("labels"), args.get("values"), args.get("series")
        if not isinstance(labels, list) or not isinstance(values, list):
            raise ToolError("Give both `labels` and `values` as arrays of the same length")
        if len(labels) != len(values):
            raise ToolError(f"`labels` has {len(labels)} items but `values` has {len(values)}")
        numbers = [_number(v, f"values[{i}]") for i, v in enumerate(values)]
        names = [_text(label) for label in labels]
        if stacked:
            if not isinstance(series, list) or len(series) != len(values):
                raise ToolError("A stacked_bar chart needs `series`, an array as long as `values`")
            return names, numbers, [_text(s) for s in series]
        return names, numbers, []

    def _column_points(
        self, args: dict[str, Any], stacked: bool
    ) -> tuple[list[str], list[float], list[str], tuple[str, str]]:
        result = self.last_result
        if result is None:
            raise ToolError("There is no query result to chart: call run_sql first, or give labels and values")
        label_col = _optional_str(args, "label_column")
        value_col = _optional_str(args, "value_column")
        series_col = _optional_str(args, "series_column")
        if not label_col and not value_col and len(result.columns) == 2 and not stacked:
            label_col, value_col = result.columns
        if not label_col or not value_col or (stacked and not series_col):
            needed = "label_column, series_column and value_column" if stacked else "label_column and value_column"
            raise ToolError(f"Name the {needed} of the last result (columns: {', '.join(result.columns)})")
        positions = []
        for col in (label_col, value_col, *([series_col] if stacked else [])):
            if col not in result.columns:
                raise ToolError(f"The last result has no column {col!r} (columns: {', '.join(result.columns)})")
            positions.append(result.columns.index(col))
        labels = [_text(row[positions[0]]) for row in result.rows]
        values = [_number(row[positions[1]], f"{value_col} in row {i + 1}") for i, row in enumerate(result.rows)]
        series = [_text(row[positions[2]]) for row in result.rows] if stacked else []
        return labels, values, series, (label_col, value_col)

    def fallback_table(self) -> Viz | None:
        """The last result as a table when the model showed nothing (a single value needs no table)."""
        result = self.last_result
        if self.visualizations or result is None or not result.rows or not result.columns:
            return None
        if len(result.rows) == 1 and len(result.columns) == 1:
            return None
        return Viz(table_visualization(result, ""))
