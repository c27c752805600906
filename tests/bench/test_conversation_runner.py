"""The conversation benchmark (bench/nl2sql/conversations.py) asks a chain as one chat: each turn sees the
earlier turns as the turn service stores them (the answer's metadata read back from JSON), the chain
goes on after a declined or wrong turn with what was actually answered, and each turn is scored on
its own."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "nl2sql"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from chains import chain, turn  # noqa: E402
from conversations import run_chains  # noqa: E402

from services.chat.engines.base import Delta, EngineEvent, HistoryTurn, Note, TurnContext, Viz  # noqa: E402
from services.common.gen.trellis.v1 import turn_pb2  # noqa: E402

BY_REGION = "SELECT region, SUM(amount) FROM sales GROUP BY region"
EUROPE = "SELECT SUM(amount) FROM sales WHERE region = 'Europe'"
TABLE = turn_pb2.Visualization(id="t000000001", table=turn_pb2.Table(headers=["region", "amount"]))
PIE = turn_pb2.Visualization(
    id="c000000001",
    chart=turn_pb2.Chart(chart_type=turn_pb2.CHART_TYPE_PIE, values=[turn_pb2.ChartPoint(text="Europe", value=5)]),
)


class ScriptedEngine:
    """Answers each question with the events scripted for it, and records the history it was given."""

    model_id = "scripted"
    display_name = "Scripted"
    description = "test double"

    def __init__(self, script: dict[str, list[EngineEvent]]) -> None:
        self.script = script
        self.histories: dict[str, list[HistoryTurn]] = {}

    async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        self.histories[ctx.question] = list(ctx.history)
        for event in self.script[ctx.question]:
            yield event


def _database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE sales (region TEXT, amount REAL);"
        "INSERT INTO sales VALUES ('Europe', 2), ('Europe', 3), ('Asia', 7);"
    )
    conn.commit()
    conn.close()
    return path


CHAIN = chain(
    "sales",
    turn("first", "Sales by region", BY_REGION),
    turn("decline", "only the blue ones", None),
    turn("filter", "only Europe", EUROPE),
    turn("table", "as a table", EUROPE, chart="table"),
)


def _run(tmp_path: Path, engine: ScriptedEngine) -> list[tuple[str, str]]:
    outcomes = asyncio.run(
        run_chains("demo", _database(tmp_path / "sales.db"), [{**CHAIN, "set": "conv-dev"}], date(2026, 1, 1), engine)
    )
    assert [(o.chain, o.turn, o.category, o.set) for o in outcomes] == [
        ("sales", 1, "first", "conv-dev"),
        ("sales", 2, "decline", "conv-dev"),
        ("sales", 3, "filter", "conv-dev"),
        ("sales", 4, "table", "conv-dev"),
    ]
    return [(o.outcome, o.reason) for o in outcomes]


def test_each_turn_sees_the_stored_history_and_is_scored_on_its_own(tmp_path: Path) -> None:
    engine = ScriptedEngine(
        {
            "Sales by region": [
                Note("interpretation", {"measure": "amount", "group": ("region",)}),
                Note("sql", BY_REGION),
                Delta("Sales by region: "),
                Delta("Asia 7, Europe 5."),
                Viz(TABLE),
            ],
            "only the blue ones": [Note("declined", True), Delta("I can't map that.")],
            "only Europe": [Note("sql", "SELECT SUM(amount) FROM sales"), Delta("12.")],  # the filter forgotten
            "as a table": [Note("sql", EUROPE), Delta("5."), Viz(TABLE)],
        }
    )
    assert _run(tmp_path, engine) == [
        ("right", ""),
        ("right", ""),
        ("wrong", "no predicted column matches gold column(s) [0]"),
        ("right", ""),
    ]
    first_answer = HistoryTurn(
        "assistant",
        "Sales by region: Asia 7, Europe 5.",
        {
            "model": "scripted",
            "visualizations": [
                {"id": "t000000001", "type": "table", "title": "", "headers": ["region", "amount"], "rows": []}
            ],
            "interpretation": {"measure": "amount", "group": ["region"]},  # read back from JSON
            "sql": BY_REGION,
        },
    )
    declined = HistoryTurn(
        "assistant", "I can't map that.", {"model": "scripted", "visualizations": [], "declined": True}
    )
    assert engine.histories["Sales by region"] == []
    assert engine.histories["only Europe"] == [
        HistoryTurn("user", "Sales by region", {}),
        first_answer,
        HistoryTurn("user", "only the blue ones", {}),
        declined,
    ]
    # The chain goes on from what was answered, the wrong total included.
    assert engine.histories["as a table"][-1] == HistoryTurn(
        "assistant", "12.", {"model": "scripted", "visualizations": [], "sql": "SELECT SUM(amount) FROM sales"}
    )


def test_a_decline_turn_answered_a_chart_for_a_table_and_unstorable_metadata_are_wrong(tmp_path: Path) -> None:
    engine = ScriptedEngine(
        {
            "Sales by region": [Note("sql", BY_REGION), Note("interpretation", {"group": {"region"}}), Delta("ok")],
            "only the blue ones": [Note("sql", EUROPE), Delta("5.")],
            "only Europe": [Note("declined", True), Delta("I can't map that.")],
            "as a table": [Note("sql", EUROPE), Viz(PIE), Viz(TABLE)],
        }
    )
    outcomes = _run(tmp_path, engine)
    assert outcomes[0][0] == "wrong" and outcomes[0][1].startswith("metadata not storable as JSON")
    assert outcomes[1:] == [
        ("wrong", "answered instead of declining"),
        ("declined", "I can't map that."),
        ("wrong", "chart ['pie'] instead of a table only"),
    ]
