"""UploadFile's pipeline, from the request stream to a committed upload (docs/api.md).

The steps, each below in a function or class of its own:
1. `read_header`: the header message, checked (chat ownership, declared type, announced size).
2. `Transfer.receive`: the first 64 KiB decide the type (nothing goes to S3 before that); from then on
   every chunk goes straight on to S3 through a `StreamingPut` (a multipart upload for large
   files) and to a staged copy on disk, with the size limit checked on every chunk.
3. `extract`: once the object is complete, the staged copy is checked as a whole and parsed into
   text chunks in a separate process held to CPU, memory and time limits (`parsers.sandbox`),
   with a vision model's caption in front for images when one is configured.
4. `Attempt.commit`: the row and its chunks are committed together; a project's document then asks
   the Chat service again whether the project still exists (deleted meanwhile: NOT_FOUND, undone).
5. `Ingest._undo`: any failure on the way (a refusal, a storage error, the caller going away)
   removes what was written, so a refused file leaves no object and no row.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TypeVar

from services.common.auth_interceptor import current_principal
from services.common.database import run_sync, utcnow
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import upload_pb2
from services.common.ids import new_id
from services.common.jwt_tokens import Principal
from services.upload import content_types as ct
from services.upload import parsers
from services.upload.clients.chat import ChatAccess
from services.upload.clients.vision import VisionCaptioner
from services.upload.parsers.sandbox import ParseLimits, default_limits, parse_isolated
from services.upload.storage.models import Upload
from services.upload.storage.object_storage import ObjectStorage, StreamingPut
from services.upload.storage.upload_store import UploadStore

log = logging.getLogger(__name__)
MAX_FILENAME = 255
DRAIN_SECONDS = 30  # how long a refused file's remaining bytes are read (and dropped) at most
Result = TypeVar("Result")


def clean_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 255 characters (extension kept)."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:MAX_FILENAME]
    return name or "upload"


def too_large(filename: str, max_bytes: int) -> ApiError:
    return ApiError("PAYLOAD_TOO_LARGE", f"{filename}: files may be at most {max_bytes / (1024 * 1024):g} MB")


@dataclass(frozen=True)
class FileHeader:
    """An UploadFile header once checked: the caller's chat (or a project the caller may change), a
    safe filename."""

    chat_id: str  # "" for a project's document
    filename: str
    declared_type: str
    size: int  # as announced; 0 when unknown
    project_id: str = ""  # set for a project's document

    @property
    def folder(self) -> str:
        """Where the object goes under the organization's prefix."""
        return f"projects/{self.project_id}" if self.project_id else self.chat_id


async def read_header(
    stream: AsyncIterator[upload_pb2.UploadFileRequest], chats: ChatAccess, max_bytes: int
) -> FileHeader:
    first = await anext(stream, None)
    if first is None or first.WhichOneof("part") != "header":
        raise ApiError("INVALID_REQUEST", "UploadFile must start with a header message")
    header = first.header
    filename = clean_filename(header.filename)
    if header.project_id and not header.chat_id:  # a project's document (admins only)
        chat_id, project_id = "", await chats.changeable_project_id(header.project_id)
    else:
        chat_id, project_id = await chats.owned_chat_id(header.chat_id), ""
        if header.project_id:
            raise ApiError("INVALID_REQUEST", "Set chat_id or project_id, not both")
    ct.check_declared(header.declared_type, document=bool(project_id))
    if header.size > max_bytes:
        raise too_large(filename, max_bytes)
    return FileHeader(chat_id, filename, header.declared_type, header.size, project_id)


async def chunks(stream: AsyncIterator[upload_pb2.UploadFileRequest]) -> AsyncIterator[bytes]:
    """The file's bytes as they arrive (after the header, every message must be a chunk)."""
    async for message in stream:
        if message.WhichOneof("part") != "chunk":
            raise ApiError("INVALID_REQUEST", "UploadFile takes one header, then chunks only")
        yield message.chunk


def detect_type(head: bytes, header: FileHeader, *, complete: bool) -> str:
    """The type the first bytes show, which a specific declared type must agree with."""
    try:
        if header.project_id:  # a document may also be text
            mime = ct.sniff_document(head, complete=complete, declared=header.declared_type, filename=header.filename)
        else:
            mime = ct.sniff(head, complete=complete)
        ct.check_agrees(mime, header.declared_type)
    except ApiError as err:
        err.detail = f"{header.filename}: {err.detail}"
        raise
    return mime


class Transfer:
    """One file's bytes on their way to S3 and to the staged copy, counted against the size limit.

    Bytes are held back until SNIFF_BYTES have arrived (or the file ends): only a file whose type
    is known and accepted starts an object in storage.
    """

    def __init__(self, storage: ObjectStorage, key: str, header: FileHeader, tee: BinaryIO, max_bytes: int) -> None:
        self.storage = storage
        self.key = key
        self._header = header
        self._tee = tee
        self._max_bytes = max_bytes
        self._head = bytearray()
        self.put: StreamingPut | None = None
        self.mime = ""
        self.size = 0

    async def receive(self, stream: AsyncIterator[upload_pb2.UploadFileRequest], cancelled: Callable[[], bool]) -> None:
        """Every chunk of the stream, then the end checked and the object completed."""
        async for data in chunks(stream):
            await self.write(data)
        # A cancelled call also ends the request stream: make sure the client really finished.
        await asyncio.sleep(0)
        if cancelled():
            raise ApiError("INTERRUPTED", "The upload was cancelled by the client")
        await self.finish()

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise too_large(self._header.filename, self._max_bytes)
        if self.put is not None:
            await self.put.write(data)
            return
        self._head += data
        if len(self._head) >= ct.SNIFF_BYTES:
            await self._start(complete=False)

    async def finish(self) -> None:
        """Check the whole file arrived and wait until its object is complete in storage."""
        if self._header.size and self._header.size != self.size:
            raise ApiError(
                "INVALID_REQUEST",
                f"{self._header.filename}: {self.size} bytes arrived, the header announced {self._header.size}",
            )
        if self.put is None:  # the whole file fitted in the sniffing window
            await self._start(complete=True)
        assert self.put is not None
        await self.put.finish()
        await run_sync(self._tee.flush)

    def abort(self) -> None:
        if self.put is not None:
            self.put.abort()

    async def _start(self, *, complete: bool) -> None:
        self.mime = detect_type(bytes(self._head), self._header, complete=complete)
        self.put = StreamingPut(self.storage, self.key, self.mime, self._tee)
        await self.put.write(bytes(self._head))
        self._head = bytearray()


async def extract(
    staged: Path, mime: str, filename: str, captioner: VisionCaptioner | None, limits: ParseLimits | None = None
) -> parsers.Parsed:
    """The complete file checked and parsed (in a child process: the shared thread pool stays free, and
    a cancelled upload kills it); an image's model caption (if any) goes first."""
    parsed = await parse_isolated(staged, mime, filename, limits)
    if captioner is not None and ct.UPLOAD_TYPE[mime] == "image":
        caption = await run_sync(captioner.caption, staged, mime)
        if caption:
            parsed.chunks.insert(0, f"{filename} (caption by a vision model): {caption}")
    return parsed


@dataclass
class Attempt:
    """One UploadFile call's file: what it has written so far, for the undo to find, and its row."""

    who: Principal
    upload_id: str
    header: FileHeader
    started: datetime
    transfer: Transfer
    creating: asyncio.Future[Upload] | None = None

    async def commit(self, store: UploadStore, chunks: list[str]) -> Upload:
        """The row and its chunks in one transaction."""
        self.creating = asyncio.ensure_future(run_sync(store.create, self._row(), chunks))
        return await asyncio.shield(self.creating)  # a cancellation must not hide whether it committed

    def _row(self) -> Upload:
        mime = self.transfer.mime
        return Upload(
            id=self.upload_id,
            organization_id=self.who.organization_id,
            member_id=self.who.member_id,
            chat_id=self.header.chat_id,
            project_id=self.header.project_id or None,
            filename=self.header.filename,
            mime_type=mime,
            upload_type=ct.UPLOAD_TYPE[mime],
            file_size=self.transfer.size,
            storage_key=self.transfer.key,
            created_at=self.started,
        )


def _open_staged(path: Path) -> BinaryIO:
    return path.open("xb+")  # written by the upload thread, read back for parts and parsing


@dataclass
class Ingest:
    """UploadFile's pipeline with what it needs; one instance serves every call."""

    store: UploadStore
    storage: ObjectStorage
    chats: ChatAccess
    max_file_bytes: int
    tmp_dir: Path
    captioner: VisionCaptioner | None = None
    parse_limits: ParseLimits = field(default_factory=default_limits)
    # Strong references to running undo tasks (the event loop keeps only weak ones).
    _cleanups: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    async def drain(self, stream: AsyncIterator[upload_pb2.UploadFileRequest]) -> None:
        """Read and drop what the caller still sends, up to the size limit or DRAIN_SECONDS."""
        dropped = 0
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                async for message in stream:
                    dropped += len(message.chunk)
                    if dropped > self.max_file_bytes:
                        return
        except TimeoutError:
            return

    async def run(
        self,
        stream: AsyncIterator[upload_pb2.UploadFileRequest],
        cancelled: Callable[[], bool],
        present: Callable[[Upload], Result],
    ) -> Result:
        """Store one file and return `present(row)`, computed before the file counts as stored: a
        failure or cancellation up to then still removes it."""
        who = current_principal()
        started = utcnow()  # first thing: the files of one request keep their order in listings
        header = await read_header(stream, self.chats, self.max_file_bytes)
        upload_id = new_id()
        staged = self.tmp_dir / f"{upload_id}.part"
        tee = await run_sync(_open_staged, staged)
        key = f"{who.organization_id}/{header.folder}/{upload_id}"
        transfer = Transfer(self.storage, key, header, tee, self.max_file_bytes)
        attempt = Attempt(who, upload_id, header, started, transfer)
        try:
            await transfer.receive(stream, cancelled)
            parsed = await extract(staged, transfer.mime, header.filename, self.captioner, self.parse_limits)
            row = await attempt.commit(self.store, parsed.chunks)
            if header.project_id:
                # The project may have been deleted while the file streamed, its documents listed
                # before this row existed: ask again now that the row is committed (undone if gone).
                await self.chats.readable_project_id(header.project_id)
            result = await run_sync(present, row)
            log.info(
                "stored upload %s (%s, %d bytes, %d chunks%s%s)",
                upload_id,
                transfer.mime,
                transfer.size,
                len(parsed.chunks),
                ", index truncated" if parsed.truncated else "",
                f", parse stopped by the {parsed.stopped} limit" if parsed.stopped else "",
            )
            return result
        except asyncio.CancelledError:
            # The caller went away: keep nothing of this file, cleaning up in the background.
            self._undo(attempt)
            raise
        except BaseException:
            # Refused or failed: keep nothing of this file, and be done before answering.
            await asyncio.shield(self._undo(attempt))
            raise
        finally:
            tee.close()
            staged.unlink(missing_ok=True)

    def _undo(self, attempt: Attempt) -> asyncio.Future[None]:
        """Remove what a failed UploadFile may have left; runs as a task of its own (so a cancelled
        handler still gets it done), which the caller may await.

        The upload thread is stopped but may still complete the object, and a row being inserted
        when the call was cancelled may still commit: wait for both, then delete what exists.
        """
        attempt.transfer.abort()
        put = attempt.transfer.put

        async def undo() -> None:
            if attempt.creating is not None:
                await asyncio.wait({attempt.creating})
                await run_sync(self.store.delete, attempt.upload_id)
            if put is not None and await put.completed():
                try:
                    await run_sync(self.storage.remove, put.key)
                except ApiError as err:
                    log.warning("could not remove the object %s of a refused upload: %s", put.key, err.detail)

        task = asyncio.get_running_loop().create_task(undo())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        return task
