"""trellis.v1.WebuiChatService: Open WebUI's chats, the same rows as ChatService (docs/openwebui.md)."""

from __future__ import annotations

import grpc

from services.chat.api.chat import drop_uploads, limit_chat_creation
from services.chat.api.webui_images import ChatImages, StoredImages, has_images
from services.chat.api.webui_wire import webui_chat
from services.chat.clients.upload import UploadClient
from services.chat.storage.chat_store import ChatStore
from services.chat.storage.webui_chat_store import WebuiChatStore
from services.chat.storage.webui_document import MAX_NODE_ID, ChatDocument, invalid, parse_document
from services.chat.storage.webui_rows import WebuiChatRecord
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import webui_chat_pb2, webui_chat_pb2_grpc
from services.common.gen.trellis.v1 import webui_chat_pb2 as pb
from services.common.ids import canonical_uuid, new_id
from services.common.jwt_tokens import Principal
from services.common.ratelimit import RateLimiter

BULK_DELETE = 500


class WebuiChatServicer(webui_chat_pb2_grpc.WebuiChatServiceServicer):
    def __init__(
        self,
        webui_chats: WebuiChatStore,
        chats: ChatStore,
        uploads: UploadClient,
        limiter: RateLimiter,
        *,
        open_chat_cap: int,
        create_per_minute: int,
    ) -> None:
        self._store = webui_chats
        self._chats = chats
        self._uploads = uploads
        self._images = ChatImages(uploads)
        self._limiter = limiter
        self._cap = open_chat_cap
        self._create_per_minute = create_per_minute

    async def _owned(self, who: Principal, chat_id: str) -> None:
        await run_sync(self._store.is_pinned, who.organization_id, who.member_id, chat_id)

    async def _shown(self, who: Principal, record: WebuiChatRecord) -> webui_chat_pb2.WebuiChat:
        return await self._images.present(who, webui_chat(record))

    async def CreateWebuiChat(  # noqa: N802
        self, request: pb.CreateWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateWebuiChatResponse:
        who = current_principal()
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        doc = parse_document(request.chat_json)
        folder_id = request.folder_id if request.HasField("folder_id") else None
        chat_id = new_id()  # known before the chat is written: its images are stored under it first
        images = await self._images.store(who, chat_id, doc) if has_images(doc, who.organization_id) else None
        try:
            record = await run_sync(
                self._store.create,
                who.organization_id,
                who.member_id,
                images.document if images else doc,
                folder_id,
                self._cap,
                chat_id,
            )
        except BaseException:
            if images:
                await self._images.discard(who, chat_id, images.new_upload_ids)
            raise
        return pb.CreateWebuiChatResponse(chat=await self._shown(who, record))

    async def GetWebuiChat(  # noqa: N802
        self, request: pb.GetWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetWebuiChatResponse:
        who = current_principal()
        record = await run_sync(self._store.get, who.organization_id, who.member_id, request.chat_id)
        return pb.GetWebuiChatResponse(chat=await self._shown(who, record))

    async def UpdateWebuiChat(  # noqa: N802
        self, request: pb.UpdateWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateWebuiChatResponse:
        who = current_principal()
        try:
            doc = parse_document(request.chat_json)
        except ApiError:
            await self._owned(who, request.chat_id)  # someone else's chat is not found, however it is asked
            raise
        images = await self._stored_images(who, request.chat_id, doc)
        try:
            record = await run_sync(
                self._store.update,
                who.organization_id,
                who.member_id,
                request.chat_id,
                images.document if images else doc,
            )
        except BaseException:
            if images:
                await self._images.discard(who, canonical_uuid(request.chat_id) or "", images.new_upload_ids)
            raise
        return pb.UpdateWebuiChatResponse(chat=await self._shown(who, record))

    async def _stored_images(self, who: Principal, chat_id: str, doc: ChatDocument) -> StoredImages | None:
        """A save's images stored (None: it has none), once the chat is known to be the caller's."""
        if not has_images(doc, who.organization_id):
            return None
        node_ids = list(doc.history.messages) if doc.history else []
        refs = await run_sync(self._store.image_refs, who.organization_id, who.member_id, chat_id, node_ids)
        return await self._images.store(who, canonical_uuid(chat_id) or chat_id, doc, stored=refs)

    async def DeleteWebuiChat(  # noqa: N802
        self, request: pb.DeleteWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteWebuiChatResponse:
        who = current_principal()
        deleted, _ = await run_sync(self._chats.delete_chats, who.organization_id, who.member_id, [request.chat_id])
        if not deleted:
            raise ApiError("CHAT_NOT_FOUND", "Chat not found")
        await drop_uploads(self._uploads, who, deleted)
        return pb.DeleteWebuiChatResponse()

    async def DeleteAllWebuiChats(  # noqa: N802
        self, request: pb.DeleteAllWebuiChatsRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAllWebuiChatsResponse:
        who = current_principal()
        ids = await run_sync(self._store.chat_ids, who.organization_id, who.member_id)
        count = 0
        for start in range(0, len(ids), BULK_DELETE):
            deleted, _ = await run_sync(
                self._chats.delete_chats, who.organization_id, who.member_id, ids[start : start + BULK_DELETE]
            )
            if deleted:
                await drop_uploads(self._uploads, who, deleted)
            count += len(deleted)
        return pb.DeleteAllWebuiChatsResponse(deleted_count=count)

    async def UpsertWebuiMessage(  # noqa: N802
        self, request: pb.UpsertWebuiMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpsertWebuiMessageResponse:
        who = current_principal()
        if not request.message_id or len(request.message_id) > MAX_NODE_ID:
            await self._owned(who, request.chat_id)
            raise invalid("message_id", f"must be 1 to {MAX_NODE_ID} characters")
        record = await run_sync(
            self._store.upsert_message,
            who.organization_id,
            who.member_id,
            request.chat_id,
            request.message_id,
            request.content,
        )
        return pb.UpsertWebuiMessageResponse(chat=await self._shown(who, record))

    async def DeleteWebuiMessage(  # noqa: N802
        self, request: pb.DeleteWebuiMessageRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteWebuiMessageResponse:
        who = current_principal()
        record = await run_sync(
            self._store.delete_message, who.organization_id, who.member_id, request.chat_id, request.message_id
        )
        return pb.DeleteWebuiMessageResponse(chat=await self._shown(who, record))

    async def ToggleWebuiChatPin(  # noqa: N802
        self, request: pb.ToggleWebuiChatPinRequest, context: grpc.aio.ServicerContext
    ) -> pb.ToggleWebuiChatPinResponse:
        who = current_principal()
        record = await run_sync(self._store.toggle_pin, who.organization_id, who.member_id, request.chat_id)
        return pb.ToggleWebuiChatPinResponse(chat=await self._shown(who, record))

    async def GetWebuiChatPinned(  # noqa: N802
        self, request: pb.GetWebuiChatPinnedRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetWebuiChatPinnedResponse:
        who = current_principal()
        pinned = await run_sync(self._store.is_pinned, who.organization_id, who.member_id, request.chat_id)
        return pb.GetWebuiChatPinnedResponse(pinned=pinned)

    async def ToggleWebuiChatArchive(  # noqa: N802
        self, request: pb.ToggleWebuiChatArchiveRequest, context: grpc.aio.ServicerContext
    ) -> pb.ToggleWebuiChatArchiveResponse:
        who = current_principal()
        record = await run_sync(self._store.toggle_archive, who.organization_id, who.member_id, request.chat_id)
        return pb.ToggleWebuiChatArchiveResponse(chat=await self._shown(who, record))

    async def SetAllWebuiChatsArchived(  # noqa: N802
        self, request: pb.SetAllWebuiChatsArchivedRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetAllWebuiChatsArchivedResponse:
        who = current_principal()
        count = await run_sync(self._store.set_all_archived, who.organization_id, who.member_id, request.archived)
        return pb.SetAllWebuiChatsArchivedResponse(changed_count=count)

    async def MoveWebuiChat(  # noqa: N802
        self, request: pb.MoveWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.MoveWebuiChatResponse:
        who = current_principal()
        folder_id = request.folder_id if request.HasField("folder_id") else None
        record = await run_sync(self._store.move, who.organization_id, who.member_id, request.chat_id, folder_id)
        return pb.MoveWebuiChatResponse(chat=await self._shown(who, record))
