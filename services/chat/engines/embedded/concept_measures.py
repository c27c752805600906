"""The measure a generic word stands for: "revenue" / "spend" (the money column that relates best
to the rest of the question), "units" (a quantity column), "how long" (days between a table's
start and end times)."""

from __future__ import annotations

from services.chat.engines.embedded.column_roles import money_options, start_end
from services.chat.engines.embedded.lexicon import words_of
from services.chat.engines.embedded.linking import Item
from services.chat.engines.embedded.query_spec import ColRef, Measure
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import MONEY_LABELS, QUANTITY_NAMES


def agg_name(agg: str) -> str:
    """How an answer names an aggregate: "sum" → "total"."""
    return {"sum": "total", "avg": "average", "min": "minimum", "max": "maximum"}.get(agg, agg)


def concept_measure(r: Reading, it: Item, agg: str, qualifier: str | None) -> Measure | None:
    """The measure a concept word stands for, aggregated with `agg`, on the `qualifier` table if given."""
    if it.concept == "money" or (it.concept == "price" and agg != "count"):
        return money_measure(r, agg, [qualifier] if qualifier else [], it.text, price=it.concept == "price")
    if it.concept == "quantity":
        return _quantity_measure(r, agg, [qualifier] if qualifier else [])
    if it.concept == "duration":
        return _duration_measure(r, agg, [qualifier] if qualifier else [])
    return None


def money_measure(r: Reading, agg: str, prefer: list[str], word: str, *, price: bool = False) -> Measure | None:
    """The money column (or line value) that relates best to the tables the question names; `prefer` limits
    the tables looked at (all of them when none there has one)."""
    candidates: list[tuple[float, Measure]] = []
    required = _required_tables(r)
    context = prefer or _context_tables(r)
    for table in r.schema.tables.values():
        if prefer and table.name not in prefer:
            continue
        options = money_options(table, price=price)
        for score, m in options:
            reach = [t for t in required if t != table.name]
            if any(not r.graph.reaches_to_one(table.name, t) for t in reach):
                score -= 10
            if context:
                d = min(r.graph.distance(table.name, c) for c in context)
                score -= 0.5 * min(d, 4)
                if table.name in context:
                    score += 0.5
            m.label = word if word in MONEY_LABELS and not price else m.label
            candidates.append((score, m))
    if not candidates:
        if prefer:
            return money_measure(r, agg, [], word, price=price)
        return None
    score, best = max(candidates, key=lambda c: c[0])
    if score < -5:
        return None
    best.agg = agg
    return best


def _quantity_measure(r: Reading, agg: str, prefer: list[str]) -> Measure | None:
    required = _required_tables(r)
    best: tuple[float, Measure] | None = None
    for table in r.schema.tables.values():
        if prefer and table.name not in prefer:
            continue
        for col in table.columns:
            words = set(words_of(col.name))
            if not (words & QUANTITY_NAMES) or not col.numeric:
                continue
            score = 2.0
            if any(not r.graph.reaches_to_one(table.name, t) for t in required if t != table.name):
                score -= 10
            m = Measure(agg, column=ColRef(table.name, col.name), label=f"{agg_name(agg)} {col.name}")
            if best is None or score > best[0]:
                best = (score, m)
    return best[1] if best and best[0] > -5 else None


def _duration_measure(r: Reading, agg: str, prefer: list[str]) -> Measure | None:
    columns = duration_columns(r, prefer)
    if columns is None:
        return None
    start, end = columns
    return Measure(
        agg, expr="duration", expr_columns=columns, label=f"{agg_name(agg)} time from {start.column} to {end.column}"
    )


def duration_columns(r: Reading, prefer: list[str]) -> tuple[ColRef, ColRef] | None:
    """'length of stay', 'resolution time': from the start to the end time of the first table asked about
    (of `prefer` if given) that has two time columns."""
    for name in prefer or _context_tables(r) or list(r.schema.tables):
        temporal = [c for c in r.schema.tables[name].columns if c.temporal]
        if len(temporal) >= 2:
            start, end = start_end(temporal)
            return ColRef(name, start.name), ColRef(name, end.name)
    return None


def _context_tables(r: Reading) -> list[str]:
    """Tables the question names (or names values of), in order."""
    out: list[str] = []
    for it in r.items:
        if it.role in ("qualifier",) and it.of_kind("table"):
            continue
        for t in it.targets:
            if t.kind in ("table", "value") and t.table not in out:
                out.append(t.table)
    return out


def _required_tables(r: Reading) -> list[str]:
    """Tables the measure must reach: those of groups, values and ranked entities."""
    out: list[str] = []
    for it in r.items:
        if it.kind != "mention" or it.role == "qualifier":
            continue
        if it.role in ("group", "rank") or it.of_kind("value"):
            for t in it.targets[:1] if it.chosen is None else [it.chosen]:
                if t.table not in out:
                    out.append(t.table)
    return out
