"""Open WebUI's import, clone and fork routes → trellis.v1.WebuiTransferService (docs/openwebui.md)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import Response

from services.common.errors import from_rpc_error
from services.common.gen.trellis.v1 import webui_transfer_pb2 as pb
from services.gateway.routes.webui_http import (
    MAX_IMPORT_BYTES,
    aliased,
    body_object,
    chat_response,
    chats_response,
    document_json,
    invalid,
    optional_string,
    read_body,
    required_object,
    webui_caller,
    webui_route,
)

IMPORT_DEADLINE = 120.0


def import_request(form: Any, where: str) -> pb.ImportWebuiChatsRequest:
    """One ChatImportForm: {chat, folder_id?, meta?, pinned?, archived?, created_at?, updated_at?}."""
    if not isinstance(form, dict):
        raise invalid(where or "body", "Input should be a valid dictionary")
    prefix = f"{where}." if where else ""
    chat = required_object(form, "chat", prefix)
    folder_id = optional_string(form, "folder_id", prefix)
    meta = form.get("meta") or {}
    if not isinstance(meta, dict):
        raise invalid(f"{prefix}meta", "Input should be a valid dictionary")
    flags = {name: form.get(name) or False for name in ("pinned", "archived")}
    times = {name: form.get(name) for name in ("created_at", "updated_at")}
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise invalid(f"{prefix}{name}", "Input should be a valid boolean")
    for name, value in times.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise invalid(f"{prefix}{name}", "Input should be a valid integer")
    return pb.ImportWebuiChatsRequest(
        chat_json=document_json(chat, f"{prefix}chat"),
        folder_id=folder_id,
        meta_json=json.dumps(meta, ensure_ascii=False),
        **flags,
        **{name: value for name, value in times.items() if value is not None},
    )


@webui_route("WebuiTransferService.ImportWebuiChats")
async def import_chats(request: Request) -> Response:
    """`{chats: [form, …]}` answers a list; one form alone (the older shape) answers one chat."""
    caller = await webui_caller(request)
    body = await body_object(request, MAX_IMPORT_BYTES)
    single = "chats" not in body
    forms = [body] if single else body["chats"]
    if not isinstance(forms, list):
        raise invalid("chats", "Input should be a valid list")
    requests = [import_request(form, "" if single else f"chats.{i}") for i, form in enumerate(forms)]
    call = caller.client_stream(caller.clients.webui_transfers.ImportWebuiChats, timeout=IMPORT_DEADLINE)
    try:
        for req in requests:
            await call.write(req)
        await call.done_writing()
    except (grpc.aio.AioRpcError, asyncio.InvalidStateError):
        pass  # the service refused early: its status is read below
    try:
        answer = await call
    except grpc.aio.AioRpcError as err:
        raise from_rpc_error(err) from None
    return chat_response(answer.chats[0]) if single else chats_response(answer.chats)


async def _optional_body(request: Request) -> dict[str, Any]:
    body = await read_body(request)
    if body is not None and not isinstance(body, dict):
        raise invalid("body", "Input should be a valid dictionary")
    return body or {}


@webui_route("WebuiTransferService.CloneWebuiChat")
async def clone(request: Request) -> Response:
    caller = await webui_caller(request)
    title = optional_string(await _optional_body(request), "title")
    req = pb.CloneWebuiChatRequest(chat_id=request.path_params["chat_id"], title=title)
    return chat_response((await caller.unary(caller.clients.webui_transfers.CloneWebuiChat, req)).chat)


@webui_route("WebuiTransferService.CloneSharedWebuiChat")
async def clone_shared(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.CloneSharedWebuiChatRequest(share_id=request.path_params["share_id"])
    return chat_response((await caller.unary(caller.clients.webui_transfers.CloneSharedWebuiChat, req)).chat)


@webui_route("WebuiTransferService.ForkWebuiChat")
async def fork(request: Request) -> Response:
    caller = await webui_caller(request)
    message_id = optional_string(await _optional_body(request), "message_id")
    req = pb.ForkWebuiChatRequest(chat_id=request.path_params["chat_id"], message_id=message_id)
    return chat_response((await caller.unary(caller.clients.webui_transfers.ForkWebuiChat, req)).chat)


routes = aliased(
    "chats",
    [
        ("POST", "/import", import_chats),
        ("POST", "/{chat_id}/clone", clone),
        ("POST", "/{share_id}/clone/shared", clone_shared),
        ("POST", "/{chat_id}/fork", fork),
    ],
)
