"""An attached CSV/XLSX as a small read-only SQLite database, so any engine can answer with SQL.

The rows come from the Upload service (ReadUploadTable); the file is built once per upload
under DATA_DIR/attachments and reused by later turns.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path
from typing import Any, cast

from google.protobuf import json_format

from services.chat.clients.upload import UploadClient
from services.chat.engines.base import Database
from services.common.jwt_tokens import Principal

TABULAR_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_MENTION = re.compile(r"\b(attach\w*|files?|upload\w*|csv|spreadsheets?|sheets?|xlsx|excel)\b", re.I)


def mentions_attachment(question: str, filenames: list[str]) -> bool:
    low = question.lower()
    return bool(_MENTION.search(question)) or any(Path(f).stem.lower() in low for f in filenames if f)


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
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        spec = ", ".join(f'"{c}" {t}' for c, t in zip(columns, types, strict=True))
        conn.execute(f'CREATE TABLE "{table}" ({spec})')
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', typed)  # noqa: S608 - quoted identifiers
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, path)


class AttachmentTables:
    def __init__(self, uploads: UploadClient, cache_dir: Path, max_rows: int = 200_000) -> None:
        self._uploads = uploads
        self._dir = cache_dir
        self._max_rows = max_rows

    async def database(self, who: Principal, upload: dict[str, Any]) -> Database:
        path = self._dir / f"{identifier(upload['id'], 'upload')}.db"
        if not path.exists():
            headers: list[str] = []
            rows: list[list[Any]] = []
            async for part in self._uploads.read_table(who, upload["id"], self._max_rows):
                headers = headers or list(part.headers)
                rows.extend(cast(list[Any], json_format.MessageToDict(r)) for r in part.rows)  # a ListValue
            self._dir.mkdir(parents=True, exist_ok=True)
            table = identifier(Path(upload["filename"]).stem, "attachment")
            await asyncio.to_thread(build_sqlite, path, table, headers, rows)
        return Database(url=f"sqlite:///{path.resolve()}", dialect="sqlite", display_name=upload["filename"])

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
