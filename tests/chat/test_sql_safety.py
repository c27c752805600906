"""The read-only SQL gate: what passes (with a LIMIT) and what is refused, per dialect."""

from __future__ import annotations

import pytest
import sqlglot

from services.chat.sql.safety import check_read_only
from services.common.errors import ApiError

DIALECTS = ["sqlite", "postgresql", "mysql", "duckdb"]


def _refused(sql: str, dialect: str = "sqlite", code: str = "UNSAFE_SQL") -> ApiError:
    with pytest.raises(ApiError) as info:
        check_read_only(sql, dialect, max_rows=100)
    assert info.value.code == code, info.value.detail
    return info.value


def _limit(sql: str, dialect: str) -> int | None:
    tree = sqlglot.parse_one(sql, read="postgres" if dialect == "postgresql" else dialect)
    limit = tree.args.get("limit")
    return int(limit.expression.this) if limit is not None else None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM orders",
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 10",
        "SELECT region, COUNT(*) AS n FROM orders GROUP BY region HAVING COUNT(*) > 2 ORDER BY n DESC",
        "WITH big AS (SELECT * FROM orders WHERE total > 100) SELECT COUNT(*) FROM big",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT x FROM n",
        "SELECT id FROM orders UNION SELECT id FROM archived_orders",
        "SELECT id FROM orders INTERSECT SELECT order_id FROM items",
        "SELECT id FROM orders EXCEPT SELECT order_id FROM items",
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY region ORDER BY total DESC) AS rank FROM orders",
        "SELECT * FROM (SELECT id FROM orders) AS sub WHERE id IN (SELECT order_id FROM items)",
    ],
)
def test_read_only_queries_pass_with_a_limit(sql, dialect) -> None:
    out = check_read_only(sql, dialect, max_rows=100)
    assert _limit(out, dialect) == 101  # max_rows + 1: the caller sees truncation


def test_an_existing_limit_is_clamped_but_a_smaller_one_is_kept() -> None:
    assert _limit(check_read_only("SELECT * FROM t LIMIT 5000", "sqlite", max_rows=100), "sqlite") == 101
    assert _limit(check_read_only("SELECT * FROM t LIMIT 7", "sqlite", max_rows=100), "sqlite") == 7
    out = check_read_only("SELECT * FROM t LIMIT 20, 5000", "mysql", max_rows=100)
    assert "LIMIT 101" in out and "OFFSET 20" in out
    out = check_read_only("SELECT * FROM t ORDER BY a FETCH FIRST 5000 ROWS ONLY", "postgresql", max_rows=100)
    assert "FETCH FIRST 101 ROWS ONLY" in out
    # A limit the parser cannot evaluate is bounded from outside.
    out = check_read_only("SELECT * FROM t LIMIT ALL", "postgresql", max_rows=100)
    assert out.endswith("LIMIT 101") and "LIMIT ALL" in out


def test_the_limit_goes_on_the_outermost_query_of_a_union() -> None:
    out = check_read_only("SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY 1", "sqlite", max_rows=9)
    tree = sqlglot.parse_one(out, read="sqlite")
    assert isinstance(tree, sqlglot.exp.Union) and tree.args["limit"].expression.this == "10"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_bind_parameters_are_kept(dialect) -> None:
    out = check_read_only(
        "SELECT :select AS s, name FROM t WHERE year = :year AND note = 'at :noon' AND x::int > 1",
        dialect,
        max_rows=10,
    )
    assert ":select" in out and ":year" in out
    assert "'at :noon'" in out  # a colon inside a string is text, not a parameter


def test_comments_and_a_trailing_semicolon_are_harmless() -> None:
    out = check_read_only("SELECT 1 -- note\n; /* done */", "sqlite", max_rows=10)
    assert out == "SELECT 1 LIMIT 11"


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE orders",
        "DELETE FROM orders",
        "UPDATE orders SET total = 0",
        "INSERT INTO orders (id) VALUES (1)",
        "REPLACE INTO orders (id) VALUES (1)",
        "CREATE TABLE x (a INT)",
        "ALTER TABLE orders ADD COLUMN x INT",
        "PRAGMA writable_schema = ON",
        "PRAGMA table_info(orders)",
        "ATTACH DATABASE '/tmp/evil.db' AS evil",
        "DETACH DATABASE main",
        "VACUUM",
        "BEGIN",
        "COMMIT",
        "VALUES (1)",
    ],
)
def test_statements_other_than_select_are_refused(sql) -> None:
    _refused(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; DROP TABLE orders",
        "SELECT 1; SELECT 2",
        "SELECT * FROM customers WHERE name = ''; DROP TABLE customers; --'",
        "SELECT * FROM customers WHERE name = 'x'; DELETE FROM customers",
    ],
)
def test_stacked_statements_are_refused(sql) -> None:
    assert "single statement" in _refused(sql).detail


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone", "postgresql"),
        ("WITH changed AS (UPDATE orders SET total = 0 RETURNING id) SELECT * FROM changed", "postgresql"),
        ("WITH added AS (INSERT INTO orders (id) VALUES (1) RETURNING id) SELECT * FROM added", "postgresql"),
        ("SELECT * INTO copy_of_orders FROM orders", "postgresql"),
        ("SELECT * FROM orders FOR UPDATE", "postgresql"),
        ("SELECT * FROM orders FOR SHARE", "postgresql"),
        ("SELECT * FROM orders INTO OUTFILE '/tmp/orders.csv'", "mysql"),
        ("SELECT * FROM orders INTO DUMPFILE '/tmp/orders.bin'", "mysql"),
    ],
)
def test_writes_hidden_inside_a_select_are_refused(sql, dialect) -> None:
    _refused(sql, dialect)


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT load_extension('/tmp/evil.so')", "sqlite"),
        ("SELECT readfile('/etc/passwd')", "sqlite"),
        ("SELECT writefile('/tmp/x', 'data')", "sqlite"),
        ("SELECT * FROM fsdir('/')", "sqlite"),
        ("SELECT pg_read_file('/etc/passwd')", "postgresql"),
        ("SELECT pg_catalog.pg_read_file('/etc/passwd')", "postgresql"),
        ("SELECT pg_ls_dir('/')", "postgresql"),
        ("SELECT pg_sleep(10)", "postgresql"),
        ("SELECT lo_import('/etc/passwd')", "postgresql"),
        ("SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", "postgresql"),
        ("SELECT set_config('default_transaction_read_only', 'off', false)", "postgresql"),
        ("SELECT nextval('orders_id_seq')", "postgresql"),
        ("SELECT id FROM orders WHERE id IN (SELECT pg_terminate_backend(pid) FROM pg_stat_activity)", "postgresql"),
        ("SELECT LOAD_FILE('/etc/passwd')", "mysql"),
        ("SELECT SLEEP(10)", "mysql"),
        ("SELECT BENCHMARK(100000000, MD5('x'))", "mysql"),
        ("SELECT * FROM read_csv('/etc/passwd')", "duckdb"),
        ("SELECT * FROM '/etc/passwd.csv'", "duckdb"),
        ("SELECT * FROM 'data.parquet'", "duckdb"),
    ],
)
def test_functions_that_reach_files_or_the_server_are_refused(sql, dialect) -> None:
    _refused(sql, dialect)


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT FROM WHERE (", "SELECT 'unterminated"])
def test_unparseable_sql_is_query_failed(sql) -> None:
    err = _refused(sql, code="QUERY_FAILED")
    assert "\x1b" not in err.detail  # no terminal colour codes from the parser


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- only a comment"])
def test_empty_sql_is_query_failed(sql) -> None:
    _refused(sql, code="QUERY_FAILED")


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ApiError) as info:
        check_read_only("SELECT 1", "oracle", max_rows=10)
    assert info.value.code == "QUERY_FAILED" and "oracle" in info.value.detail


def test_what_runs_is_the_checked_tree_not_the_input() -> None:
    # Comments (which some drivers or proxies might interpret) do not survive re-rendering.
    out = check_read_only("SELECT /* hint */ a FROM t -- tail", "postgresql", max_rows=1)
    assert "hint" not in out and "tail" not in out and out == "SELECT a FROM t LIMIT 2"


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT name FROM customers UNION SELECT sql FROM sqlite_master", "sqlite"),
        ("SELECT name FROM customers UNION SELECT name FROM other.customers", "sqlite"),
        ("SELECT usename, passwd FROM pg_catalog.pg_shadow", "postgresql"),
        ("SELECT rolname, rolpassword FROM pg_authid", "postgresql"),
        ("SELECT a FROM t UNION SELECT table_name FROM information_schema.tables", "postgresql"),
        ("SELECT user, authentication_string FROM mysql.user", "mysql"),
        ("SELECT * FROM analytics.secrets", "postgresql"),
        ("SELECT * FROM pragma_table_info('customers')", "sqlite"),
        ("WITH x AS (SELECT * FROM other_db.t) SELECT * FROM x", "mysql"),
    ],
)
def test_other_schemas_and_catalogs_are_refused(sql, dialect) -> None:
    with pytest.raises(ApiError) as info:
        check_read_only(sql, dialect, max_rows=10)
    assert info.value.code == "UNSAFE_SQL"


def test_introspection_may_read_catalogs() -> None:
    sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    assert "sqlite_master" in check_read_only(sql, "sqlite", max_rows=10, catalog=True)
    with_cte = "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent"
    assert "recent" in check_read_only(with_cte, "sqlite", max_rows=10)  # CTE names are not schemas
