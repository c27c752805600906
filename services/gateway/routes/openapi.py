"""GET /openapi.json: the OpenAPI 3.1 document of this gateway, built once from its route table."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.gateway.openapi.document import build


async def openapi(request: Request) -> Response:
    cached = getattr(request.app.state, "openapi", None)
    if cached is None:
        cached = request.app.state.openapi = build(request.app.routes).body
    return JSONResponse(cached)


routes = [Route("/openapi.json", openapi, methods=["GET"])]
