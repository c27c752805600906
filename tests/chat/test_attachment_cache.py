"""The attachment table cache: concurrent first uses share or survive one build, and the SQLite copy of
a deleted upload's rows leaves the disk (swept by asking the Upload service, or when idle)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from services.chat.sql import runner as sql_runner
from services.chat.sql.runner import run_query
from services.chat.turns.attachment_tables import AttachmentTables, build_sqlite
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import upload_pb2
from services.common.jwt_tokens import Principal
from tests.waiting import wait_until

ROWS = 5_000


def principal(token: str = "token-1") -> Principal:
    values = {f.name: f"{f.name}-1" for f in dataclasses.fields(Principal)}
    return Principal(**{**values, "token": token})


class FakeUploads:
    """ReadUploadTable and GetUploads of an Upload service holding `existing` uploads."""

    def __init__(self, existing: set[str]) -> None:
        self.existing = existing
        self.reads = 0
        self.asked: list[list[str]] = []
        self.fail_with: str | None = None

    async def read_table(self, who: Principal, upload_id: str, max_rows: int) -> AsyncIterator:
        self.reads += 1
        await asyncio.sleep(0.05)  # the stream takes a while: the second first use arrives meanwhile
        yield upload_pb2.ReadUploadTableResponse(headers=["region", "amount"])
        for start in range(0, ROWS, 1000):
            rows = []
            for i in range(start, start + 1000):
                row = struct_pb2.ListValue()
                row.extend([f"r{i % 7}", str(i)])
                rows.append(row)
            yield upload_pb2.ReadUploadTableResponse(rows=rows)

    async def fresh(self, who: Principal, upload_ids: list[str]) -> dict:
        self.asked.append(list(upload_ids))
        if self.fail_with:
            raise ApiError(self.fail_with, "no")
        return {i: object() for i in upload_ids if i in self.existing}


def _upload(upload_id: str) -> dict:
    return {"id": upload_id, "filename": "sales.csv", "mime_type": "text/csv"}


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    sql_runner.dispose_engines()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def _total(url: str) -> int:
    return (await run_query(url, "SELECT COUNT(*), SUM(amount) FROM sales")).rows[0][0]


async def test_two_first_uses_at_once_both_succeed_with_one_build(tmp_path: Path) -> None:
    uploads = FakeUploads({"u1"})
    tables = AttachmentTables(uploads, tmp_path, sweep_interval=None)  # type: ignore[arg-type]
    first, second = await asyncio.gather(
        tables.database(principal(), _upload("u1")), tables.database(principal(), _upload("u1"))
    )
    assert first == second and uploads.reads == 1
    assert await _total(first.url) == ROWS


async def test_two_processes_building_one_upload_both_succeed(tmp_path: Path) -> None:
    """Two replicas sharing the folder (no shared lock): each build writes a file of its own."""
    for round_ in range(2):
        upload_id = f"u{round_}"
        a = AttachmentTables(FakeUploads({upload_id}), tmp_path, sweep_interval=None)  # type: ignore[arg-type]
        b = AttachmentTables(FakeUploads({upload_id}), tmp_path, sweep_interval=None)  # type: ignore[arg-type]
        first, second = await asyncio.gather(
            a.database(principal(), _upload(upload_id)), b.database(principal(), _upload(upload_id))
        )
        assert first.url == second.url and await _total(first.url) == ROWS
    assert _names(tmp_path) == ["u0.db", "u1.db"]  # no temporary file left behind


def test_builds_of_one_file_at_the_same_moment_both_succeed(tmp_path: Path) -> None:
    """The build itself, as two replicas run it: each writes a temporary file of its own, then renames."""
    rows = [[f"r{i % 7}", i] for i in range(20_000)]
    for round_ in range(2):
        path = tmp_path / f"u{round_}.db"
        start = threading.Barrier(2)

        def build(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            build_sqlite(path, "sales", ["region", "amount"], rows)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(build), pool.submit(build)]:
                future.result()  # neither raised
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM sales").fetchone() == (20_000,)
    assert _names(tmp_path) == ["u0.db", "u1.db"]


async def test_the_copy_of_a_deleted_upload_is_swept(tmp_path: Path) -> None:
    uploads = FakeUploads({"kept", "deleted"})
    tables = AttachmentTables(uploads, tmp_path, sweep_interval=None)  # type: ignore[arg-type]
    kept = await tables.database(principal(), _upload("kept"))
    gone = await tables.database(principal("token-2"), _upload("deleted"))
    await _total(gone.url)  # a pooled connection holds the file open
    assert await tables.sweep() == 0 and tables.path("deleted").exists()

    uploads.existing.discard("deleted")  # e.g. its chat was deleted
    assert await tables.sweep() == 1
    assert not tables.path("deleted").exists() and tables.path("kept").exists()
    assert await _total(kept.url) == ROWS
    assert sorted(i for asked in uploads.asked for i in asked) == ["deleted", "deleted", "kept", "kept"]


async def test_a_sweep_that_cannot_ask_keeps_the_copy_until_it_is_idle(tmp_path: Path) -> None:
    uploads = FakeUploads({"u1"})
    tables = AttachmentTables(uploads, tmp_path, idle_ttl=60, sweep_interval=None)  # type: ignore[arg-type]
    await tables.database(principal(), _upload("u1"))
    uploads.existing.clear()
    uploads.fail_with = "UNAUTHENTICATED"  # the member's token expired
    assert await tables.sweep() == 0 and tables.path("u1").exists()
    old = time.time() - 120
    os.utime(tables.path("u1"), (old, old))
    assert await tables.sweep() == 1 and not tables.path("u1").exists()


def test_idle_copies_and_stale_temporary_files_go_at_start(tmp_path: Path) -> None:
    old = time.time() - 7200
    for name in ("idle.db", ".idle.abc.tmp"):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (old, old))
    (tmp_path / "recent.db").write_bytes(b"x")
    AttachmentTables(FakeUploads(set()), tmp_path, idle_ttl=3600, sweep_interval=None)  # type: ignore[arg-type]
    assert _names(tmp_path) == ["recent.db"]


async def test_the_background_sweep_runs_by_itself(tmp_path: Path) -> None:
    uploads = FakeUploads({"u1"})
    tables = AttachmentTables(uploads, tmp_path, sweep_interval=0.05)  # type: ignore[arg-type]
    await tables.database(principal(), _upload("u1"))
    uploads.existing.clear()
    gone = tables.path("u1")
    await asyncio.to_thread(wait_until, lambda: not gone.exists(), "the sweep to remove the copy")
    assert tables._sweeper is not None
    tables._sweeper.cancel()
