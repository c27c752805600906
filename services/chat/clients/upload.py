"""The Chat service's view of the Upload service (UploadInternalService): a turn's files, as the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.common.jwt_tokens import Principal
from services.common.observability.context import with_debug_id

R = TypeVar("R")
MAX_UPLOADS_PER_MESSAGE = 20


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


class UploadClient:
    def __init__(self, target: str, deadline: float) -> None:
        self._channel = grpc.aio.insecure_channel(target)
        self._stub = upload_pb2_grpc.UploadInternalServiceStub(self._channel)
        self._deadline = deadline

    async def _call(self, who: Principal, method: Callable[..., Awaitable[R]], request: Any) -> R:
        try:
            return await method(
                request, metadata=with_debug_id([("authorization", f"Bearer {who.token}")]), timeout=self._deadline
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

    async def attachable(self, who: Principal, chat_id: str, upload_ids: list[str]) -> list[upload_pb2.Upload]:
        """The caller's uploads of this chat not yet attached to a message, in request order."""
        ids = list(dict.fromkeys(upload_ids))
        if len(ids) > MAX_UPLOADS_PER_MESSAGE:
            raise ApiError("INVALID_REQUEST", f"upload_ids: at most {MAX_UPLOADS_PER_MESSAGE} per message")
        found = {
            u.id: u
            for u in (
                await self._call(who, self._stub.GetUploads, upload_pb2.GetUploadsRequest(upload_ids=ids))
            ).uploads
        }
        for upload_id in ids:
            upload = found.get(upload_id)
            if upload is None or upload.chat_id != chat_id or upload.HasField("message_id"):
                raise ApiError("NOT_FOUND", f"Upload not found: {upload_id}")
        return [found[i] for i in ids]

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

    async def delete_for_chats(self, who: Principal, chat_ids: list[str]) -> int:
        request = upload_pb2.DeleteChatUploadsRequest(chat_ids=chat_ids)
        return (await self._call(who, self._stub.DeleteChatUploads, request)).deleted_count

    async def project_passages(
        self, who: Principal, project_id: str, query: str, limit: int = 8
    ) -> list[upload_pb2.UploadChunk]:
        """The chunks of a project's documents best matching `query`, best first."""
        request = upload_pb2.SearchProjectDocumentsRequest(project_id=project_id, query=query, limit=limit)
        return list((await self._call(who, self._stub.SearchProjectDocuments, request)).chunks)

    async def delete_project_documents(self, who: Principal, project_id: str) -> int:
        request = upload_pb2.DeleteProjectDocumentsRequest(project_id=project_id)
        return (await self._call(who, self._stub.DeleteProjectDocuments, request)).deleted_count

    async def close(self) -> None:
        await self._channel.close()
