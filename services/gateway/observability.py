"""ASGI middleware: a debug id per request, HTTP metrics, open-stream gauges and one log line each.

The id comes from the request's `X-Debug-Id` header when it looks like one, else it is made here;
it is bound for the request (so error bodies and every log line carry it, and `caller.Caller`
forwards it to the services) and echoed in the response's `X-Debug-Id` header.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.observability import tracing
from services.common.observability.context import DEBUG_ID_KEY, accepted_debug_id, bind_request
from services.common.observability.metrics import ACTIVE_STREAMS, HTTP_DURATION, HTTP_REQUESTS

log = logging.getLogger("trellis.http")
_QUIET_ROUTES = {"/healthz", "/metrics"}  # scraped and probed all the time: logged at DEBUG only


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/v1/chats/{chat_id}`), never the raw path."""
    route: BaseRoute | None = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class _Exchange:
    """What the middleware learns about one request while it is answered."""

    def __init__(self, debug_id: str) -> None:
        self.debug_id = debug_id
        self.header = (DEBUG_ID_KEY.encode(), debug_id.encode())
        self.status = 0
        self.stream: str | None = None  # "sse" or "websocket" while one is open

    def sent(self, message: Message) -> Message:
        kind = message["type"]
        if kind == "http.response.start":
            self.status = int(message["status"])
            headers = [*message.get("headers", []), self.header]
            if any(k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers):
                self._open("sse")
            return {**message, "headers": headers}
        if kind == "websocket.accept":
            self.status = 101
            self._open("websocket")
            return {**message, "headers": [*message.get("headers", []), self.header]}
        if kind == "websocket.close" and not self.status:
            self.status = 403  # closed before the upgrade was accepted
        return message

    def _open(self, transport: str) -> None:
        self.stream = transport
        ACTIVE_STREAMS.labels(transport).inc()

    def close_stream(self) -> None:
        if self.stream is not None:
            ACTIVE_STREAMS.labels(self.stream).dec()
            self.stream = None


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        exchange = _Exchange(accepted_debug_id(headers.get(DEBUG_ID_KEY)))
        bind_request(exchange.debug_id, started)
        method = scope.get("method", "WS")
        span = tracing.server_span(f"{method} {scope.get('path', '')}", headers)

        async def observed_send(message: Message) -> None:
            await send(exchange.sent(message))

        failure: BaseException | None = None
        try:
            await self.app(scope, receive, observed_send)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            exchange.close_stream()
            self._record(scope, method, exchange, started, failure, span)

    @staticmethod
    def _record(
        scope: Scope, method: str, exchange: _Exchange, started: float, failure: BaseException | None, span: Any
    ) -> None:
        route = route_template(scope)
        status = exchange.status or (500 if failure is not None else 499)
        elapsed = time.perf_counter() - started
        HTTP_REQUESTS.labels(route, method, str(status)).inc()
        HTTP_DURATION.labels(route, method).observe(elapsed)
        tracing.end_span(span, str(status), "" if status < 500 else f"HTTP {status}")
        fields = {"method": method, "route": route, "status": status, "duration_ms": round(elapsed * 1000, 1)}
        level = logging.DEBUG if route in _QUIET_ROUTES and status < 400 else logging.INFO
        log.log(level, "http request", extra=fields)
