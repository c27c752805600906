"""`{{name}}` placeholders: extraction, and binding that never puts a value into the SQL text."""

from __future__ import annotations

import sqlite3

import pytest

from services.chat.sql.parameters import bind, compile_template, extract_parameters
from services.chat.sql.safety import check_read_only
from services.common.errors import ApiError


def test_extraction_is_unique_and_in_first_appearance_order() -> None:
    sql = "SELECT * FROM t WHERE y = {{year}} AND r = {{region}} OR y2 = {{year}} LIMIT {{_limit2}}"
    assert extract_parameters(sql) == ["year", "region", "_limit2"]


@pytest.mark.parametrize("sql", [None, "", "SELECT 1", "SELECT '{{ spaced }}'", "SELECT {{1bad}}", "SELECT {year}"])
def test_things_that_are_not_placeholders(sql) -> None:
    assert extract_parameters(sql) == []


def test_placeholders_become_bind_parameters() -> None:
    sql, params = bind("SELECT * FROM t WHERE year = {{year}} AND region = {{region}}", {"year": 2025, "region": "EU"})
    assert sql == "SELECT * FROM t WHERE year = :year AND region = :region"
    assert params == {"year": 2025, "region": "EU"}


def test_a_missing_value_is_missing_parameter() -> None:
    with pytest.raises(ApiError) as info:
        bind("SELECT {{a}}, {{b}}", {"a": 1})
    assert info.value.code == "MISSING_PARAMETER" and info.value.detail == "Missing value for parameter 'b'"


def test_extra_values_are_invalid_request_naming_them() -> None:
    with pytest.raises(ApiError) as info:
        bind("SELECT {{a}}", {"a": 1, "zeta": 2, "alpha": 3})
    assert info.value.code == "INVALID_REQUEST"
    assert "'alpha'" in info.value.detail and "'zeta'" in info.value.detail


@pytest.mark.parametrize("value", [None, [1], {"a": 1}, b"x"])
def test_values_must_be_scalars(value) -> None:
    with pytest.raises(ApiError) as info:
        bind("SELECT {{a}}", {"a": value})
    assert info.value.code == "INVALID_REQUEST" and "'a'" in info.value.detail


@pytest.mark.parametrize("value", ["text", 3, 2.5, True])
def test_scalar_values_are_accepted(value) -> None:
    assert bind("SELECT {{a}}", {"a": value})[1] == {"a": value}


def test_injection_attempts_stay_values() -> None:
    evil = "x'; DROP TABLE t; --"
    sql, params = bind("SELECT * FROM t WHERE name = {{name}}", {"name": evil})
    assert evil not in sql and "DROP" not in sql and params == {"name": evil}


def test_a_placeholder_inside_a_string_literal_binds_the_whole_literal() -> None:
    sql, params = bind(
        "SELECT * FROM t WHERE name LIKE '%{{term}}%' AND note = 'it''s {{term}} in {{year}}' AND y = {{year}}",
        {"term": "o'brien", "year": 2025},
    )
    assert "o'brien" not in sql and "{{" not in sql
    literal_params = [k for k in params if k not in ("term", "year")]
    assert sorted(params[k] for k in literal_params) == ["%o'brien%", "it's o'brien in 2025"]
    assert params["year"] == 2025 and "term" not in params  # term only appears inside literals
    check_read_only(sql, "sqlite", max_rows=10)  # still one parseable read-only query


def test_literal_binding_runs_on_a_real_database() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.executemany("INSERT INTO people VALUES (?)", [("o'brien",), ("obrien",), ("smith",)])
    sql, params = bind("SELECT name FROM people WHERE name LIKE '%{{term}}%' ORDER BY name", {"term": "'b"})
    assert conn.execute(sql, params).fetchall() == [("o'brien",)]
    sql, params = bind("SELECT name FROM people WHERE name = '{{who}}'", {"who": "x' OR '1'='1"})
    assert conn.execute(sql, params).fetchall() == []


def test_a_placeholder_inside_a_quoted_identifier_is_refused() -> None:
    for sql in ('SELECT "{{column}}" FROM t', "SELECT `{{column}}` FROM t"):
        with pytest.raises(ApiError) as info:
            compile_template(sql)
        assert info.value.code == "INVALID_REQUEST" and "identifier" in info.value.detail


def test_placeholders_in_comments_are_left_alone_but_still_required() -> None:
    sql, params = bind("SELECT 1 -- for {{year}}\n/* {{region}} */", {"year": 1, "region": "x"})
    assert sql == "SELECT 1 -- for {{year}}\n/* {{region}} */" and params == {}
    with pytest.raises(ApiError):
        bind("SELECT 1 -- for {{year}}", {})


def test_dollar_quoted_literals_are_literals() -> None:
    sql, params = bind("SELECT $$a {{x}}$$, $tag$b {{x}}$tag$, {{x}}", {"x": "v"})
    assert sql.count(":") == 3 and sorted(params.values()) == ["a v", "b v", "v"]
