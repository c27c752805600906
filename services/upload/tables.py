"""ReadUploadTable's reading side: a stored CSV/XLSX's rows, fetched from S3 and sent in batches."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from services.common.database import run_sync
from services.common.gen.trellis.v1 import upload_pb2
from services.upload import parsers
from services.upload.storage.models import Upload
from services.upload.storage.object_storage import ObjectStorage

MAX_TABLE_ROWS = 200_000  # an attached sheet becomes a table for SQL; bigger ones are cut
TABLE_BATCH = 1000


async def read_table(
    storage: ObjectStorage, tmp_dir: Path, row: Upload, max_rows: int
) -> AsyncIterator[upload_pb2.ReadUploadTableResponse]:
    """The header with the first batch of rows, then further batches, `truncated` on the last one when
    rows were left out: at most `max_rows` (0: no limit of the caller's), never above MAX_TABLE_ROWS."""
    limit = min(max_rows or MAX_TABLE_ROWS, MAX_TABLE_ROWS)
    await run_sync(tmp_dir.mkdir, parents=True, exist_ok=True)
    local = tmp_dir / f"{row.id}.{secrets.token_hex(4)}.read"
    try:
        await run_sync(storage.download, row.storage_key, local)
        rows = parsers.read_rows(local, row.mime_type, row.filename)
        header = await run_sync(next, rows, None)
        if header is None:
            yield upload_pb2.ReadUploadTableResponse()
            return
        async for message in _batches(header, rows, limit):
            yield message
    finally:
        local.unlink(missing_ok=True)


async def _batches(
    header: parsers.TableRow, rows: Iterator[parsers.TableRow], limit: int
) -> AsyncIterator[upload_pb2.ReadUploadTableResponse]:
    sent, first = 0, True
    while True:
        want = min(TABLE_BATCH, limit - sent)
        batch = await run_sync(lambda n=want: list(itertools.islice(rows, n)))
        sent += len(batch)
        done = len(batch) < want or sent >= limit
        # Past the limit: say so only if a row was really left out.
        truncated = done and sent >= limit and await run_sync(next, rows, None) is not None
        message = upload_pb2.ReadUploadTableResponse(truncated=truncated)
        if first:
            message.headers.extend("" if h is None else str(h) for h in header)
            first = False
        for values in batch:
            message.rows.add().extend(values)
        yield message
        if done:
            return
