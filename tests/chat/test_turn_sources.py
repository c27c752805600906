"""The source a turn answers from (turns/sources.py) and attached spreadsheets joined into one database
(turns/joined_tables.py, AttachmentTables.joined)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from services.chat.engines.base import TurnContext
from services.chat.engines.passages import words
from services.chat.sql import runner as sql_runner
from services.chat.sql.runner import run_query
from services.chat.turns.attachment_tables import AttachmentTables, build_sqlite
from services.chat.turns.joined_tables import build_joined
from services.chat.turns.sources import Candidate, ChatSources, choose, named
from services.common.gen.trellis.v1 import upload_pb2
from services.common.jwt_tokens import Principal

DATABASE_NAMES = ["Retail", "orders", "status", "total_amount", "regions", "id", "name", "region_id"]


def _db(question: str) -> Candidate:
    return Candidate("database", (), frozenset(named(words(question), DATABASE_NAMES)), label="Retail")


def _sheet(question: str, filename: str, columns: list[str]) -> Candidate:
    names = [Path(filename).stem, *columns]
    return Candidate("table", (filename,), frozenset(named(words(question), names)), upload={"id": filename})


def _sources(question: str) -> list[Candidate]:
    return [
        _db(question),
        _sheet(question, "spend.csv", ["department", "project", "spend"]),
        _sheet(question, "staff.xlsx", ["department", "headcount", "manager"]),
    ]


def _files(question: str) -> list[str]:
    return [f for c in choose(_sources(question)).tables for f in c.files]


def test_names_are_used_whole_and_common_ones_name_nothing() -> None:
    q = words("What is the total amount by region?")
    assert named(q, ["total_amount", "region_id", "regions", "name", "id"]) == {"total", "amount", "region"}
    assert named(words("the name and the id"), ["name", "id"]) == set()
    assert named(words("amount by region"), ["total_amount"]) == set()  # every word of a name is needed


def test_the_source_whose_names_the_question_uses_most_wins() -> None:
    assert _files("What is the total spend by department?") == ["spend.csv"]
    assert _files("What is the total headcount by department?") == ["staff.xlsx"]
    assert choose(_sources("How many orders by status?")).database
    # columns of two files, each bringing its own: both tables
    assert sorted(_files("What is the total spend by manager?")) == ["spend.csv", "staff.xlsx"]


def test_a_tie_or_nothing_named_asks_with_the_choices() -> None:
    both = choose([_db("how many regions"), _sheet("how many regions", "budget.csv", ["region", "spend"])])
    assert both.decline and both.choices == ("Retail", "budget.csv") and not both.database
    assert "which one" in both.decline.lower()
    # two files naming the same words only: a guess, declined
    same = choose(_sources("how many departments are there?")[1:])
    assert same.decline and same.choices == ("spend.csv", "staff.xlsx")
    # nothing named: the database answers (or declines) on its own; without one, the files are listed
    assert choose(_sources("what happened last week?")).database
    files_only = choose(_sources("what happened last week?")[1:])
    assert files_only.decline.startswith("This chat has the files **spend.csv**, **staff.xlsx**")
    # one source: it, named or not
    assert choose(_sources("what happened last week?")[1:2]).tables


def test_in_a_tie_the_files_sent_with_the_question_win() -> None:
    question = "how many regions"
    sheet = _sheet(question, "budget.csv", ["region", "spend"])
    sent = replace(sheet, sent=True)
    chosen = choose([_db(question), sent])
    assert not chosen.decline and [c.files for c in chosen.tables] == [("budget.csv",)]
    # sent with an earlier message only: still a tie between the database and the file
    assert choose([_db(question), sheet]).decline
    # two files sent together that name the same words only: still a guess
    question = "how many departments are there?"
    spend, staff = _sources(question)[1:]
    assert choose([_db(question), replace(spend, sent=True), replace(staff, sent=True)]).decline


def test_a_follow_up_naming_nothing_stays_with_the_previous_answers_source() -> None:
    files = _sources("only Sales")[1:]
    staff = choose(files, {"kind": "files", "upload_ids": ["staff.xlsx"]})
    assert [c.files for c in staff.tables] == [("staff.xlsx",)]
    assert choose(_sources("only Sales"), {"kind": "documents"}).database  # no documents: rule 4 goes on
    assert choose(files, {"kind": "files", "upload_ids": ["gone.csv"]}).decline  # a file since deleted
    # a question that names a source is not a follow-up of the previous one's
    assert _files("What is the total spend by department?") == ["spend.csv"]
    named_again = choose(_sources("What is the total spend by department?"), {"kind": "database"})
    assert [c.files for c in named_again.tables] == [("spend.csv",)]


def _table(path: Path, name: str, headers: list[str], rows: list[list[object]]) -> Path:
    build_sqlite(path, name, headers, [list(r) for r in rows])
    return path


def test_spreadsheets_sharing_a_unique_column_are_joined(tmp_path: Path) -> None:
    spend = _table(tmp_path / "a.db", "spend", ["department", "spend"], [["Sales", 1], ["Sales", 2], ["Ops", 4]])
    staff = _table(tmp_path / "b.db", "staff", ["department", "manager"], [["Sales", "Ana"], ["Ops", "Ben"]])
    joined = tmp_path / "j.db"
    assert build_joined(joined, [spend, staff])
    with sqlite3.connect(joined) as conn:
        keys = conn.execute('SELECT "from", "table", "to" FROM pragma_foreign_key_list(\'spend\')').fetchall()
        totals = conn.execute(
            "SELECT manager, SUM(spend) FROM spend JOIN staff USING (department) GROUP BY manager ORDER BY manager"
        ).fetchall()
    assert keys == [("department", "staff", "department")] and totals == [("Ana", 3), ("Ben", 4)]

    # shared, but unique in neither; or nothing shared: no join, and no file
    dup = _table(tmp_path / "c.db", "dup", ["department", "x"], [["Sales", 1], ["Sales", 2]])
    other = _table(tmp_path / "d.db", "targets", ["region", "target"], [["North", 1]])
    assert not build_joined(tmp_path / "k.db", [spend, dup])
    assert not build_joined(tmp_path / "k.db", [spend, other])
    assert not (tmp_path / "k.db").exists() and not list(tmp_path.glob("*.tmp"))


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class _Sheets:
    """ReadUploadTable and GetUploads of an Upload service holding two spreadsheets."""

    TABLES = {
        "u-spend": (["department", "spend"], [["Sales", "1"], ["Sales", "2"], ["Ops", "4"]]),
        "u-staff": (["department", "manager"], [["Sales", "Ana"], ["Ops", "Ben"]]),
        "u-targets": (["region", "target"], [["North", "10"]]),
    }

    def __init__(self) -> None:
        self.reads = 0

    async def read_table(self, who: Principal, upload_id: str, max_rows: int) -> AsyncIterator:
        self.reads += 1
        headers, rows = self.TABLES[upload_id]
        values = []
        for row in rows:
            value = struct_pb2.ListValue()
            value.extend(row)
            values.append(value)
        yield upload_pb2.ReadUploadTableResponse(headers=headers, rows=values)

    async def passages(self, who: Principal, chat_id: str, query: str, upload_ids: list[str], limit: int) -> list:
        return []


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    sql_runner.dispose_engines()


def _who() -> Principal:
    return Principal(**{f.name: f"{f.name}-1" for f in dataclasses.fields(Principal)})


async def test_a_turn_gets_the_joined_tables_or_a_decline_naming_the_files(tmp_path: Path) -> None:
    sheets = _Sheets()
    tables = AttachmentTables(sheets, tmp_path, sweep_interval=None)  # type: ignore[arg-type]
    sources = ChatSources(sheets, tables)  # type: ignore[arg-type]
    uploads = [
        {"id": "u-spend", "filename": "spend.csv", "mime_type": "text/csv"},
        {"id": "u-staff", "filename": "staff.csv", "mime_type": "text/csv"},
        {"id": "u-targets", "filename": "targets.csv", "mime_type": "text/csv"},
    ]
    context = TurnContext(question="What is the total spend by manager?")
    choice = await sources.attach(_who(), "chat-1", context, uploads)
    assert choice is not None and not choice.decline and context.database is not None
    assert context.database.display_name == "spend.csv + staff.csv"
    context = TurnContext(question="What is the total spend by region?")
    choice = await sources.attach(_who(), "chat-1", context, uploads)
    assert choice is not None and choice.choices == ("spend.csv", "targets.csv") and context.database is None
    assert "**spend.csv**, **targets.csv**" in choice.decline and "join" in choice.decline


async def test_joined_copies_are_built_once_and_go_with_their_uploads(tmp_path: Path) -> None:
    who = _who()
    sheets = _Sheets()
    tables = AttachmentTables(sheets, tmp_path, sweep_interval=None)  # type: ignore[arg-type]
    uploads = [
        {"id": "u-spend", "filename": "spend.csv", "mime_type": "text/csv"},
        {"id": "u-staff", "filename": "staff.csv", "mime_type": "text/csv"},
    ]
    assert [c for c, _ in (await tables.table(who, uploads[1])).columns] == ["department", "manager"]
    first = await tables.joined(who, uploads)
    again = await tables.joined(who, list(reversed(uploads)))
    assert first is not None and again is not None and first.url == again.url and sheets.reads == 2
    sql = "SELECT manager, SUM(spend) FROM spend JOIN staff USING (department) GROUP BY manager ORDER BY manager"
    assert [list(r) for r in (await run_query(first.url, sql)).rows] == [["Ana", 3], ["Ben", 4]]
    tables.forget(["u-staff"])  # the upload was deleted: its copy and every joined copy with it go
    assert _names(tmp_path) == ["u_spend.db"]
