"""WebSocket /v1/chats/ws (docs/api.md): the same turn events as SSE, as JSON frames.

Auth by `Authorization` header or a first `authenticate` frame; `?token=` is refused at the
upgrade (HTTP 403); a bad token closes with 4001; more than 3 sockets per `jti` get a
WS_CONNECTION_CAP frame and close 4429. One turn at a time per socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.common.errors import ApiError
from services.common.gen.trellis.v1 import chat_pb2
from services.common.observability.context import bind_request, fresh_debug_id
from services.common.observability.metrics import rate_limited
from services.gateway.caller import AuthenticatedCaller, Req, RequestMethod, authenticate, caller_with_token
from services.gateway.state import state_of
from services.gateway.turn_requests import edit_request, send_request
from services.gateway.turn_stream import TurnCall, TurnStream, error_payload, first_event_ready

log = logging.getLogger(__name__)
CLOSE_AUTH_FAILED = 4001
CLOSE_CONNECTION_CAP = 4429


def _now() -> str:
    return datetime.now(UTC).isoformat()


class SendLimiter:
    """Per-socket `send_message` budget: 10 per minute and a burst of 3 per 10 seconds."""

    def __init__(self, per_minute: int = 10, burst: int = 3, burst_window: float = 10.0) -> None:
        self._times: deque[float] = deque()
        self._per_minute, self._burst, self._burst_window = per_minute, burst, burst_window

    def hit(self) -> int | None:
        now = time.monotonic()
        while self._times and self._times[0] <= now - 60:
            self._times.popleft()
        recent = [t for t in self._times if t > now - self._burst_window]
        waits = []
        if len(recent) >= self._burst:
            waits.append(recent[-self._burst] + self._burst_window - now)
        if len(self._times) >= self._per_minute:
            waits.append(self._times[-self._per_minute] + 60 - now)
        if waits:
            return max(1, int(max(waits) + 0.999))
        self._times.append(now)
        return None


class Session:
    def __init__(self, ws: WebSocket, caller: AuthenticatedCaller, heartbeat: bool) -> None:
        self.ws = ws
        self.caller = caller
        self.heartbeat = heartbeat
        self.settings = state_of(ws).settings
        self.limiter = SendLimiter()
        self.turn: asyncio.Task[None] | None = None
        # Cleared as the final event goes out, so a client may send again as soon as it sees it.
        self.busy = False
        self._lock = asyncio.Lock()

    async def send(self, event: str, data: dict[str, Any]) -> None:
        async with self._lock:  # the turn task and the action loop both write
            await self.ws.send_text(json.dumps({"event": event, "data": data}, ensure_ascii=False))

    async def error(self, err: ApiError) -> None:
        await self.send("error", error_payload(err))

    async def serve(self) -> None:
        await self.send("authenticated", {"status": "ok"})
        try:
            while True:
                raw = await self.ws.receive_text()
                try:
                    await self.handle(raw)
                except ApiError as err:
                    await self.error(err)
        except WebSocketDisconnect:
            pass
        finally:
            await self.stop_turn()  # the client is gone: stop the server-side work too

    async def handle(self, raw: str) -> None:
        bind_request(fresh_debug_id())  # each frame is a request of its own: its id, its turn's id
        try:
            frame = json.loads(raw)
        except json.JSONDecodeError:
            raise ApiError("INVALID_REQUEST", "Frames must be JSON objects with an 'action'") from None
        if not isinstance(frame, dict):
            raise ApiError("INVALID_REQUEST", "Frames must be JSON objects with an 'action'")
        action = frame.get("action")
        if action == "ping":
            await self.send("pong", {"ts": _now()})
        elif action == "authenticate":
            await self.send("authenticated", {"status": "ok"})
        elif action == "send_message":
            wait = self.limiter.hit()
            if wait is not None:
                rate_limited("ws_send:")
                raise ApiError("RATE_LIMIT", "Too many send_message frames on this socket", retry_after=wait)
            self._check_idle()
            self._start(self.caller.clients.chat.SendMessage, send_request(frame))
        elif action == "edit_message":
            self._check_idle()
            message = edit_request(frame, str(frame.get("chat_id") or ""), str(frame.get("message_id") or ""))
            self._start(self.caller.clients.chat.EditMessage, message)
        elif action == "interrupt":
            if not self.busy:
                raise ApiError("INVALID_REQUEST", "No turn in progress to interrupt")
            await self.stop_turn()
            await self.send("interrupted", {"status": "interrupted"})
        elif action == "delete_message":
            message_id = str(frame.get("message_id") or "")
            req = chat_pb2.DeleteMessageRequest(chat_id=str(frame.get("chat_id") or ""), message_id=message_id)
            await self.caller.unary(self.caller.clients.chat.DeleteMessage, req)
            await self.send("deleted", {"message_id": message_id})
        else:
            raise ApiError("INVALID_REQUEST", f"Unknown action {action!r}")

    def _check_idle(self) -> None:
        if self.busy:
            raise ApiError("TURN_IN_PROGRESS", "A turn is already running on this socket: wait or interrupt it")

    def _start(self, method: RequestMethod[Req, TurnCall], message: Req) -> None:
        self.busy = True
        self.turn = asyncio.create_task(self._run_turn(method, message))

    async def _run_turn(self, method: RequestMethod[Req, TurnCall], message: Req) -> None:
        # The call is opened inside the task: a turn interrupted before it starts opens none.
        stream = TurnStream(self.caller.server_stream(method, message, timeout=self.settings.turn_deadline))
        beat = asyncio.create_task(self._heartbeat()) if self.heartbeat else None
        try:
            await stream.start()
            first_event_ready("websocket")
            async for event, data in stream.events():
                if event in ("message", "error"):
                    self.busy = False
                await self.send(event, data)
        except ApiError as err:
            self.busy = False
            await self.error(err)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the socket closed under us; serve() cleans up
        finally:
            self.busy = False
            stream.cancel()
            if beat is not None:
                beat.cancel()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ws_heartbeat)
            await self.send("heartbeat", {"ts": _now()})

    async def stop_turn(self) -> None:
        if self.turn is not None and not self.turn.done():
            self.turn.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.turn
        self.turn = None


async def _authenticate(ws: WebSocket) -> AuthenticatedCaller:
    if ws.headers.get("authorization"):
        return authenticate(ws)
    try:
        raw = await asyncio.wait_for(ws.receive_text(), timeout=state_of(ws).settings.ws_auth_timeout)
        frame = json.loads(raw)
    except (TimeoutError, json.JSONDecodeError):
        raise ApiError("UNAUTHENTICATED", 'Send {"action": "authenticate", "token": ...} first') from None
    if not isinstance(frame, dict) or frame.get("action") != "authenticate" or not isinstance(frame.get("token"), str):
        raise ApiError("UNAUTHENTICATED", "The first frame must be an authenticate action with a token")
    return caller_with_token(state_of(ws), frame["token"])


async def chat_socket(ws: WebSocket) -> None:
    if "token" in ws.query_params:
        # Query-string tokens leak into logs: refused at the upgrade (closing before accept → HTTP 403).
        await ws.close(code=1008)
        return
    await ws.accept()
    try:
        caller = await _authenticate(ws)
    except ApiError as err:
        await ws.close(code=CLOSE_AUTH_FAILED, reason=err.detail[:120])
        return
    except WebSocketDisconnect:
        return
    state = state_of(ws)
    jti, limit = caller.principal.jti, state.settings.ws_max_per_token
    if not await state.connection_cap.acquire(jti, limit):
        rate_limited("ws_connections:")
        refusal = ApiError("WS_CONNECTION_CAP", f"At most {limit} WebSocket connections per token")
        await ws.send_text(json.dumps({"event": "error", "data": error_payload(refusal)}))
        await ws.close(code=CLOSE_CONNECTION_CAP)
        return
    try:
        await Session(ws, caller, ws.query_params.get("heartbeat") == "1").serve()
    finally:
        await state.connection_cap.release(jti)


routes = [WebSocketRoute("/v1/chats/ws", chat_socket)]
