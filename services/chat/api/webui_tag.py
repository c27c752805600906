"""trellis.v1.WebuiTagService: tags on Open WebUI's chats (docs/openwebui.md)."""

from __future__ import annotations

import grpc

from services.chat.api.webui_wire import summaries, tags
from services.chat.storage.webui_tag_store import WebuiTagStore
from services.common.auth_interceptor import current_principal
from services.common.database import run_sync
from services.common.gen.trellis.v1 import webui_tag_pb2 as pb
from services.common.gen.trellis.v1 import webui_tag_pb2_grpc

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class WebuiTagServicer(webui_tag_pb2_grpc.WebuiTagServiceServicer):
    def __init__(self, tag_store: WebuiTagStore) -> None:
        self._tags = tag_store

    async def ListWebuiTags(  # noqa: N802
        self, request: pb.ListWebuiTagsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebuiTagsResponse:
        who = current_principal()
        rows = await run_sync(self._tags.member_tags, who.organization_id, who.member_id)
        return pb.ListWebuiTagsResponse(tags=tags(who.member_id, rows))

    async def ListWebuiChatTags(  # noqa: N802
        self, request: pb.ListWebuiChatTagsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebuiChatTagsResponse:
        who = current_principal()
        rows = await run_sync(self._tags.chat_tags, who.organization_id, who.member_id, request.chat_id)
        return pb.ListWebuiChatTagsResponse(tags=tags(who.member_id, rows))

    async def AddWebuiChatTag(  # noqa: N802
        self, request: pb.AddWebuiChatTagRequest, context: grpc.aio.ServicerContext
    ) -> pb.AddWebuiChatTagResponse:
        who = current_principal()
        rows = await run_sync(self._tags.add, who.organization_id, who.member_id, request.chat_id, request.name)
        return pb.AddWebuiChatTagResponse(tags=tags(who.member_id, rows))

    async def RemoveWebuiChatTag(  # noqa: N802
        self, request: pb.RemoveWebuiChatTagRequest, context: grpc.aio.ServicerContext
    ) -> pb.RemoveWebuiChatTagResponse:
        who = current_principal()
        rows = await run_sync(self._tags.remove, who.organization_id, who.member_id, request.chat_id, request.name)
        return pb.RemoveWebuiChatTagResponse(tags=tags(who.member_id, rows))

    async def RemoveAllWebuiChatTags(  # noqa: N802
        self, request: pb.RemoveAllWebuiChatTagsRequest, context: grpc.aio.ServicerContext
    ) -> pb.RemoveAllWebuiChatTagsResponse:
        who = current_principal()
        await run_sync(self._tags.remove, who.organization_id, who.member_id, request.chat_id, None)
        return pb.RemoveAllWebuiChatTagsResponse()

    async def ListWebuiChatsByTag(  # noqa: N802
        self, request: pb.ListWebuiChatsByTagRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebuiChatsByTagResponse:
        who = current_principal()
        limit = min(request.limit or DEFAULT_LIMIT, MAX_LIMIT)
        rows = await run_sync(
            self._tags.chats_with, who.organization_id, who.member_id, request.name, request.skip, max(limit, 0)
        )
        return pb.ListWebuiChatsByTagResponse(chats=summaries(rows))
