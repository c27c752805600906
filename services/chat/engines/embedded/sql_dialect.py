"""How each SQL dialect (SQLite, PostgreSQL, MySQL/MariaDB, DuckDB) spells what the builder needs:
identifiers, literals, time buckets with the same labels everywhere, and days between two times."""

from __future__ import annotations

import re

from services.chat.engines.schema import quote_ident

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
_RESERVED = {
    "all",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "column",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "delete",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "right",
    "select",
    "session_user",
    "set",
    "some",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "when",
    "where",
    "with",
    "window",
    "range",
    "rows",
    "year",
    "month",
    "day",
    "week",
    "quarter",
    "date",
    "time",
    "timestamp",
    "value",
    "count",
    "name",
}
# time bucket labels: (strftime / DATE_FORMAT pattern, PostgreSQL to_char pattern)
_PATTERNS = {"day": ("%Y-%m-%d", "YYYY-MM-DD"), "month": ("%Y-%m", "YYYY-MM"), "year": ("%Y", "YYYY")}


def ident(name: str, dialect: str) -> str:
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    return quote_ident(name, dialect)


def literal(value: object, dialect: str) -> str:
    """`value` as a SQL literal of `dialect`. Strings double their single quotes; MySQL and MariaDB
    also read a backslash as an escape character (the default sql_mode, and how SQL is rendered
    for them before it runs), so there a backslash is doubled too."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    text = str(value).replace("'", "''")
    if dialect == "mysql":
        text = text.replace("\\", "\\\\")
    return f"'{text}'"


def time_bucket(c: str, unit: str, dialect: str) -> str:
    """The period a time column falls in, labelled the same on every dialect: '2025-03-14' (day),
    '2025-W11' (ISO 8601 year and week: weeks start on Monday, and week 1 holds the year's first
    Thursday), '2025-03' (month), '2025-Q1' (quarter), '2025' (year)."""
    if unit == "week":
        return _iso_week(c, dialect)
    if unit == "quarter":
        return _quarter(c, dialect)
    if unit == "day" and dialect == "sqlite":
        return f"date({c})"
    return _formatted(c, *_PATTERNS[unit], dialect)


def _formatted(c: str, pattern: str, pg_pattern: str, dialect: str) -> str:
    """`c` formatted with a strftime / DATE_FORMAT pattern (PostgreSQL: its to_char equivalent)."""
    if dialect == "sqlite":
        return f"strftime('{pattern}', {c})"
    if dialect == "postgresql":
        return f"to_char({c}, '{pg_pattern}')"
    if dialect == "mysql":
        return f"DATE_FORMAT({c}, '{pattern}')"
    return f"strftime({c}, '{pattern}')"  # duckdb


def _iso_week(c: str, dialect: str) -> str:
    if dialect == "sqlite":
        # SQLite before 3.46 has no %G / %V: an ISO week belongs to the year of its Thursday,
        # and is numbered by that Thursday's day of the year
        thursday = f"date({c}, '-3 days', 'weekday 4')"
        week = f"(CAST(strftime('%j', {thursday}) AS INTEGER) + 6) / 7"
        return f"strftime('%Y-W', {thursday}) || printf('%02d', {week})"
    return _formatted(c, "%x-W%v" if dialect == "mysql" else "%G-W%V", 'IYYY-"W"IW', dialect)


def _quarter(c: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"to_char({c}, 'YYYY-\"Q\"Q')"
    if dialect == "mysql":
        return f"CONCAT(YEAR({c}), '-Q', QUARTER({c}))"
    year = _formatted(c, *_PATTERNS["year"], dialect)
    if dialect == "sqlite":
        return f"{year} || '-Q' || ((CAST(strftime('%m', {c}) AS INTEGER) + 2) / 3)"
    return f"{year} || '-Q' || CAST(quarter({c}) AS VARCHAR)"  # duckdb


def days_between(s: str, e: str, dialect: str) -> str:
    """Days from timestamp expression `s` to `e`, as a number."""
    if dialect == "sqlite":
        return f"julianday({e}) - julianday({s})"
    if dialect == "postgresql":  # date - date is an integer in PostgreSQL: subtract timestamps
        e, s = (x if x.startswith("CAST(") else f"CAST({x} AS TIMESTAMP)" for x in (e, s))
        return f"EXTRACT(EPOCH FROM ({e} - {s})) / 86400.0"
    if dialect == "mysql":
        return f"TIMESTAMPDIFF(SECOND, {s}, {e}) / 86400.0"
    return f"date_diff('second', {s}, {e}) / 86400.0"
