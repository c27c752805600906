"""Tests for the demo SQLite database generator (devstack.demo_db)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from devstack import demo_db
from devstack.demo_db import TABLES, create_demo_database

TODAY = date(2025, 6, 15)  # fixed so assertions on dates do not depend on the wall clock
WINDOW_START = TODAY - timedelta(days=730)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    create_demo_database(path, seed=7, today=TODAY)
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db_path)
    try:
        yield connection
    finally:
        connection.close()


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_returns_counts_in_the_thousands(tmp_path: Path) -> None:
    counts = create_demo_database(tmp_path / "demo.db", today=TODAY)  # how long it takes: bench/demo_db.py
    assert list(counts) == list(TABLES)
    connection = sqlite3.connect(tmp_path / "demo.db")
    try:
        for table, n in counts.items():
            assert connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == n
    finally:
        connection.close()
    assert counts["customers"] >= 400
    assert counts["products"] >= 50
    assert counts["orders"] >= 3000
    assert counts["order_items"] >= 8000
    assert counts["support_tickets"] >= 500
    assert sum(counts.values()) >= 10_000


def test_foreign_keys_declared_and_satisfied(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    declared = {
        (table, row[3], row[2])  # (table, from column, referenced table)
        for table in TABLES
        for row in conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert declared == {
        ("customers", "region_id", "regions"),
        ("products", "category_id", "product_categories"),
        ("employees", "region_id", "regions"),
        ("orders", "customer_id", "customers"),
        ("orders", "employee_id", "employees"),
        ("order_items", "order_id", "orders"),
        ("order_items", "product_id", "products"),
        ("support_tickets", "customer_id", "customers"),
    }
    # Every foreign key column is indexed.
    for table, column, _parent in declared:
        indexed = {
            info[2]
            for (_seq, name, *_rest) in conn.execute(f"PRAGMA index_list({table})")
            for info in conn.execute(f"PRAGMA index_info({name})")
        }
        assert column in indexed, (table, column)


def test_order_totals_equal_item_sums(conn: sqlite3.Connection) -> None:
    empty = conn.execute("SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM order_items)")
    assert empty.fetchone() == (0,)
    mismatches = conn.execute(
        """
        SELECT o.id, o.total_amount, i.item_sum
        FROM orders AS o
        JOIN (
            SELECT order_id, ROUND(SUM(quantity * unit_price * (1 - discount)), 2) AS item_sum
            FROM order_items
            GROUP BY order_id
        ) AS i ON i.order_id = o.id
        WHERE ABS(o.total_amount - i.item_sum) > 1e-9
        """
    ).fetchall()
    assert mismatches == []


def test_dates_span_the_two_years_before_today(conn: sqlite3.Connection) -> None:
    first, last = conn.execute("SELECT MIN(order_date), MAX(order_date) FROM orders").fetchone()
    assert WINDOW_START <= date.fromisoformat(first) <= WINDOW_START + timedelta(days=14)
    assert TODAY - timedelta(days=7) <= date.fromisoformat(last) < TODAY

    first, last = conn.execute("SELECT MIN(signup_date), MAX(signup_date) FROM customers").fetchone()
    assert date.fromisoformat(first) >= WINDOW_START
    assert date.fromisoformat(last) < TODAY

    first, last, last_closed = conn.execute(
        "SELECT MIN(opened_at), MAX(opened_at), MAX(closed_at) FROM support_tickets"
    ).fetchone()
    midnight = datetime.combine(TODAY, datetime.min.time())
    assert datetime.combine(WINDOW_START, datetime.min.time()) <= datetime.fromisoformat(first)
    assert datetime.fromisoformat(last) < midnight
    assert datetime.fromisoformat(last_closed) < midnight

    # Nothing happens before the customer exists, and SQLite's date functions understand the values.
    assert conn.execute(
        """
        SELECT COUNT(*) FROM orders AS o JOIN customers AS c ON c.id = o.customer_id
        WHERE o.order_date < c.signup_date OR date(o.order_date) IS NULL
        """
    ).fetchone() == (0,)
    assert conn.execute(
        """
        SELECT COUNT(*) FROM support_tickets
        WHERE julianday(opened_at) IS NULL
           OR (status = 'closed') != (closed_at IS NOT NULL)
           OR closed_at < opened_at
        """
    ).fetchone() == (0,)


def test_monthly_orders_are_not_flat(conn: sqlite3.Connection) -> None:
    # Whole months only: the first and last months of the window are partial.
    monthly = [
        n
        for (_month, n) in conn.execute(
            "SELECT strftime('%Y-%m', order_date) AS m, COUNT(*) FROM orders GROUP BY m ORDER BY m"
        )
    ][1:-1]
    assert max(monthly) > 1.5 * min(monthly)


def test_enumerations_are_lower_case(conn: sqlite3.Connection) -> None:
    def values(sql: str) -> set[str]:
        return {row[0] for row in conn.execute(sql)}

    assert values("SELECT DISTINCT status FROM orders") <= {
        "pending",
        "shipped",
        "delivered",
        "cancelled",
        "returned",
    }
    assert values("SELECT DISTINCT channel FROM orders") == {"online", "store", "phone"}
    assert values("SELECT DISTINCT segment FROM customers") == {"consumer", "corporate", "small business"}
    assert values("SELECT DISTINCT priority FROM support_tickets") == {"low", "medium", "high", "urgent"}
    assert values("SELECT DISTINCT status FROM support_tickets") <= {"open", "closed", "pending"}
    assert "United States" in values("SELECT DISTINCT country FROM customers")
    assert "Electronics" in values("SELECT name FROM product_categories")


def test_same_seed_gives_identical_content(tmp_path: Path, db_path: Path) -> None:
    again = tmp_path / "again.db"
    other = tmp_path / "other.db"
    create_demo_database(again, seed=7, today=TODAY)
    create_demo_database(other, seed=8, today=TODAY)
    assert _dump(again) == _dump(db_path)
    assert _dump(other) != _dump(db_path)


def test_existing_file_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    path.write_text("not a database")
    create_demo_database(path, seed=1, today=TODAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]  # no temp files left behind

    # A reader that had the old file open keeps seeing it whole; new readers see the new one.
    old_reader = sqlite3.connect(path)
    try:
        before = old_reader.execute("SELECT name FROM customers WHERE id = 1").fetchone()
        create_demo_database(path, seed=2, today=TODAY)
        assert old_reader.execute("SELECT name FROM customers WHERE id = 1").fetchone() == before
    finally:
        old_reader.close()
    assert _dump(path) == _dump(_make(tmp_path / "check" / "seed2.db", seed=2))


def test_failed_generation_leaves_existing_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.db"
    create_demo_database(path, seed=1, today=TODAY)
    original = path.read_bytes()

    monkeypatch.setattr(demo_db, "SCHEMA", "CREATE TABLE broken (")
    with pytest.raises(sqlite3.Error):
        create_demo_database(path, seed=2, today=TODAY)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_default_today_is_the_real_date(tmp_path: Path) -> None:
    path = _make(tmp_path / "now.db", today=None)
    connection = sqlite3.connect(path)
    try:
        last = connection.execute("SELECT MAX(order_date) FROM orders").fetchone()[0]
    finally:
        connection.close()
    assert date.today() - timedelta(days=8) <= date.fromisoformat(last) <= date.today()


def test_cli_prints_progress_and_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    assert demo_db.main([str(path), "--seed", "3", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Generating" in out
    for table in TABLES:
        assert table in out
    assert _dump(path) == _dump(_make(tmp_path / "api.db", seed=3))


def _make(path: Path, *, seed: int = 7, today: date | None = TODAY) -> Path:
    create_demo_database(path, seed=seed, today=today)
    return path
