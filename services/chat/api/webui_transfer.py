"""trellis.v1.WebuiTransferService: import, clone, clone of a share and fork of Open WebUI's chats
(docs/openwebui.md). A clone or fork gets copies of the images it references, as its own uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc

from services.chat.api.chat import limit_chat_creation
from services.chat.api.webui_images import MAX_IMPORT_IMAGES, ChatImages, data_urls, has_images
from services.chat.api.webui_wire import json_object, webui_chat
from services.chat.clients.upload import UploadClient
from services.chat.storage.webui_document import from_epoch, invalid, parse_document
from services.chat.storage.webui_rows import WebuiChatRecord
from services.chat.storage.webui_share_store import WebuiShareStore
from services.chat.storage.webui_transfer_store import Copying, ImportedChat, SourceImages, WebuiTransferStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.gen.trellis.v1 import webui_transfer_pb2 as pb
from services.common.gen.trellis.v1 import webui_transfer_pb2_grpc
from services.common.ids import new_id
from services.common.jwt_tokens import Principal
from services.common.ratelimit import RateLimiter

MAX_IMPORT = 1000  # chats per import


def imported(index: int, request: pb.ImportWebuiChatsRequest) -> ImportedChat:
    where = f"chats.{index}"
    return ImportedChat(
        parse_document(request.chat_json, f"{where}.chat"),
        f"{where}.chat",
        folder_id=request.folder_id if request.HasField("folder_id") else None,
        meta=json_object(request.meta_json, f"{where}.meta"),
        pinned=request.pinned,
        archived=request.archived,
        created_at=from_epoch(request.created_at, f"{where}.created_at") if request.HasField("created_at") else None,
        updated_at=from_epoch(request.updated_at, f"{where}.updated_at") if request.HasField("updated_at") else None,
    )


class WebuiTransferServicer(webui_transfer_pb2_grpc.WebuiTransferServiceServicer):
    def __init__(
        self,
        transfers: WebuiTransferStore,
        shares: WebuiShareStore,
        uploads: UploadClient,
        limiter: RateLimiter,
        *,
        open_chat_cap: int,
        create_per_minute: int,
    ) -> None:
        self._transfers = transfers
        self._shares = shares
        self._images = ChatImages(uploads)
        self._limiter = limiter
        self._cap = open_chat_cap
        self._create_per_minute = create_per_minute

    async def ImportWebuiChats(  # noqa: N802
        self, request_iterator: AsyncIterator[pb.ImportWebuiChatsRequest], context: grpc.aio.ServicerContext
    ) -> pb.ImportWebuiChatsResponse:
        who = current_principal()
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        chats: list[ImportedChat] = []
        async for request in request_iterator:
            if len(chats) == MAX_IMPORT:
                raise invalid("chats", f"at most {MAX_IMPORT} chats per import")
            chats.append(imported(len(chats), request))
        stored: dict[str, list[str]] = {}  # chat id → its new uploads
        try:
            await self._store_images(who, chats, stored)
            records = await run_sync(self._transfers.import_chats, who.organization_id, who.member_id, chats, self._cap)
        except BaseException:
            for chat_id, upload_ids in stored.items():
                await self._images.discard(who, chat_id, upload_ids)
            raise
        return pb.ImportWebuiChatsResponse(chats=await self._images.presented(who, [webui_chat(r) for r in records]))

    async def _store_images(self, who: Principal, chats: list[ImportedChat], stored: dict[str, list[str]]) -> None:
        """Each chat's images stored under the id it will have, noting the uploads in `stored`."""
        if sum(data_urls(item.document) for item in chats) > MAX_IMPORT_IMAGES:
            raise invalid("chats", f"at most {MAX_IMPORT_IMAGES} images per import")
        for item in chats:
            if not has_images(item.document, who.organization_id):
                continue
            item.chat_id = new_id()
            images = await self._images.store(who, item.chat_id, item.document, item.where)
            stored[item.chat_id] = images.new_upload_ids
            item.document = images.document

    async def CloneWebuiChat(  # noqa: N802
        self, request: pb.CloneWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.CloneWebuiChatResponse:
        who = current_principal()
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        title = request.title if request.HasField("title") else None
        source = await run_sync(self._transfers.clone_images, who.organization_id, who.member_id, request.chat_id)
        record = await self._with_copies(
            who,
            source,
            lambda copying: self._transfers.clone(
                who.organization_id, who.member_id, request.chat_id, title, self._cap, copying
            ),
        )
        return pb.CloneWebuiChatResponse(chat=await self._images.present(who, webui_chat(record)))

    async def CloneSharedWebuiChat(  # noqa: N802
        self, request: pb.CloneSharedWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.CloneSharedWebuiChatResponse:
        who = current_principal()
        share = await run_sync(self._shares.shared, who.organization_id, request.share_id)
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        record = await self._with_copies(
            who,
            self._transfers.snapshot_images(share.chat_id, share.snapshot),
            lambda copying: self._transfers.clone_shared(
                who.organization_id, who.member_id, share.chat_id, share.snapshot, self._cap, copying
            ),
        )
        return pb.CloneSharedWebuiChatResponse(chat=await self._images.present(who, webui_chat(record)))

    async def ForkWebuiChat(  # noqa: N802
        self, request: pb.ForkWebuiChatRequest, context: grpc.aio.ServicerContext
    ) -> pb.ForkWebuiChatResponse:
        who = current_principal()
        await limit_chat_creation(self._limiter, who, self._create_per_minute)
        message_id = request.message_id if request.HasField("message_id") else None
        org_id, member_id = who.organization_id, who.member_id
        source = await run_sync(self._transfers.fork_images, org_id, member_id, request.chat_id, message_id)
        record = await self._with_copies(
            who,
            source,
            lambda copying: self._transfers.fork(org_id, member_id, request.chat_id, message_id, self._cap, copying),
        )
        return pb.ForkWebuiChatResponse(chat=await self._images.present(who, webui_chat(record)))

    async def _with_copies(
        self, who: Principal, source: SourceImages, write: Callable[[Copying], WebuiChatRecord]
    ) -> WebuiChatRecord:
        """A clone or fork written with copies of the images it references, made first (under the id it
        will have): deleting the source then leaves it whole. Copies of a chat not written are removed."""
        copies = await self._images.copied(who, source.chat_id, source.refs)
        try:
            return await run_sync(write, Copying(copies.chat_id, copies.refs))
        except BaseException:
            if copies.upload_ids:
                await self._images.discard_all(who, copies.chat_id)
            raise
