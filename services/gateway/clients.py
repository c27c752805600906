"""gRPC channels to the Chat and Upload services and one stub per proto service.

Each stub is named after its proto service (`OrganizationRuleService` → `organization_rules`) and
serves the route module of the same name; calls go through `caller.Caller`, never a stub directly.
"""

from __future__ import annotations

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
    def __init__(self, chat_target: str, upload_target: str, deadline: float) -> None:
        options = [("grpc.keepalive_time_ms", 30_000), ("grpc.max_receive_message_length", 32 * 1024 * 1024)]
        self.chat_channel = grpc.aio.insecure_channel(chat_target, options=options)
        self.upload_channel = grpc.aio.insecure_channel(upload_target, options=options)
        # Chat process
        self.auth = _stub(auth_pb2_grpc.AuthServiceStub, self.chat_channel)
        self.chat = _stub(chat_pb2_grpc.ChatServiceStub, self.chat_channel)  # chats, messages and turns
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

    async def close(self) -> None:
        await self.chat_channel.close()
        await self.upload_channel.close()
