"""GET /v1/models → trellis.v1.ModelService/ListModels."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.gen.trellis.v1 import model_pb2
from services.gateway.caller import authenticate
from services.gateway.http_json import json_response


async def list_models(request: Request) -> Response:
    caller = authenticate(request)
    return json_response(await caller.unary(caller.clients.models.ListModels, model_pb2.ListModelsRequest()))


routes = [Route("/v1/models", list_models, methods=["GET"])]
