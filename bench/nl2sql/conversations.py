"""Conversation chains through the engine, turn by turn, as one chat; and their report.

Each turn is asked with the history the turn service would build from the stored messages of the
chat so far: for every earlier turn the user message (metadata {}) and the assistant message (its
text; metadata the model, the visualizations and every Note the engine yielded). The history holds
what the engine actually answered, so a chain goes on after a wrong or declined turn. Every turn is
scored on its own with the single-question rules (scoring.judge); a decline turn (gold None) is
right only when declined with no SQL run.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from answers import Outcome, ask, print_tallies, stored_turns
from chains import KINDS
from scoring import judge

from services.chat.engines.base import Database, Engine, HistoryTurn
from services.chat.engines.embedded.engine import EmbeddedEngine


async def run_chains(
    name: str, path: Path, chains: list[dict], today: date, engine: Engine | None = None
) -> list[Outcome]:
    engine = engine or EmbeddedEngine()
    db = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name=name.capitalize())
    out: list[Outcome] = []
    for chain in chains:
        history: list[HistoryTurn] = []
        for number, turn in enumerate(chain["turns"], start=1):
            began = time.perf_counter()
            answer = await ask(engine, db, turn["question"], today, history=history)
            seconds = time.perf_counter() - began
            outcome, reason = judge(path, turn, answer.sql, answer.vizzes, answer.declined, answer.text, today)
            stored, problem = stored_turns(turn["question"], answer, engine.model_id)
            if problem:  # the chat service could not have stored this answer
                outcome, reason = "wrong", problem
            history += stored
            out.append(
                Outcome(
                    name,
                    chain["set"],
                    turn["kind"],
                    turn["question"],
                    outcome,
                    reason,
                    answer.sql,
                    answer.text,
                    seconds,
                    chain=chain["name"],
                    turn=number,
                )
            )
    return out


def report(outcomes: list[Outcome], sets: list[str], verbose: bool) -> None:
    """Right/declined/wrong of conversation turns per follow-up kind and database, then per set."""
    by_db = print_tallies("conversation turns: right/declined/wrong", "follow-up kind", outcomes, KINDS, sets)
    names = list(by_db)
    for which in sets:
        for n in names:
            rows = [o for o in by_db[n] if o.set == which]
            if rows:
                print(f"{n} {which}: {summary(rows)}")
    if verbose:
        for kind in ("wrong", "declined"):
            listed = [o for o in outcomes if o.outcome == kind]
            if listed:
                print(f"\n{len(listed)} {kind} conversation turns:")
            for o in listed:
                print(f"\n[{o.db}/{o.set}/{o.chain} turn {o.turn}, {o.category}] {o.question}\n  why: {o.reason}")
                if o.sql:
                    print("  sql: " + o.sql.replace("\n", "\n       "))


def summary(rows: list[Outcome]) -> str:
    answerable = [o for o in rows if o.category != "decline"]
    right = sum(o.outcome == "right" for o in answerable)
    wrong = sum(o.outcome == "wrong" for o in rows)
    declines = [o for o in rows if o.category == "decline"]
    chains: dict[str, bool] = {}
    for o in rows:
        chains[o.chain] = chains.get(o.chain, True) and o.outcome == "right"
    return (
        f"right on answerable turns {right}/{len(answerable)} ({100 * right / max(1, len(answerable)):.1f}%), "
        f"wrong {wrong}/{len(rows)} ({100 * wrong / max(1, len(rows)):.1f}% of all), "
        f"follow-ups to decline declined {sum(o.outcome == 'right' for o in declines)}/{len(declines)}, "
        f"chains right at every turn {sum(chains.values())}/{len(chains)}"
    )
