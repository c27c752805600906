"""Scoring an answer: its SQL's result against the gold one, its chart, its decline (see run.py for the rules)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

_LIMIT = re.compile(r"\s+LIMIT\s+\d+\s*$", re.IGNORECASE)


def execute(path: Path, sql: str, today: date) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        params = {"today": today.isoformat()} if ":today" in sql else {}
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def judge(
    path: Path, q: dict, sql: str | None, vizzes: list[dict], declined: bool, text: str, today: date
) -> tuple[str, str]:
    """right, declined or wrong, and why. A question whose gold SQL is None must be declined."""
    if q["sql"] is None:  # about something the database does not hold, or a follow-up that maps to nothing
        return ("right", "") if declined and sql is None else ("wrong", "answered instead of declining")
    if declined and sql is None:
        return "declined", text[:160].replace("\n", " ")
    if sql is None:
        return "wrong", "no SQL: " + text[:160].replace("\n", " ")
    return score_sql(path, q, sql, vizzes, today)


def score_sql(path: Path, q: dict, sql: str, vizzes: list[dict], today: date) -> tuple[str, str]:
    gold = execute(path, q["sql"], today)
    try:
        pred = execute(path, sql, today)
    except sqlite3.Error as exc:
        return "wrong", f"SQL error: {exc}"
    ok, reason = results_match(gold, pred, bool(q.get("ordered")))
    unlimited = _LIMIT.sub("", q["sql"])
    if (
        not ok
        and unlimited != q["sql"]
        and ties_match(gold, execute(path, unlimited, today), pred, bool(q.get("ordered")))
    ):
        ok, reason = True, ""
    if ok and q.get("chart"):
        ok, reason = _presentation(q["chart"], vizzes)
    return ("right", "") if ok else ("wrong", reason)


def _presentation(asked: str, vizzes: list[dict]) -> tuple[bool, str]:
    """A chart of the type asked for; "table": a table and no chart."""
    kinds = [v.get("chart_type") for v in vizzes if v.get("type") == "chart"]
    if asked == "table":
        if kinds or not any(v.get("type") == "table" for v in vizzes):
            return False, f"chart {kinds} instead of a table only" if kinds else "no table"
        return True, ""
    if asked not in kinds:
        return False, f"chart {kinds or 'none'} instead of {asked}"
    return True, ""


def _norm(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return re.sub(r"[^a-z0-9]+", "", text.lower())


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= max(0.005, 1e-6 * max(abs(a), abs(b)))
    return a == b


def _column(rows: list[tuple], i: int) -> list[object]:
    return [r[i] for r in rows]


def _same_multiset(a: list[object], b: list[object]) -> bool:
    if len(a) != len(b):
        return False
    key = lambda v: (v is None, isinstance(v, str), v if v is not None else 0)  # noqa: E731
    return all(_same(x, y) for x, y in zip(sorted(a, key=key), sorted(b, key=key), strict=True))


def results_match(gold: list[tuple], pred: list[tuple], ordered: bool) -> tuple[bool, str]:
    gold = [tuple(_norm(v) for v in r) for r in gold]
    pred = [tuple(_norm(v) for v in r) for r in pred]
    if len(gold) != len(pred):
        return False, f"{len(pred)} rows instead of {len(gold)}"
    if not gold:
        return True, ""
    g_cols, p_cols = len(gold[0]), len(pred[0])
    if p_cols < g_cols:
        return False, f"{p_cols} columns instead of at least {g_cols}"
    # candidate predicted columns for each gold column: same values as a multiset
    candidates = [
        [j for j in range(p_cols) if _same_multiset(_column(gold, i), _column(pred, j))] for i in range(g_cols)
    ]
    if any(not c for c in candidates):
        missing = [i for i, c in enumerate(candidates) if not c]
        return False, f"no predicted column matches gold column(s) {missing}"
    for assignment in _assignments(candidates):
        projected = [tuple(r[j] for j in assignment) for r in pred]
        if not _rows_multiset_equal(gold, projected):
            continue
        # a ranking must come in the gold order; rows tied on every number may come in any order
        if not ordered or all(
            all(_same(a, b) for a, b in zip(g, p, strict=True) if isinstance(a, float))
            for g, p in zip(gold, projected, strict=True)
        ):
            return True, ""
    return False, "rows differ (ordered)" if ordered else "rows differ"


def _contained(values: list[object], pool: list[object]) -> bool:
    remaining = list(pool)
    for v in values:
        for k, other in enumerate(remaining):
            if _same(v, other):
                del remaining[k]
                break
        else:
            return False
    return True


def ties_match(gold: list[tuple], full: list[tuple], pred: list[tuple], ordered: bool) -> bool:
    """`pred` is n rows of the full ranking `full` with the same ranking values as the gold's n rows."""
    gold = [tuple(_norm(v) for v in r) for r in gold]
    full = [tuple(_norm(v) for v in r) for r in full]
    pred = [tuple(_norm(v) for v in r) for r in pred]
    if len(gold) != len(pred) or not gold:
        return False
    g_cols, p_cols = len(gold[0]), len(pred[0])
    candidates = [[j for j in range(p_cols) if _contained(_column(pred, j), _column(full, i))] for i in range(g_cols)]
    for assignment in _assignments(candidates):
        projected = [tuple(r[j] for j in assignment) for r in pred]
        if not all(any(all(_same(a, b) for a, b in zip(p, f, strict=True)) for f in full) for p in projected):
            continue
        numeric = [i for i in range(g_cols) if isinstance(gold[0][i], float)]
        gold_keys = [tuple(r[i] for i in numeric) for r in gold]
        pred_keys = [tuple(r[i] for i in numeric) for r in projected]
        if ordered:
            if all(
                all(_same(a, b) for a, b in zip(g, p, strict=True)) for g, p in zip(gold_keys, pred_keys, strict=True)
            ):
                return True
        elif _rows_multiset_equal(gold_keys, pred_keys):
            return True
    return False


def _assignments(candidates: list[list[int]], limit: int = 2000):
    count = 0

    def rec(i: int, used: tuple[int, ...]):
        nonlocal count
        if count > limit:
            return
        if i == len(candidates):
            count += 1
            yield used
            return
        for j in candidates[i]:
            if j not in used:
                yield from rec(i + 1, (*used, j))

    yield from rec(0, ())


def _rows_multiset_equal(a: list[tuple], b: list[tuple]) -> bool:
    remaining = list(b)
    for row in a:
        for k, other in enumerate(remaining):
            if all(_same(x, y) for x, y in zip(row, other, strict=True)):
                del remaining[k]
                break
        else:
            return False
    return True
