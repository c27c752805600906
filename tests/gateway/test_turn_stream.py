"""How the gateway reports a turn the Chat service never started: a cancellation it did not ask for
is the service's overload (503, retryable, Retry-After), not the client's 499."""

from __future__ import annotations

import grpc
import pytest

from services.common.errors import ApiError
from services.gateway.turn_stream import TurnStream


class RefusedCall:
    """A server-streaming call that ends with `code` before its first event; gRPC's `cancelled()` is
    true for any CANCELLED status, whoever cancelled."""

    def __init__(self, code: grpc.StatusCode) -> None:
        self._code = code

    async def read(self) -> object:
        raise grpc.aio.AioRpcError(self._code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="Cancelled")

    async def code(self) -> grpc.StatusCode:
        return self._code

    def cancelled(self) -> bool:
        return self._code == grpc.StatusCode.CANCELLED

    def cancel(self) -> bool:
        return True


async def test_a_call_the_service_never_took_is_an_overload_to_retry() -> None:
    with pytest.raises(ApiError) as refused:
        await TurnStream(RefusedCall(grpc.StatusCode.CANCELLED)).start()
    assert refused.value.code == "UPSTREAM_UNAVAILABLE" and refused.value.retry_after == 5
    assert "overloaded" in refused.value.detail


async def test_a_call_the_gateway_cancelled_stays_the_clients_interruption() -> None:
    stream = TurnStream(RefusedCall(grpc.StatusCode.CANCELLED))
    stream.cancel()  # the client went away
    with pytest.raises(ApiError) as interrupted:
        await stream.start()
    assert interrupted.value.code == "INTERRUPTED"
