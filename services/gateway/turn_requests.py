"""The body of a turn → its RPC request; SSE routes and WebSocket frames share these shapes."""

from __future__ import annotations

from typing import Any

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.gateway.http_json import parse, required_strings

_SEND_FIELDS = (
    "chat_id",
    "message",
    "integration_id",
    "title",
    "model",
    "upload_ids",
    "saved_query_id",
    "parameters",
    "include_tool_events",
)
_EDIT_FIELDS = ("content", "integration_id", "model", "include_tool_events")


def send_request(body: dict[str, Any]) -> chat_pb2.SendMessageRequest:
    """POST /v1/chats and the WebSocket `send_message` action."""
    if not body.get("chat_id"):
        raise ApiError("MISSING_CHAT_ID", "chat_id is required: create a chat with POST /v1/chats/create")
    required_strings(body, "message")
    if body.get("upload_ids") is not None and not isinstance(body["upload_ids"], list):
        raise ApiError("INVALID_REQUEST", "upload_ids: must be a list of strings")
    if body.get("parameters") is not None and not isinstance(body["parameters"], dict):
        raise ApiError("INVALID_REQUEST", "parameters: must be an object")
    return parse({k: body[k] for k in _SEND_FIELDS if k in body}, chat_pb2.SendMessageRequest())


def edit_request(body: dict[str, Any], chat_id: str, message_id: str) -> chat_pb2.EditMessageRequest:
    """PATCH /v1/chats/{chat_id}/messages/{message_id} and the WebSocket `edit_message` action."""
    required_strings(body, "content")
    message = parse({k: body[k] for k in _EDIT_FIELDS if k in body}, chat_pb2.EditMessageRequest())
    message.chat_id, message.message_id = chat_id, message_id
    return message
