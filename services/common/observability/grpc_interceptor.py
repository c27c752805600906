"""gRPC server interceptor: bind the caller's debug id, count and time every RPC, log every failure.

It is the outermost interceptor, so the id is bound before authentication runs (an ApiError
raised anywhere inside takes it) and the status it records is the one the caller receives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeAlias

import grpc

from services.common.observability import tracing
from services.common.observability.context import DEBUG_ID_KEY, accepted_debug_id, bind_request
from services.common.observability.metrics import GRPC_DURATION, GRPC_IN_FLIGHT, GRPC_REQUESTS

log = logging.getLogger("trellis.rpc")
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
_QUIET = ("/grpc.",)  # health checks and reflection: neither counted nor logged


def _metadata(context: Context) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in context.invocation_metadata() or ():
        out[key] = value if isinstance(value, str) else value.decode(errors="replace")
    return out


def _split(method: str) -> tuple[str, str]:
    service, _, name = method.lstrip("/").partition("/")
    return service, name


def _status(context: Context, exc: BaseException | None) -> tuple[grpc.StatusCode, str]:
    if exc is None:
        return grpc.StatusCode.OK, ""
    if isinstance(exc, (asyncio.CancelledError, GeneratorExit)):
        return grpc.StatusCode.CANCELLED, "cancelled by the caller (or its deadline)"
    try:
        code = context.code()
        details = context.details()
    except (AttributeError, NotImplementedError):  # an older grpc: the code is unknown here
        code, details = None, None
    if not isinstance(code, grpc.StatusCode):
        code = grpc.StatusCode.UNKNOWN
    return code, str(details or exc.__class__.__name__)


class _Rpc:
    """One RPC being served: the id bound, the span open, the in-flight gauge up until `end`."""

    def __init__(self, method: str, context: Context) -> None:
        self.method = method
        self.service, self.name = _split(method)
        self.context = context
        metadata = _metadata(context)
        self.debug_id = accepted_debug_id(metadata.get(DEBUG_ID_KEY))
        self.started = time.perf_counter()
        bind_request(self.debug_id, self.started)
        self.span = tracing.server_span(method, metadata)
        GRPC_IN_FLIGHT.labels(self.service, self.name).inc()

    def end(self, exc: BaseException | None) -> None:
        code, details = _status(self.context, exc)
        elapsed = time.perf_counter() - self.started
        GRPC_IN_FLIGHT.labels(self.service, self.name).dec()
        GRPC_REQUESTS.labels(self.service, self.name, code.name).inc()
        GRPC_DURATION.labels(self.service, self.name).observe(elapsed)
        tracing.end_span(self.span, code.name, details)
        fields = {"rpc": self.method, "grpc_code": code.name, "duration_ms": round(elapsed * 1000, 1)}
        if code == grpc.StatusCode.OK:
            log.info("rpc ok", extra=fields)
        else:
            level = logging.WARNING if code in _SERVER_FAULTS else logging.INFO
            log.log(level, "rpc failed: %s", details, extra={**fields, "cause": details})


_SERVER_FAULTS = {
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.DATA_LOSS,
}  # CANCELLED (the caller went away, often right after the last event) is logged at INFO


class ObservabilityInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(_QUIET):
            # Health and reflection: left as they are (grpc_health's Watch streams with context.write,
            # not as an async generator), like the auth interceptor leaves them.
            return handler
        if handler.unary_unary or handler.stream_unary:
            return _wrap_unary(handler, method)
        return _wrap_stream(handler, method)


def _wrap_unary(handler: Handler, method: str) -> Handler:
    behavior: Any = handler.unary_unary or handler.stream_unary

    async def call(request: Any, context: Context) -> Any:
        rpc = _Rpc(method, context)
        try:
            response = await behavior(request, context)
        except BaseException as exc:
            rpc.end(exc)
            raise
        rpc.end(None)
        return response

    factory: Any = grpc.unary_unary_rpc_method_handler if handler.unary_unary else grpc.stream_unary_rpc_method_handler
    return factory(call, handler.request_deserializer, handler.response_serializer)  # type: ignore[no-any-return]


def _wrap_stream(handler: Handler, method: str) -> Handler:
    behavior: Any = handler.unary_stream or handler.stream_stream

    async def call(request: Any, context: Context) -> AsyncIterator[Any]:
        rpc = _Rpc(method, context)
        stream = behavior(request, context)
        try:
            async for item in stream:
                yield item
        except BaseException as exc:
            rpc.end(exc)
            raise
        finally:
            await stream.aclose()
        rpc.end(None)

    factory: Any = (
        grpc.unary_stream_rpc_method_handler if handler.unary_stream else grpc.stream_stream_rpc_method_handler
    )
    return factory(call, handler.request_deserializer, handler.response_serializer)  # type: ignore[no-any-return]
