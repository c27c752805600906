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
from services.chat.engines.embedded.linking import Parsed, link, mark_concepts
from services.chat.engines.embedded.meta_questions import meta_request
from services.chat.engines.embedded.nl_dates import combine, find_bucket, find_dates
from services.chat.engines.embedded.query_spec import MetaRequest, Spec, Unmapped
from services.chat.engines.schema import Schema


class Parser:
    def __init__(self, schema: Schema, lexicon: Lexicon) -> None:
        self.schema = schema
        self.lexicon = lexicon
        self.graph = joins.JoinGraph(schema)

    def parse(self, question: str, today: date) -> Spec | MetaRequest | Unmapped:
        text = normalise(question)
        tokens = tokenize(text)
        if not tokens:
            return Unmapped("empty")
        taken: set[int] = set()
        chart_type, chart_asked = find_chart(tokens, taken)
        meta = meta_request(self.schema, self.lexicon, text, tokens, taken, chart_type, chart_asked)
        if meta is not None:
            return meta
        dates = find_dates(tokens, today, taken)
        date_range = combine(dates)
        bucket, used = find_bucket(tokens, taken)
        taken |= used
        items = link(tokens, taken, self.lexicon)
        mark_concepts(items)
        show_verb = any(t.text in ("show", "plot", "chart", "graph", "draw", "display") for t in tokens)
        parsed = Parsed(question, text, tokens, items, chart_type, chart_asked, show_verb, date_range, bucket)
        parsed.date_starts = {m.first for m in dates}
        return interpret(self.schema, self.graph, parsed)
