"""gRPC server interceptor: every RPC is authenticated and every failure is a rich status.

Wrapping the handler (not just inspecting metadata) lets the principal live in a
contextvar inside the handler's own task, and lets ApiError become a status with
google.rpc.ErrorInfo/RetryInfo in one place for unary and streaming RPCs alike.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import grpc
from sqlalchemy.exc import InterfaceError, OperationalError

from services.common.errors import ApiError
from services.common.jwt_tokens import Principal, bearer_token, verify
from services.common.token_checks import TokenCheck

log = logging.getLogger(__name__)
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"  # strings: grpc's classes are not generic at run time
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:  # a public RPC asked for a caller: a programming error
        raise ApiError("UNAUTHENTICATED", "This call needs a bearer token")
    return principal


def metadata_value(context: Context, key: str) -> str | None:
    for k, v in context.invocation_metadata() or ():
        if k == key:
            return v if isinstance(v, str) else v.decode()
    return None


async def abort_with(context: Context, err: ApiError) -> None:
    if err.info.http_status >= 500:
        log.warning("debug_id=%s code=%s %s", err.debug_id, err.code, err.detail)
    await context.abort(err.info.grpc_code, err.detail, trailing_metadata=err.trailing_metadata())


def _internal(exc: BaseException) -> ApiError:
    err = ApiError("INTERNAL", "Internal error")
    log.exception("debug_id=%s unhandled error", err.debug_id, exc_info=exc)
    return err


@asynccontextmanager
async def _failures_as_status(context: Context) -> AsyncIterator[None]:
    """Every failure inside reaches the caller as a status: ApiError as itself, anything else INTERNAL."""
    try:
        yield
    except ApiError as err:
        await abort_with(context, err)
    except (grpc.aio.AbortError, grpc.RpcError):
        raise
    except (OperationalError, InterfaceError) as exc:  # the service's own database is down or restarting
        log.warning("own database unreachable: %s", exc.__class__.__name__, exc_info=exc)
        await abort_with(context, ApiError("DATABASE_UNAVAILABLE", "The service's database is unreachable: retry"))
    except Exception as exc:  # noqa: BLE001 - every failure must reach the caller as a status
        await abort_with(context, _internal(exc))


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, secret: str, public_methods: set[str], token_check: TokenCheck | None = None) -> None:
        self._secret = secret
        self._public = public_methods
        self._token_check = token_check

    def _is_public(self, method: str) -> bool:
        return method in self._public or method.startswith("/grpc.")

    async def _authenticate(self, context: Context) -> None:
        principal = verify(self._secret, bearer_token(metadata_value(context, "authorization")))
        if self._token_check is not None:
            await self._token_check(principal)
        _principal.set(principal)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith("/grpc."):
            return handler
        needs_auth = not self._is_public(handler_call_details.method)
        if handler.unary_unary or handler.stream_unary:
            return self._wrap_unary(handler, needs_auth)
        return self._wrap_stream(handler, needs_auth)

    def _wrap_unary(self, handler: Handler, needs_auth: bool) -> Handler:
        behavior: Any = handler.unary_unary or handler.stream_unary  # an async callable on an aio server

        async def call(request: Any, context: Context) -> Any:
            async with _failures_as_status(context):
                if needs_auth:
                    await self._authenticate(context)
                return await behavior(request, context)
            raise AssertionError("unreachable: a failure aborts the call")

        factory: Any = (
            grpc.unary_unary_rpc_method_handler if handler.unary_unary else grpc.stream_unary_rpc_method_handler
        )
        return factory(call, handler.request_deserializer, handler.response_serializer)  # type: ignore[no-any-return]

    def _wrap_stream(self, handler: Handler, needs_auth: bool) -> Handler:
        behavior: Any = handler.unary_stream or handler.stream_stream  # an async generator function here

        async def call(request: Any, context: Context) -> AsyncIterator[Any]:
            async with _failures_as_status(context):
                if needs_auth:
                    await self._authenticate(context)
                stream = behavior(request, context)
                try:
                    async for item in stream:
                        yield item
                finally:
                    # Cancellation may hit us between items: let the handler run its own cleanup.
                    await stream.aclose()

        factory: Any = (
            grpc.unary_stream_rpc_method_handler if handler.unary_stream else grpc.stream_stream_rpc_method_handler
        )
        return factory(call, handler.request_deserializer, handler.response_serializer)  # type: ignore[no-any-return]
