"""Spec → one read-only SELECT in the integration's dialect.

Joins follow foreign keys from the query's root table towards referenced tables only, so sums
and averages are never inflated by fan-out; a filter on a table that is only reachable the
other way becomes an EXISTS subquery, and a count whose dimensions live on the many side is
re-rooted there and counts distinct keys.
"""

from __future__ import annotations

import dataclasses

from services.chat.engines.embedded.built import Built
from services.chat.engines.embedded.joins import Edge, JoinGraph
from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Having, Measure, Spec
from services.chat.engines.embedded.row_labels import entity_name, label_columns
from services.chat.engines.embedded.sql_dialect import days_between, ident, literal, time_bucket
from services.chat.engines.embedded.sql_measures import measure_alias, measure_sql
from services.chat.engines.embedded.sql_periods import CURRENT, PREVIOUS, both_periods, with_change, with_growth
from services.chat.engines.schema import Schema, column_kind

# filter operators and their SQL
_COMPARISONS = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_MEMBERSHIP = {"in": "IN", "not in": "NOT IN"}
_EMPTINESS = {"null": "IS NULL", "not null": "IS NOT NULL"}


class CannotBuildError(Exception):
    """The spec names tables that cannot be joined without multiplying rows."""


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
            conds.append(self.cond(f, qualify))
        if spec.date_column is not None and spec.date_range is not None and spec.date_column.table not in semi:
            conds.extend(self._date_conds(spec.date_column, spec.date_range, qualify))
        for table in semi:
            conds.append(self._exists(table, spec, joined))
        for h in spec.having:
            conds.append(self._having(h))
        return conds

    def _having(self, h: Having) -> str:
        """(SELECT COUNT(*) FROM <related rows of this row>) <op> N, correlated with the outer `h.parent`."""
        path = self.graph.path_to_one(h.table, h.parent)
        if not path:
            raise CannotBuildError(f"{h.table} does not refer to {h.parent}")
        parts, aliases, conds = self._correlated("COUNT(*)", h.table, path[:-1], path[-1], "h")
        conds += [self.cond(f, True, aliases) for f in h.filters if f.column.table in aliases]
        if h.date_column is not None and h.date_range is not None and h.date_column.table in aliases:
            conds.extend(self._date_conds(h.date_column, h.date_range, True, aliases))
        op = _COMPARISONS[h.op]
        return f"({' '.join(parts)} WHERE {' AND '.join(conds)}) {op} {self.literal(h.value)}"

    def _correlated(
        self, select: str, start: str, edges: list[Edge], last: Edge, prefix: str
    ) -> tuple[list[str], dict[str, str], list[str]]:
        """A subquery's SELECT and joins from `start` along `edges` (tables aliased prefix0, prefix1, …), its
        table aliases, and the condition tying its `last` edge to the outer query's table."""
        aliases = {start: f"{prefix}0"}
        parts = [f"SELECT {select} FROM {self.q(start)} {prefix}0"]  # noqa: S608 - quoted identifiers
        for e in edges:
            if e.parent in aliases:
                continue
            aliases[e.parent] = f"{prefix}{len(aliases)}"
            parts.append(
                f"JOIN {self.q(e.parent)} {aliases[e.parent]} ON {aliases[e.parent]}.{self.q(e.ref_column)} = "
                f"{aliases[e.child]}.{self.q(e.column)}"
            )
        tie = f"{aliases[last.child]}.{self.q(last.column)} = {self.q(last.parent)}.{self.q(last.ref_column)}"
        return parts, aliases, [tie]

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
        parts, aliases, conds = self._correlated("1", start, [*to_table, *to_outer[:-1]], to_outer[-1], "s")
        for f in spec.filters:
            if f.column.table in aliases and f.column.table not in joined:
                conds.append(self.cond(f, True, aliases))
        date = spec.date_column
        if date is not None and spec.date_range is not None and date.table in aliases and date.table not in joined:
            conds.extend(self._date_conds(date, spec.date_range, True, aliases))
        keyword = "NOT EXISTS" if negated else "EXISTS"
        return f"{keyword} (" + " ".join(parts) + " WHERE " + " AND ".join(conds) + ")"

    def literal(self, value: object) -> str:
        return literal(value, self.d)

    def cond(self, f: Filter, qualify: bool, aliases: dict[str, str] | None = None) -> str:
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

    def days_between(self, start: ColRef, end: ColRef, qualify: bool) -> str:
        return days_between(self._temporal_expr(start, qualify), self._temporal_expr(end, qualify), self.d)

    def measure_expr(self, m: Measure, qualify: bool, root: str, when: str | None = None) -> str:
        return measure_sql(self, m, qualify, root, when)

    def measure_alias(self, m: Measure) -> str:
        return measure_alias(m)

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
            prefer = spec.rows_of or measure_table or spec.entity
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
        periods = self._period_conds(spec, qualify)
        if periods is None:
            alias = self._unique(self.measure_alias(m), used_aliases)
            select.append(f"{self.measure_expr(m, qualify, root)} AS {self.q(alias)}")
            values = [alias]
        else:  # one value per period: "this month vs the same month last year"
            alias = CURRENT
            select.append(f"{self.measure_expr(m, qualify, root, periods[0])} AS {CURRENT}")
            select.append(f"{self.measure_expr(m, qualify, root, periods[1])} AS {PREVIOUS}")
            values = [CURRENT, PREVIOUS]
            spec = dataclasses.replace(spec, date_range=both_periods(spec))
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
        built = Built("\n".join(lines), labels, values, names, root, per_group)
        if periods is not None:
            return with_change(self, built)
        if spec.growth:
            return with_growth(self, built, spec)
        return built

    def _period_conds(self, spec: Spec, qualify: bool) -> tuple[str, str] | None:
        """The conditions selecting the current and the earlier period of a comparison."""
        if spec.compare is None or spec.date_column is None or spec.date_range is None:
            return None
        current = " AND ".join(self._date_conds(spec.date_column, spec.date_range, qualify))
        previous = " AND ".join(self._date_conds(spec.date_column, spec.compare, qualify))
        return current, previous

    def _per_entity_average(self, spec: Spec) -> Built:
        """ "Average spend per member": each member's total, averaged over every member the question
        is about, those with none counting as 0 (so the total divided by the members)."""
        m = spec.measures[0]
        per = spec.per_entity or ""
        pk = self.schema.table(per).primary_key
        if pk is None:
            raise CannotBuildError(f"{per} has no key to total per row")
        key = ColRef(per, pk)
        inner_measure = dataclasses.replace(m, agg="sum" if m.agg == "avg" else m.agg)
        inner_spec = dataclasses.replace(
            spec,
            measures=[inner_measure],
            groups=[Group("column", column=key)],
            per_entity=None,
            order_by=None,
            ranking=False,
            limit=None,
        )
        inner = self._aggregate(inner_spec)
        value, key_alias = inner.value_columns[0], inner.label_columns[0]
        alias = f"average_{value}_per_{entity_name(per).replace(' ', '_')}"
        # the rows averaged over: every row of the table, narrowed by the filters on it (or its parents)
        outer = Spec(
            kind="rows",
            entity=per,
            filters=[f for f in spec.filters if self.graph.reaches_to_one(per, f.column.table)],
        )
        root, edges, semi = self._plan(outer, {per}, per, fixed_root=True)
        joined = {root} | {e.parent for e in edges}
        lines = [
            f"SELECT AVG(COALESCE(per_row.{self.q(value)}, 0)) AS {self.q(alias)}, "
            f"COUNT(*) AS {self.q('number_of_' + per)}",
            self._from(root, edges),
            f"LEFT JOIN (\n{_indented(inner.sql.rsplit(chr(10) + 'ORDER BY ', 1)[0])}\n) per_row "
            f"ON per_row.{self.q(key_alias)} = {self.col(key, True)}",
        ]
        conds = self._where(outer, True, semi, joined)
        if conds:
            lines.append("WHERE " + "\nAND ".join(conds))
        return Built("\n".join(lines), [], [alias, "number_of_" + per], [], inner.root)

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


def _indented(sql: str) -> str:
    return "\n".join("  " + line for line in sql.splitlines())
