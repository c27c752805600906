"""trellis.v1.UploadService (docs/api.md) and trellis.v1.UploadInternalService: requests in, responses out.

UploadService is what end users reach (through the gateway or Envoy); UploadInternalService is only
for the Chat service and is never routed from the edge. UploadFile hands its stream to
`services.upload.ingest`, ReadUploadTable reads through `services.upload.tables`; the other RPCs are
one store call each, scoped to the caller: a chat's uploads to their member, a project's documents
to the organization, once the Chat service has said the caller may read (or change) the project.
SignChatImages and CopyChatImages reach a chat's images on the Chat service's grant
(`services.upload.chat_images`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import grpc

from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.common.grants import CHAT_IMAGE_COPY, CHAT_IMAGE_READ, is_granted
from services.common.ids import canonical_uuid
from services.upload import content_types as ct
from services.upload.chat_images import ImageCopies, granted_chat, granted_images
from services.upload.clients.chat import ChatAccess, require_chat_id
from services.upload.ingest import Ingest
from services.upload.storage.models import Upload
from services.upload.storage.object_storage import ObjectStorage
from services.upload.storage.search_index import Hit
from services.upload.storage.upload_store import UploadStore
from services.upload.tables import read_table

DEFAULT_SEARCH_LIMIT = 8
MAX_SEARCH_LIMIT = 50
P = ParamSpec("P")
T = TypeVar("T")


async def as_caller(method: Callable[Concatenate[str, str, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """A store method run off the event loop for the caller's organization and member."""
    who = current_principal()
    return await run_sync(method, who.organization_id, who.member_id, *args, **kwargs)


async def in_organization(method: Callable[Concatenate[str, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """A store method run off the event loop for the caller's organization (a project's documents)."""
    return await run_sync(method, current_principal().organization_id, *args, **kwargs)


def search_limit(limit: int) -> int:
    if limit < 0:
        raise ApiError("INVALID_REQUEST", "limit: must not be negative")
    return min(limit or DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)


def chunk_protos(hits: list[Hit]) -> list[upload_pb2.UploadChunk]:
    return [
        upload_pb2.UploadChunk(
            upload_id=h.upload_id, filename=h.filename, index=h.index, text=h.text, score=h.score, mime_type=h.mime_type
        )
        for h in hits
    ]


CHAT_IMAGE_GRANT = "chat-image"


class VouchedChats(ChatAccess):
    """StoreChatImage's view of chats: the chat was proven the caller's by the Chat service's grant
    (`image_stream`; it may be created in the same request), so the id is only checked for form."""

    def __init__(self) -> None:  # no channel: nothing is asked
        pass

    async def owned_chat_id(self, chat_id: str) -> str:
        canonical = canonical_uuid(require_chat_id(chat_id))
        if canonical is None:
            raise ApiError("INVALID_REQUEST", "chat_id must be a UUID")
        return canonical

    async def changeable_project_id(self, project_id: str) -> str:
        raise ApiError("INVALID_REQUEST", "A chat's image cannot be a project's document")


IMAGE_DECLARATIONS = ct.COMPATIBLE[ct.PNG] | ct.COMPATIBLE[ct.JPEG]


def check_chat_grant(request: upload_pb2.StoreChatImageRequest, secret: str) -> None:
    """The header's chat is the caller's (or being made for them), as the Chat service's grant says."""
    who = current_principal()
    chat_id = canonical_uuid(require_chat_id(request.header.chat_id))
    parts = (who.organization_id, who.member_id, chat_id or "")
    if chat_id is None or not is_granted(secret, request.chat_grant, CHAT_IMAGE_GRANT, *parts):
        raise ApiError("CHAT_NOT_FOUND", "Chat not found")


async def image_stream(
    requests: AsyncIterator[upload_pb2.StoreChatImageRequest], secret: str
) -> AsyncIterator[upload_pb2.UploadFileRequest]:
    """A StoreChatImage stream as UploadFile's: its chat granted, its header held to PNG and JPEG."""
    async for request in requests:
        if request.WhichOneof("part") == "header":
            check_chat_grant(request, secret)
            declared = ct.normalise_declared(request.header.declared_type)
            if declared not in IMAGE_DECLARATIONS:
                raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"{declared or 'untyped'}: images must be PNG or JPEG")
            yield upload_pb2.UploadFileRequest(header=request.header)
        elif request.WhichOneof("part") == "chunk":
            yield upload_pb2.UploadFileRequest(chunk=request.chunk)
        else:
            yield upload_pb2.UploadFileRequest()


class _UploadRows:
    """What both servicers share: the stored rows as protos, scoped to the caller."""

    def __init__(self, store: UploadStore, storage: ObjectStorage) -> None:
        self._store = store
        self._storage = storage

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
        if row.project_id:
            out.project_id = row.project_id
        return out

    async def _to_protos(self, rows: list[Upload]) -> list[upload_pb2.Upload]:
        return await run_sync(lambda: [self._to_proto(row) for row in rows])

    async def _owned(self, upload_id: str) -> Upload:
        row = await as_caller(self._store.get_owned, upload_id)
        if row is None:
            raise ApiError("NOT_FOUND", "Upload not found")
        return row

    async def _remove(self, rows: list[Upload]) -> None:
        """Each upload's object first, then its row and index entries: while storage is down, nothing
        changes and the call can be retried."""
        for row in rows:
            await run_sync(self._storage.remove, row.storage_key)
            await run_sync(self._store.delete, row.id)


class UploadServicer(_UploadRows, upload_pb2_grpc.UploadServiceServicer):
    """The public RPCs: the gateway's upload routes, and Envoy's transcoded ones."""

    def __init__(self, store: UploadStore, storage: ObjectStorage, chats: ChatAccess, ingest: Ingest) -> None:
        super().__init__(store, storage)
        self._chats = chats
        self._ingest = ingest

    async def UploadFile(  # noqa: N802
        self, request_iterator: AsyncIterator[upload_pb2.UploadFileRequest], context: grpc.aio.ServicerContext
    ) -> upload_pb2.UploadFileResponse:
        stream = aiter(request_iterator)
        try:
            return await self._ingest.run(
                stream, context.cancelled, lambda row: upload_pb2.UploadFileResponse(upload=self._to_proto(row))
            )
        except ApiError:
            # Refused while the caller may still be sending: ending the call now would make its
            # next write fail with a bare transport error that hides our reason. Read the rest
            # (bounded), dropping it, so the caller gets the error with its code.
            await self._ingest.drain(stream)
            raise

    async def ListUploads(  # noqa: N802
        self, request: upload_pb2.ListUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.ListUploadsResponse:
        chat_id = await self._chats.owned_chat_id(request.chat_id)
        rows = await as_caller(self._store.list_for_chat, chat_id)
        return upload_pb2.ListUploadsResponse(chat_id=chat_id, uploads=await self._to_protos(rows))

    async def DeleteUpload(  # noqa: N802
        self, request: upload_pb2.DeleteUploadRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteUploadResponse:
        await self._remove([await self._owned(request.upload_id)])
        return upload_pb2.DeleteUploadResponse(message="Upload deleted successfully")

    async def ListProjectDocuments(  # noqa: N802
        self, request: upload_pb2.ListProjectDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.ListProjectDocumentsResponse:
        project_id = await self._chats.readable_project_id(request.project_id)
        rows = await in_organization(self._store.list_for_project, project_id)
        return upload_pb2.ListProjectDocumentsResponse(project_id=project_id, documents=await self._to_protos(rows))

    async def DeleteProjectDocument(  # noqa: N802
        self, request: upload_pb2.DeleteProjectDocumentRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteProjectDocumentResponse:
        project_id = await self._chats.changeable_project_id(request.project_id)
        row = await in_organization(self._store.get_document, project_id, request.document_id)
        if row is None:
            raise ApiError("NOT_FOUND", "Document not found")
        await self._remove([row])
        return upload_pb2.DeleteProjectDocumentResponse(message="Document deleted successfully")


class UploadInternalServicer(_UploadRows, upload_pb2_grpc.UploadInternalServiceServicer):
    """RPCs only the Chat service calls, with the end user's token: never routed from the edge."""

    def __init__(
        self,
        store: UploadStore,
        storage: ObjectStorage,
        chats: ChatAccess,
        tmp_dir: Path,
        ingest: Ingest,
        grant_secret: str,
    ) -> None:
        super().__init__(store, storage)
        self._chats = chats
        self._tmp_dir = tmp_dir
        self._images = dataclasses.replace(ingest, chats=VouchedChats())
        self._grant_secret = grant_secret
        self._copies = ImageCopies(store, storage)

    async def DeleteChatUploads(  # noqa: N802
        self, request: upload_pb2.DeleteChatUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteChatUploadsResponse:
        rows = await as_caller(self._store.owned_in_chats, list(request.chat_ids))
        if request.upload_ids:
            wanted = {canonical_uuid(i) for i in request.upload_ids}
            rows = [row for row in rows if row.id in wanted]
        await self._remove(rows)
        return upload_pb2.DeleteChatUploadsResponse(deleted_count=len(rows))

    async def DeleteProjectDocuments(  # noqa: N802
        self, request: upload_pb2.DeleteProjectDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.DeleteProjectDocumentsResponse:
        project_id = await self._chats.changeable_project_id(request.project_id)
        rows = await in_organization(self._store.list_for_project, project_id)
        await self._remove(rows)
        return upload_pb2.DeleteProjectDocumentsResponse(deleted_count=len(rows))

    async def GetUploads(  # noqa: N802
        self, request: upload_pb2.GetUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.GetUploadsResponse:
        rows = await as_caller(self._store.get_many_readable, list(request.upload_ids))
        return upload_pb2.GetUploadsResponse(uploads=await self._to_protos(rows))

    async def LinkUploads(  # noqa: N802
        self, request: upload_pb2.LinkUploadsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.LinkUploadsResponse:
        require_chat_id(request.chat_id)
        if not request.message_id:
            raise ApiError("INVALID_REQUEST", "message_id is required")
        rows = await as_caller(self._store.link, request.chat_id, request.message_id, list(request.upload_ids))
        return upload_pb2.LinkUploadsResponse(uploads=await self._to_protos(rows))

    async def ReadUploadTable(  # noqa: N802
        self, request: upload_pb2.ReadUploadTableRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[upload_pb2.ReadUploadTableResponse]:
        row = await as_caller(self._store.get_readable, request.upload_id)  # a project's document too
        if row is None:
            raise ApiError("NOT_FOUND", "Upload not found")
        async for message in read_table(self._storage, self._tmp_dir, row, request.max_rows):
            yield message

    async def SearchUploadChunks(  # noqa: N802
        self, request: upload_pb2.SearchUploadChunksRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.SearchUploadChunksResponse:
        require_chat_id(request.chat_id)
        limit = search_limit(request.limit)
        hits = await as_caller(self._store.search, request.chat_id, request.query, list(request.upload_ids), limit)
        return upload_pb2.SearchUploadChunksResponse(chunks=chunk_protos(hits))

    async def SearchProjectDocuments(  # noqa: N802
        self, request: upload_pb2.SearchProjectDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.SearchProjectDocumentsResponse:
        limit = search_limit(request.limit)
        project_id = await self._chats.readable_project_id(request.project_id)
        hits = await in_organization(self._store.search_project, project_id, request.query, limit)
        return upload_pb2.SearchProjectDocumentsResponse(chunks=chunk_protos(hits))

    async def StoreChatImage(  # noqa: N802
        self,
        request_iterator: AsyncIterator[upload_pb2.StoreChatImageRequest],
        context: grpc.aio.ServicerContext,
    ) -> upload_pb2.StoreChatImageResponse:
        requests = aiter(request_iterator)
        try:
            return await self._images.run(
                image_stream(requests, self._grant_secret),
                context.cancelled,
                lambda row: upload_pb2.StoreChatImageResponse(upload=self._to_proto(row)),
            )
        except ApiError:
            await self._images.drain(image_stream(requests, self._grant_secret))  # as UploadFile: the rest, then answer
            raise

    async def SignChatImages(  # noqa: N802
        self, request: upload_pb2.SignChatImagesRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.SignChatImagesResponse:
        ids = list(request.upload_ids)
        chat_id = granted_chat(self._grant_secret, request.read_grant, CHAT_IMAGE_READ, request.chat_id, upload_ids=ids)
        rows = await granted_images(self._store, chat_id, ids)
        return upload_pb2.SignChatImagesResponse(uploads=await self._to_protos(rows))

    async def CopyChatImages(  # noqa: N802
        self, request: upload_pb2.CopyChatImagesRequest, context: grpc.aio.ServicerContext
    ) -> upload_pb2.CopyChatImagesResponse:
        ids = list(request.upload_ids)
        proof, to_chat = request.copy_grant, request.to_chat_id
        chat_id = granted_chat(self._grant_secret, proof, CHAT_IMAGE_COPY, request.chat_id, to_chat, upload_ids=ids)
        to_chat_id = canonical_uuid(to_chat)
        if to_chat_id is None:
            raise ApiError("INVALID_REQUEST", "to_chat_id must be a UUID")
        made = await self._copies.copy(await granted_images(self._store, chat_id, ids), to_chat_id)
        copies = await run_sync(
            lambda: [
                upload_pb2.CopiedChatImage(source_upload_id=src.id, upload=self._to_proto(row)) for src, row in made
            ]
        )
        return upload_pb2.CopyChatImagesResponse(copies=copies)
