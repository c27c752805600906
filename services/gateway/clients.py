"""gRPC channels to the Chat and Upload services and one stub per proto service.

Each stub is named after its proto service (`OrganizationRuleService` → `organization_rules`) and
serves the route module of the same name; calls go through `caller.Caller`, never a stub directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.gen.trellis.v1 import (
    auth_pb2_grpc,
    chat_pb2_grpc,
    integration_pb2_grpc,
    memory_pb2_grpc,
    model_pb2_grpc,
    organization_rule_pb2_grpc,
    personal_key_pb2_grpc,
    project_pb2_grpc,
    saved_query_pb2_grpc,
    upload_pb2_grpc,
    webui_chat_list_pb2_grpc,
    webui_chat_pb2_grpc,
    webui_folder_pb2_grpc,
    webui_share_pb2_grpc,
    webui_tag_pb2_grpc,
    webui_transfer_pb2_grpc,
)

S = TypeVar("S")


def _stub(stub_class: Callable[[grpc.aio.Channel], S], channel: grpc.aio.Channel) -> S:
    # The generated stub classes have untyped constructors: one typed seam instead of one per stub.
    return stub_class(channel)


class ServiceClients:
    def __init__(self, chat_target: str, upload_target: str, deadline: float, *, chat_channels: int = 1) -> None:
        options = [("grpc.keepalive_time_ms", 30_000), ("grpc.max_receive_message_length", 32 * 1024 * 1024)]
        # Channels of one target share their connection unless each keeps its own subchannel pool.
        own = [*options, ("grpc.use_local_subchannel_pool", 1)]
        self._chat_channels = [grpc.aio.insecure_channel(chat_target, options=own) for _ in range(chat_channels)]
        self.chat_channel = self._chat_channels[0]
        self.upload_channel = grpc.aio.insecure_channel(upload_target, options=options)
        # Chat process
        self.auth = _stub(auth_pb2_grpc.AuthServiceStub, self.chat_channel)
        # Chats, messages and turns, the busiest service: its calls take the connections in turn.
        self._chat_stubs = itertools.cycle([_stub(chat_pb2_grpc.ChatServiceStub, c) for c in self._chat_channels])
        self.models = _stub(model_pb2_grpc.ModelServiceStub, self.chat_channel)
        self.saved_queries = _stub(saved_query_pb2_grpc.SavedQueryServiceStub, self.chat_channel)
        self.integrations = _stub(integration_pb2_grpc.IntegrationServiceStub, self.chat_channel)
        self.user_memories = _stub(memory_pb2_grpc.UserMemoryServiceStub, self.chat_channel)
        self.admin_memories = _stub(memory_pb2_grpc.AdminMemoryServiceStub, self.chat_channel)
        self.organization_rules = _stub(organization_rule_pb2_grpc.OrganizationRuleServiceStub, self.chat_channel)
        self.projects = _stub(project_pb2_grpc.ProjectServiceStub, self.chat_channel)  # their documents: uploads
        # Open WebUI's chats and folders (routes/webui_*.py) and personal API keys (routes/personal_keys.py)
        self.webui_chats = _stub(webui_chat_pb2_grpc.WebuiChatServiceStub, self.chat_channel)
        self.webui_chat_lists = _stub(webui_chat_list_pb2_grpc.WebuiChatListServiceStub, self.chat_channel)
        self.webui_tags = _stub(webui_tag_pb2_grpc.WebuiTagServiceStub, self.chat_channel)
        self.webui_shares = _stub(webui_share_pb2_grpc.WebuiShareServiceStub, self.chat_channel)
        self.webui_transfers = _stub(webui_transfer_pb2_grpc.WebuiTransferServiceStub, self.chat_channel)
        self.webui_folders = _stub(webui_folder_pb2_grpc.WebuiFolderServiceStub, self.chat_channel)
        self.personal_keys = _stub(personal_key_pb2_grpc.PersonalKeyServiceStub, self.chat_channel)
        # Upload process
        self.uploads = _stub(upload_pb2_grpc.UploadServiceStub, self.upload_channel)
        # Deadline of every unary call; streaming calls are given their own.
        self.deadline = deadline
        # Any: the grpc_health stubs declare no methods on HealthStub.
        self._health: dict[str, Any] = {
            "chat": health_pb2_grpc.HealthStub(self.chat_channel),
            "upload": health_pb2_grpc.HealthStub(self.upload_channel),
        }

    async def health(self) -> dict[str, str]:
        out = {}
        for name, stub in self._health.items():
            try:
                resp = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                out[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
            except grpc.aio.AioRpcError as err:
                out[name] = f"UNREACHABLE ({err.code().name})"
        return out

    @property
    def chat(self) -> chat_pb2_grpc.ChatServiceStub:
        """The ChatService stub of the next connection to the Chat service."""
        return next(self._chat_stubs)

    async def close(self) -> None:
        for channel in self._chat_channels:
            await channel.close()
        await self.upload_channel.close()
