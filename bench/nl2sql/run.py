"""Execution-accuracy benchmark of the embedded NL→SQL engine on two databases of different domains.

    .venv/bin/python bench/nl2sql/run.py                 # both databases, per-category accuracy
    .venv/bin/python bench/nl2sql/run.py --db hospital -v  # one database, failures shown
    .venv/bin/python bench/nl2sql/run.py --today 2026-11-23 --json results.json

Both databases are generated fresh (fixed seeds) for `--today` (default: the real date) in a
temporary directory. Each question goes through the engine exactly as a chat turn would
(`EmbeddedEngine.answer`); the SQL it reports (`Note("sql")`) is executed and its result compared
with the gold SQL's result:

- rows are compared as multisets, or as sequences when the question asks for a ranking;
- each gold column must match a distinct predicted column (extra predicted columns, such as an
  id next to a name, are allowed); numbers match within 1e-6 relative (0.005 absolute), text
  case-insensitively ignoring punctuation ('2025-Q1' = '2025 q1');
- when the gold query ends in LIMIT n and rows tie at the cut-off, any n rows of the full ranking
  whose ranking values equal the gold's are accepted (which of the tied rows is shown is arbitrary);
- a question that asks for a chart type must also produce a chart of that type.

An answer without SQL (the engine said it could not map the question) counts as wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hospital_db import create_hospital_database  # noqa: E402
from questions_hospital import FRESH as HOSPITAL_FRESH  # noqa: E402
from questions_hospital import HELD_OUT as HOSPITAL_HELD_OUT  # noqa: E402
from questions_hospital import QUESTIONS as HOSPITAL  # noqa: E402
from questions_retail import FRESH as RETAIL_FRESH  # noqa: E402
from questions_retail import HELD_OUT as RETAIL_HELD_OUT  # noqa: E402
from questions_retail import QUESTIONS as RETAIL  # noqa: E402

from devstack.demo_db import create_demo_database  # noqa: E402
from services.chat.engines.base import Database, Delta, Note, TurnContext, Viz  # noqa: E402
from services.chat.engines.embedded.engine import EmbeddedEngine  # noqa: E402
from services.common.turn_json import visualization_json  # noqa: E402

_LIMIT = re.compile(r"\s+LIMIT\s+\d+\s*$", re.IGNORECASE)
CATEGORIES = ["schema", "count", "aggregate", "breakdown", "top_n", "trend", "date_filter", "list"]


@dataclass
class Outcome:
    db: str
    set: str
    category: str
    question: str
    ok: bool
    reason: str
    sql: str | None
    answer: str
    seconds: float


# --- comparing results ----------------------------------------------------------------------


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


# --- running --------------------------------------------------------------------------------


def _execute(path: Path, sql: str, today: date) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        params = {"today": today.isoformat()} if ":today" in sql else {}
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def _ask(engine: EmbeddedEngine, db: Database, question: str, today: date) -> tuple[str | None, str, list]:
    sql = None
    text = []
    vizzes = []
    async for event in engine.answer(TurnContext(question=question, database=db, today=today)):
        if isinstance(event, Note) and event.key == "sql":
            sql = event.value
        elif isinstance(event, Delta):
            text.append(event.text)
        elif isinstance(event, Viz):
            vizzes.append(visualization_json(event.visualization))
    return sql, "".join(text), vizzes


async def run_db(name: str, path: Path, questions: list[dict], today: date) -> list[Outcome]:
    engine = EmbeddedEngine()
    db = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name=name.capitalize())
    out = []
    for q in questions:
        began = time.perf_counter()
        try:
            sql, answer, vizzes = await _ask(engine, db, q["question"], today)
        except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer, reported
            sql, answer, vizzes = None, f"error: {exc.__class__.__name__}: {exc}", []
        seconds = time.perf_counter() - began
        gold = _execute(path, q["sql"], today)
        if sql is None:
            ok, reason = False, "no SQL: " + answer[:160].replace("\n", " ")
        else:
            try:
                pred = _execute(path, sql, today)
                ok, reason = results_match(gold, pred, bool(q.get("ordered")))
                unlimited = _LIMIT.sub("", q["sql"])
                if not ok and unlimited != q["sql"]:
                    full = _execute(path, unlimited, today)
                    if ties_match(gold, full, pred, bool(q.get("ordered"))):
                        ok, reason = True, ""
            except sqlite3.Error as exc:
                ok, reason = False, f"SQL error: {exc}"
        if ok and q.get("chart"):
            kinds = [v.get("chart_type") for v in vizzes if v.get("type") == "chart"]
            if q["chart"] not in kinds:
                ok, reason = False, f"chart {kinds or 'none'} instead of {q['chart']}"
        out.append(Outcome(name, q["set"], q["category"], q["question"], ok, reason, sql, answer, seconds))
    return out


def report(outcomes: list[Outcome], verbose: bool) -> None:
    by_db: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_db[o.db].append(o)
    names = list(by_db)
    width = max(len(c) for c in CATEGORIES) + 2
    header = f"{'category':<{width}}" + "".join(f"{n:>18}" for n in names)
    print(header)
    print("-" * len(header))
    for cat in CATEGORIES:
        cells = []
        for n in names:
            rows = [o for o in by_db[n] if o.category == cat]
            ok = sum(o.ok for o in rows)
            cells.append(f"{ok:>3}/{len(rows):<3} {100 * ok / len(rows) if rows else 0:6.1f}%" if rows else "")
        print(f"{cat:<{width}}" + "".join(f"{c:>18}" for c in cells))
    print("-" * len(header))
    cells = []
    for n in names:
        ok = sum(o.ok for o in by_db[n])
        cells.append(f"{ok:>3}/{len(by_db[n]):<3} {100 * ok / len(by_db[n]):6.1f}%")
    print(f"{'TOTAL':<{width}}" + "".join(f"{c:>18}" for c in cells))
    for which in ("dev", "held-out", "held-out-2"):
        cells = []
        for n in names:
            rows = [o for o in by_db[n] if o.set == which]
            ok = sum(o.ok for o in rows)
            cells.append(f"{ok:>3}/{len(rows):<3} {100 * ok / len(rows):6.1f}%" if rows else "")
        print(f"{'  ' + which + ' set':<{width}}" + "".join(f"{c:>18}" for c in cells))
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"\nslowest answer: {slowest.seconds * 1000:.0f} ms ({slowest.db}: {slowest.question!r})")
    failures = [o for o in outcomes if not o.ok]
    if failures:
        print(f"\n{len(failures)} wrong answers" + ("" if verbose else " (-v to list them)"))
    if verbose:
        for o in failures:
            print(f"\n[{o.db}/{o.category}] {o.question}\n  why: {o.reason}")
            if o.sql:
                print("  sql: " + o.sql.replace("\n", "\n       "))


def _tagged(dev: list[dict], held_out: list[dict], fresh: list[dict]) -> list[dict]:
    return (
        [{**q, "set": "dev"} for q in dev]
        + [{**q, "set": "held-out"} for q in held_out]
        + [{**q, "set": "held-out-2"} for q in fresh]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["retail", "hospital", "both"], default="both")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--only", help="run only questions containing this text")
    parser.add_argument(
        "--set", choices=["dev", "held-out", "held-out-2", "all"], default="all", help="which questions"
    )
    args = parser.parse_args(argv)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="nl2sql-") as tmp:
        dbs = []
        if args.db in ("retail", "both"):
            path = Path(tmp) / "retail.db"
            create_demo_database(path, today=args.today)
            dbs.append(("retail", path, _tagged(RETAIL, RETAIL_HELD_OUT, RETAIL_FRESH)))
        if args.db in ("hospital", "both"):
            path = Path(tmp) / "hospital.db"
            create_hospital_database(path, today=args.today)
            dbs.append(("hospital", path, _tagged(HOSPITAL, HOSPITAL_HELD_OUT, HOSPITAL_FRESH)))
        for name, path, questions in dbs:
            if args.set != "all":
                questions = [q for q in questions if q["set"] == args.set]
            if args.only:
                questions = [q for q in questions if args.only.lower() in q["question"].lower()]
            outcomes += asyncio.run(run_db(name, path, questions, args.today))
    print(f"NL→SQL execution accuracy, today = {args.today.isoformat()}\n")
    report(outcomes, args.verbose)
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ for o in outcomes], indent=2))
    counts = Counter(o.db for o in outcomes)
    return 0 if counts else 1


if __name__ == "__main__":
    sys.exit(main())
