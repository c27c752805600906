"""Execution-accuracy benchmark of the embedded NL→SQL engine on three databases of different domains.

    .venv/bin/python bench/nl2sql/run.py                   # all databases, every question set
    .venv/bin/python bench/nl2sql/run.py --db hospital -v  # one database, wrong answers shown
    .venv/bin/python bench/nl2sql/run.py --today 2026-11-23 --json results.json

The databases are generated fresh (fixed seeds) for `--today` (default: the real date) in a
temporary directory. Each question goes through the engine exactly as a chat turn would
(`EmbeddedEngine.answer`, with the question's organization rules if it has any). Every answer has
one of three outcomes:

- right: the SQL it reports (`Note("sql")`) returns the gold SQL's result (rules in scoring.py)
  and, when the question asks for a chart type, a chart of that type came with it;
- declined: the engine said it could not map the question and ran no SQL;
- wrong: anything else (another result, a crash, a failing query).

The questions of the `absent` sets ask about things the database does not hold: declining them
is right, and any answer is wrong.

The conversation sets (`conv-dev`, `conv-held-out`) are chains of follow-up questions asked turn by
turn in one chat (conversations.py); every turn is scored with the same rules and reported per
follow-up kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import conversations  # noqa: E402
import conversations_dev  # noqa: E402
import conversations_heldout  # noqa: E402
import questions_absent  # noqa: E402
import questions_hospital  # noqa: E402
import questions_retail  # noqa: E402
import questions_round3  # noqa: E402
import questions_round4  # noqa: E402
import questions_saas  # noqa: E402
from answers import Outcome, ask, print_tallies  # noqa: E402
from hospital_db import create_hospital_database  # noqa: E402
from saas_db import create_saas_database  # noqa: E402
from scoring import judge  # noqa: E402

from devstack.demo_db import create_demo_database  # noqa: E402
from services.chat.engines.base import Database  # noqa: E402
from services.chat.engines.embedded.engine import EmbeddedEngine  # noqa: E402

CATEGORIES = [
    "schema",
    "count",
    "aggregate",
    "breakdown",
    "top_n",
    "trend",
    "date_filter",
    "list",
    "duration",
    "period",
    "share",
    "per_x",
    "having",
    "absent",
]
SETS = ["dev", "held-out", "held-out-2", "held-out-3", "held-out-4", "absent"]
CONVERSATION_SETS = ["conv-dev", "conv-held-out"]


@dataclass(frozen=True)
class Bench:
    name: str
    create: Callable[..., object]
    sets: dict[str, list[dict]]
    conversations: dict[str, list[dict]] = field(default_factory=dict)  # chains of follow-up questions


BENCHES = [
    Bench(
        "retail",
        create_demo_database,
        {
            "dev": questions_retail.QUESTIONS,
            "held-out": questions_retail.HELD_OUT,
            "held-out-2": questions_retail.FRESH,
            "held-out-3": questions_round3.RETAIL,
            "held-out-4": questions_round4.RETAIL,
            "absent": questions_absent.RETAIL,
        },
        {"conv-dev": conversations_dev.RETAIL, "conv-held-out": conversations_heldout.RETAIL},
    ),
    Bench(
        "hospital",
        create_hospital_database,
        {
            "dev": questions_hospital.QUESTIONS,
            "held-out": questions_hospital.HELD_OUT,
            "held-out-2": questions_hospital.FRESH,
            "held-out-3": questions_round3.HOSPITAL,
            "held-out-4": questions_round4.HOSPITAL,
            "absent": questions_absent.HOSPITAL,
        },
        {"conv-dev": conversations_dev.HOSPITAL, "conv-held-out": conversations_heldout.HOSPITAL},
    ),
    Bench(
        "saas",
        create_saas_database,
        {
            "dev": questions_saas.QUESTIONS,
            "held-out-3": questions_round3.SAAS,
            "held-out-4": questions_round4.SAAS,
            "absent": questions_absent.SAAS,
        },
        {"conv-dev": conversations_dev.SAAS, "conv-held-out": conversations_heldout.SAAS},
    ),
]


async def run_db(name: str, path: Path, questions: list[dict], today: date) -> list[Outcome]:
    engine = EmbeddedEngine()
    db = Database(url=f"sqlite:///{path}", dialect="sqlite", display_name=name.capitalize())
    out = []
    for q in questions:
        began = time.perf_counter()
        answer = await ask(engine, db, q["question"], today, rules=q.get("rules", []))
        seconds = time.perf_counter() - began
        outcome, reason = judge(path, q, answer.sql, answer.vizzes, answer.declined, answer.text, today)
        out.append(
            Outcome(name, q["set"], q["category"], q["question"], outcome, reason, answer.sql, answer.text, seconds)
        )
    return out


def report(outcomes: list[Outcome], verbose: bool) -> None:
    singles = [o for o in outcomes if not o.chain]
    turns = [o for o in outcomes if o.chain]
    if singles:
        report_questions(singles, verbose)
    if turns:
        if singles:
            print()
        conversations.report(turns, CONVERSATION_SETS, verbose)
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"\nslowest answer: {slowest.seconds * 1000:.0f} ms ({slowest.db}: {slowest.question!r})")


def report_questions(outcomes: list[Outcome], verbose: bool) -> None:
    by_db = print_tallies("right/declined/wrong of questions", "category", outcomes, CATEGORIES, SETS)
    names = list(by_db)
    for n in names:
        rows = by_db[n]
        answerable = [o for o in rows if o.category != "absent"]
        right = sum(o.outcome == "right" for o in answerable)
        wrong = sum(o.outcome == "wrong" for o in rows)
        absent = [o for o in rows if o.category == "absent"]
        declined_absent = sum(o.outcome == "right" for o in absent)
        print(
            f"{n}: right on answerable questions {right}/{len(answerable)} "
            f"({100 * right / max(1, len(answerable)):.1f}%), wrong {wrong}/{len(rows)} "
            f"({100 * wrong / max(1, len(rows)):.1f}% of all), not-in-database questions declined "
            f"{declined_absent}/{len(absent)}"
        )
    for kind in ("wrong", "declined"):
        listed = [o for o in outcomes if o.outcome == kind]
        if listed and verbose:
            print(f"\n{len(listed)} {kind} answers:")
            for o in listed:
                print(f"\n[{o.db}/{o.set}/{o.category}] {o.question}\n  why: {o.reason}")
                if o.sql:
                    print("  sql: " + o.sql.replace("\n", "\n       "))
        elif listed:
            print(f"{len(listed)} {kind} answers (-v to list them)")


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*(b.name for b in BENCHES), "all"], default="all")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("-v", "--verbose", action="store_true", help="list the wrong and declined answers")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--only", help="run only questions, and chains with a turn, containing this text")
    parser.add_argument("--set", choices=[*SETS, *CONVERSATION_SETS, "all"], default="all", help="which questions")
    args = parser.parse_args(argv)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="nl2sql-") as tmp:
        for bench in BENCHES:
            if args.db not in ("all", bench.name):
                continue
            questions = [{**q, "set": s} for s, qs in bench.sets.items() if args.set in ("all", s) for q in qs]
            chains = [{**c, "set": s} for s, cs in bench.conversations.items() if args.set in ("all", s) for c in cs]
            if args.only:
                questions = [q for q in questions if args.only.lower() in q["question"].lower()]
                chains = [c for c in chains if any(args.only.lower() in t["question"].lower() for t in c["turns"])]
            if not questions and not chains:
                continue
            path = Path(tmp) / f"{bench.name}.db"
            bench.create(path, today=args.today)
            outcomes += asyncio.run(run_db(bench.name, path, questions, args.today))
            outcomes += asyncio.run(conversations.run_chains(bench.name, path, chains, args.today))
    if not outcomes:
        print("no questions selected")
        return 1
    print(f"NL→SQL execution accuracy, --today {args.today.isoformat()}, commit {_commit()}\n")
    report(outcomes, args.verbose)
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
