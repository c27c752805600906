"""A measure named by a word that is a column of two tables, with neither table named: the engine
declines and names both columns instead of picking one; naming the table answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from services.chat.engines.base import Database, Delta, Note, TurnContext
from services.chat.engines.embedded.engine import EmbeddedEngine

SCHEMAS = {
    "sales": (
        "CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, emp_id INTEGER REFERENCES emp (id), amt REAL);"
        "CREATE TABLE refunds (id INTEGER PRIMARY KEY, emp_id INTEGER REFERENCES emp (id), amt REAL);"
        "INSERT INTO emp VALUES (1, 'Ann'), (2, 'Bob');"
        "INSERT INTO orders VALUES (1, 1, 100), (2, 2, 50), (3, 1, 10);"
        "INSERT INTO refunds VALUES (1, 1, 7), (2, 2, 3);",
        ("total amt by emp", "amt", "orders.amt", "refunds.amt"),
        ("total refunds amt by emp", [("Ann", 7.0), ("Bob", 3.0)]),
    ),
    "clinic": (
        "CREATE TABLE clinics (id INTEGER PRIMARY KEY, city TEXT);"
        "CREATE TABLE visits (id INTEGER PRIMARY KEY, clinic_id INTEGER REFERENCES clinics (id), fee REAL);"
        "CREATE TABLE courses (id INTEGER PRIMARY KEY, clinic_id INTEGER REFERENCES clinics (id), fee REAL);"
        "INSERT INTO clinics VALUES (1, 'Porto'), (2, 'Faro');"
        "INSERT INTO visits VALUES (1, 1, 40), (2, 1, 60), (3, 2, 30);"
        "INSERT INTO courses VALUES (1, 1, 500), (2, 2, 700);",
        ("average fee", "fee", "courses.fee", "visits.fee"),
        ("average fee of visits", [(130.0 / 3,)]),
    ),
}


async def _ask(db: Database, question: str) -> tuple[dict[str, Any], str]:
    events = [e async for e in EmbeddedEngine().answer(TurnContext(question=question, database=db))]
    text = "".join(e.text for e in events if isinstance(e, Delta))
    return {e.key: e.value for e in events if isinstance(e, Note)}, text


@pytest.mark.parametrize("name", sorted(SCHEMAS))
async def test_a_column_of_two_tables_is_not_guessed(name: str, tmp_path: Path) -> None:
    ddl, (ambiguous, word, *columns), (named, expected) = SCHEMAS[name]
    path = tmp_path / f"{name}.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(ddl)
    db = Database(f"sqlite:///{path}", "sqlite", name)

    notes, text = await _ask(db, ambiguous)
    assert notes["declined"] is True and "sql" not in notes
    assert notes["unmapped_terms"] == [word]
    assert all(column in text for column in columns), text  # the decline names the candidates

    answered, _ = await _ask(db, named)
    assert not answered.get("declined")
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in answered["result"]["rows"]]
    assert rows == [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in expected]
