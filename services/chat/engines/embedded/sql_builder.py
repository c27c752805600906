"""Spec → one read-only SELECT in the integration's dialect.

Joins follow foreign keys from the query's root table towards referenced tables only, so sums
and averages are never inflated by fan-out; a filter on a table that is only reachable the
other way becomes an EXISTS subquery, and a count whose dimensions live on the many side is
re-rooted there and counts distinct keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.chat.engines.embedded.joins import Edge, JoinGraph
from services.chat.engines.embedded.lexicon import words_of
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Measure, Spec
from services.chat.engines.embedded.row_labels import entity_name, label_columns
from services.chat.engines.embedded.sql_dialect import days_between, ident, literal, time_bucket
from services.chat.engines.schema import Schema, column_kind

# filter operators and their SQL
_COMPARISONS = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_MEMBERSHIP = {"in": "IN", "not in": "NOT IN"}
_EMPTINESS = {"null": "IS NULL", "not null": "IS NOT NULL"}


class CannotBuildError(Exception):
    """The spec names tables that cannot be joined without multiplying rows."""


@dataclass
class Built:
    sql: str
    label_columns: list[str] = field(default_factory=list)  # result columns naming each group
    value_columns: list[str] = field(default_factory=list)  # result columns holding measures
    group_names: list[str] = field(default_factory=list)  # human names of the groups ("region", "month")
    root: str = ""
    group_columns: list[list[str]] = field(default_factory=list)  # label columns per group


class SqlBuilder:
    def __init__(self, schema: Schema, graph: JoinGraph) -> None:
        self.schema = schema
        self.graph = graph
        self.d = schema.dialect

    # -- names --

    def q(self, name: str) -> str:
        return ident(name, self.d)

    def col(self, ref: ColRef, qualify: bool, aliases: dict[str, str] | None = None) -> str:
        if not qualify:
            return self.q(ref.column)
        table = (aliases or {}).get(ref.table, self.q(ref.table))
        return f"{table}.{self.q(ref.column)}"

    # -- entry --

    def build(self, spec: Spec) -> Built:
        if spec.kind == "rows":
            return self._rows(spec)
        return self._aggregate(spec)

    # -- join planning --

    def _plan(
        self, spec: Spec, core: set[str], prefer: str, *, fixed_root: bool = False
    ) -> tuple[str, list[Edge], list[str]]:
        """Root table, join edges (in order) and tables left for EXISTS filters."""
        exist_tables = {t for t, _ in spec.exists}
        filter_tables = {f.column.table for f in spec.filters}
        if spec.date_column:
            filter_tables.add(spec.date_column.table)
        filter_tables -= exist_tables
        everything = core | filter_tables
        root = None if fixed_root else self.graph.root_for(everything, prefer)
        if root is None:
            root = prefer if fixed_root else self.graph.root_for(core, prefer)
            if root is None or any(not self.graph.reaches_to_one(root, t) for t in core):
                raise CannotBuildError("no join path")
        semi = sorted(t for t in filter_tables if not self.graph.reaches_to_one(root, t))
        semi += sorted(exist_tables - set(semi))
        edges: list[Edge] = []
        for t in sorted(everything - set(semi), key=lambda t: (len(self.graph.path_to_one(root, t) or []), t)):
            for e in self.graph.path_to_one(root, t) or []:
                if e not in edges and e.parent not in {x.parent for x in edges}:
                    edges.append(e)
        return root, edges, semi

    def _from(self, root: str, edges: list[Edge]) -> str:
        parts = [f"FROM {self.q(root)}"]
        for e in edges:
            parts.append(
                f"JOIN {self.q(e.parent)} ON {self.q(e.parent)}.{self.q(e.ref_column)} = "
                f"{self.q(e.child)}.{self.q(e.column)}"
            )
        return "\n".join(parts)

    def _where(self, spec: Spec, qualify: bool, semi: list[str], joined: set[str]) -> list[str]:
        conds: list[str] = []
        plain = [f for f in spec.filters if f.column.table not in semi]
        for f in plain:
            conds.append(self._cond(f, qualify))
        if spec.date_column is not None and spec.date_range is not None and spec.date_column.table not in semi:
            conds.extend(self._date_conds(spec.date_column, spec.date_range, qualify))
        for table in semi:
            conds.append(self._exists(table, spec, joined))
        return conds

    def _exists(self, table: str, spec: Spec, joined: set[str]) -> str:
        """EXISTS (or NOT EXISTS) over a table on the many side, correlated with the outer query
        directly ("loans of the member") or through a bridge table ("members who borrowed a book")."""
        negated = any(t == table and neg for t, neg in spec.exists)
        best: tuple[int, str, list[Edge], list[Edge]] | None = None  # cost, start, start→table, start→outer
        for outer in sorted(joined):
            path = self.graph.path_to_one(table, outer)
            if path is not None and (best is None or len(path) < best[0]):
                best = (len(path), table, [], path)
        if best is None:
            for bridge in sorted(self.schema.tables):
                if bridge in joined or bridge == table:
                    continue
                to_table = self.graph.path_to_one(bridge, table)
                if to_table is None:
                    continue
                for outer in sorted(joined):
                    to_outer = self.graph.path_to_one(bridge, outer)
                    if to_outer and (best is None or len(to_table) + len(to_outer) < best[0]):
                        best = (len(to_table) + len(to_outer), bridge, to_table, to_outer)
        if best is None:
            raise CannotBuildError(f"cannot relate {table}")
        _, start, to_table, to_outer = best
        aliases = {start: "s0"}
        parts = [f"SELECT 1 FROM {self.q(start)} s0"]  # noqa: S608 - quoted identifiers
        for e in [*to_table, *to_outer[:-1]]:
            if e.parent in aliases:
                continue
            aliases[e.parent] = f"s{len(aliases)}"
            parts.append(
                f"JOIN {self.q(e.parent)} {aliases[e.parent]} ON {aliases[e.parent]}.{self.q(e.ref_column)} = "
                f"{aliases[e.child]}.{self.q(e.column)}"
            )
        last = to_outer[-1]
        conds = [f"{aliases[last.child]}.{self.q(last.column)} = {self.q(last.parent)}.{self.q(last.ref_column)}"]
        for f in spec.filters:
            if f.column.table in aliases and f.column.table not in joined:
                conds.append(self._cond(f, True, aliases))
        date = spec.date_column
        if date is not None and spec.date_range is not None and date.table in aliases and date.table not in joined:
            conds.extend(self._date_conds(date, spec.date_range, True, aliases))
        keyword = "NOT EXISTS" if negated else "EXISTS"
        return f"{keyword} (" + " ".join(parts) + " WHERE " + " AND ".join(conds) + ")"

    def literal(self, value: object) -> str:
        return literal(value, self.d)

    def _cond(self, f: Filter, qualify: bool, aliases: dict[str, str] | None = None) -> str:
        c = self.col(f.column, qualify, aliases)
        if f.op in _COMPARISONS:
            return f"{c} {_COMPARISONS[f.op]} {self.literal(f.value)}"
        if f.op in _MEMBERSHIP:
            return f"{c} {_MEMBERSHIP[f.op]} (" + ", ".join(self.literal(v) for v in f.value) + ")"
        if f.op in _EMPTINESS:
            return f"{c} {_EMPTINESS[f.op]}"
        if f.op == "between":
            return f"{c} BETWEEN {self.literal(f.value)} AND {self.literal(f.value2)}"
        raise CannotBuildError(f"unknown operator {f.op}")

    def _date_conds(self, ref: ColRef, r: DateRange, qualify: bool, aliases: dict[str, str] | None = None) -> list[str]:
        c = self.col(ref, qualify, aliases)
        out = []
        if r.start is not None:
            out.append(f"{c} >= {self.literal(r.start.isoformat())}")
        if r.end is not None:
            out.append(f"{c} < {self.literal(r.end.isoformat())}")
        return out

    # -- expressions --

    def _temporal_expr(self, ref: ColRef, qualify: bool) -> str:
        """The column as a timestamp: PostgreSQL and DuckDB need a cast when dates are stored as text."""
        c = self.col(ref, qualify)
        column = self.schema.table(ref.table).column(ref.column)
        stored_as_text = column is not None and column_kind(column.declared_type) not in ("date", "datetime")
        if self.d in ("postgresql", "duckdb") and stored_as_text:
            return f"CAST({c} AS TIMESTAMP)"
        return c

    def bucket(self, ref: ColRef, unit: str, qualify: bool) -> str:
        return time_bucket(self._temporal_expr(ref, qualify), unit, self.d)

    def _days_between(self, start: ColRef, end: ColRef, qualify: bool) -> str:
        return days_between(self._temporal_expr(start, qualify), self._temporal_expr(end, qualify), self.d)

    def measure_expr(self, m: Measure, qualify: bool, root: str) -> str:
        if m.agg == "count":
            entity = m.entity or root
            if entity == root:
                return "COUNT(*)"
            pk = self.schema.table(entity).primary_key
            if pk is None:
                return "COUNT(*)"
            return f"COUNT(DISTINCT {self.col(ColRef(entity, pk), qualify)})"
        if m.agg == "percent":
            cond = " AND ".join(self._cond(f, qualify) for f in m.condition) or "1 = 1"
            return f"100.0 * SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) / COUNT(*)"
        if m.expr == "line_value":
            qty, price, *rest = m.expr_columns
            inner = f"{self.col(qty, qualify)} * {self.col(price, qualify)}"
            if rest:
                disc = rest[0]
                factor = "100.0" if set(words_of(disc.column)) & {"pct", "percent", "percentage"} else ""
                d = self.col(disc, qualify)
                inner += f" * (1 - {d} / {factor})" if factor else f" * (1 - {d})"
            inner_expr = inner
        elif m.expr == "duration":
            inner_expr = self._days_between(m.expr_columns[0], m.expr_columns[1], qualify)
        else:
            assert m.column is not None
            inner_expr = self.col(m.column, qualify)
        if m.agg == "count_distinct":
            return f"COUNT(DISTINCT {inner_expr})"
        func = {"sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX"}[m.agg]
        return f"{func}({inner_expr})"

    def measure_alias(self, m: Measure) -> str:
        if m.agg == "count":
            return "number_of_" + (m.entity or "rows")
        if m.agg == "percent":
            return "percentage"
        if m.expr == "line_value":
            base = _slug(m.label) or "sales"
            return base if m.agg == "sum" else f"{m.agg}_{base}"
        if m.expr == "duration":
            return {"avg": "average_days", "sum": "total_days", "min": "min_days", "max": "max_days"}.get(m.agg, "days")
        assert m.column is not None
        prefix = {"sum": "total", "avg": "average", "min": "min", "max": "max", "count_distinct": "distinct"}[m.agg]
        column = m.column.column
        if prefix == "total" and column.lower().startswith("total"):
            return column
        return f"{prefix}_{column}"

    # -- aggregate queries --

    def _aggregate(self, spec: Spec) -> Built:
        if spec.per_entity and not spec.groups:
            return self._per_entity_average(spec)
        m = spec.measures[0]
        core: set[str] = set()
        for g in spec.groups:
            core |= g.tables
            if g.kind == "time" and g.column is not None:
                core.add(g.column.table)
        measure_table = m.own_table
        if m.agg in ("sum", "avg") or m.agg == "percent":
            prefer = measure_table or spec.entity
            core.add(prefer)
            core |= {f.column.table for f in m.condition}
            root, edges, semi = self._plan(spec, core, prefer)
            if root != prefer:
                raise CannotBuildError("the measure's rows would be multiplied")
        else:
            prefer = (m.entity if m.agg == "count" else measure_table) or spec.entity
            core |= m.tables or {prefer}
            root, edges, semi = self._plan(spec, core, prefer)
        joined = {root} | {e.parent for e in edges}
        qualify = len(joined) > 1 or bool(semi)
        select: list[str] = []
        group_exprs: list[str] = []
        order: list[str] = []
        labels: list[str] = []
        names: list[str] = []
        used_aliases: set[str] = set()
        per_group: list[list[str]] = []
        for g in spec.groups:
            before = len(labels)
            if g.kind == "time":
                assert g.column is not None and g.unit is not None
                expr = self.bucket(g.column, g.unit, qualify)
                alias = self._unique(g.unit, used_aliases)
                select.append(f"{expr} AS {self.q(alias)}")
                group_exprs.append(expr)
                labels.append(alias)
                names.append(g.unit)
                per_group.append(labels[before:])
                continue
            elif g.kind == "column":
                assert g.column is not None
                expr = self.col(g.column, qualify)
                alias = self._unique(g.column.column, used_aliases)
                select.append(expr if alias == g.column.column and not qualify else f"{expr} AS {self.q(alias)}")
                group_exprs.append(expr)
                labels.append(alias)
                names.append(g.column.column.replace("_", " "))
                per_group.append(labels[before:])
                continue
            else:
                assert g.table is not None
                table = self.schema.table(g.table)
                cols = label_columns(table)
                pk = table.primary_key
                if pk is not None and pk not in cols:
                    group_exprs.append(self.col(ColRef(g.table, pk), qualify))
                single = entity_name(g.table).replace(" ", "_")
                for c in cols:
                    expr = self.col(ColRef(g.table, c), qualify)
                    alias = self._unique(single if len(cols) == 1 else c, used_aliases)
                    select.append(f"{expr} AS {self.q(alias)}")
                    group_exprs.append(expr)
                    labels.append(alias)
                names.append(entity_name(g.table))
            per_group.append(labels[before:])
        value = self.measure_expr(m, qualify, root)
        alias = self._unique(self.measure_alias(m), used_aliases)
        select.append(f"{value} AS {self.q(alias)}")
        if spec.ranking or spec.order_by == "measure":
            order.append(f"{self.q(alias)} {'DESC' if spec.descending else 'ASC'}")
            order.extend(self.q(label) for label in labels)
        elif any(g.kind == "time" for g in spec.groups):
            order.extend(self.q(label) for label in labels)
        elif len(spec.groups) == 1:
            order.append(f"{self.q(alias)} DESC")
            order.extend(self.q(label) for label in labels)
        elif spec.groups:
            order.extend(self.q(label) for label in labels)
        lines = ["SELECT " + ", ".join(select), self._from(root, edges)]
        conds = self._where(spec, qualify, semi, joined)
        if conds:
            lines.append("WHERE " + "\nAND ".join(conds))
        if group_exprs:
            lines.append("GROUP BY " + ", ".join(group_exprs))
        if order:
            lines.append("ORDER BY " + ", ".join(order))
        if spec.limit:
            lines.append(f"LIMIT {int(spec.limit)}")
        return Built("\n".join(lines), labels, [alias], names, root, per_group)

    def _per_entity_average(self, spec: Spec) -> Built:
        """AVG over the per-row totals of another table: "average revenue per customer"."""
        import dataclasses

        m = spec.measures[0]
        inner_measure = dataclasses.replace(m, agg="sum" if m.agg == "avg" else m.agg)
        inner_spec = dataclasses.replace(
            spec,
            measures=[inner_measure],
            groups=[Group("entity", table=spec.per_entity)],
            per_entity=None,
            order_by=None,
            ranking=False,
            limit=None,
        )
        inner = self._aggregate(inner_spec)
        inner_sql = inner.sql.rsplit("\nORDER BY ", 1)[0]
        value = inner.value_columns[0]
        alias = f"average_{value}_per_{entity_name(spec.per_entity or '').replace(' ', '_')}"
        indented = "\n".join("  " + line for line in inner_sql.splitlines())
        sql = f"SELECT AVG({self.q(value)}) AS {self.q(alias)}\nFROM (\n{indented}\n) per_row"
        return Built(sql, [], [alias], [], inner.root)

    @staticmethod
    def _unique(alias: str, used: set[str]) -> str:
        base = alias
        n = 2
        while alias in used:
            alias = f"{base}_{n}"
            n += 1
        used.add(alias)
        return alias

    # -- row listings --

    def _rows(self, spec: Spec) -> Built:
        core = {spec.entity}
        if spec.order_column is not None:
            core.add(spec.order_column.table)
        root, edges, semi = self._plan(spec, core, spec.entity, fixed_root=True)
        joined = {root} | {e.parent for e in edges}
        qualify = len(joined) > 1 or bool(semi)
        select = f"SELECT {self.q(root)}.*" if qualify else "SELECT *"
        lines = [select, self._from(root, edges)]
        conds = self._where(spec, qualify, semi, joined)
        if conds:
            lines.append("WHERE " + "\nAND ".join(conds))
        if spec.order_column is not None:
            direction = "DESC" if spec.descending else "ASC"
            order = [f"{self.col(spec.order_column, qualify)} {direction}"]
            pk = self.schema.table(root).primary_key
            if pk is not None and pk != spec.order_column.column:
                order.append(f"{self.col(ColRef(root, pk), qualify)} {direction}")
            lines.append("ORDER BY " + ", ".join(order))
        if spec.limit:
            lines.append(f"LIMIT {int(spec.limit)}")
        return Built("\n".join(lines), [], [], [], root)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
