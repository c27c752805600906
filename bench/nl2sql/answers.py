"""One question through the engine exactly as a chat turn, what the chat would store of it, and its outcome."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.chat.engines.base import Database, Delta, Engine, HistoryTurn, Note, TurnContext, Viz
from services.common.turn_json import visualization_json

OUTCOMES = ("right", "declined", "wrong")


@dataclass
class Answer:
    sql: str | None
    text: str
    vizzes: list[dict[str, Any]]
    declined: bool  # said it could not map the question, or ran no SQL
    notes: dict[str, Any] = field(default_factory=dict)  # every Note(key, value), the last value of a key
    crashed: bool = False


@dataclass
class Outcome:
    db: str
    set: str
    category: str  # a conversation turn's follow-up kind
    question: str
    outcome: str  # right, declined or wrong
    reason: str
    sql: str | None
    answer: str
    seconds: float
    chain: str = ""  # the conversation chain of a turn ("" for a single question)
    turn: int = 0  # the turn's place in its chain, from 1


async def ask(
    engine: Engine,
    db: Database,
    question: str,
    today: date,
    rules: Sequence[str] = (),
    history: Sequence[HistoryTurn] = (),
) -> Answer:
    ctx = TurnContext(
        question=question, history=list(history), database=db, today=today, organization_rules=list(rules)
    )
    notes: dict[str, Any] = {}
    text: list[str] = []
    vizzes: list[dict[str, Any]] = []
    try:
        async for event in engine.answer(ctx):
            if isinstance(event, Note):
                notes[event.key] = event.value
            elif isinstance(event, Delta):
                text.append(event.text)
            elif isinstance(event, Viz):
                vizzes.append(visualization_json(event.visualization))
    except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer, reported
        return Answer(None, f"error: {exc.__class__.__name__}: {exc}", [], False, notes, crashed=True)
    sql = notes.get("sql")
    return Answer(sql, "".join(text), vizzes, bool(notes.get("declined")) or sql is None, notes)


def stored_turns(question: str, answer: Answer, model_id: str) -> tuple[list[HistoryTurn], str]:
    """The user and assistant messages the turn service would store for this turn, and why they could
    not be stored as they are ("" when they could).

    The assistant's metadata is what the service keeps: the model, the visualizations, then every
    Note by key; it goes through a JSON column, so it is read back as JSON.
    """
    meta: dict[str, Any] = {"model": model_id, "visualizations": answer.vizzes, **answer.notes}
    problem = ""
    try:
        stored = json.loads(json.dumps(meta))
    except (TypeError, ValueError) as exc:
        problem = f"metadata not storable as JSON: {exc}"
        stored = json.loads(json.dumps(meta, default=str))
    return [HistoryTurn("user", question, {}), HistoryTurn("assistant", answer.text, stored)], problem


def tally(rows: Sequence[Outcome]) -> str:
    if not rows:
        return ""
    n = {k: sum(o.outcome == k for o in rows) for k in OUTCOMES}
    return f"{n['right']:>3}/{n['declined']:>2}/{n['wrong']:>2} of {len(rows):<3}"


def print_tallies(
    title: str, label: str, outcomes: Sequence[Outcome], kinds: Sequence[str], sets: Sequence[str]
) -> dict[str, list[Outcome]]:
    """The right/declined/wrong table: a row per kind (`label`) and per set, a column per database.
    Returns the outcomes by database, for the summaries that follow it."""
    by_db: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_db[o.db].append(o)
    names = list(by_db)
    width = 16
    print(f"{title}\n")
    header = f"{label:<{width}}" + "".join(f"{n:>22}" for n in names)
    print(header)
    print("-" * len(header))
    for kind in kinds:
        cells = [tally([o for o in by_db[n] if o.category == kind]) for n in names]
        if any(cells):
            print(f"{kind:<{width}}" + "".join(f"{c:>22}" for c in cells))
    print("-" * len(header))
    print(f"{'TOTAL':<{width}}" + "".join(f"{tally(by_db[n]):>22}" for n in names))
    for which in sets:
        cells = [tally([o for o in by_db[n] if o.set == which]) for n in names]
        if any(cells):
            print(f"{'  ' + which:<{width}}" + "".join(f"{c:>22}" for c in cells))
    print()
    return by_db
