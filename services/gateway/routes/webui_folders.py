"""Open WebUI's folder routes → trellis.v1.WebuiFolderService (docs/openwebui.md)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.common.gen.trellis.v1 import webui_folder_pb2 as pb
from services.gateway.routes.webui_http import (
    aliased,
    body_object,
    invalid,
    optional_string,
    query_bool,
    webui_caller,
    webui_route,
)


def folder_json(folder: pb.WebuiFolder) -> dict[str, Any]:
    """Open WebUI's FolderModel."""
    return {
        "id": folder.id,
        "parent_id": folder.parent_id if folder.HasField("parent_id") else None,
        "user_id": folder.user_id,
        "name": folder.name,
        "meta": json.loads(folder.meta_json or "{}"),
        "data": json.loads(folder.data_json or "{}"),
        "is_expanded": folder.is_expanded,
        "created_at": folder.created_at,
        "updated_at": folder.updated_at,
    }


def _objects(body: dict[str, Any]) -> dict[str, str]:
    """`meta` and `data` as JSON text for the service (absent or null: nothing to merge)."""
    out = {}
    for name in ("meta", "data"):
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            raise invalid(name, "Input should be a valid dictionary")
        out[f"{name}_json"] = json.dumps(value or {}, ensure_ascii=False)
    return out


@webui_route("WebuiFolderService.ListWebuiFolders")
async def list_folders(request: Request) -> Response:
    caller = await webui_caller(request)
    answer = await caller.unary(caller.clients.webui_folders.ListWebuiFolders, pb.ListWebuiFoldersRequest())
    return JSONResponse([folder_json(f) for f in answer.folders])


@webui_route("WebuiFolderService.CreateWebuiFolder")
async def create_folder(request: Request) -> Response:
    caller = await webui_caller(request)
    body = await body_object(request)
    name = body.get("name")
    if not isinstance(name, str):
        raise invalid("name", "Field required" if name is None else "Input should be a valid string")
    req = pb.CreateWebuiFolderRequest(name=name, parent_id=optional_string(body, "parent_id"), **_objects(body))
    return JSONResponse(folder_json((await caller.unary(caller.clients.webui_folders.CreateWebuiFolder, req)).folder))


@webui_route("WebuiFolderService.GetWebuiFolder")
async def get_folder(request: Request) -> Response:
    caller = await webui_caller(request)
    req = pb.GetWebuiFolderRequest(folder_id=request.path_params["folder_id"])
    return JSONResponse(folder_json((await caller.unary(caller.clients.webui_folders.GetWebuiFolder, req)).folder))


@webui_route("WebuiFolderService.UpdateWebuiFolder")
async def update_folder(request: Request) -> Response:
    caller = await webui_caller(request)
    body = await body_object(request)
    req = pb.UpdateWebuiFolderRequest(
        folder_id=request.path_params["folder_id"], name=optional_string(body, "name"), **_objects(body)
    )
    return JSONResponse(folder_json((await caller.unary(caller.clients.webui_folders.UpdateWebuiFolder, req)).folder))


@webui_route("WebuiFolderService.MoveWebuiFolder")
async def move_folder(request: Request) -> Response:
    caller = await webui_caller(request)
    parent_id = optional_string(await body_object(request), "parent_id")
    req = pb.MoveWebuiFolderRequest(folder_id=request.path_params["folder_id"], parent_id=parent_id)
    return JSONResponse(folder_json((await caller.unary(caller.clients.webui_folders.MoveWebuiFolder, req)).folder))


@webui_route("WebuiFolderService.SetWebuiFolderExpanded")
async def set_expanded(request: Request) -> Response:
    caller = await webui_caller(request)
    expanded = (await body_object(request)).get("is_expanded")
    if not isinstance(expanded, bool):
        raise invalid("is_expanded", "Field required" if expanded is None else "Input should be a valid boolean")
    req = pb.SetWebuiFolderExpandedRequest(folder_id=request.path_params["folder_id"], is_expanded=expanded)
    answer = await caller.unary(caller.clients.webui_folders.SetWebuiFolderExpanded, req)
    return JSONResponse(folder_json(answer.folder))


@webui_route("WebuiFolderService.DeleteWebuiFolder", source="query")
async def delete_folder(request: Request) -> Response:
    caller = await webui_caller(request)
    keep = not query_bool(request, "delete_contents", default=True)
    req = pb.DeleteWebuiFolderRequest(folder_id=request.path_params["folder_id"], keep_contents=keep)
    await caller.unary(caller.clients.webui_folders.DeleteWebuiFolder, req)
    return JSONResponse(True)


routes = aliased(
    "folders",
    [
        ("GET", "/", list_folders),
        ("GET", "", list_folders),
        ("POST", "/", create_folder),
        ("POST", "", create_folder),
        ("GET", "/{folder_id}", get_folder),
        ("POST", "/{folder_id}/update", update_folder),
        ("POST", "/{folder_id}/update/parent", move_folder),
        ("POST", "/{folder_id}/update/expanded", set_expanded),
        ("DELETE", "/{folder_id}", delete_folder),
    ],
)
