"""Saved-query routes → trellis.v1.SavedQueryService (docs/api.md)."""

from __future__ import annotations

from typing import Any

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import saved_query_pb2 as pb
from services.gateway.caller import authenticate
from services.gateway.http_json import parse, read_json, to_dict

TEXT_FIELDS = ("title", "prompt", "description")
FIELDS = (*TEXT_FIELDS, "sql", "keywords")


def _query_json(query: Message) -> dict[str, Any]:
    body = to_dict(query)
    body.setdefault("sql", None)  # proto3 `optional` is omitted when unset; the contract says null
    return body


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    """The body with the [old] `query` name mapped to `prompt`, each field's JSON type checked."""
    if "query" in body and "prompt" not in body:
        body["prompt"] = body.pop("query")
    for field in TEXT_FIELDS:
        if body.get(field) is not None and not isinstance(body[field], str):
            raise ApiError("INVALID_REQUEST", f"{field}: must be a string")
    if body.get("sql") is not None and not isinstance(body["sql"], str):
        raise ApiError("INVALID_REQUEST", "sql: must be a string or null")
    keywords = body.get("keywords")
    if keywords is not None and not (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)):
        raise ApiError("INVALID_REQUEST", "keywords: must be a list of strings")
    return body


async def list_queries(request: Request) -> Response:
    caller = authenticate(request)
    resp = await caller.unary(caller.clients.saved_queries.ListSavedQueries, pb.ListSavedQueriesRequest())
    return JSONResponse({"queries": [_query_json(q) for q in resp.queries]})


async def get_query(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.GetSavedQueryRequest(query_id=request.path_params["query_id"])
    return JSONResponse(_query_json(await caller.unary(caller.clients.saved_queries.GetSavedQuery, req)))


async def create_query(request: Request) -> Response:
    caller = authenticate(request)  # 401 before reading the body
    req = parse(_checked(await read_json(request)), pb.CreateSavedQueryRequest())
    return JSONResponse(_query_json(await caller.unary(caller.clients.saved_queries.CreateSavedQuery, req)))


async def update_query(request: Request) -> Response:
    caller = authenticate(request)
    body = _checked(await read_json(request))
    # Only the fields present change; `null` clears (sql → prompt-only, keywords → [], description → "").
    mask = field_mask_pb2.FieldMask(paths=[f for f in FIELDS if f in body])
    req = parse(body, pb.UpdateSavedQueryRequest(), query_id=request.path_params["query_id"])
    req.update_mask.CopyFrom(mask)
    return JSONResponse(_query_json(await caller.unary(caller.clients.saved_queries.UpdateSavedQuery, req)))


async def delete_query(request: Request) -> Response:
    caller = authenticate(request)
    req = pb.DeleteSavedQueryRequest(query_id=request.path_params["query_id"])
    await caller.unary(caller.clients.saved_queries.DeleteSavedQuery, req)
    return Response(status_code=204)


routes = [
    Route("/v1/queries", list_queries, methods=["GET"]),
    Route("/v1/queries", create_query, methods=["POST"]),
    Route("/v1/queries/{query_id}", get_query, methods=["GET"]),
    Route("/v1/queries/{query_id}", update_query, methods=["PATCH"]),
    Route("/v1/queries/{query_id}", delete_query, methods=["DELETE"]),
]
