"""An attached CSV/XLSX as a small read-only SQLite database, so any engine can answer with SQL.

The rows come from the Upload service (ReadUploadTable); the file is built once per upload
under DATA_DIR/attachments and reused by later turns. Two first uses of one upload at once share one
build (a lock per upload), and every build goes to a file of its own that is renamed into place, so
replicas sharing the folder never see a half-written table. A copy does not outlive its upload for
long: a sweep every minute asks the Upload service (as the member who last used it) whether it still
exists and deletes the copy of one that is gone, and removes any copy unused for `idle_ttl` (what
is left when the member's token expired or the process restarted). Several spreadsheets a question
names together get one more copy holding all their tables, joined (joined_tables.py), which goes with
any of its uploads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import time
from pathlib import Path
from typing import Any, cast

from google.protobuf import json_format

from services.chat.clients.upload import UploadClient
from services.chat.engines.base import Database
from services.chat.sql.runner import dispose_engine
from services.chat.turns.joined_tables import SheetTable, build_joined, read_table
from services.chat.turns.sqlite_files import built_atomically
from services.common.errors import ApiError
from services.common.jwt_tokens import Principal

log = logging.getLogger(__name__)

TABULAR_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FILE_WORDS = re.compile(r"\b(attach\w*|files?|upload\w*|csv|spreadsheets?|sheets?|xlsx|excel)\b", re.I)


def mentions_attachment(question: str, filenames: list[str]) -> bool:
    low = question.lower()
    return bool(FILE_WORDS.search(question)) or any(Path(f).stem.lower() in low for f in filenames if f)


def identifier(name: str, fallback: str) -> str:
    ident = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not ident:
        ident = fallback
    return f"t_{ident}" if ident[0].isdigit() else ident


def _number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().replace(",", "") if re.fullmatch(r"-?[\d,]*\.?\d+", value.strip()) else value
        for cast in (int, float):
            try:
                return cast(text)
            except (TypeError, ValueError):
                continue
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _column_type(values: list[Any]) -> str:
    present = [v for v in values if v not in (None, "")]
    if present and all(isinstance(v, int) for v in present):
        return "INTEGER"
    if present and all(isinstance(v, int | float) for v in present):
        return "REAL"
    return "TEXT"


def build_sqlite(path: Path, table: str, headers: list[str], rows: list[list[Any]]) -> None:
    """Write the table atomically (temp file, then rename), with typed columns."""
    columns: list[str] = []
    for i, header in enumerate(headers):
        col = identifier(header, f"column_{i + 1}")
        while col in columns:
            col += "_"
        columns.append(col)
    width = len(columns)
    typed = [[_number(v) for v in (row + [None] * width)[:width]] for row in rows]
    types = [_column_type([row[i] for row in typed]) for i in range(width)]
    with built_atomically(path) as conn:
        spec = ", ".join(f'"{c}" {t}' for c, t in zip(columns, types, strict=True))
        conn.execute(f'CREATE TABLE "{table}" ({spec})')
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', typed)  # noqa: S608 - quoted identifiers
        conn.commit()


class AttachmentTables:
    SWEEP_INTERVAL = 60.0

    def __init__(
        self,
        uploads: UploadClient,
        cache_dir: Path,
        max_rows: int = 200_000,
        *,
        idle_ttl: float = 3600.0,
        sweep_interval: float | None = SWEEP_INTERVAL,
    ) -> None:
        self._uploads = uploads
        self._dir = cache_dir
        self._max_rows = max_rows
        self._idle_ttl = idle_ttl
        self._sweep_interval = sweep_interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, Principal] = {}  # who last used each cached upload: the sweep asks as them
        self._sweeper: asyncio.Task[None] | None = None
        self._tables: dict[str, SheetTable] = {}  # an upload's table as read from its copy (uploads never change)
        self._joins: dict[str, frozenset[str]] = {}  # joined copy's file stem -> the uploads it holds
        self.remove_idle()  # what a previous process left

    def path(self, upload_id: str) -> Path:
        return self._dir / f"{identifier(upload_id, 'upload')}.db"

    async def database(self, who: Principal, upload: dict[str, Any]) -> Database:
        """The upload's rows as a SQLite database, built on its first use (GetUploads found it: it exists)."""
        self._start_sweeper()
        upload_id = upload["id"]
        path = self.path(upload_id)
        lock = self._locks.setdefault(upload_id, asyncio.Lock())
        async with lock:
            if not path.exists():
                await self._build(who, upload, path)
            with contextlib.suppress(OSError):
                os.utime(path)  # in use: not idle
            self._users[upload_id] = who
        if not lock.locked():
            self._locks.pop(upload_id, None)
        return Database(url=f"sqlite:///{path.resolve()}", dialect="sqlite", display_name=upload["filename"])

    async def table(self, who: Principal, upload: dict[str, Any]) -> SheetTable:
        """The upload's table (name, columns), from its copy built once; read once per process."""
        known = self._tables.get(upload["id"])
        if known is not None and known.path.exists():
            await self.database(who, upload)  # marks the copy used
            return known
        await self.database(who, upload)
        table = await asyncio.to_thread(read_table, self.path(upload["id"]))
        self._tables[upload["id"]] = table
        return table

    async def joined(self, who: Principal, uploads: list[dict[str, Any]]) -> Database | None:
        """Several uploads' tables in one database, joined on a shared key (joined_tables.py); None
        when they cannot be joined. Built once per set of uploads, like a single upload's copy."""
        for upload in uploads:
            await self.database(who, upload)
        ids = sorted(u["id"] for u in uploads)
        stem = "join_" + hashlib.sha256("|".join(ids).encode()).hexdigest()[:24]
        path = self._dir / f"{stem}.db"
        lock = self._locks.setdefault(stem, asyncio.Lock())
        async with lock:
            if not path.exists():
                sources = [self.path(u["id"]) for u in uploads]
                if not await asyncio.to_thread(build_joined, path, sources):
                    return None
            with contextlib.suppress(OSError):
                os.utime(path)
            self._joins[stem] = frozenset(ids)
        if not lock.locked():
            self._locks.pop(stem, None)
        name = " + ".join(u["filename"] for u in uploads)
        return Database(url=f"sqlite:///{path.resolve()}", dialect="sqlite", display_name=name)

    async def _build(self, who: Principal, upload: dict[str, Any], path: Path) -> None:
        headers: list[str] = []
        rows: list[list[Any]] = []
        async for part in self._uploads.read_table(who, upload["id"], self._max_rows):
            headers = headers or list(part.headers)
            rows.extend(cast(list[Any], json_format.MessageToDict(r)) for r in part.rows)  # a ListValue
        self._dir.mkdir(parents=True, exist_ok=True)
        table = identifier(Path(upload["filename"]).stem, "attachment")
        await asyncio.to_thread(build_sqlite, path, table, headers, rows)

    def forget(self, upload_ids: list[str]) -> None:
        """Delete the copies of these uploads now (their uploads were deleted)."""
        joins = [stem for stem, ids in self._joins.items() if ids.intersection(upload_ids)]
        for upload_id in [*upload_ids, *joins]:
            path = self.path(upload_id)
            dispose_engine(f"sqlite:///{path.resolve()}")  # pooled connections would keep the file alive
            path.unlink(missing_ok=True)
            self._users.pop(upload_id, None)
            self._tables.pop(upload_id, None)
            self._joins.pop(upload_id, None)

    def remove_idle(self, now: float | None = None) -> int:
        """Delete copies unused for idle_ttl and temporary files a crashed build left; how many."""
        if not self._dir.is_dir():
            return 0
        now = time.time() if now is None else now
        removed = 0
        for entry in self._dir.iterdir():
            try:
                idle = now - entry.stat().st_mtime
            except OSError:
                continue
            if entry.suffix == ".db" and idle > self._idle_ttl:
                self.forget([entry.stem])
                removed += 1
            elif entry.suffix == ".tmp" and idle > max(self._idle_ttl, 600):
                entry.unlink(missing_ok=True)
        return removed

    async def sweep(self) -> int:
        """Delete the copies of uploads the Upload service no longer has, and idle ones; how many."""
        removed = await asyncio.to_thread(self.remove_idle)
        by_user: dict[str, tuple[Principal, list[str]]] = {}
        for upload_id, who in list(self._users.items()):
            if self.path(upload_id).exists():
                by_user.setdefault(who.token, (who, []))[1].append(upload_id)
            else:
                self._users.pop(upload_id, None)
        for who, ids in by_user.values():
            try:
                present = await self._uploads.fresh(who, ids)
            except ApiError as err:  # token expired, Upload service down: the idle limit still applies
                log.debug("attachment sweep skipped for %d uploads: %s", len(ids), err.code)
                continue
            gone = [i for i in ids if i not in present]
            await asyncio.to_thread(self.forget, gone)
            removed += len(gone)
        return removed

    def _start_sweeper(self) -> None:
        if self._sweeper is None and self._sweep_interval:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever(self._sweep_interval))

    async def _sweep_forever(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:  # tried again next round
                log.exception("attachment cache sweep failed")

    async def pick(
        self, who: Principal, uploads: list[dict[str, Any]], question: str, database: Database | None
    ) -> Database | None:
        """The attached table to answer from, when the question is about it (or there is no database)."""
        tabular = [u for u in uploads if u.get("mime_type") in TABULAR_TYPES]
        if not tabular:
            return database
        if database is not None and not mentions_attachment(question, [u["filename"] for u in tabular]):
            return database
        return await self.database(who, tabular[0])
