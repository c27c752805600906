"""The Chat service, asked as the caller whether a chat is theirs and whether their token still holds.

Chats, members and API keys live in its database, not ours.
"""

from __future__ import annotations

import grpc

from services.common.auth_interceptor import current_principal
from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import auth_pb2, auth_pb2_grpc, chat_pb2, chat_pb2_grpc
from services.common.jwt_tokens import Principal


def require_chat_id(chat_id: str) -> str:
    if not chat_id:
        raise ApiError("MISSING_CHAT_ID", "chat_id is required")
    return chat_id


class ChatAccess:
    def __init__(self, chat: chat_pb2_grpc.ChatServiceStub, deadline: float) -> None:
        self._chat = chat
        self._deadline = deadline

    async def owned_chat_id(self, chat_id: str) -> str:
        """The chat's id if it is the caller's; CHAT_NOT_FOUND (or the Chat service's error) otherwise."""
        who = current_principal()
        require_chat_id(chat_id)
        try:
            chat: chat_pb2.GetChatResponse = await self._chat.GetChat(
                chat_pb2.GetChatRequest(chat_id=chat_id),
                metadata=[("authorization", f"Bearer {who.token}")],
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None
        return chat.id


class TokenLiveness:
    """Asks the Chat service (which owns members and API keys) whether a caller's token is revoked."""

    def __init__(self, auth: auth_pb2_grpc.AuthServiceStub, deadline: float) -> None:
        self._auth = auth
        self._deadline = deadline

    async def __call__(self, who: Principal) -> bool:
        try:
            await self._auth.CheckToken(
                auth_pb2.CheckTokenRequest(),
                metadata=[("authorization", f"Bearer {who.token}")],
                timeout=self._deadline,
            )
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.UNAUTHENTICATED:
                return False
            raise from_rpc_error(err) from None
        return True
