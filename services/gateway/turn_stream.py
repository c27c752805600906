"""A gRPC turn stream as transport-neutral (event, data) pairs, for SSE and WebSocket alike.

The first event is awaited before anything is sent, so errors the service raises before its
first event keep their HTTP status; later failures arrive as a final `error` event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol, cast

import grpc

from services.common.errors import CODES, ApiError, from_rpc_error
from services.common.gen.trellis.v1 import turn_pb2
from services.common.observability.context import request_started
from services.common.observability.metrics import GATEWAY_FIRST_EVENT
from services.common.turn_json import event_json

Event = tuple[str, dict[str, Any]]
log = logging.getLogger(__name__)
OVERLOADED_RETRY_SECONDS = 5


class TurnResponse(Protocol):
    """SendMessageResponse and EditMessageResponse: each carries one TurnEvent."""

    @property
    def event(self) -> turn_pb2.TurnEvent: ...


class TurnCall(Protocol):
    """What a turn needs of a server-streaming call (SendMessage, EditMessage)."""

    async def read(self) -> object: ...
    async def code(self) -> grpc.StatusCode: ...
    def cancelled(self) -> bool: ...
    def cancel(self) -> bool: ...


def error_payload(err: ApiError) -> dict[str, Any]:
    info = CODES[err.code]
    out: dict[str, Any] = {
        "error": err.detail,
        "code": err.code,
        "retryable": info.retryable,
        "debug_id": err.debug_id,
        "error_type": info.error_type,
    }
    if err.retry_after is not None:
        out["retry_after_seconds"] = err.retry_after
    return out


class TurnStream:
    """Wraps a server-streaming call; `cancel()` stops the server-side work too."""

    def __init__(self, call: TurnCall) -> None:
        self._call = call
        self._first: TurnResponse | None = None
        # gRPC's `cancelled()` says only that the status is CANCELLED, not who cancelled.
        self._cancelled_here = False

    async def _read(self) -> TurnResponse | None:
        """The next response; None at the end of the stream."""
        response = await self._call.read()
        return None if response is grpc.aio.EOF else cast(TurnResponse, response)

    async def start(self) -> None:
        """Wait for the first event; raises ApiError when the turn is refused."""
        try:
            first = await self._read()
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.CANCELLED and not self._cancelled_here:
                # Not cancelled here: the Chat service never took the call (gRPC cancels a call no
                # handler has picked up within 30 s), i.e. it is overloaded. Say so, and that it can
                # be retried, rather than pass it on as a client's cancellation (499).
                raise ApiError(
                    "UPSTREAM_UNAVAILABLE",
                    "The Chat service is overloaded and did not start the turn in time; retry shortly",
                    retry_after=OVERLOADED_RETRY_SECONDS,
                ) from None
            raise from_rpc_error(err) from None
        if first is None:
            status = await self._call.code()
            raise ApiError("INTERNAL", f"The turn ended without any event ({status.name})")
        self._first = first

    async def events(self) -> AsyncIterator[Event]:
        if self._first is not None:
            first, self._first = self._first, None
            yield event_json(first.event)
        while True:
            try:
                response = await self._read()
            except grpc.aio.AioRpcError as err:
                if err.code() == grpc.StatusCode.CANCELLED and self._cancelled_here:
                    return
                failure = from_rpc_error(err)
                log.warning(
                    "turn failed after its first event: %s",
                    failure.code,
                    extra={"debug_id": failure.debug_id, "code": failure.code, "cause": failure.detail},
                )
                yield "error", error_payload(failure)
                return
            if response is None:
                return
            yield event_json(response.event)

    def cancel(self) -> None:
        self._cancelled_here = True
        self._call.cancel()


def first_event_ready(transport: str) -> None:
    """Record how long the turn's request waited for its first event (from the request's arrival)."""
    started = request_started()
    if started is not None:
        GATEWAY_FIRST_EVENT.labels(transport).observe(time.perf_counter() - started)


async def with_keepalive(events: AsyncIterator[Event], period: float) -> AsyncIterator[Event | None]:
    """Yield events, and None whenever `period` seconds pass without one (for keepalives)."""
    queue: asyncio.Queue[Event | BaseException | None] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for item in events:
                await queue.put(item)
            await queue.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            await queue.put(exc)

    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=period)
            except TimeoutError:
                yield None
                continue
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task.cancel()
