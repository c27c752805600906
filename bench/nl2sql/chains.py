"""What a conversation chain of the benchmark is, and the SQL pieces its gold queries share.

A chain is 3–5 questions asked one after another in one chat; each turn has its own gold SQL
(SQLite, `:today` bound like the single-question sets) or None when the follow-up must be
declined. Every turn has one follow-up kind (the first turn's is "first").
"""

from __future__ import annotations

KINDS: tuple[str, ...] = (
    "first",  # the opening question, standing on its own
    "filter",  # adds or replaces a filter: "only Europe", "just the closed ones", "for 2024"
    "regroup",  # changes the grouping: "and by quarter?" (adds), "by month instead" (replaces)
    "chart",  # "as a pie chart": the previous result, with that chart
    "table",  # "as a table": the previous result, as a table and no chart
    "top_n",  # "top 3 only": the previous grouping ranked and cut
    "measure",  # a new measure keeping the filters and grouping: "and the average?"
    "pronoun",  # a new question about "their"/"those"/"that" of the previous answer
    "what_about",  # "what about 2024?", "what about urgent tickets?": replaces a like filter, else adds one
    "decline",  # ambiguous, or a word that maps to nothing: only a decline is right
)


def turn(kind: str, question: str, sql: str | None, **extra: object) -> dict:
    """One turn: `chart` names the chart type asked for ("table": a table and no chart), `ordered` a ranking."""
    if kind not in KINDS:
        raise ValueError(f"unknown follow-up kind {kind!r}")
    if (kind == "decline") != (sql is None):
        raise ValueError(f"{question!r}: a decline turn, and only one, has no gold SQL")
    return {"kind": kind, "question": question, "sql": sql, **extra}


def chain(name: str, *turns: dict) -> dict:
    if not 3 <= len(turns) <= 5:
        raise ValueError(f"chain {name!r} has {len(turns)} turns (3 to 5)")
    if turns[0]["kind"] != "first" or any(t["kind"] == "first" for t in turns[1:]):
        raise ValueError(f"chain {name!r}: the first turn, and only it, is of kind 'first'")
    return {"name": name, "turns": list(turns)}


def year(column: str, y: int) -> str:
    return f"{column} >= '{y}-01-01' AND {column} < '{y + 1}-01-01'"


def month(column: str) -> str:
    return f"strftime('%Y-%m', {column})"


def quarter(column: str) -> str:
    return f"strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)"
