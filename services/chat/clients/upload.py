"""The Chat service's view of the Upload service, as the caller: a turn's files (UploadInternalService),
and, for the admin tool, a project's documents (UploadService, as the gateway calls it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import grpc

from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.common.grants import CHAT_IMAGE_COPY, CHAT_IMAGE_READ, grant
from services.common.jwt_tokens import Principal
from services.common.observability.context import with_debug_id

R = TypeVar("R")
MAX_UPLOADS_PER_MESSAGE = 20
IMAGE_CHUNK = 256 * 1024  # StoreChatImage takes chunks of 64 KiB to 1 MiB
CHAT_IMAGE_GRANT = "chat-image"  # StoreChatImageRequest.chat_grant's purpose
GRANTED_IMAGES_PER_CALL = 500  # SignChatImages and CopyChatImages take at most this many ids


def upload_meta(upload: upload_pb2.Upload) -> dict[str, Any]:
    """What a user message's metadata keeps about an upload (presigned URLs are made on read)."""
    return {
        "id": upload.id,
        "filename": upload.filename,
        "upload_type": upload.upload_type,
        "mime_type": upload.mime_type,
        "file_size": upload.file_size,
        "storage_path": upload.storage_path,
    }


def _batches(ids: list[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), GRANTED_IMAGES_PER_CALL):
        yield unique[start : start + GRANTED_IMAGES_PER_CALL]


class UploadClient:
    def __init__(self, target: str, deadline: float, grant_secret: str = "") -> None:
        """`grant_secret`: the JWT secret, which signs the grants of `store_image` (none without it)."""
        self._channel = grpc.aio.insecure_channel(target)
        self._grant_secret = grant_secret
        self._stub = upload_pb2_grpc.UploadInternalServiceStub(self._channel)
        self._public = upload_pb2_grpc.UploadServiceStub(self._channel)
        self._deadline = deadline

    async def _call(
        self, who: Principal, method: Callable[..., Awaitable[R]], request: Any, deadline: float | None = None
    ) -> R:
        try:
            return await method(
                request,
                metadata=with_debug_id([("authorization", f"Bearer {who.token}")]),
                timeout=deadline or self._deadline,
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

    async def for_turn(
        self, who: Principal, chat_id: str, upload_ids: list[str], earlier_ids: list[str]
    ) -> tuple[list[upload_pb2.Upload], list[upload_pb2.Upload]]:
        """A turn's files in one GetUploads call: the ones it sends (the caller's uploads of this chat,
        in request order; one already sent with an earlier message is accepted again), and every file
        of the chat it may use (`earlier_ids`, those of the branch's earlier messages, that still
        exist, then the sent ones)."""
        ids = list(dict.fromkeys(upload_ids))
        if len(ids) > MAX_UPLOADS_PER_MESSAGE:
            raise ApiError("INVALID_REQUEST", f"upload_ids: at most {MAX_UPLOADS_PER_MESSAGE} per message")
        wanted = list(dict.fromkeys([*earlier_ids, *ids]))
        found: dict[str, upload_pb2.Upload] = {}
        if wanted:
            request = upload_pb2.GetUploadsRequest(upload_ids=wanted)
            found = {u.id: u for u in (await self._call(who, self._stub.GetUploads, request)).uploads}
        for upload_id in ids:
            upload = found.get(upload_id)
            if upload is None or upload.chat_id != chat_id:
                raise ApiError("NOT_FOUND", f"Upload not found: {upload_id}")
        usable = [found[i] for i in wanted if i in found and found[i].chat_id == chat_id]
        return [found[i] for i in ids], usable

    async def fresh(self, who: Principal, upload_ids: list[str]) -> dict[str, upload_pb2.Upload]:
        """Current rows (with newly signed URLs) of uploads, by id; missing ones are left out."""
        if not upload_ids:
            return {}
        resp = await self._call(who, self._stub.GetUploads, upload_pb2.GetUploadsRequest(upload_ids=upload_ids))
        return {u.id: u for u in resp.uploads}

    async def link(self, who: Principal, chat_id: str, message_id: str, upload_ids: list[str]) -> None:
        request = upload_pb2.LinkUploadsRequest(chat_id=chat_id, message_id=message_id, upload_ids=upload_ids)
        await self._call(who, self._stub.LinkUploads, request)

    async def passages(
        self, who: Principal, chat_id: str, query: str, upload_ids: list[str], limit: int = 8
    ) -> list[upload_pb2.UploadChunk]:
        request = upload_pb2.SearchUploadChunksRequest(chat_id=chat_id, query=query, upload_ids=upload_ids, limit=limit)
        return list((await self._call(who, self._stub.SearchUploadChunks, request)).chunks)

    async def read_table(
        self, who: Principal, upload_id: str, max_rows: int
    ) -> AsyncIterator[upload_pb2.ReadUploadTableResponse]:
        call = self._stub.ReadUploadTable(
            upload_pb2.ReadUploadTableRequest(upload_id=upload_id, max_rows=max_rows),
            metadata=with_debug_id([("authorization", f"Bearer {who.token}")]),
            timeout=self._deadline * 6,
        )
        try:
            async for part in call:
                yield part
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

    async def delete_for_chats(self, who: Principal, chat_ids: list[str], upload_ids: list[str] | None = None) -> int:
        """The caller's uploads of these chats (only `upload_ids` among them, when given)."""
        request = upload_pb2.DeleteChatUploadsRequest(chat_ids=chat_ids, upload_ids=upload_ids or [])
        return (await self._call(who, self._stub.DeleteChatUploads, request)).deleted_count

    async def store_image(
        self, who: Principal, chat_id: str, filename: str, declared_type: str, data: bytes
    ) -> upload_pb2.Upload:
        """An image of an Open WebUI chat document stored as an upload of `chat_id`, which the caller
        has been checked to own (or is being created for them)."""
        header = upload_pb2.UploadHeader(
            chat_id=chat_id, filename=filename, declared_type=declared_type, size=len(data)
        )

        proof = grant(self._grant_secret, CHAT_IMAGE_GRANT, who.organization_id, who.member_id, chat_id)

        def parts() -> Iterator[upload_pb2.StoreChatImageRequest]:
            yield upload_pb2.StoreChatImageRequest(header=header, chat_grant=proof)
            for start in range(0, len(data), IMAGE_CHUNK):
                yield upload_pb2.StoreChatImageRequest(chunk=data[start : start + IMAGE_CHUNK])

        response = await self._call(who, self._stub.StoreChatImage, parts())
        return response.upload

    async def sign_images(self, who: Principal, chat_id: str, upload_ids: list[str]) -> dict[str, upload_pb2.Upload]:
        """Presigned URLs of images of `chat_id` that the caller may see because the Chat service has
        let them read a document of that chat referencing them (a share): by upload id, missing ones
        left out. Only for a read already authorized: the grant says so to the Upload service."""
        found: dict[str, upload_pb2.Upload] = {}
        for batch in _batches(upload_ids):
            proof = grant(self._grant_secret, CHAT_IMAGE_READ, who.organization_id, who.member_id, chat_id, *batch)
            request = upload_pb2.SignChatImagesRequest(chat_id=chat_id, upload_ids=batch, read_grant=proof)
            found.update({u.id: u for u in (await self._call(who, self._stub.SignChatImages, request)).uploads})
        return found

    async def copy_images(
        self, who: Principal, chat_id: str, upload_ids: list[str], to_chat_id: str
    ) -> dict[str, upload_pb2.Upload]:
        """Images of `chat_id` (one the caller may read) copied as uploads of `to_chat_id`, a chat being
        made for the caller: the copies by source upload id, ids that are not such images left out.
        A failed call keeps none of its own copies; the caller removes earlier calls' (the uploads of
        `to_chat_id`)."""
        copies: dict[str, upload_pb2.Upload] = {}
        for batch in _batches(upload_ids):
            parts = (who.organization_id, who.member_id, chat_id, to_chat_id, *batch)
            request = upload_pb2.CopyChatImagesRequest(
                chat_id=chat_id,
                upload_ids=batch,
                to_chat_id=to_chat_id,
                copy_grant=grant(self._grant_secret, CHAT_IMAGE_COPY, *parts),
            )
            response = await self._call(who, self._stub.CopyChatImages, request)
            copies.update({c.source_upload_id: c.upload for c in response.copies})
        return copies

    async def project_passages(
        self, who: Principal, project_id: str, query: str, limit: int = 8
    ) -> list[upload_pb2.UploadChunk]:
        """The chunks of a project's documents best matching `query`, best first."""
        request = upload_pb2.SearchProjectDocumentsRequest(project_id=project_id, query=query, limit=limit)
        return list((await self._call(who, self._stub.SearchProjectDocuments, request)).chunks)

    async def delete_project_documents(self, who: Principal, project_id: str) -> int:
        request = upload_pb2.DeleteProjectDocumentsRequest(project_id=project_id)
        return (await self._call(who, self._stub.DeleteProjectDocuments, request)).deleted_count

    async def add_document(
        self, who: Principal, header: upload_pb2.UploadHeader, chunks: AsyncIterator[bytes], deadline: float
    ) -> upload_pb2.Upload:
        """One file streamed as a project's document (`header.project_id`): UploadFile, as the gateway
        calls it for POST /v1/projects/{id}/documents. The service sniffs, checks, stores and indexes it."""

        async def requests() -> AsyncIterator[upload_pb2.UploadFileRequest]:
            yield upload_pb2.UploadFileRequest(header=header)
            async for chunk in chunks:
                yield upload_pb2.UploadFileRequest(chunk=chunk)

        return (await self._call(who, self._public.UploadFile, requests(), deadline)).upload

    async def project_documents(self, who: Principal, project_id: str) -> list[upload_pb2.Upload]:
        request = upload_pb2.ListProjectDocumentsRequest(project_id=project_id)
        return list((await self._call(who, self._public.ListProjectDocuments, request)).documents)

    async def delete_project_document(self, who: Principal, project_id: str, document_id: str) -> None:
        request = upload_pb2.DeleteProjectDocumentRequest(project_id=project_id, document_id=document_id)
        await self._call(who, self._public.DeleteProjectDocument, request)

    async def close(self) -> None:
        await self._channel.close()
