"""A scripted OpenAI-compatible chat-completions server: real HTTP/1.1 on a free loopback port.

It answers `POST /v1/chat/completions` with the next scripted Reply, streamed the way OpenAI does
(server-sent events, `data: {chunk}` with `choices[0].delta.content` / `delta.tool_calls`
fragments, a `finish_reason`, then `data: [DONE]`), and records every request it receives. A
plain asyncio server (rather than a framework) so replies can misbehave on purpose: cut the
connection mid-stream, stall, send garbage, or answer with an HTTP error.

    with FakeOpenAIServer() as server:
        server.script(tool_reply(("list_tables", {})), text_reply("There are 8 tables."))
        ... point OPENAI_BASE_URL at server.base_url ...
        server.requests  # [{"method", "path", "headers", "json"}, ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from devstack.ports import free_port

_PIECES = re.compile(r"\s*\S+|\s+")
_ids = itertools.count(1)


@dataclass
class Reply:
    # Each item is one server-sent event: a dict is sent as `data: <json>`, a str is written as is.
    events: list[Any] = field(default_factory=list)
    status: int = 200
    body: Any = None  # answered as a JSON document (with `status`) instead of a stream
    chunked: bool = True  # False: no Transfer-Encoding, the end of the body is the connection closing
    disconnect_after: int | None = None  # drop the connection after this many events
    # Send the first event, then hold the rest back until the test sets this event.
    release_after_first: threading.Event | None = None
    hold: bool = False  # after the events, keep the connection open until the client closes it


def chunk(delta: dict[str, Any], finish_reason: str | None = None, model: str = "scripted") -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def content_events(text: str) -> list[dict[str, Any]]:
    """Word-sized content chunks, the first also carrying the role, as OpenAI sends them."""
    pieces = _PIECES.findall(text)
    out = []
    for i, piece in enumerate(pieces):
        delta: dict[str, Any] = {"content": piece}
        if i == 0:
            delta["role"] = "assistant"
        out.append(chunk(delta))
    return out


def text_reply(text: str, **options: Any) -> Reply:
    return Reply([*content_events(text), chunk({}, "stop"), "data: [DONE]\n\n"], **options)


def tool_call_events(
    calls: list[tuple[str, dict[str, Any] | str]], *, fragment: int = 9, start: int = 0
) -> list[dict[str, Any]]:
    """Tool calls as OpenAI streams them: id and name first, then the arguments in small fragments."""
    out = []
    for index, (name, arguments) in enumerate(calls, start):
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        call_id = f"call_{next(_ids)}"
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        out.append(chunk({"tool_calls": [head]}))
        for i in range(0, len(raw), fragment):
            out.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": raw[i : i + fragment]}}]}))
    return out


def tool_reply(*calls: tuple[str, dict[str, Any] | str], before: str = "", after: str = "", **options: Any) -> Reply:
    """A step that calls tools: optional text `before` the first call, and text `after` it began."""
    events: list[Any] = content_events(before) if before else []
    events += tool_call_events(list(calls))
    if after:
        events += [chunk({"content": piece}) for piece in _PIECES.findall(after)]
    events += [chunk({}, "tool_calls"), "data: [DONE]\n\n"]
    return Reply(events, **options)


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[dict[str, Any]] = []
        self.client_gone = threading.Event()  # a held or stalled stream saw the client close it
        self._script: deque[Reply] = deque()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-openai", daemon=True)
        self._server: asyncio.AbstractServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- control from the test thread ----------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        start = asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self._server = asyncio.run_coroutine_threadsafe(start, self._loop).result(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def script(self, *replies: Reply) -> None:
        """Forget earlier requests and answer the next requests with `replies`, in order."""
        self.requests.clear()
        self.client_gone.clear()
        self._script.clear()
        self._script.extend(replies)

    @property
    def unused(self) -> int:
        return len(self._script)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the server ----------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve_one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.client_gone.set()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.strip().split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        self.requests.append({"method": method, "path": path, "headers": headers, "json": payload})
        if method != "POST" or path != "/v1/chat/completions":
            await self._json(writer, 404, {"error": {"message": f"no route {method} {path}"}})
            return
        if not self._script:
            await self._json(writer, 400, {"error": {"message": "the scripted conversation has no reply left"}})
            return
        reply = self._script.popleft()
        if reply.body is not None or reply.status != 200:
            await self._json(writer, reply.status, reply.body or {"error": {"message": "scripted failure"}})
            return
        await self._stream(reply, reader, writer)

    @staticmethod
    async def _json(writer: asyncio.StreamWriter, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        writer.write(
            f"HTTP/1.1 {status} Scripted\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + data
        )
        await writer.drain()

    async def _stream(self, reply: Reply, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framing = "Transfer-Encoding: chunked\r\n" if reply.chunked else ""
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n{framing}"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        for i, event in enumerate(reply.events):
            if reply.disconnect_after is not None and i >= reply.disconnect_after:
                writer.transport.abort()  # no terminating chunk: the body is cut off
                return
            text = event if isinstance(event, str) else f"data: {json.dumps(event)}\n\n"
            data = text.encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data) if reply.chunked else data)
            await writer.drain()
            if i == 0 and reply.release_after_first is not None:
                await asyncio.to_thread(reply.release_after_first.wait, 60)
        if reply.hold:
            if not await reader.read(1):  # b"": the client closed the connection
                self.client_gone.set()
            return
        if reply.chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
