"""`{{name}}` placeholders of saved queries (docs/api.md): extracted, then bound, never spliced.

Where a placeholder stands decides how it is bound:
* in SQL code, `{{year}}` becomes the bind parameter `:year` and its value travels separately;
* inside a quoted string literal, e.g. `'%{{term}}%'`, the whole literal becomes one bind parameter
  whose value is the literal's text with the values filled in (`'%' + term + '%'`). The SQL text
  never contains a value, so quotes in a value cannot end the literal; `LIKE` wildcards in a value
  keep their meaning, exactly as if the author had written them;
* inside a quoted identifier ("{{col}}" or `{{col}}`) it is refused: identifiers cannot be bound;
* inside a comment it is left alone (the value is still required, as it is a listed parameter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.common.errors import ApiError

PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_LITERAL_PARAM = "saved_query_literal_"
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def extract_parameters(sql: str | None) -> list[str]:
    """Names of the `{{name}}` placeholders in sql, unique, in order of first appearance."""
    if not sql:
        return []
    return list(dict.fromkeys(PLACEHOLDER.findall(sql)))


@dataclass(frozen=True)
class _Literal:
    param: str
    quote: str  # the closing delimiter, which also says how the body escapes it
    body: str  # the literal's text between its delimiters, still escaped and with placeholders


@dataclass(frozen=True)
class Template:
    """A saved query's SQL with every placeholder turned into a bind parameter, values not yet known."""

    sql: str
    parameters: list[str]
    in_code: frozenset[str]  # parameters written as `:name` in the SQL (the others sit in literals or comments)
    literals: tuple[_Literal, ...]


def compile_template(sql: str) -> Template:
    """The bindable form of sql; INVALID_REQUEST for a placeholder in a quoted identifier."""
    parameters = extract_parameters(sql)
    taken = set(parameters)
    literals: list[_Literal] = []
    in_code: set[str] = set()
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif ch == "'" or (ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)) and not _preceded_by_word(sql, i)):
            close = "'" if ch == "'" or tag is None else tag.group(0)
            start = i + len(close) if ch == "$" else i + 1
            end = _literal_end(sql, start, close)
            body = sql[start:end]
            if PLACEHOLDER.search(body):
                param = _unique_name(len(literals), taken)
                literals.append(_Literal(param, close, body))
                out.append(":" + param)
            else:
                out.append(sql[i : end + len(close)])
            i = end + len(close)
        elif ch in '"`':
            end = _literal_end(sql, i + 1, ch)
            if PLACEHOLDER.search(sql[i + 1 : end]):
                raise ApiError("INVALID_REQUEST", "sql: a {{placeholder}} cannot be used inside a quoted identifier")
            out.append(sql[i : end + 1])
            i = end + 1
        elif (match := PLACEHOLDER.match(sql, i)) is not None:
            out.append(":" + match.group(1))
            in_code.add(match.group(1))
            i = match.end()
        else:
            out.append(ch)
            i += 1
    return Template("".join(out), parameters, frozenset(in_code), tuple(literals))


def bind(sql: str, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """sql with `{{name}}` turned into bind parameters, and the values to bind (docs/api.md)."""
    template = compile_template(sql)
    for name in template.parameters:
        if name not in values:
            raise ApiError("MISSING_PARAMETER", f"Missing value for parameter '{name}'")
    extra = sorted(set(values) - set(template.parameters))
    if extra:
        raise ApiError("INVALID_REQUEST", f"parameters: unknown parameter(s) {', '.join(map(repr, extra))}")
    for name in template.parameters:
        if not isinstance(values[name], str | int | float | bool):
            raise ApiError("INVALID_REQUEST", f"parameters: '{name}' must be a string, number or boolean")
    bound: dict[str, Any] = {name: values[name] for name in template.parameters if name in template.in_code}
    for literal in template.literals:
        text = _unescape(literal.body, literal.quote)
        bound[literal.param] = PLACEHOLDER.sub(lambda m: _as_text(values[m.group(1)]), text)
    return template.sql, bound


def _preceded_by_word(sql: str, i: int) -> bool:
    # `$1` positional parameters and identifiers such as `a$b$` are not dollar quotes.
    return i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")


def _literal_end(sql: str, start: int, close: str) -> int:
    """Index of the closing delimiter (a doubled one is an escaped delimiter), or len(sql) when unterminated."""
    i = start
    while True:
        end = sql.find(close, i)
        if end < 0:
            return len(sql)
        if len(close) == 1 and sql.startswith(close * 2, end):
            i = end + 2
            continue
        return end


def _unescape(body: str, close: str) -> str:
    return body.replace(close * 2, close) if len(close) == 1 else body


def _unique_name(index: int, taken: set[str]) -> str:
    name = f"{_LITERAL_PARAM}{index}"
    while name in taken:
        name = "_" + name
    taken.add(name)
    return name


def _as_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
