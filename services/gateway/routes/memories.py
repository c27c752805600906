"""User memories → UserMemoryService; admin memories → AdminMemoryService (docs/api.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import memory_pb2 as pb
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response, read_json, required_strings


def _id(request: Request) -> str:
    return str(request.path_params["memory_id"])


async def list_memories(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.ListUserMemoriesRequest()
    return json_response(await caller.unary(caller.clients.user_memories.ListUserMemories, req))


async def get_memory(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.GetUserMemoryRequest(memory_id=_id(request))
    return json_response(await caller.unary(caller.clients.user_memories.GetUserMemory, req))


async def create_memory(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.CreateUserMemoryRequest(**required_strings(await read_json(request), "content"))
    return json_response(await caller.unary(caller.clients.user_memories.CreateUserMemory, req))


async def update_memory(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.UpdateUserMemoryRequest(memory_id=_id(request), **required_strings(await read_json(request), "content"))
    return json_response(await caller.unary(caller.clients.user_memories.UpdateUserMemory, req))


async def delete_memory(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.DeleteUserMemoryRequest(memory_id=_id(request))
    await caller.unary(caller.clients.user_memories.DeleteUserMemory, req)
    return Response(status_code=204)


async def admin_list(request: Request) -> Response:
    caller = authenticate(request)
    member_id = request.query_params.get("member_id", "")
    if not member_id:
        raise ApiError("INVALID_REQUEST", "member_id: required query parameter")
    req = pb.ListMemberMemoriesRequest(member_id=member_id)
    return json_response(await caller.unary(caller.clients.admin_memories.ListMemberMemories, req))


async def admin_create(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.CreateMemberMemoryRequest(**required_strings(await read_json(request), "member_id", "content"))
    return json_response(await caller.unary(caller.clients.admin_memories.CreateMemberMemory, req))


async def admin_update(request: Request) -> Response:
    caller = authenticate(request)
    body = required_strings(await read_json(request), "member_id", "content")
    req = pb.UpdateMemberMemoryRequest(memory_id=_id(request), **body)
    return json_response(await caller.unary(caller.clients.admin_memories.UpdateMemberMemory, req))


async def admin_delete(request: Request) -> Response:
    caller = authenticate(request)
    member_id = request.query_params.get("member_id", "")
    if not member_id and request.headers.get("content-length", "0") != "0":
        member_id = str((await read_json(request)).get("member_id") or "")
    req = pb.DeleteMemberMemoryRequest(memory_id=_id(request), member_id=member_id)
    await caller.unary(caller.clients.admin_memories.DeleteMemberMemory, req)
    return Response(status_code=204)


routes = [
    Route("/v1/user-memories", list_memories, methods=["GET"]),
    Route("/v1/user-memories", create_memory, methods=["POST"]),
    Route("/v1/user-memories/{memory_id}", get_memory, methods=["GET"]),
    Route("/v1/user-memories/{memory_id}", update_memory, methods=["PATCH"]),
    Route("/v1/user-memories/{memory_id}", delete_memory, methods=["DELETE"]),
    Route("/v1/admin/user-memories", admin_list, methods=["GET"]),
    Route("/v1/admin/user-memories", admin_create, methods=["POST"]),
    Route("/v1/admin/user-memories/{memory_id}", admin_update, methods=["PATCH"]),
    Route("/v1/admin/user-memories/{memory_id}", admin_delete, methods=["DELETE"]),
]
