"""Open WebUI's chat lists → trellis.v1.WebuiChatListService (docs/openwebui.md): the sidebar's
list, pinned, archived, a folder's chats, search, and whole chats streamed (the export)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from services.common.gen.trellis.v1 import webui_chat_list_pb2 as pb
from services.gateway.routes.webui_http import (
    aliased,
    invalid,
    query_bool,
    query_int,
    sorted_page,
    streamed_chats,
    summaries_response,
    webui_caller,
    webui_route,
)

STREAM_DEADLINE = 600.0  # seconds for a whole export


@webui_route("WebuiChatListService.ListWebuiChats", source="query")
async def list_chats(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListWebuiChatsRequest(
        page=max(query_int(request, "page", 0), 0),  # no page: every chat (bounded by OPEN_CHAT_CAP)
        include_pinned=query_bool(request, "include_pinned"),
        include_folders=query_bool(request, "include_folders"),
    )
    return summaries_response((await caller.unary(caller.clients.webui_chat_lists.ListWebuiChats, req)).chats)


@webui_route("WebuiChatListService.SearchWebuiChats", source="query")
async def search(request: Request) -> Response:
    caller = await webui_caller(request)
    text = request.query_params.get("text")
    if text is None:
        raise invalid("text", "Field required")
    req = pb.SearchWebuiChatsRequest(text=text, page=query_int(request, "page", 1))
    return summaries_response((await caller.unary(caller.clients.webui_chat_lists.SearchWebuiChats, req)).chats)


@webui_route("WebuiChatListService.ListPinnedWebuiChats")
async def pinned(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListPinnedWebuiChatsRequest()
    return summaries_response((await caller.unary(caller.clients.webui_chat_lists.ListPinnedWebuiChats, req)).chats)


@webui_route("WebuiChatListService.ListArchivedWebuiChats", source="query")
async def archived(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListArchivedWebuiChatsRequest(**sorted_page(request))
    return summaries_response((await caller.unary(caller.clients.webui_chat_lists.ListArchivedWebuiChats, req)).chats)


@webui_route("WebuiChatListService.ListFolderWebuiChats", source="query")
async def folder_list(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.ListFolderWebuiChatsRequest(folder_id=request.path_params["folder_id"], page=query_int(request, "page", 1))
    return summaries_response((await caller.unary(caller.clients.webui_chat_lists.ListFolderWebuiChats, req)).chats)


async def _stream(request: Request, req: pb.StreamWebuiChatsRequest, *, ndjson: bool) -> Response:
    caller = await webui_caller(request)
    stream = caller.server_stream(caller.clients.webui_chat_lists.StreamWebuiChats, req, timeout=STREAM_DEADLINE)
    return await streamed_chats(stream, ndjson=ndjson)


@webui_route("WebuiChatListService.StreamWebuiChats")
async def export_all(request: Request) -> Response:
    """Every chat in full: NDJSON (one chat a line), or one JSON array with `?format=json`."""
    req = pb.StreamWebuiChatsRequest(selection=pb.WEBUI_CHAT_SELECTION_ALL)
    return await _stream(request, req, ndjson=request.query_params.get("format") != "json")


@webui_route("WebuiChatListService.StreamWebuiChats")
async def all_archived(request: Request) -> Response:
    req = pb.StreamWebuiChatsRequest(selection=pb.WEBUI_CHAT_SELECTION_ARCHIVED)
    return await _stream(request, req, ndjson=False)


@webui_route("WebuiChatListService.StreamWebuiChats")
async def folder_chats(request: Request) -> Response:
    req = pb.StreamWebuiChatsRequest(
        selection=pb.WEBUI_CHAT_SELECTION_FOLDER, folder_id=request.path_params["folder_id"]
    )
    return await _stream(request, req, ndjson=False)


routes = aliased(
    "chats",
    [
        ("GET", "/", list_chats),
        ("GET", "", list_chats),
        ("GET", "/list", list_chats),
        ("GET", "/search", search),
        ("GET", "/pinned", pinned),
        ("GET", "/archived", archived),
        ("GET", "/all", export_all),
        ("GET", "/all/archived", all_archived),
        ("GET", "/folder/{folder_id}", folder_chats),
        ("GET", "/folder/{folder_id}/list", folder_list),
    ],
)
