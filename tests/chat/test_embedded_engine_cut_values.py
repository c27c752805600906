"""A value cut by the per-cell byte cap is marked in the table and the answer says so."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from services.chat.engines.base import Database
from tests.chat.engine_helpers import ask


async def test_a_listing_with_a_huge_value_says_it_was_cut(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
        conn.execute("INSERT INTO notes (title, body) VALUES ('short', 'fine'), ('huge', ?)", ("x" * 200_000,))
    answer = await ask(Database(url=f"sqlite:///{path}", dialect="sqlite", display_name="Notes"), "list the notes")
    assert not answer.declined, answer.text
    assert "longer than 64 KiB and cut" in answer.notes["truncated"] and answer.notes["truncated"] in answer.text
    cells = [cell for row in answer.tables[0]["rows"] for cell in row if isinstance(cell, str)]
    assert any("…[truncated" in cell and len(cell) < 100_000 for cell in cells)
