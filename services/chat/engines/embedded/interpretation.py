"""One question's linked items → the Spec it asks for (or Unmapped): anchors and qualifiers first,
then what is counted or measured, the groups, the ranking, the subject table, the filters, the kind of
answer (rows or an aggregate), the date column and the chart. Each step lives in its own module; this
one decides how their answers combine."""

from __future__ import annotations

import re

from services.chat.engines.embedded import (
    anchoring,
    column_ambiguity,
    concept_measures,
    durations,
    filters,
    grouping,
    having,
    measures,
    ranking,
    unexplained,
)
from services.chat.engines.embedded.column_roles import default_date
from services.chat.engines.embedded.joins import JoinGraph
from services.chat.engines.embedded.lexicon import Lexicon, Target
from services.chat.engines.embedded.linking import Parsed
from services.chat.engines.embedded.query_spec import ColRef, Group, Measure, Spec, Unmapped
from services.chat.engines.embedded.reading import Reading
from services.chat.engines.embedded.vocabulary import LIST_VERBS, PER_ENTITY_MIN_ROWS
from services.chat.engines.schema import Schema


def interpret(schema: Schema, graph: JoinGraph, lexicon: Lexicon, parsed: Parsed) -> Spec | Unmapped:
    """Assign roles to the linked items of one question and build its Spec."""
    r = Reading(schema, graph, parsed)
    items = r.items
    mentions = [it for it in items if it.kind in ("mention", "concept")]
    if not mentions:
        # nothing in the question names a table, column or value of this database
        return Unmapped("unplaced words", unexplained.unknown_words(r))
    anchoring.anchor_tables(r)
    anchoring.merge_qualifiers(r)
    unknown = unexplained.unknown_values(r)
    if unknown:
        return Unmapped("unknown values", unknown)
    head = unexplained.unknown_head(r)
    if head is not None:
        return Unmapped("unknown subject", [head])

    having_counts = having.having_conditions(r)  # first: "more than 2 loans" is no comparison of a column
    count_at = measures.count_phrase(r)
    group_items, rank_by_items = grouping.group_segments(r)
    rank = ranking.find_ranking(r)
    aggs = measures.agg_words(r)

    spec = Spec(kind="aggregate", entity="")
    spec.chart_type = r.q.chart_type
    # --- what is counted or measured
    measure: Measure | None = None
    subject: str | None = None
    averaged_count = False
    duration = durations.duration_measure(r, aggs)
    if isinstance(duration, Unmapped):
        return duration
    if duration is not None:
        measure, subject = duration, duration.own_table
    elif count_at is not None:
        # "the average number of pages": a numeric column counted per row is averaged
        agg_before = next((a for i, a in aggs if i in (count_at - 3, count_at - 4)), None)
        measure, subject = measures.counted(r, count_at, agg_before)
        averaged_count = agg_before == "avg" and measure is not None and measure.agg == "count"
        if measure is None:
            return Unmapped("the thing to count", [subject or measures.word_after(r, count_at)])
    percent = measures.percent(r) if duration is None else None
    if percent is not None:
        measure, subject = percent
    if measure is None and aggs:
        measure, subject = measures.aggregated(r, aggs)
    # --- groups
    groups = []
    per_entity: str | None = None
    for it in group_items:
        g = grouping.group_of(r, it)
        if g is None:
            continue
        groups.append(g)
        if g.kind == "entity" and it.marker in ("per", "each", "every"):
            per_entity = g.table
    if r.q.bucket:
        groups.insert(0, Group("time", unit=r.q.bucket))
    # --- ranking
    if rank is not None:
        result = ranking.ranked(r, rank, rank_by_items, measure, subject, groups)
        if isinstance(result, Unmapped):
            return result
        measure, subject, groups = result
        spec.ranking = True
        spec.limit = rank.n
        spec.descending = rank.descending
    sort = ranking.sort_column(r, rank_by_items) if rank is None and measure is None and _list_question(r) else None
    if sort is not None:  # "list the books sorted by price": the rows, in that order
        rank = sort
    elif measure is None and rank_by_items:
        measure, subject = measures.measure_from(r, rank_by_items, subject)
    if measure is None and (groups or rank is not None or not _list_question(r)):
        # "yearly ticket fares", "wage by team", "total fares of charter flights": a numeric column
        # named without an aggregate is the measure
        measure = measures.bare_numeric_measure(r)
        if measure is not None:
            subject = subject or measure.own_table
    if measure is None:
        money = [it for it in items if it.kind == "concept" and it.concept in ("money", "quantity", "duration")]
        if money and (groups or not _list_question(r)):
            measure = concept_measures.concept_measure(
                r, money[0], "sum" if money[0].concept != "duration" else "avg", subject
            )
            if measure is None:
                return Unmapped("no measure", [money[0].text])
            subject = subject or measure.own_table
    # "average pages per book": per row of the measure's own table is no grouping
    if measure is not None and measure.agg != "count":
        own = measure.own_table
        groups = [g for g in groups if not (g.kind == "entity" and g.table == own)]
    # "average spend per passenger", "average number of loans per member": totals per member,
    # averaged (rather than one average per customer)
    if (
        measure is not None
        and (measure.agg == "avg" or averaged_count)
        and rank is None
        and per_entity is not None
        and len(groups) == 1
        and groups[0].kind == "entity"
        and groups[0].table == per_entity
        and per_entity != measure.own_table
        and r.graph.reaches_to_one(measure.own_table or per_entity, per_entity)
        # "average fare per airline" (a few airlines) is a breakdown; "per passenger" (thousands)
        # asks for one number
        and r.schema.table(per_entity).row_count > PER_ENTITY_MIN_ROWS
    ):
        spec.per_entity = per_entity
        groups = []
    # --- subject
    if subject is None:
        subject = _subject(r, groups)
    if subject is None:
        return Unmapped("no table")
    spec.entity = subject
    # --- filters
    named_values = filters.value_filters(r)  # first: the values take their mentions before comparisons look
    comparisons = filters.comparisons(r, subject)
    if isinstance(comparisons, Unmapped):
        return comparisons
    spec.filters = [
        *named_values,
        *comparisons,
        *filters.null_filters(r, subject),
        *filters.presence_and_ordinal_filters(r, subject),
    ]
    spec.exists = filters.absent_tables(r, subject)
    spec.having = having_counts
    if measure is not None and measure.agg == "percent" and not measure.condition:
        # "what percentage of loans are over 30 days": the filters say which rows the share counts
        measure.condition, spec.filters = spec.filters, []
        if not measure.condition:
            return Unmapped("share of what", [])
    # --- kind of answer
    if rank is not None and rank.row_level:
        spec.kind = "rows"
        spec.order_by = "column"
        spec.order_column = rank.order_column
        spec.descending = rank.descending
        spec.measures = []
        spec.groups = []
    elif measure is None and not groups and (_list_question(r) or rank is not None):
        spec.kind = "rows"
    else:
        spec.kind = "aggregate"
        if measure is None:
            measure = Measure("count", entity=subject, label=f"number of {subject}")
        spec.measures = [measure]
        spec.groups = groups[:2]
        if spec.ranking:
            spec.order_by = "measure"
    # --- dates
    if spec.having and r.q.date_range is not None and not spec.groups:
        # "members who borrowed more than twice in 2025": the dates are those of the loans counted
        for h in spec.having:
            col = default_date(r.schema.table(h.table))
            if col is None:
                return Unmapped("no date column", [])
            h.date_column, h.date_range = ColRef(h.table, col.name), r.q.date_range
    elif r.q.date_range is not None or any(g.kind == "time" for g in spec.groups):
        date_col = date_column_of(r, spec)
        if date_col is None:
            return Unmapped("no date column", [])
        spec.date_column = date_col
        spec.date_range = r.q.date_range
        spec.compare = r.q.compare
        for g in spec.groups:
            if g.kind == "time":
                g.column = date_col
    spec.growth = r.q.growth and any(g.kind == "time" for g in spec.groups)
    if (spec.compare is not None or spec.growth) and spec.kind != "aggregate":
        return Unmapped("no measure to compare")
    unused = unexplained.unused_columns(r)
    if unused:
        return Unmapped("unused", unused)
    unplaced = unexplained.unaccounted_words(r, lexicon)
    if unplaced:
        return Unmapped("unplaced words", unplaced)
    unclear = column_ambiguity.ambiguous_measure(r, spec)
    if unclear is not None:
        return unclear
    # --- charts
    breakdown = spec.kind == "aggregate" and bool(spec.groups)
    spec.chart_wanted = r.q.chart_asked or (breakdown and r.q.show_verb)
    return spec


def _subject(r: Reading, groups: list[Group]) -> str | None:
    """The table the question is about, when no measure has said."""
    for it in r.items:
        if it.kind == "mention" and it.role not in ("group", "qualifier", "rankby", "measure"):
            t = r.pick(it, ("table",))
            if t is not None and (not it.of_kind("value") or t.weight >= 3):
                if not it.of_kind("column") or t.weight >= max(c.weight for c in it.of_kind("column")):
                    it.role, it.chosen = "subject", t
                    return t.table
    for it in r.items:
        if it.kind == "mention" and it.role not in ("group", "rankby") and it.of_kind("value"):
            v = r.pick(it, ("value",))
            if v is not None:
                return v.table
    for g in groups:
        if g.kind == "column" and g.column:
            return g.column.table
        if g.kind == "entity" and g.table:
            return g.table
    for it in r.items:
        if it.kind == "mention" and it.role not in ("group", "rankby"):
            t = r.pick(it, ("column", "table"))
            if t is not None:
                return t.table
    return None


def _list_question(r: Reading) -> bool:
    """Whether the question asks to see rows ("show …", "list …", "which …")."""
    first = [it.text for it in r.items[:3] if it.kind == "word"]
    text = r.q.text
    if re.match(r"^(show|list|display|give|find|get|fetch|print|which|who|what are|what were|view)\b", text):
        return True
    return bool(set(first) & LIST_VERBS) or bool(re.search(r"\b(show|list|display)\b", text))


def date_column_of(r: Reading, spec: Spec) -> ColRef | None:
    """The time column dates and time buckets apply to: one the question names, else the main date of the
    measured table (or of the nearest parent that has one)."""
    base_tables: list[str] = []
    for m in spec.measures:
        table = m.own_table
        if table and table not in base_tables:
            base_tables.append(table)
    if spec.entity not in base_tables:
        base_tables.append(spec.entity)
    # a time column the question names ("opened", "signed up", "hired", "admitted")
    named: list[Target] = []
    for it in r.items:
        if it.kind == "mention" and it.role in ("", "subject", "group"):
            for t in it.of_kind("column"):
                c = r.col(t.table, t.column)
                if c is not None and c.temporal:
                    named.append(t)
    if named:
        best = min(
            named,
            key=lambda t: (min(r.graph.distance(t.table, b) for b in base_tables), -t.weight),
        )
        if min(r.graph.distance(best.table, b) for b in base_tables) <= 2:
            return ColRef(best.table, best.column)
    for name in base_tables:
        col = default_date(r.schema.table(name))
        if col is not None:
            return ColRef(name, col.name)
    # a parent's date ("loan items per month" → the loan's date)
    for name in base_tables:
        for parent in r.graph.parents_by_distance(name):
            col = default_date(r.schema.table(parent))
            if col is not None:
                return ColRef(parent, col.name)
    return None
