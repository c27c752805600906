"""Several attached spreadsheets as one SQLite database, so a question naming columns of two files
can be answered with a join.

The rule, kept simple: the spreadsheets can be joined when each one, after the first, shares a
column (same name) with one already taken and that column's values are unique and never empty in
one of the two. That table is the parent; the other refers to it by a declared foreign key, which
the engines follow as they do any database's. Otherwise there is no join (`build_joined` says so).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from services.chat.turns.sqlite_files import built_atomically


@dataclass(frozen=True)
class SheetTable:
    """One spreadsheet's table as its cached SQLite copy holds it."""

    path: Path
    name: str
    columns: list[tuple[str, str]]  # (name, SQLite type), in file order
    unique: frozenset[str]  # columns whose values are all present and distinct


@dataclass(frozen=True)
class Link:
    child: int  # index of the table holding the foreign key
    column: str
    parent: int


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_table(path: Path) -> SheetTable:
    """The single table of an attachment copy, with the columns that could key a join."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (name,) = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone()
        columns = [(str(r[1]), str(r[2])) for r in conn.execute(f"PRAGMA table_info({_q(name)})")]
        counts = ", ".join(f"COUNT({_q(c)}), COUNT(DISTINCT {_q(c)})" for c, _ in columns)
        row = conn.execute(f"SELECT COUNT(*), {counts} FROM {_q(name)}").fetchone()  # noqa: S608 - quoted names
    finally:
        conn.close()
    total = row[0]
    unique = {c for i, (c, _) in enumerate(columns) if total and row[1 + 2 * i] == row[2 + 2 * i] == total}
    return SheetTable(path, str(name), columns, frozenset(unique))


def join_plan(tables: list[SheetTable]) -> list[Link] | None:
    """How the tables join (see the module doc), or None when one of them cannot be joined."""
    taken = [0]
    links: list[Link] = []
    while len(taken) < len(tables):
        link = next(
            (found for i in range(len(tables)) if i not in taken for j in taken if (found := _link(tables, i, j))),
            None,
        )
        if link is None:
            return None
        links.append(link)
        taken.append(link.child if link.child not in taken else link.parent)
    return links


def _link(tables: list[SheetTable], new: int, old: int) -> Link | None:
    shared = [c for c, _ in tables[new].columns if c in {name for name, _ in tables[old].columns}]
    for column in shared:
        if column in tables[old].unique:
            return Link(new, column, old)
        if column in tables[new].unique:
            return Link(old, column, new)
    return None


def build_joined(path: Path, sources: list[Path]) -> bool:
    """Write the sources' tables into one database at `path` with their join keys; False (and no file)
    when they cannot be joined. Atomic like `build_sqlite`: a temporary file renamed into place."""
    tables = [read_table(p) for p in sources]
    links = join_plan(tables)
    if links is None:
        return False
    names: list[str] = []
    for table in tables:  # two files named alike get distinct table names
        name = table.name
        while name in names:
            name += "_2"
        names.append(name)
    with built_atomically(path) as conn:
        for i, (table, name) in enumerate(zip(tables, names, strict=True)):
            spec = [f"{_q(c)} {t}" for c, t in table.columns]
            spec += [
                f"FOREIGN KEY ({_q(link.column)}) REFERENCES {_q(names[link.parent])} ({_q(link.column)})"
                for link in links
                if link.child == i
            ]
            conn.execute(f"CREATE TABLE {_q(name)} ({', '.join(spec)})")
            conn.execute("ATTACH DATABASE ? AS src", (str(table.path),))
            conn.execute(f"INSERT INTO {_q(name)} SELECT * FROM src.{_q(table.name)}")  # noqa: S608 - quoted
            conn.commit()
            conn.execute("DETACH DATABASE src")
    return True
