"""What the benchmark's database generators share: writing a generated database (the schema and rows go
to a temporary file next to the target, which replaces the target only once complete, so readers never
see half a database), weighted choices, and the command line."""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

Row = tuple[object, ...]


def write_database(path: Path, schema: str, tables: Sequence[str], data: dict[str, list[Row]]) -> dict[str, int]:
    """Create (or replace) the SQLite database at `path` from `schema` and the rows of `tables`
    (inserted in that order, parents first); return the row count of each table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.executescript(schema)
            with conn:
                for table in tables:
                    rows = data[table]
                    conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
            counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts


def pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    """One of the names, drawn with the weights next to them."""
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def generator_main(
    argv: Sequence[str] | None, what: str, create: Callable[..., dict[str, int]], default_seed: int
) -> int:
    """`python <generator>.py PATH [--seed N] [--today YYYY-MM-DD]`: create the database, print its row counts."""
    parser = argparse.ArgumentParser(description=f"Generate the benchmark's {what} SQLite database.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=default_seed)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    for table, n in create(args.path, seed=args.seed, today=args.today).items():
        print(f"{table:<17} {n:>6}")
    return 0
