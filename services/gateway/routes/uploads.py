"""Upload routes → trellis.v1.UploadService (contract §6.14–6.15)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.gen.trellis.v1 import upload_pb2
from services.gateway.auth import authenticate, grpc_metadata
from services.gateway.http_json import json_response


async def list_uploads(request: Request) -> Response:
    principal = authenticate(request)
    clients = request.app.state.clients
    req = upload_pb2.ListUploadsRequest(chat_id=request.path_params["chat_id"])
    return json_response(await clients.unary(clients.upload.ListUploads, req, grpc_metadata(principal)))


async def delete_upload(request: Request) -> Response:
    principal = authenticate(request)
    clients = request.app.state.clients
    req = upload_pb2.DeleteUploadRequest(upload_id=request.path_params["upload_id"])
    return json_response(await clients.unary(clients.upload.DeleteUpload, req, grpc_metadata(principal)))


routes = [
    Route("/v1/chats/{chat_id}/uploads", list_uploads, methods=["GET"]),
    Route("/v1/chats/uploads/{upload_id}", delete_upload, methods=["DELETE"]),
]
