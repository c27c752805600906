"""The Chat service, asked as the caller whether a chat is theirs, whether they may read or change a
project, and whether their token still holds.

Chats, projects, members (and their roles) and API keys live in its database, not ours.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc

from services.common.auth_interceptor import current_principal
from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    chat_pb2,
    chat_pb2_grpc,
    project_pb2,
    project_pb2_grpc,
)
from services.common.jwt_tokens import Principal
from services.common.observability.context import with_debug_id

R = TypeVar("R")


def require_chat_id(chat_id: str) -> str:
    if not chat_id:
        raise ApiError("MISSING_CHAT_ID", "chat_id is required")
    return chat_id


class ChatAccess:
    def __init__(self, channel: grpc.aio.Channel, deadline: float) -> None:
        self._chat = chat_pb2_grpc.ChatServiceStub(channel)
        self._projects = project_pb2_grpc.ProjectServiceStub(channel)
        self._project_changes = project_pb2_grpc.ProjectInternalServiceStub(channel)
        self._deadline = deadline

    async def _ask(self, method: Callable[..., Awaitable[R]], request: object) -> R:
        """`method(request)` as the caller; a failure is the Chat service's error."""
        who = current_principal()
        try:
            return await method(
                request, metadata=with_debug_id([("authorization", f"Bearer {who.token}")]), timeout=self._deadline
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

    async def owned_chat_id(self, chat_id: str) -> str:
        """The chat's id if it is the caller's; CHAT_NOT_FOUND (or the Chat service's error) otherwise."""
        require_chat_id(chat_id)
        chat: chat_pb2.GetChatResponse = await self._ask(self._chat.GetChat, chat_pb2.GetChatRequest(chat_id=chat_id))
        return chat.id

    async def readable_project_id(self, project_id: str) -> str:
        """The project's id if it is of the caller's organization; NOT_FOUND otherwise."""
        request = project_pb2.GetProjectRequest(project_id=project_id)
        project: project_pb2.Project = await self._ask(self._projects.GetProject, request)
        return project.id

    async def changeable_project_id(self, project_id: str) -> str:
        """The project's id if the caller may change its documents; NOT_FOUND or FORBIDDEN otherwise."""
        request = project_pb2.CheckProjectChangeRequest(project_id=project_id)
        project: project_pb2.Project = await self._ask(self._project_changes.CheckProjectChange, request)
        return project.id


class TokenLiveness:
    """Asks the Chat service (which owns members and API keys) whether a caller's token is revoked."""

    def __init__(self, auth: auth_pb2_grpc.AuthServiceStub, deadline: float) -> None:
        self._auth = auth
        self._deadline = deadline

    async def __call__(self, who: Principal) -> bool:
        try:
            await self._auth.CheckToken(
                auth_pb2.CheckTokenRequest(),
                metadata=with_debug_id([("authorization", f"Bearer {who.token}")]),
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.UNAUTHENTICATED:
                return False
            raise from_rpc_error(err) from None
        return True
