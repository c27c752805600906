"""User memories → UserMemoryService; admin memories → AdminMemoryService (contract §7, §8)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import memory_pb2 as pb
from services.gateway.auth import authenticate
from services.gateway.http_json import json_response, read_json
from services.gateway.rpc import call


async def _fields(request: Request, *names: str) -> dict[str, str]:
    authenticate(request)
    body = await read_json(request)
    for name in names:
        if not isinstance(body.get(name), str):
            raise ApiError("INVALID_REQUEST", f"{name}: required string")
    return {name: body[name] for name in names}


def _id(request: Request) -> str:
    return request.path_params["memory_id"]


async def list_memories(request: Request) -> Response:
    return json_response(await call(request, "memories", "ListUserMemories", pb.ListUserMemoriesRequest()))


async def get_memory(request: Request) -> Response:
    resp = await call(request, "memories", "GetUserMemory", pb.GetUserMemoryRequest(memory_id=_id(request)))
    return json_response(resp)


async def create_memory(request: Request) -> Response:
    body = await _fields(request, "content")
    resp = await call(request, "memories", "CreateUserMemory", pb.CreateUserMemoryRequest(**body))
    return json_response(resp)


async def update_memory(request: Request) -> Response:
    body = await _fields(request, "content")
    req = pb.UpdateUserMemoryRequest(memory_id=_id(request), **body)
    return json_response(await call(request, "memories", "UpdateUserMemory", req))


async def delete_memory(request: Request) -> Response:
    await call(request, "memories", "DeleteUserMemory", pb.DeleteUserMemoryRequest(memory_id=_id(request)))
    return Response(status_code=204)


async def admin_list(request: Request) -> Response:
    member_id = request.query_params.get("member_id", "")
    if not member_id:
        authenticate(request)
        raise ApiError("INVALID_REQUEST", "member_id: required query parameter")
    req = pb.ListMemberMemoriesRequest(member_id=member_id)
    return json_response(await call(request, "admin_memories", "ListMemberMemories", req))


async def admin_create(request: Request) -> Response:
    body = await _fields(request, "member_id", "content")
    resp = await call(request, "admin_memories", "CreateMemberMemory", pb.CreateMemberMemoryRequest(**body))
    return json_response(resp)


async def admin_update(request: Request) -> Response:
    body = await _fields(request, "member_id", "content")
    req = pb.UpdateMemberMemoryRequest(memory_id=_id(request), **body)
    return json_response(await call(request, "admin_memories", "UpdateMemberMemory", req))


async def admin_delete(request: Request) -> Response:
    member_id = request.query_params.get("member_id", "")
    if not member_id and request.headers.get("content-length", "0") != "0":
        member_id = str((await read_json(request)).get("member_id") or "")
    req = pb.DeleteMemberMemoryRequest(memory_id=_id(request), member_id=member_id)
    await call(request, "admin_memories", "DeleteMemberMemory", req)
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
