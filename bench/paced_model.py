"""An OpenAI-compatible chat-completions server that streams at a model's pace, for load tests.

Every `POST …/chat/completions` is answered with `chunks` content chunks of a few words, one every
1/`rate` seconds, then `finish_reason: stop` and `[DONE]` — no tool calls, so a turn is one
completion. Plain asyncio on a loopback port, in a thread of the benchmark's process or its own.
"""

from __future__ import annotations

import asyncio
import json
import threading

from devstack.ports import free_port

WORDS = "Sales grew in every region this year while support tickets fell".split()


class PacedModel:
    def __init__(self, chunks: int = 50, rate: float = 5.0) -> None:
        self.chunks, self.rate = chunks, rate
        self.port = free_port()
        self.requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="paced-model", daemon=True)
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> PacedModel:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port, backlog=4096))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                await self._answer(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
            b"Cache-Control: no-cache\r\n\r\n"
        )
        for i in range(self.chunks):
            await asyncio.sleep(1 / self.rate)
            words = " ".join(WORDS[(i * 3 + k) % len(WORDS)] for k in range(3))
            delta = {"content": ("" if i == 0 else " ") + words} | ({"role": "assistant"} if i == 0 else {})
            self._event(writer, {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            await writer.drain()
        self._event(writer, {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self._chunk(writer, b"data: [DONE]\n\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    def _event(self, writer: asyncio.StreamWriter, body: dict) -> None:
        body = {"id": "chatcmpl-paced", "object": "chat.completion.chunk", "model": "paced", **body}
        self._chunk(writer, f"data: {json.dumps(body)}\n\n".encode())

    @staticmethod
    def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
