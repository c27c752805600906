"""Question → what it asks (a Spec), mapped onto the connected schema; or a schema question; or
Unmapped when the question cannot be tied to the schema without guessing.

The question's words are first stripped of what the grammar explains (chart requests, dates,
time buckets), then linked to the schema (values, columns, tables: longest match first), and the
remaining keywords give each link its role: what is counted or measured, what it is grouped or
ranked by, what filters it. Only generic English is known here; every table, column and value
comes from the schema.

The steps, in the order a question goes through them:
- chart_request.py: "as a pie chart", "plot …";
- meta_questions.py: questions about the tables and columns themselves;
- nl_dates.py: dates, periods and time buckets;
- linking.py: the remaining words linked to tables, columns and values (vocabulary.py: the
  generic English);
- interpretation.py: the roles of the linked words — reading.py (shared look-ups), anchoring.py,
  measures.py and concept_measures.py, grouping.py, ranking.py, filters.py, unexplained.py,
  column_roles.py.
"""

from __future__ import annotations

from datetime import date

from services.chat.engines.embedded import joins
from services.chat.engines.embedded.chart_request import find_chart
from services.chat.engines.embedded.interpretation import interpret
from services.chat.engines.embedded.lexicon import Lexicon, normalise, tokenize
from services.chat.engines.embedded.linking import Parsed, link, mark_concepts, schema_phrases
from services.chat.engines.embedded.meta_questions import meta_request
from services.chat.engines.embedded.nl_dates import BUCKET_WORDS, DateMatch, combine, find_bucket, find_dates
from services.chat.engines.embedded.periods import GROWTH_WORDS, find_comparison
from services.chat.engines.embedded.query_spec import MetaRequest, Spec, Unmapped
from services.chat.engines.embedded.synonyms import Synonym, ambiguous_synonym, apply_synonyms
from services.chat.engines.embedded.vocabulary import CHART_WORDS
from services.chat.engines.schema import Schema

# words read before the question is linked to the schema: a whole schema name that is one of them
# is the name (a package called "Trend", a value "monthly")
PRE_LINK_WORDS = GROWTH_WORDS | set(BUCKET_WORDS) | CHART_WORDS | {"trend", "trends", "timeline", "evolution"}


class Parser:
    def __init__(self, schema: Schema, lexicon: Lexicon) -> None:
        self.schema = schema
        self.lexicon = lexicon
        self.graph = joins.JoinGraph(schema)

    def parse(self, question: str, today: date, synonyms: list[Synonym] | None = None) -> Spec | MetaRequest | Unmapped:
        text, readings = apply_synonyms(self.lexicon.split_negations(normalise(question)), synonyms or [])
        if (unclear := ambiguous_synonym(text, synonyms or [])) is not None:
            return unclear
        tokens = tokenize(text)
        if not tokens:
            return Unmapped("empty")
        # the schema's multi-word names first: no other reading may take their words
        names = schema_phrases(tokens, self.lexicon, PRE_LINK_WORDS, question)
        taken: set[int] = set(names)
        chart_type, chart_asked = find_chart(tokens, taken)
        meta = meta_request(self.schema, self.lexicon, text, tokens, taken - names, chart_type, chart_asked)
        if meta is not None:
            return meta
        comparison = find_comparison(tokens, today, taken)
        dates = find_dates(tokens, today, taken) if comparison is None else []
        date_range = comparison.current if comparison else combine(dates)
        if date_range is not None and date_range.start and date_range.end and date_range.start >= date_range.end:
            return empty_range(dates)
        growth = {i for i, t in enumerate(tokens) if t.text in GROWTH_WORDS and i not in taken}
        taken |= growth
        bucket, used = find_bucket(tokens, taken)
        if growth and bucket is None and comparison is None:
            bucket = "month"  # growth is a series: month by month unless another grain is asked for
        taken |= used
        taken -= names
        items = link(tokens, taken, self.lexicon)
        mark_concepts(items)
        show_verb = any(t.text in ("show", "plot", "chart", "graph", "draw", "display") for t in tokens)
        parsed = Parsed(question, text, tokens, items, chart_type, chart_asked, show_verb, date_range, bucket)
        parsed.date_starts = {m.first for m in dates}
        parsed.compare = comparison.previous if comparison else None
        parsed.growth = bool(growth)
        spec = interpret(self.schema, self.graph, self.lexicon, parsed)
        if isinstance(spec, Spec):
            spec.readings = readings
        return spec


def empty_range(dates: list[DateMatch]) -> Unmapped:
    """Dates that leave no day to look at ("in December 2026" and "before 2026"): refused, never run."""
    labels = " and ".join(f"“{m.range.label}”" for m in dates)
    return Unmapped(
        "empty date range",
        explanation=(
            f"The dates in that question leave no day to look at: {labels} do not overlap, so any figure "
            "for them would be empty or about other dates."
        ),
    )
