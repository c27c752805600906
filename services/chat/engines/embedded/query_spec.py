"""What the parser understood a question to ask, before it becomes SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.chat.engines.embedded.nl_dates import DateRange


@dataclass(frozen=True)
class ColRef:
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class Measure:
    """count: rows of `entity` (distinct keys when joined), count_distinct/sum/avg/min/max: `column`,
    sum/avg/min/max of `expr` ("line_value": quantity x price x (1 - discount); "duration": the time
    from one time column to another, both in `expr_columns`, in `unit`s); percent: share of `entity`
    rows matching `condition` — or, with a column or expr, the share of its total that comes from
    those rows ("share of revenue from premium members")."""

    agg: str
    column: ColRef | None = None
    entity: str | None = None
    expr: str | None = None
    expr_columns: tuple[ColRef, ...] = ()
    condition: list[Filter] = field(default_factory=list)
    label: str = ""  # how the answer names it: "revenue", "number of loans"
    unit: str = "day"  # of a duration: second, minute, hour, day, week, month or year

    @property
    def own_table(self) -> str | None:
        """The table whose rows it aggregates."""
        if self.column is not None:
            return self.column.table
        if self.expr_columns:
            return self.expr_columns[0].table
        return self.entity

    @property
    def tables(self) -> set[str]:
        out = {c.table for c in self.expr_columns}
        if self.column is not None:
            out.add(self.column.table)
        if self.entity is not None:
            out.add(self.entity)
        for f in self.condition:
            out.add(f.column.table)
        return out


@dataclass
class Group:
    kind: str  # "column", "entity" (a table, shown by its label columns) or "time"
    column: ColRef | None = None
    table: str | None = None
    unit: str | None = None  # day, week, month, quarter, year

    @property
    def tables(self) -> set[str]:
        if self.kind == "entity" and self.table:
            return {self.table}
        return {self.column.table} if self.column else set()


@dataclass
class Filter:
    column: ColRef
    op: str  # "=", "!=", "in", "not in", ">", ">=", "<", "<=", "between", "null", "not null", "range"
    value: Any = None
    value2: Any = None


@dataclass
class Having:
    """Rows of `parent` with `op` `value` rows of `table` referring to them (those rows meeting
    `filters`, and within `date_range` of `date_column` when given)."""

    table: str
    op: str
    value: float
    parent: str = ""  # the table whose rows are kept (the rows of `table` refer to them)
    filters: list[Filter] = field(default_factory=list)  # "more than 2 overdue loans": which rows count
    date_column: ColRef | None = None
    date_range: DateRange | None = None


@dataclass
class Spec:
    kind: str  # "aggregate" or "rows"
    entity: str  # the table the question is about
    measures: list[Measure] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    date_column: ColRef | None = None
    date_range: DateRange | None = None
    order_by: str | None = None  # "measure" or "column"
    order_column: ColRef | None = None
    descending: bool = True
    limit: int | None = None
    chart_type: str | None = None  # explicitly requested chart type
    chart_wanted: bool = False  # a chart was asked for (explicitly, or "show"/"plot" of a breakdown)
    ranking: bool = False  # a top/bottom-N question
    # tables whose rows must (False) or must not (True) exist for a row of the entity: "without loans"
    exists: list[tuple[str, bool]] = field(default_factory=list)
    # "average revenue per customer": the measure is totalled per row of this table, then averaged
    per_entity: str | None = None
    # "their total rent" after a question about a table that refers to the rent's table: the rent is taken
    # once per row of this table (a referenced row's amount counts for each row referring to it)
    rows_of: str | None = None
    # "this month vs the same month last year": `date_range` is the current period, this the earlier one
    compare: DateRange | None = None
    # "revenue growth by quarter": each period's % change on the one before
    growth: bool = False
    # "members who borrowed more than twice": conditions on how many related rows each row has
    having: list[Having] = field(default_factory=list)
    # how the question was read where that is not plain from the SQL ("reps" read as the staff table)
    readings: list[str] = field(default_factory=list)

    def all_tables(self) -> set[str]:
        out = {self.entity}
        for m in self.measures:
            out |= m.tables
        for g in self.groups:
            out |= g.tables
        for f in self.filters:
            out.add(f.column.table)
        if self.date_column:
            out.add(self.date_column.table)
        if self.order_column:
            out.add(self.order_column.table)
        if self.per_entity:
            out.add(self.per_entity)
        if self.rows_of:
            out.add(self.rows_of)
        return out


@dataclass
class MetaRequest:
    kind: str  # "tables", "row_counts", "columns"
    tables: list[str] = field(default_factory=list)
    chart_type: str | None = None
    chart_wanted: bool = False


@dataclass
class Unmapped:
    """A question the engine declines: why (a short code), the words it could not place, and
    optionally the whole explanation to give (an impossible date range)."""

    reason: str
    unknown: list[str] = field(default_factory=list)
    explanation: str = ""
