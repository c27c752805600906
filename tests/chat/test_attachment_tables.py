"""An attached spreadsheet becomes a typed SQLite table the engines can query."""

from __future__ import annotations

import sqlite3

from services.chat.turns.attachment_tables import build_sqlite, identifier, mentions_attachment


def test_build_sqlite_types_columns_and_keeps_values(tmp_path) -> None:
    path = tmp_path / "a.db"
    headers = ["Region", "Amount (USD)", "Units", "Region"]
    rows = [["North", "1,234.50", "3", "x"], ["South", "10", "4", "y"], ["East", "", "5"]]
    build_sqlite(path, identifier("Q3 sales-2025", "t"), headers, rows)
    with sqlite3.connect(path) as conn:
        info = {r[1]: r[2] for r in conn.execute("PRAGMA table_info(q3_sales_2025)")}
        total = conn.execute("SELECT SUM(amount_usd), SUM(units) FROM q3_sales_2025").fetchone()
        count = conn.execute("SELECT COUNT(*) FROM q3_sales_2025").fetchone()[0]
    assert info == {"region": "TEXT", "amount_usd": "REAL", "units": "INTEGER", "region_": "TEXT"}
    assert total == (1244.5, 12) and count == 3
    assert not (tmp_path / "a.tmp").exists()


def test_identifiers_and_mentions() -> None:
    assert identifier("2024 Budget", "t") == "t_2024_budget"
    assert identifier("   ", "column_3") == "column_3"
    assert mentions_attachment("what is the sum of amount in the attached file?", ["sales.csv"])
    assert mentions_attachment("total units in sales", ["sales.csv"])
    assert not mentions_attachment("how many orders last month", ["sales.csv"])
