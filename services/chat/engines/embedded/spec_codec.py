"""A Spec as JSON and back: how an answer stores its interpretation in the assistant message's
metadata, so a later turn can read a follow-on as an edit of it from the stored history alone (any
replica, after a restart). Decoding checks every table and column against the current schema: an
interpretation that no longer fits it is no context at all."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.chat.engines.embedded.nl_dates import DateRange
from services.chat.engines.embedded.query_spec import ColRef, Filter, Group, Having, Measure, Spec
from services.chat.engines.schema import Schema

VERSION = 1
_SCALARS = (str, int, float, bool, type(None))


class _UnfitError(Exception):
    """The stored interpretation is malformed or names something the schema no longer has."""


# --- encoding -----------------------------------------------------------------------------------


def _col(ref: ColRef | None) -> list[str] | None:
    return None if ref is None else [ref.table, ref.column]


def _value(value: object) -> object:
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"a filter value of type {type(value).__name__} cannot be stored")


def _range(r: DateRange | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "start": r.start.isoformat() if r.start else None,
        "end": r.end.isoformat() if r.end else None,
        "label": r.label,
    }


def _filter(f: Filter) -> dict[str, Any]:
    return {"column": _col(f.column), "op": f.op, "value": _value(f.value), "value2": _value(f.value2)}


def _measure(m: Measure) -> dict[str, Any]:
    return {
        "agg": m.agg,
        "column": _col(m.column),
        "entity": m.entity,
        "expr": m.expr,
        "expr_columns": [_col(c) for c in m.expr_columns],
        "condition": [_filter(f) for f in m.condition],
        "label": m.label,
        "unit": m.unit,
    }


def _group(g: Group) -> dict[str, Any]:
    return {"kind": g.kind, "column": _col(g.column), "table": g.table, "unit": g.unit}


def _having(h: Having) -> dict[str, Any]:
    return {
        "table": h.table,
        "op": h.op,
        "value": h.value,
        "parent": h.parent,
        "filters": [_filter(f) for f in h.filters],
        "date_column": _col(h.date_column),
        "date_range": _range(h.date_range),
    }


def to_json(spec: Spec) -> dict[str, Any]:
    """The Spec as plain JSON types (raises TypeError for a value JSON cannot hold)."""
    return {
        "version": VERSION,
        "kind": spec.kind,
        "entity": spec.entity,
        "measures": [_measure(m) for m in spec.measures],
        "groups": [_group(g) for g in spec.groups],
        "filters": [_filter(f) for f in spec.filters],
        "date_column": _col(spec.date_column),
        "date_range": _range(spec.date_range),
        "order_by": spec.order_by,
        "order_column": _col(spec.order_column),
        "descending": spec.descending,
        "limit": spec.limit,
        "chart_type": spec.chart_type,
        "chart_wanted": spec.chart_wanted,
        "ranking": spec.ranking,
        "exists": [[table, negated] for table, negated in spec.exists],
        "per_entity": spec.per_entity,
        "rows_of": spec.rows_of,
        "compare": _range(spec.compare),
        "growth": spec.growth,
        "having": [_having(h) for h in spec.having],
        "readings": list(spec.readings),
    }


def storable(spec: Spec) -> dict[str, Any] | None:
    """The Spec as JSON, or None when a value in it has no JSON form (the answer then stores no context)."""
    try:
        return to_json(spec)
    except TypeError:
        return None


# --- decoding -----------------------------------------------------------------------------------


class _Decoder:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def table(self, name: object, *, optional: bool = False) -> str | None:
        if name is None and optional:
            return None
        if not isinstance(name, str) or name not in self.schema.tables:
            raise _UnfitError(f"no table {name!r}")
        return name

    def col(self, raw: object, *, optional: bool = False) -> ColRef | None:
        if raw is None and optional:
            return None
        if not isinstance(raw, list) or len(raw) != 2:
            raise _UnfitError("a column is a [table, column] pair")
        table = self.table(raw[0])
        assert table is not None
        if self.schema.table(table).column(str(raw[1])) is None:
            raise _UnfitError(f"no column {raw!r}")
        return ColRef(table, str(raw[1]))

    def value(self, raw: object) -> Any:
        if isinstance(raw, dict):
            return date.fromisoformat(_str(raw.get("date")))
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, _SCALARS):
            return raw
        raise _UnfitError("a filter value")

    def range(self, raw: object) -> DateRange | None:
        if raw is None:
            return None
        d = _dict(raw)
        start, end = d.get("start"), d.get("end")
        return DateRange(
            date.fromisoformat(_str(start)) if start is not None else None,
            date.fromisoformat(_str(end)) if end is not None else None,
            _str(d.get("label")),
        )

    def filter(self, raw: object) -> Filter:
        d = _dict(raw)
        column = self.col(d.get("column"))
        assert column is not None
        return Filter(column, _str(d.get("op")), self.value(d.get("value")), self.value(d.get("value2")))

    def measure(self, raw: object) -> Measure:
        d = _dict(raw)
        expr_columns = tuple(c for c in (self.col(x) for x in _list(d.get("expr_columns"))) if c is not None)
        return Measure(
            agg=_str(d.get("agg")),
            column=self.col(d.get("column"), optional=True),
            entity=self.table(d.get("entity"), optional=True),
            expr=_opt_str(d.get("expr")),
            expr_columns=expr_columns,
            condition=[self.filter(f) for f in _list(d.get("condition"))],
            label=_str(d.get("label")),
            unit=_str(d.get("unit")),
        )

    def group(self, raw: object) -> Group:
        d = _dict(raw)
        return Group(
            kind=_str(d.get("kind")),
            column=self.col(d.get("column"), optional=True),
            table=self.table(d.get("table"), optional=True),
            unit=_opt_str(d.get("unit")),
        )

    def having(self, raw: object) -> Having:
        d = _dict(raw)
        table = self.table(d.get("table"))
        assert table is not None
        value = d.get("value")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _UnfitError("a count condition's number")
        parent = _str(d.get("parent"))
        if parent:
            self.table(parent)
        return Having(
            table=table,
            op=_str(d.get("op")),
            value=value,
            parent=parent,
            filters=[self.filter(f) for f in _list(d.get("filters"))],
            date_column=self.col(d.get("date_column"), optional=True),
            date_range=self.range(d.get("date_range")),
        )

    def spec(self, raw: object) -> Spec:
        d = _dict(raw)
        if d.get("version") != VERSION:
            raise _UnfitError("another version")
        entity = self.table(d.get("entity"))
        assert entity is not None
        limit = d.get("limit")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise _UnfitError("a limit")
        exists = []
        for pair in _list(d.get("exists")):
            pair = _list(pair)
            if len(pair) != 2 or not isinstance(pair[1], bool):
                raise _UnfitError("an existence condition")
            name = self.table(pair[0])
            assert name is not None
            exists.append((name, pair[1]))
        return Spec(
            kind=_str(d.get("kind")),
            entity=entity,
            measures=[self.measure(m) for m in _list(d.get("measures"))],
            groups=[self.group(g) for g in _list(d.get("groups"))],
            filters=[self.filter(f) for f in _list(d.get("filters"))],
            date_column=self.col(d.get("date_column"), optional=True),
            date_range=self.range(d.get("date_range")),
            order_by=_opt_str(d.get("order_by")),
            order_column=self.col(d.get("order_column"), optional=True),
            descending=_bool(d.get("descending")),
            limit=limit,
            chart_type=_opt_str(d.get("chart_type")),
            chart_wanted=_bool(d.get("chart_wanted")),
            ranking=_bool(d.get("ranking")),
            exists=exists,
            per_entity=self.table(d.get("per_entity"), optional=True),
            rows_of=self.table(d.get("rows_of"), optional=True),
            compare=self.range(d.get("compare")),
            growth=_bool(d.get("growth")),
            having=[self.having(h) for h in _list(d.get("having"))],
            readings=[_str(x) for x in _list(d.get("readings"))],
        )


def _dict(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _UnfitError("an object")
    return raw


def _list(raw: object) -> list[Any]:
    if not isinstance(raw, list):
        raise _UnfitError("a list")
    return raw


def _str(raw: object) -> str:
    if not isinstance(raw, str):
        raise _UnfitError("a string")
    return raw


def _opt_str(raw: object) -> str | None:
    return None if raw is None else _str(raw)


def _bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise _UnfitError("a boolean")
    return raw


def from_json(raw: object, schema: Schema) -> Spec | None:
    """The stored interpretation, or None when it is malformed or does not fit `schema` any more."""
    try:
        return _Decoder(schema).spec(raw)
    except (_UnfitError, ValueError, TypeError):
        return None
