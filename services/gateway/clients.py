"""gRPC channels to the Chat and Upload services, with deadlines and the caller's token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.errors import from_rpc_error
from services.common.gen.trellis.v1 import (
    auth_pb2_grpc,
    chat_pb2_grpc,
    integration_pb2_grpc,
    memory_pb2_grpc,
    model_pb2_grpc,
    organization_rule_pb2_grpc,
    saved_query_pb2_grpc,
    upload_pb2_grpc,
)

R = TypeVar("R")


class ServiceClients:
    def __init__(self, chat_target: str, upload_target: str, deadline: float) -> None:
        options = [("grpc.keepalive_time_ms", 30_000), ("grpc.max_receive_message_length", 32 * 1024 * 1024)]
        self.chat_channel = grpc.aio.insecure_channel(chat_target, options=options)
        self.upload_channel = grpc.aio.insecure_channel(upload_target, options=options)
        self.auth = auth_pb2_grpc.AuthServiceStub(self.chat_channel)
        self.chat = chat_pb2_grpc.ChatServiceStub(self.chat_channel)
        self.models = model_pb2_grpc.ModelServiceStub(self.chat_channel)
        self.saved_queries = saved_query_pb2_grpc.SavedQueryServiceStub(self.chat_channel)
        self.integrations = integration_pb2_grpc.IntegrationServiceStub(self.chat_channel)
        self.memories = memory_pb2_grpc.UserMemoryServiceStub(self.chat_channel)
        self.admin_memories = memory_pb2_grpc.AdminMemoryServiceStub(self.chat_channel)
        self.rules = organization_rule_pb2_grpc.OrganizationRuleServiceStub(self.chat_channel)
        self.upload = upload_pb2_grpc.UploadServiceStub(self.upload_channel)
        self.deadline = deadline
        self._health = {
            "chat": health_pb2_grpc.HealthStub(self.chat_channel),
            "upload": health_pb2_grpc.HealthStub(self.upload_channel),
        }

    async def unary(self, method: Callable[..., Awaitable[R]], request: Any, metadata: list[tuple[str, str]]) -> R:
        """Call a unary RPC; a gRPC failure is re-raised as the ApiError the service meant."""
        try:
            return await method(request, metadata=metadata, timeout=self.deadline)
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

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
