"""A streamed multipart/form-data body → one client-streaming UploadFile call per file part.

python-multipart's push parser is fed the request body chunk by chunk (never `request.form()`,
which would spool every file first), and each file part becomes its own client-streaming
UploadFile call: a header as soon as the part's headers are read, then the part's bytes in chunks
of UPLOAD_CHUNK while they arrive. gRPC flow control reaches back to the socket: while the Upload
service (or S3 behind it) is slower than the client, the gateway simply stops reading. At most one
chunk per file is held here.

Limits are checked while the bytes pass: the file part beyond `max_files` fails the whole request
(413) the moment it begins; a file crossing the size limit is cancelled at that byte (its call is
dropped, so the service stores nothing) and refused alone. When `chat_id` comes after the files in
the body, the parts received before it are staged in temporary files (on disk beyond 1 MiB) and
forwarded once it is known.

A request that fails as a whole (no or foreign chat_id, too many files, a malformed body, the
client gone) keeps nothing: files already stored for it are deleted again, and `run` raises the
failure. Otherwise it returns the stored files and the refused ones.

A project's documents (POST /v1/projects/{project_id}/documents) take the same way: the bridge is
given the project instead of reading a `chat_id` field, each file's header names the project, and a
request that fails as a whole deletes the documents it stored.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

import grpc
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect

from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import upload_pb2
from services.gateway.caller import Caller

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

log = logging.getLogger(__name__)

UPLOAD_CHUNK = 256 * 1024  # each UploadFile chunk (the last one of a file may be smaller)
SPOOL_IN_MEMORY = 1024 * 1024  # a staged part goes to disk beyond this
MAX_FIELD_BYTES = 4096  # chat_id and any other plain form field
MAX_FIELDS = 20  # plain (non-file) form fields per request
MULTIPART_OVERHEAD = 64 * 1024  # part headers and boundaries, per part
# Codes that concern the request, not one file: they fail it whole.
REQUEST_LEVEL = {
    "MISSING_CHAT_ID",
    "CHAT_NOT_FOUND",
    "NOT_FOUND",  # the project of a project's documents
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "RATE_LIMIT",
    "UPSTREAM_UNAVAILABLE",
}

UploadCall: TypeAlias = "grpc.aio.StreamUnaryCall[upload_pb2.UploadFileRequest, upload_pb2.UploadFileResponse]"


@dataclass(frozen=True)
class UploadLimits:
    max_files: int  # file parts per request
    max_file_bytes: int  # bytes per file
    deadline: float  # seconds for one file's UploadFile call

    def file_size_text(self) -> str:
        return f"{self.max_file_bytes / (1024 * 1024):g} MB"


def multipart_boundary(headers: Headers, limits: UploadLimits) -> str:
    """The body's multipart boundary; a body announced larger than the limits allow is 413 before reading."""
    content_type, options = parse_options_header(headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiError("INVALID_REQUEST", "The body must be multipart/form-data with repeated `files` and `chat_id`")
    length = headers.get("content-length")
    if length and length.isdigit():
        most = limits.max_files * (limits.max_file_bytes + MULTIPART_OVERHEAD) + 4 * MULTIPART_OVERHEAD
        if int(length) > most:
            raise ApiError(
                "PAYLOAD_TOO_LARGE",
                f"At most {limits.max_files} files of at most {limits.file_size_text()} each per request",
            )
    return boundary.decode("latin-1")


@dataclass
class FilePart:
    """One file part: forwarded as an UploadFile call, or staged until chat_id is known."""

    filename: str
    declared_type: str
    size: int = 0
    error: ApiError | None = None
    call: UploadCall | None = None
    spool: tempfile.SpooledTemporaryFile[bytes] | None = None  # while staged
    complete: bool = False
    buffer: bytearray = field(default_factory=bytearray)


@dataclass(frozen=True)
class Refusal:
    filename: str
    error: ApiError


@dataclass(frozen=True)
class UploadOutcome:
    """What became of a request's files: those stored, those refused (in the order received)."""

    stored: list[upload_pb2.Upload]
    refused: list[Refusal]


class MultipartBridge:
    """The streaming handling of one multipart upload body for one caller."""

    def __init__(self, caller: Caller, limits: UploadLimits, *, project_id: str = "") -> None:
        self.caller = caller
        self.limits = limits
        self.chat_id = ""
        self.project_id = project_id  # the files become this project's documents
        self.files: list[FilePart] = []
        self.failure: ApiError | None = None
        self._ended = False
        self._events: list[tuple[str, bytes]] = []
        # State of the part being parsed.
        self._headers: dict[str, str] = {}
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._part: FilePart | None = None
        self._field_name: str | None = None
        self._field_value = bytearray()
        self._fields = 0

    # --- multipart parsing ------------------------------------------------------------------

    def _callbacks(self) -> MultipartCallbacks:
        def data_event(name: str) -> Callable[[bytes, int, int], None]:
            return lambda data, start, end: self._events.append((name, bytes(data[start:end])))

        def event(name: str) -> Callable[[], None]:
            return lambda: self._events.append((name, b""))

        return {
            "on_part_begin": event("part_begin"),
            "on_header_field": data_event("header_field"),
            "on_header_value": data_event("header_value"),
            "on_header_end": event("header_end"),
            "on_headers_finished": event("headers_finished"),
            "on_part_data": data_event("part_data"),
            "on_part_end": event("part_end"),
            "on_end": event("end"),
        }

    async def run(self, body: AsyncIterator[bytes], boundary: str) -> UploadOutcome:
        """Forward the body's files; raises the request's failure (after deleting what was stored)."""
        parser = MultipartParser(boundary, self._callbacks())
        drained = 0
        drain_limit = self.limits.max_files * (self.limits.max_file_bytes + MULTIPART_OVERHEAD)
        try:
            async for chunk in body:
                if self.failure is not None:
                    # Failed as a whole: read (and drop) the rest, so the client gets to read our
                    # answer instead of a reset connection; past the limit, stop and let it close.
                    drained += len(chunk)
                    if drained > drain_limit:
                        break
                    continue
                try:
                    parser.write(chunk)
                except MultipartParseError as exc:
                    self.fail(ApiError("INVALID_REQUEST", f"Malformed multipart body: {exc}"))
                    continue
                for name, data in self._events:
                    await self._handle(name, data)
                    if self.failure is not None:
                        break
                self._events.clear()
            if self.failure is None and not self._ended:
                self.fail(ApiError("INVALID_REQUEST", "The multipart body ended before its closing boundary"))
        except ClientDisconnect:
            self.fail(ApiError("INVALID_REQUEST", "The client went away during the upload"))
        except BaseException:
            # Unexpected (or we were cancelled): stop the calls still open, delete what was stored.
            self.fail(ApiError("INTERNAL", "The upload request failed"))
            await asyncio.shield(self._settle_and_roll_back())
            raise
        return await self._outcome()

    def fail(self, err: ApiError) -> None:
        if self.failure is None:
            self.failure = err
        for part in self.files:
            if not part.complete and part.call is not None:
                part.call.cancel()

    async def _handle(self, name: str, data: bytes) -> None:
        if name == "part_begin":
            self._headers, self._part, self._field_name = {}, None, None
            self._field_value = bytearray()
        elif name == "header_field":
            self._header_name += data
        elif name == "header_value":
            self._header_value += data
        elif name == "header_end":
            key = self._header_name.decode("latin-1").strip().lower()
            self._headers[key] = self._header_value.decode("utf-8", errors="replace").strip()
            self._header_name, self._header_value = bytearray(), bytearray()
        elif name == "headers_finished":
            await self._begin_part()
        elif name == "part_data":
            if self._part is not None:
                await self._feed(self._part, data)
            elif self._field_name is not None:
                self._field_value += data
                if len(self._field_value) > MAX_FIELD_BYTES:
                    self.fail(ApiError("INVALID_REQUEST", f"{self._field_name}: the form field is too long"))
        elif name == "part_end":
            await self._end_part()
        elif name == "end":
            self._ended = True

    async def _begin_part(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", "").encode("utf-8"))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        if name == "files":
            if len(self.files) >= self.limits.max_files:
                self.fail(ApiError("PAYLOAD_TOO_LARGE", f"At most {self.limits.max_files} files per request"))
                return
            raw_name = (filename or b"").decode("utf-8", errors="replace")
            part = FilePart(raw_name or "upload", self._headers.get("content-type", ""))
            self.files.append(part)
            self._part = part
            if self.chat_id or self.project_id:
                await self._open_call(part)
            else:
                part.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        elif filename is not None:
            self.fail(ApiError("INVALID_REQUEST", f"Unexpected file field {name!r}: send files as `files`"))
        else:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                self.fail(ApiError("INVALID_REQUEST", f"At most {MAX_FIELDS} form fields besides `files`"))
                return
            self._field_name = name  # chat_id; other plain fields are read (bounded) and ignored

    async def _end_part(self) -> None:
        if self._part is not None:
            part, self._part = self._part, None
            await self._end_file(part)
        elif self._field_name == "chat_id" and not self.project_id:
            self.chat_id = self._field_value.decode("utf-8", errors="replace").strip()
            if self.chat_id:
                await self._forward_staged()
        self._field_name = None

    # --- forwarding to the Upload service ---------------------------------------------------

    async def _open_call(self, part: FilePart) -> None:
        part.call = self.caller.client_stream(self.caller.clients.uploads.UploadFile, timeout=self.limits.deadline)
        header = upload_pb2.UploadHeader(
            chat_id=self.chat_id, project_id=self.project_id, filename=part.filename, declared_type=part.declared_type
        )
        await self._send(part, upload_pb2.UploadFileRequest(header=header))

    async def _send(self, part: FilePart, message: upload_pb2.UploadFileRequest) -> None:
        if part.error is not None or part.call is None:
            return
        try:
            await part.call.write(message)
        except (grpc.aio.AioRpcError, asyncio.InvalidStateError):
            await self._call_failed(part)

    async def _done_writing(self, part: FilePart) -> None:
        if part.call is None:
            return
        try:
            await part.call.done_writing()
        except (grpc.aio.AioRpcError, asyncio.InvalidStateError):
            await self._call_failed(part)

    async def _answer(self, part: FilePart) -> upload_pb2.UploadFileResponse | None:
        """The call's response; None (and `part.error` set) when it failed."""
        if part.call is None:
            return None
        try:
            response: upload_pb2.UploadFileResponse = await part.call
        except grpc.aio.AioRpcError as err:
            part.error = from_rpc_error(err)
        except asyncio.CancelledError:
            part.error = part.error or ApiError("INTERNAL", "The upload was cancelled")
        else:
            return response
        return None

    async def _call_failed(self, part: FilePart) -> None:
        """The service ended the call early (it refused the file): record why."""
        if await self._answer(part) is not None:
            part.error = ApiError("INTERNAL", "The Upload service answered before the file was sent")
        if part.error is not None and part.error.code in REQUEST_LEVEL:
            self.fail(part.error)

    async def _feed(self, part: FilePart, data: bytes) -> None:
        if part.error is not None:
            return  # refused: the rest of this part is read and dropped
        part.size += len(data)
        if part.size > self.limits.max_file_bytes:
            # Cancel at the byte that crosses the limit: the service keeps nothing of a cancelled call.
            part.error = ApiError(
                "PAYLOAD_TOO_LARGE", f"{part.filename}: files may be at most {self.limits.file_size_text()}"
            )
            part.buffer = bytearray()
            if part.call is not None:
                part.call.cancel()
            if part.spool is not None:
                part.spool.close()
                part.spool = None
            return
        if part.spool is not None:
            part.spool.write(data)
            return
        part.buffer += data
        while len(part.buffer) >= UPLOAD_CHUNK and part.error is None:
            chunk = bytes(part.buffer[:UPLOAD_CHUNK])
            del part.buffer[:UPLOAD_CHUNK]
            await self._send(part, upload_pb2.UploadFileRequest(chunk=chunk))

    async def _end_file(self, part: FilePart) -> None:
        part.complete = True
        if part.error is not None or part.call is None:
            return  # refused, or staged (forwarded once chat_id is known)
        if part.buffer:
            chunk, part.buffer = bytes(part.buffer), bytearray()
            await self._send(part, upload_pb2.UploadFileRequest(chunk=chunk))
        if part.error is None:
            await self._done_writing(part)
        # The answer is awaited at the end: the service parses this file while the next one arrives.

    async def _forward_staged(self) -> None:
        for part in self.files:
            if part.spool is None or not part.complete or part.error is not None:
                continue
            spool, part.spool = part.spool, None
            try:
                await asyncio.to_thread(spool.seek, 0)
                await self._open_call(part)
                while part.error is None and self.failure is None:
                    chunk = await asyncio.to_thread(spool.read, UPLOAD_CHUNK)
                    if not chunk:
                        break
                    await self._send(part, upload_pb2.UploadFileRequest(chunk=chunk))
            finally:
                spool.close()
            if part.error is None and self.failure is None:
                await self._done_writing(part)

    # --- the outcome --------------------------------------------------------------------------

    async def _settle(self) -> list[tuple[FilePart, upload_pb2.Upload | None]]:
        """Wait for every forwarded file's answer."""
        out: list[tuple[FilePart, upload_pb2.Upload | None]] = []
        for part in self.files:
            if part.spool is not None:
                part.spool.close()
                part.spool = None
            response = None if part.error is not None else await self._answer(part)
            out.append((part, None if response is None else response.upload))
        return out

    async def _settle_and_roll_back(self) -> None:
        await self._roll_back(await self._settle())

    async def _roll_back(self, results: list[tuple[FilePart, upload_pb2.Upload | None]]) -> None:
        for _, upload in results:
            if upload is None:
                continue
            try:
                if self.project_id:
                    document = upload_pb2.DeleteProjectDocumentRequest(
                        project_id=self.project_id, document_id=upload.id
                    )
                    await self.caller.unary(self.caller.clients.uploads.DeleteProjectDocument, document)
                else:
                    request = upload_pb2.DeleteUploadRequest(upload_id=upload.id)
                    await self.caller.unary(self.caller.clients.uploads.DeleteUpload, request)
            except ApiError as err:
                log.warning("could not roll back upload %s of a failed request: %s", upload.id, err.detail)

    async def _outcome(self) -> UploadOutcome:
        results = await self._settle()
        for part, _ in results:
            if part.error is not None and part.error.code in REQUEST_LEVEL:
                self.failure = self.failure or part.error
        if self.failure is None and not self.chat_id and not self.project_id:
            self.failure = ApiError("MISSING_CHAT_ID", "chat_id is required: create a chat with POST /v1/chats/create")
        if self.failure is None and not self.files:
            self.failure = ApiError("INVALID_REQUEST", "files: at least one file is required")
        if self.failure is not None:
            await self._roll_back(results)
            raise self.failure
        return UploadOutcome(
            stored=[upload for _, upload in results if upload is not None],
            refused=[Refusal(part.filename, part.error) for part, upload in results if part.error is not None],
        )
