"""trellis.v1.UploadService (contract §6.13–6.15, §16 "Uploads").

UploadFile receives a header then chunks. The first 64 KiB decide the type (nothing is sent to
S3 before that); from then on every chunk goes straight on to S3 through a `StreamingPut` (a
multipart upload for large files) and to a staged copy on disk, with the size limit checked on
every chunk. Once the object is complete, the staged copy is checked as a whole and parsed into
text chunks; the row and its chunks are then committed together. Any failure on the way removes
what was written, so a refused file leaves no object and no row.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

import grpc

from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync, utcnow
from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc, upload_pb2, upload_pb2_grpc
from services.common.ids import new_id
from services.upload import content_types as ct
from services.upload import parsers
from services.upload.models import Upload
from services.upload.object_storage import ObjectStorage, StreamingPut
from services.upload.store import UploadStore
from services.upload.table_reader import read_rows
from services.upload.vision import VisionCaptioner

log = logging.getLogger(__name__)
DEFAULT_SEARCH_LIMIT = 8
MAX_SEARCH_LIMIT = 50
MAX_TABLE_ROWS = 200_000  # an attached sheet becomes a table for SQL; bigger ones are cut
TABLE_BATCH = 1000
MAX_FILENAME = 255
DRAIN_SECONDS = 30  # how long a refused file's remaining bytes are read (and dropped) at most


def clean_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 255 characters (extension kept)."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:MAX_FILENAME]
    return name or "upload"


def _open_staged(path: Path) -> BinaryIO:
    return path.open("xb+")  # written by the upload thread, read back for parts and parsing


class UploadServicer(upload_pb2_grpc.UploadServiceServicer):
    def __init__(
        self,
        store: UploadStore,
        storage: ObjectStorage,
        chat: chat_pb2_grpc.ChatServiceStub,
        deadline: float,
        *,
        max_file_bytes: int = 30 * 1024 * 1024,
        tmp_dir: Path | None = None,
        captioner: VisionCaptioner | None = None,
    ) -> None:
        self._store = store
        self._storage = storage
        self._chat = chat
        self._deadline = deadline
        self._max_file_bytes = max_file_bytes
        self._tmp_dir = tmp_dir or Path("data/tmp/uploads")
        self._captioner = captioner
        self._cleanups: set[asyncio.Task[None]] = set()  # strong references to running undo tasks

    async def _check_chat(self, chat_id: str) -> str:
        """Ask the Chat service (as the caller) whether the chat is theirs; returns its id."""
        who = current_principal()
        if not chat_id:
            raise ApiError("MISSING_CHAT_ID", "chat_id is required")
        try:
            chat = await self._chat.GetChat(
                chat_pb2.GetChatRequest(chat_id=chat_id),
                metadata=[("authorization", f"Bearer {who.token}")],
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None
        return chat.id

    def _to_proto(self, row: Upload) -> upload_pb2.Upload:
        out = upload_pb2.Upload(
            id=row.id,
            chat_id=row.chat_id,
            filename=row.filename,
            mime_type=row.mime_type,
            file_size=row.file_size,
            upload_type=row.upload_type,
            storage_path=row.storage_key,
            presigned_url=self._storage.presigned_url(row.storage_key),
            created_at=ts(row.created_at),
        )
        if row.message_id:
            out.message_id = row.message_id
        return out

    async def ListUploads(  # noqa: N802
        self, request: upload_pb2.ListUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.ListUploadsResponse:
        who = current_principal()
        chat_id = await self._check_chat(request.chat_id)
        rows = await run_sync(self._store.list_for_chat, who.organization_id, who.member_id, chat_id)
        uploads = [await run_sync(self._to_proto, row) for row in rows]
        return upload_pb2.ListUploadsResponse(chat_id=chat_id, uploads=uploads)

    async def DeleteUpload(  # noqa: N802
        self, request: upload_pb2.DeleteUploadRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteUploadResponse:
        who = current_principal()
        row = await run_sync(self._store.get_owned, who.organization_id, who.member_id, request.upload_id)
        if row is None:
            raise ApiError("NOT_FOUND", "Upload not found")
        # Object first: if storage is down the row stays and the client can retry.
        await run_sync(self._storage.remove, row.storage_key)
        await run_sync(self._store.delete, row.id)
        return upload_pb2.DeleteUploadResponse(message="Upload deleted successfully")

    async def DeleteChatUploads(  # noqa: N802
        self, request: upload_pb2.DeleteChatUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteChatUploadsResponse:
        who = current_principal()
        rows = await run_sync(self._store.owned_in_chats, who.organization_id, who.member_id, list(request.chat_ids))
        for row in rows:
            await run_sync(self._storage.remove, row.storage_key)
            await run_sync(self._store.delete, row.id)
        return upload_pb2.DeleteChatUploadsResponse(deleted_count=len(rows))

    # --- UploadFile -------------------------------------------------------------------------

    async def UploadFile(  # noqa: N802
        self, request_iterator: AsyncIterator[upload_pb2.UploadFileRequest], context: grpc.aio.ServicerContext
    ) -> upload_pb2.UploadFileResponse:
        stream = aiter(request_iterator)
        try:
            return await self._upload_file(stream, context)
        except ApiError:
            # Refused while the caller may still be sending: ending the call now would make its
            # next write fail with a bare transport error that hides our reason. Read the rest
            # (bounded), dropping it, so the caller gets the error with its code.
            await self._drain(stream)
            raise

    async def _drain(self, stream: AsyncIterator[upload_pb2.UploadFileRequest]) -> None:
        dropped = 0
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                async for message in stream:
                    dropped += len(message.chunk)
                    if dropped > self._max_file_bytes:
                        return
        except TimeoutError:
            return

    async def _upload_file(
        self, stream: AsyncIterator[upload_pb2.UploadFileRequest], context: grpc.aio.ServicerContext
    ) -> upload_pb2.UploadFileResponse:
        who = current_principal()
        started = utcnow()  # first thing: the files of one request keep their order in listings
        first = await anext(stream, None)
        if first is None or first.WhichOneof("part") != "header":
            raise ApiError("INVALID_REQUEST", "UploadFile must start with a header message")
        header = first.header
        filename = clean_filename(header.filename)
        chat_id = await self._check_chat(header.chat_id)
        ct.check_declared(header.declared_type)
        if header.size > self._max_file_bytes:
            raise self._too_large(filename)

        upload_id = new_id()
        key = f"{who.organization_id}/{chat_id}/{upload_id}"
        staged = self._tmp_dir / f"{upload_id}.part"
        tee = await run_sync(_open_staged, staged)
        put: StreamingPut | None = None
        creating: asyncio.Future[Upload] | None = None
        try:
            size = 0
            prefix = bytearray()
            mime = ""
            async for message in stream:
                if message.WhichOneof("part") != "chunk":
                    raise ApiError("INVALID_REQUEST", "UploadFile takes one header, then chunks only")
                data = message.chunk
                size += len(data)
                if size > self._max_file_bytes:
                    raise self._too_large(filename)
                if put is not None:
                    await put.write(data)
                    continue
                prefix += data
                if len(prefix) >= ct.SNIFF_BYTES:
                    mime = self._detect(bytes(prefix), header.declared_type, filename, complete=False)
                    put = StreamingPut(self._storage, key, mime, tee)
                    await put.write(bytes(prefix))
                    prefix = bytearray()
            # A cancelled call also ends the request stream: make sure the client really finished.
            await asyncio.sleep(0)
            if context.cancelled():
                raise ApiError("INTERRUPTED", "The upload was cancelled by the client")
            if header.size and header.size != size:
                raise ApiError(
                    "INVALID_REQUEST", f"{filename}: {size} bytes arrived, the header announced {header.size}"
                )
            if put is None:  # the whole file fitted in the sniffing window
                mime = self._detect(bytes(prefix), header.declared_type, filename, complete=True)
                put = StreamingPut(self._storage, key, mime, tee)
                await put.write(bytes(prefix))
            await put.finish()
            await run_sync(tee.flush)
            parsed = await run_sync(parsers.parse, staged, mime, filename)
            if self._captioner is not None and ct.UPLOAD_TYPE[mime] == "image":
                caption = await run_sync(self._captioner.caption, staged, mime)
                if caption:
                    parsed.chunks.insert(0, f"{filename} (caption by a vision model): {caption}")
            row = Upload(
                id=upload_id,
                organization_id=who.organization_id,
                member_id=who.member_id,
                chat_id=chat_id,
                filename=filename,
                mime_type=mime,
                upload_type=ct.UPLOAD_TYPE[mime],
                file_size=size,
                storage_key=key,
                created_at=started,
            )
            creating = asyncio.ensure_future(run_sync(self._store.create, row, parsed.chunks))
            row = await asyncio.shield(creating)  # a cancellation must not hide whether it committed
            response = upload_pb2.UploadFileResponse(upload=await run_sync(self._to_proto, row))
            log.info(
                "stored upload %s (%s, %d bytes, %d chunks%s)",
                upload_id,
                mime,
                size,
                len(parsed.chunks),
                ", index truncated" if parsed.truncated else "",
            )
            return response
        except asyncio.CancelledError:
            # The caller went away: keep nothing of this file, cleaning up in the background.
            if put is not None:
                put.abort()
            self._undo(upload_id, put, creating)
            raise
        except BaseException:
            # Refused or failed: keep nothing of this file, and be done before answering.
            if put is not None:
                put.abort()
            await asyncio.shield(self._undo(upload_id, put, creating))
            raise
        finally:
            tee.close()
            staged.unlink(missing_ok=True)

    def _too_large(self, filename: str) -> ApiError:
        limit = self._max_file_bytes / (1024 * 1024)
        return ApiError("PAYLOAD_TOO_LARGE", f"{filename}: files may be at most {limit:g} MB")

    @staticmethod
    def _detect(prefix: bytes, declared: str, filename: str, *, complete: bool) -> str:
        try:
            mime = ct.sniff(prefix, complete=complete)
            ct.check_agrees(mime, declared)
        except ApiError as err:
            err.detail = f"{filename}: {err.detail}"
            raise
        return mime

    def _undo(
        self, upload_id: str, put: StreamingPut | None, creating: asyncio.Future[Upload] | None
    ) -> asyncio.Future[None]:
        """Remove what a failed UploadFile may have left; runs as a task of its own (so a cancelled
        handler still gets it done), which the caller may await.

        The upload thread is stopped but may still complete the object, and a row being inserted
        when the call was cancelled may still commit: wait for both, then delete what exists.
        """

        async def undo() -> None:
            if creating is not None:
                await asyncio.wait({creating})
                await run_sync(self._store.delete, upload_id)
            if put is not None and await put.completed():
                try:
                    await run_sync(self._storage.remove, put.key)
                except ApiError as err:
                    log.warning("could not remove the object %s of a refused upload: %s", put.key, err.detail)

        task = asyncio.get_running_loop().create_task(undo())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        return task

    # --- internal callers --------------------------------------------------------------------

    async def GetUploads(  # noqa: N802
        self, request: upload_pb2.GetUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.GetUploadsResponse:
        who = current_principal()
        rows = await run_sync(self._store.get_many_owned, who.organization_id, who.member_id, list(request.upload_ids))
        return upload_pb2.GetUploadsResponse(uploads=[await run_sync(self._to_proto, row) for row in rows])

    async def LinkUploads(  # noqa: N802
        self, request: upload_pb2.LinkUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.LinkUploadsResponse:
        who = current_principal()
        if not request.chat_id:
            raise ApiError("MISSING_CHAT_ID", "chat_id is required")
        if not request.message_id:
            raise ApiError("INVALID_REQUEST", "message_id is required")
        rows = await run_sync(
            self._store.link,
            who.organization_id,
            who.member_id,
            request.chat_id,
            request.message_id,
            list(request.upload_ids),
        )
        return upload_pb2.LinkUploadsResponse(uploads=[await run_sync(self._to_proto, row) for row in rows])

    async def ReadUploadTable(  # noqa: N802
        self, request: upload_pb2.ReadUploadTableRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[upload_pb2.ReadUploadTableResponse]:
        who = current_principal()
        row = await run_sync(self._store.get_owned, who.organization_id, who.member_id, request.upload_id)
        if row is None:
            raise ApiError("NOT_FOUND", "Upload not found")
        limit = min(request.max_rows or MAX_TABLE_ROWS, MAX_TABLE_ROWS)
        self._tmp_dir.mkdir(parents=True, exist_ok=True)
        local = self._tmp_dir / f"{row.id}.{secrets.token_hex(4)}.read"
        try:
            await run_sync(self._storage.download, row.storage_key, local)
            rows = read_rows(local, row.mime_type, row.filename)
            header = await run_sync(next, rows, None)
            if header is None:
                yield upload_pb2.ReadUploadTableResponse()
                return
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
        finally:
            local.unlink(missing_ok=True)

    async def SearchUploadChunks(  # noqa: N802
        self, request: upload_pb2.SearchUploadChunksRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.SearchUploadChunksResponse:
        who = current_principal()
        if not request.chat_id:
            raise ApiError("MISSING_CHAT_ID", "chat_id is required")
        if request.limit < 0:
            raise ApiError("INVALID_REQUEST", "limit: must not be negative")
        limit = min(request.limit or DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)
        hits = await run_sync(
            self._store.search,
            who.organization_id,
            who.member_id,
            request.chat_id,
            request.query,
            list(request.upload_ids),
            limit,
        )
        return upload_pb2.SearchUploadChunksResponse(
            chunks=[
                upload_pb2.UploadChunk(
                    upload_id=h.upload_id, filename=h.filename, index=h.index, text=h.text, score=h.score
                )
                for h in hits
            ]
        )
