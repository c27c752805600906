"""Open WebUI's tag routes → trellis.v1.WebuiTagService (docs/openwebui.md)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.gen.trellis.v1 import webui_tag_pb2 as pb
from services.gateway.routes.webui_http import (
    aliased,
    body_object,
    invalid,
    summaries_response,
    webui_caller,
    webui_route,
)


def tags_response(tags: Sequence[pb.WebuiTag]) -> JSONResponse:
    """Open WebUI's TagModel list."""
    return JSONResponse([{"id": t.id, "name": t.name, "user_id": t.user_id, "meta": {}} for t in tags])


async def _name(request: Request) -> str:
    name = (await body_object(request)).get("name")
    if not isinstance(name, str):
        raise invalid("name", "Field required" if name is None else "Input should be a valid string")
    return name


@webui_route("WebuiTagService.ListWebuiTags")
async def all_tags(request: Request) -> Response:
    caller = await webui_caller(request)
    return tags_response((await caller.unary(caller.clients.webui_tags.ListWebuiTags, pb.ListWebuiTagsRequest())).tags)


@webui_route("WebuiTagService.ListWebuiChatsByTag")
async def chats_by_tag(request: Request) -> Response:
    caller = await webui_caller(request)
    body = await body_object(request)
    name, skip, limit = body.get("name"), body.get("skip", 0), body.get("limit", 50)
    if not isinstance(name, str):
        raise invalid("name", "Field required" if name is None else "Input should be a valid string")
    for field, value in (("skip", skip), ("limit", limit)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise invalid(field, "Input should be a valid integer")
    req = pb.ListWebuiChatsByTagRequest(name=name, skip=skip, limit=limit)
    return summaries_response((await caller.unary(caller.clients.webui_tags.ListWebuiChatsByTag, req)).chats)


@webui_route("WebuiTagService.ListWebuiChatTags")
async def chat_tags(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListWebuiChatTagsRequest(chat_id=request.path_params["chat_id"])
    return tags_response((await caller.unary(caller.clients.webui_tags.ListWebuiChatTags, req)).tags)


@webui_route("WebuiTagService.AddWebuiChatTag")
async def add_tag(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.AddWebuiChatTagRequest(chat_id=request.path_params["chat_id"], name=await _name(request))
    return tags_response((await caller.unary(caller.clients.webui_tags.AddWebuiChatTag, req)).tags)


@webui_route("WebuiTagService.RemoveWebuiChatTag")
async def remove_tag(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.RemoveWebuiChatTagRequest(chat_id=request.path_params["chat_id"], name=await _name(request))
    return tags_response((await caller.unary(caller.clients.webui_tags.RemoveWebuiChatTag, req)).tags)


@webui_route("WebuiTagService.RemoveAllWebuiChatTags")
async def remove_all_tags(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.RemoveAllWebuiChatTagsRequest(chat_id=request.path_params["chat_id"])
    await caller.unary(caller.clients.webui_tags.RemoveAllWebuiChatTags, req)
    return JSONResponse(True)


routes = aliased(
    "chats",
    [
        ("GET", "/all/tags", all_tags),
        ("POST", "/tags", chats_by_tag),
        ("GET", "/{chat_id}/tags", chat_tags),
        ("POST", "/{chat_id}/tags", add_tag),
        ("DELETE", "/{chat_id}/tags", remove_tag),
        ("DELETE", "/{chat_id}/tags/all", remove_all_tags),
    ],
)
