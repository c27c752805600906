"""One streamed `POST {base}/chat/completions` call: content pieces as they arrive, then the step's outcome.

Speaks the OpenAI chat-completions streaming protocol (server-sent events whose `data:` lines carry
`choices[0].delta.content` / `delta.tool_calls` fragments and a `finish_reason`, ended by
`data: [DONE]`), which OpenAI, Azure, vLLM, Ollama, llama.cpp server and LiteLLM all speak.
A server that ignores `stream: true` and answers one JSON completion is accepted too.

Failures map onto the contract's codes: the endpoint cannot be reached, times out or answers
5xx/429/408 → MODEL_UNAVAILABLE; anything else that is not a well-formed stream (4xx, garbage,
a disconnect mid-stream, an `error` chunk) → MODEL_ERROR. Both are retryable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.common.errors import ApiError

log = logging.getLogger(__name__)

_MAX_ERROR_BODY = 4096
_MAX_DETAIL = 300
_UNAVAILABLE_STATUSES = {408, 429}


@dataclass(frozen=True)
class Content:
    """A piece of the model's text; `after_tool_call` once a tool call has begun in this step."""

    text: str
    after_tool_call: bool


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class Outcome:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def model_error(detail: str) -> ApiError:
    err = ApiError("MODEL_ERROR", f"The model's answer could not be used: {detail}")
    log.warning("debug_id=%s %s", err.debug_id, err.detail)
    return err


def model_unavailable(detail: str) -> ApiError:
    err = ApiError("MODEL_UNAVAILABLE", f"The model is not available right now: {detail}")
    log.warning("debug_id=%s %s", err.debug_id, err.detail)
    return err


def _error_message(payload: Any) -> str | None:
    """The message of an OpenAI-style `{"error": {"message": ...}}` (or `{"error": "..."}`) body."""
    if not isinstance(payload, dict) or "error" not in payload:
        return None
    error = payload["error"]
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or error)
    return str(error)


class _Accumulator:
    """Builds the step's outcome from chunks; tool calls are assembled by their `index`."""

    def __init__(self) -> None:
        self.outcome = Outcome()
        self._calls: dict[int, ToolCall] = {}
        self._order: list[int] = []

    @property
    def tool_call_started(self) -> bool:
        return bool(self._calls)

    def add_tool_call_fragment(self, fragment: Any) -> None:
        if not isinstance(fragment, dict):
            raise model_error("a tool call fragment is not an object")
        index = fragment.get("index")
        call_id = fragment.get("id")
        if not isinstance(index, int):
            # Some servers leave out `index`: a new id starts a new call, anything else continues the last.
            last = self._order[-1] if self._order else None
            if last is None or (call_id and self._calls[last].id and call_id != self._calls[last].id):
                index = (max(self._order) + 1) if self._order else 0
            else:
                index = last
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = ToolCall(id="", name="", arguments="")
            self._order.append(index)
        if isinstance(call_id, str) and call_id:
            call.id = call_id
        function = fragment.get("function") or {}
        if not isinstance(function, dict):
            raise model_error("a tool call's function is not an object")
        name = function.get("name")
        if isinstance(name, str) and name != call.name:
            # Names normally come whole in the first fragment; some servers repeat them, a few split them.
            call.name = name if not call.name or call.arguments else call.name + name
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            call.arguments += arguments
        elif isinstance(arguments, dict):  # a server that sends parsed arguments
            call.arguments += json.dumps(arguments)

    def finish(self) -> Outcome:
        self.outcome.tool_calls = [self._calls[i] for i in self._order]
        return self.outcome


def _choice(payload: Any) -> dict[str, Any] | None:
    if not isinstance(payload, dict):
        raise model_error("a stream chunk is not a JSON object")
    if (message := _error_message(payload)) is not None:
        raise model_error(_short(message))
    choices = payload.get("choices")
    if choices is None or choices == []:
        return None  # e.g. a usage-only chunk
    if not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise model_error("`choices` is not a list of objects")
    # n is never set above 1, so the first choice is the answer.
    return choices[0]


async def stream_completion(
    client: httpx.AsyncClient, url: str, body: dict[str, Any]
) -> AsyncGenerator[Content | Outcome, None]:
    """Yields Content pieces live, then exactly one Outcome; raises ApiError MODEL_UNAVAILABLE / MODEL_ERROR."""
    responded = False
    try:
        async with client.stream("POST", url, json=body, headers={"Accept": "text/event-stream"}) as resp:
            responded = True
            if resp.status_code != 200:
                raise await _status_error(resp)
            content_type = resp.headers.get("content-type", "")
            if "text/event-stream" not in content_type and "json" in content_type:
                async for item in _whole_completion(resp):
                    yield item
                return
            async for item in _event_stream(resp):
                yield item
    except httpx.TimeoutException:
        raise model_unavailable("it did not answer in time") from None
    except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
        raise model_unavailable(f"could not connect ({_short(str(exc)) or exc.__class__.__name__})") from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
        if not responded:  # dropped before answering: the server is restarting or overloaded
            raise model_unavailable(f"the connection was closed ({exc.__class__.__name__})") from None
        raise model_error(f"the stream was cut off ({_short(str(exc)) or exc.__class__.__name__})") from None
    except httpx.HTTPError as exc:
        raise model_unavailable(f"{exc.__class__.__name__}: {_short(str(exc))}") from None


async def _status_error(resp: httpx.Response) -> ApiError:
    raw = b""
    async for chunk in resp.aiter_bytes():
        raw += chunk
        if len(raw) >= _MAX_ERROR_BODY:
            break
    text = raw[:_MAX_ERROR_BODY].decode("utf-8", "replace")
    try:
        message = _error_message(json.loads(text)) or text
    except ValueError:
        message = text
    detail = f"HTTP {resp.status_code}" + (f": {_short(message)}" if message.strip() else "")
    if resp.status_code >= 500 or resp.status_code in _UNAVAILABLE_STATUSES:
        return model_unavailable(detail)
    return model_error(detail)


async def _event_stream(resp: httpx.Response) -> AsyncIterator[Content | Outcome]:
    acc = _Accumulator()
    data_lines: list[str] = []
    done = False

    async def dispatch(data: str) -> list[Content]:
        nonlocal done
        if data.strip() == "[DONE]":
            done = True
            return []
        try:
            payload = json.loads(data)
        except ValueError:
            raise model_error(f"a stream chunk is not JSON: {_short(data)!r}") from None
        choice = _choice(payload)
        if choice is None:
            return []
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            raise model_error("`delta` is not an object")
        out = []
        tool_calls = delta.get("tool_calls") or []
        if not isinstance(tool_calls, list):
            raise model_error("`delta.tool_calls` is not a list")
        content = delta.get("content")
        if isinstance(content, str) and content:
            acc.outcome.content += content
            # Text that arrives in the same chunk as the first tool call still counts as before it.
            out.append(Content(content, acc.tool_call_started))
        for fragment in tool_calls:
            acc.add_tool_call_fragment(fragment)
        if choice.get("finish_reason"):
            acc.outcome.finish_reason = str(choice["finish_reason"])
        return out

    async for line in resp.aiter_lines():
        if line == "":
            if data_lines:
                data, data_lines = "\n".join(data_lines), []
                for piece in await dispatch(data):
                    yield piece
                if done:
                    break
            continue
        if line.startswith(":"):
            continue  # comment / keepalive
        name, _, value = line.partition(":")
        if name == "data":
            data_lines.append(value[1:] if value.startswith(" ") else value)
        # `event:`, `id:`, `retry:` lines carry nothing this protocol needs.
    else:
        if data_lines:  # the last event was not followed by a blank line
            for piece in await dispatch("\n".join(data_lines)):
                yield piece
    if not done and acc.outcome.finish_reason is None:
        raise model_error("the stream ended before the answer was complete")
    yield acc.finish()


async def _whole_completion(resp: httpx.Response) -> AsyncIterator[Content | Outcome]:
    try:
        payload = json.loads(await resp.aread())
    except ValueError:
        raise model_error("the response is not JSON") from None
    choice = _choice(payload)
    if choice is None:
        raise model_error("the response has no choices")
    message = choice.get("message") or {}
    if not isinstance(message, dict):
        raise model_error("`message` is not an object")
    acc = _Accumulator()
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list):
        raise model_error("`message.tool_calls` is not a list")
    content = message.get("content")
    if isinstance(content, str) and content:
        acc.outcome.content = content
        yield Content(content, False)
    for index, call in enumerate(tool_calls):
        acc.add_tool_call_fragment({**call, "index": index} if isinstance(call, dict) else call)
    acc.outcome.finish_reason = str(choice.get("finish_reason") or "stop")
    yield acc.finish()
