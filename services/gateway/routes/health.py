"""GET /healthz: the gateway is up, and each backing service's gRPC health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.gateway.state import state_of


async def healthz(request: Request) -> Response:
    services = await state_of(request).clients.health()
    ok = all(status == "SERVING" for status in services.values())
    return JSONResponse({"status": "ok" if ok else "degraded", "services": services}, status_code=200 if ok else 503)


routes = [Route("/healthz", healthz, methods=["GET"])]
