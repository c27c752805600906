"""Asking the embedded engine a question in a test, as a chat turn would, and looking at every event
of its answer; reading the database directly for independent figures."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from services.chat.engines.base import Database, Delta, HistoryTurn, Note, TurnContext, Viz
from services.chat.engines.embedded.engine import EmbeddedEngine
from services.common.turn_json import visualization_json

TODAY = date(2026, 6, 15)


@dataclass
class Answer:
    text: str
    deltas: list[str]
    sql: str | None
    charts: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    events: list[object] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # the metadata kept on the assistant message

    @property
    def declined(self) -> bool:
        return self.notes.get("declined") is True

    @property
    def value(self) -> object:
        """The exact first value of the result (metadata.result), whatever the text rounds it to."""
        return self.notes["result"]["rows"][0][0]


async def ask(
    db: Database,
    question: str,
    *,
    today: date = TODAY,
    rules: list[str] | None = None,
    memories: list[str] | None = None,
    history: list[HistoryTurn] | None = None,
) -> Answer:
    ctx = TurnContext(
        question=question,
        database=db,
        today=today,
        organization_rules=rules or [],
        memories=memories or [],
        history=list(history or []),
    )
    events = [e async for e in EmbeddedEngine().answer(ctx)]
    deltas = [e.text for e in events if isinstance(e, Delta)]
    notes = {e.key: e.value for e in events if isinstance(e, Note)}
    vizzes = [visualization_json(e.visualization) for e in events if isinstance(e, Viz)]
    return Answer(
        text="".join(deltas),
        deltas=deltas,
        sql=notes.get("sql"),
        charts=[v for v in vizzes if v["type"] == "chart"],
        tables=[v for v in vizzes if v["type"] == "table"],
        events=events,
        notes=notes,
    )


def query(path: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def one(path: Path, sql: str, *params: object) -> object:
    return query(path, sql, *params)[0][0]


def path_of(db: Database) -> Path:
    return Path(db.url.removeprefix("sqlite:///"))
