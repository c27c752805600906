"""trellis.v1.UploadService (contract §6.13–6.15)."""

from __future__ import annotations

import grpc

from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc, upload_pb2, upload_pb2_grpc
from services.upload.models import Upload
from services.upload.object_storage import ObjectStorage
from services.upload.store import UploadStore


class UploadServicer(upload_pb2_grpc.UploadServiceServicer):
    def __init__(
        self, store: UploadStore, storage: ObjectStorage, chat: chat_pb2_grpc.ChatServiceStub, deadline: float
    ) -> None:
        self._store = store
        self._storage = storage
        self._chat = chat
        self._deadline = deadline

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
