"""The one way the gateway calls a service: a Caller, made once per request from its credentials.

A handler authenticates at its top (`caller = authenticate(request)`: the bearer token is checked
here, once) and makes every call through the Caller, which forwards the token as gRPC metadata
(each service checks it again) with the request's debug id (`x-debug-id`) and trace context, and
passes the generated stub's method itself, so the response type follows the stub:

    memory = await caller.unary(caller.clients.user_memories.GetUserMemory, request)
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import grpc
from starlette.requests import HTTPConnection

from services.common.errors import from_rpc_error
from services.common.jwt_tokens import Principal, bearer_token, verify
from services.common.observability import tracing
from services.common.observability.context import with_debug_id
from services.gateway.clients import ServiceClients
from services.gateway.state import GatewayState, state_of

Req = TypeVar("Req")
Resp = TypeVar("Resp")
CallT = TypeVar("CallT")
_Req_contra = TypeVar("_Req_contra", contravariant=True)
_Out_co = TypeVar("_Out_co", covariant=True)
Metadata = tuple[tuple[str, str], ...]


class RequestMethod(Protocol[_Req_contra, _Out_co]):
    """A generated stub method that takes one request: unary (→ awaitable response) or server-streaming."""

    def __call__(
        self, request: _Req_contra, *, timeout: float | None = ..., metadata: Sequence[tuple[str, str]] | None = ...
    ) -> _Out_co: ...


class StreamingMethod(Protocol[_Out_co]):
    """A generated stub method whose requests the caller writes (client-streaming)."""

    def __call__(self, *, timeout: float | None = ..., metadata: Sequence[tuple[str, str]] | None = ...) -> _Out_co: ...


@dataclass(frozen=True)
class Caller:
    """Calls the services with the caller's credentials (`metadata`) and the gateway's deadlines."""

    clients: ServiceClients
    metadata: Metadata

    def outgoing(self) -> Metadata:
        """The credentials plus the request's debug id and trace context, read when the call is made."""
        return tracing.inject(with_debug_id(self.metadata))

    async def unary(self, method: RequestMethod[Req, Awaitable[Resp]], request: Req) -> Resp:
        """Call a unary RPC; a gRPC failure is re-raised as the ApiError the service meant."""
        try:
            return await method(request, metadata=self.outgoing(), timeout=self.clients.deadline)
        except grpc.aio.AioRpcError as err:
            raise from_rpc_error(err) from None

    def server_stream(self, method: RequestMethod[Req, CallT], request: Req, *, timeout: float) -> CallT:
        """Open a server-streaming RPC (a turn); the caller reads it and maps its errors."""
        return method(request, metadata=self.outgoing(), timeout=timeout)

    def client_stream(self, method: StreamingMethod[CallT], *, timeout: float) -> CallT:
        """Open a client-streaming RPC (an upload); the caller writes it and maps its errors."""
        return method(metadata=self.outgoing(), timeout=timeout)


@dataclass(frozen=True)
class AuthenticatedCaller(Caller):
    """A caller whose bearer token the gateway has verified."""

    principal: Principal


def caller_with_token(state: GatewayState, token: str) -> AuthenticatedCaller:
    """Verify a bearer token (UNAUTHENTICATED if it is not valid) and call with it."""
    principal = verify(state.jwt_secret, token)
    return AuthenticatedCaller(state.clients, (("authorization", f"Bearer {principal.token}"),), principal)


def authenticate(connection: HTTPConnection) -> AuthenticatedCaller:
    """The caller of a request, from its `Authorization: Bearer` header."""
    return caller_with_token(state_of(connection), bearer_token(connection.headers.get("authorization")))
