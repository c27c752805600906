"""GET /v1/models → trellis.v1.ModelService/ListModels."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.gen.trellis.v1 import model_pb2
from services.gateway.auth import authenticate, grpc_metadata
from services.gateway.http_json import json_response


async def list_models(request: Request) -> Response:
    principal = authenticate(request)
    clients = request.app.state.clients
    return json_response(
        await clients.unary(clients.models.ListModels, model_pb2.ListModelsRequest(), grpc_metadata(principal))
    )


routes = [Route("/v1/models", list_models, methods=["GET"])]
