"""GET /metrics: the gateway's Prometheus metrics (text exposition format), no RPC behind it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.common.observability.exposition import CONTENT_TYPE, render


async def metrics(_request: Request) -> Response:
    return Response(render(), media_type=CONTENT_TYPE)


routes = [Route("/metrics", metrics, methods=["GET"])]
