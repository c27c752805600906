"""The OpenAI-compatible engine: a tool-calling loop over any `/v1/chat/completions` endpoint.

Configured by OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODELS (each model id becomes a
`/v1/models` entry). Each step streams one completion with the tools list_tables, describe_table,
run_sql and make_visualization (services/chat/engines/openai/tools.py); the model's content tokens
are forwarded as text deltas as they arrive, as long as no tool call has begun in that step. After
OPENAI_MAX_STEPS rounds of tool calls the model is asked once more with `tool_choice: "none"`
for its final answer. Every request carries `max_tokens`. The chat's earlier questions and answers,
each answer with the SQL it ran, come first, newest kept within OPENAI_HISTORY_TOKEN_BUDGET
(services/chat/engines/openai/history.py).

Text a step streamed before its tool call stays part of the answer (it has already been sent), so the
deltas always concatenate exactly to the stored answer; text after a tool call began is kept from
the user and only sent back to the model.

When the turn asks for them (`include_tool_events`), the tool traffic is also streamed as Tool
events: each `tool_call` as the model wrote it, each `tool_result` as the model is given it, and the
text kept from the answer as a `tool_message`. They are not stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.chat.engines.base import EMBEDDED_MODEL_ID, Delta, EngineEvent, Status, Tool, TurnContext, Viz
from services.chat.engines.openai.history import DEFAULT_TOKEN_BUDGET
from services.chat.engines.openai.prompt import initial_messages
from services.chat.engines.openai.stream import Outcome, ToolCall, model_error, stream_completion
from services.chat.engines.openai.tools import TOOL_SPECS, DatabaseTools
from services.common.gen.trellis.v1 import turn_pb2

if TYPE_CHECKING:
    from services.chat.settings import ChatSettings

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_CALLS_PER_STEP = 8
_TOOL_STATUS = {
    "list_tables": turn_pb2.PROCESSING_STATUS_ANALYZING,
    "describe_table": turn_pb2.PROCESSING_STATUS_ANALYZING,
    "run_sql": turn_pb2.PROCESSING_STATUS_PROCESSING,
    "make_visualization": turn_pb2.PROCESSING_STATUS_PROCESSING,
}
_LAST_ROUND = "That was the last round of tool calls: answer the user now with what you found."


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str
    api_key: str = ""
    max_steps: int = 8
    max_tokens: int = 1024
    timeout: float = 120.0
    query_timeout: float = 15.0
    # Estimated tokens of earlier turns sent with each question (history.py).
    history_token_budget: int = DEFAULT_TOKEN_BUDGET

    @property
    def completions_url(self) -> str:
        # A query string (e.g. `?api-version=...`) stays after the path.
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/chat/completions"))


def parse_models(spec: str) -> list[tuple[str, str]]:
    """`id[=Display name],...` → [(id, display name)], duplicates dropped, order kept."""
    models: dict[str, str] = {}
    for item in spec.split(","):
        model_id, _, display = item.partition("=")
        model_id, display = model_id.strip(), display.strip()
        if model_id and model_id not in models:
            models[model_id] = display or model_id
    return list(models.items())


def openai_engines(
    *,
    base_url: str,
    api_key: str,
    models: str,
    max_steps: int,
    max_tokens: int,
    timeout: float,
    query_timeout: float,
    history_token_budget: int = DEFAULT_TOKEN_BUDGET,
) -> list[OpenAICompatEngine]:
    """One engine per configured model (none when OPENAI_MODELS is empty)."""
    parsed = parse_models(models)
    if not parsed:
        if base_url:
            log.warning("OPENAI_BASE_URL is set but OPENAI_MODELS is empty: no OpenAI-compatible model is offered")
        return []
    config = OpenAIConfig(
        base_url=base_url or DEFAULT_BASE_URL,
        api_key=api_key,
        max_steps=max_steps,
        max_tokens=max_tokens,
        timeout=timeout,
        query_timeout=query_timeout,
        history_token_budget=history_token_budget,
    )
    engines = []
    for model_id, display in parsed:
        if model_id == EMBEDDED_MODEL_ID:
            log.warning("OPENAI_MODELS: %r is the embedded engine's id and is skipped", model_id)
            continue
        engines.append(OpenAICompatEngine(model_id, display, config))
    log.info(
        "OpenAI-compatible models at %s: %s", urlsplit(config.base_url).netloc, ", ".join(e.model_id for e in engines)
    )
    return engines


def engines_from_settings(settings: ChatSettings) -> list[OpenAICompatEngine]:
    return openai_engines(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        models=settings.openai_models,
        max_steps=settings.openai_max_steps,
        max_tokens=settings.openai_max_tokens,
        timeout=settings.openai_timeout,
        query_timeout=settings.query_timeout,
        history_token_budget=settings.openai_history_token_budget,
    )


class _Output:
    """What the turn has shown so far: decides whether a status may still be sent."""

    def __init__(self) -> None:
        self.text = ""
        self.started = False
        self._last_status: int | None = None

    def delta(self, text: str) -> Delta:
        self.text += text
        self.started = True
        return Delta(text)

    def status(self, status: turn_pb2.ProcessingStatus | None) -> Status | None:
        if status is None or self.started or status == self._last_status:
            return None
        self._last_status = status
        return Status(status)


def _assistant_message(outcome: Outcome, calls: list[ToolCall]) -> dict[str, Any]:
    def arguments(call: ToolCall) -> str:
        # Strict servers re-parse echoed arguments; unreadable ones are sent back as {} (the tool
        # result tells the model what was wrong).
        try:
            return call.arguments if isinstance(json.loads(call.arguments or "{}"), dict) else "{}"
        except ValueError:
            return "{}"

    return {
        "role": "assistant",
        "content": outcome.content or None,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": arguments(c)}} for c in calls
        ],
    }


def _tool_event(kind: str, payload: dict[str, Any]) -> Tool:
    """A Tool event whose payload is plain JSON (a result's cells may be dates or decimals)."""
    return Tool(kind, json.loads(json.dumps(payload, default=str)))


class OpenAICompatEngine:
    def __init__(self, model_id: str, display_name: str, config: OpenAIConfig, description: str = "") -> None:
        self.model_id = model_id
        self.display_name = display_name
        self.description = description or (
            f"{display_name} through an OpenAI-compatible endpoint: explores the connected database "
            "and writes its own SQL with tool calls."
        )
        self.config = config
        self._http: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None

    @asynccontextmanager
    async def _client(self, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
        """One HTTP client per engine and event loop, kept open: a client per turn cost every turn a new
        TLS context and connection (tens of ms of CPU each, on the loop every other turn streams on)."""
        loop = asyncio.get_running_loop()
        if self._http is None or self._http[0] is not loop:
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=256)
            client = httpx.AsyncClient(timeout=httpx.Timeout(self.config.timeout), headers=headers, limits=limits)
            self._http = (loop, client)
        yield self._http[1]

    def _body(self, messages: list[dict[str, Any]], with_tools: bool, final: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": messages,
            "stream": True,
            "max_tokens": self.config.max_tokens,
        }
        if with_tools:
            body["tools"] = TOOL_SPECS
            body["tool_choice"] = "none" if final else "auto"
        return body

    async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        config = self.config
        out = _Output()
        if status := out.status(turn_pb2.PROCESSING_STATUS_THINKING):
            yield status
        tools = DatabaseTools(ctx.database, query_timeout=config.query_timeout) if ctx.database else None
        messages = initial_messages(ctx, max_steps=config.max_steps, history_budget=config.history_token_budget)
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        step = 0
        async with self._client(headers) as client:
            while True:
                final = tools is None or step >= config.max_steps
                body = self._body(messages, tools is not None, final)
                outcome: Outcome | None = None
                step_has_text = False
                kept_back = ""  # text after a tool call began: not part of the answer
                async with aclosing(stream_completion(client, config.completions_url, body)) as stream:
                    async for item in stream:
                        if isinstance(item, Outcome):
                            outcome = item
                        elif not item.after_tool_call:
                            if not step_has_text and out.text and not out.text[-1].isspace():
                                yield out.delta("\n\n")  # keeps two steps' texts apart
                            step_has_text = True
                            yield out.delta(item.text)
                        else:
                            kept_back += item.text
                assert outcome is not None  # stream_completion always ends with one
                if ctx.include_tool_events and kept_back.strip():
                    yield _tool_event("tool_message", {"content": kept_back})
                # A server that ignores tool_choice "none" gets its last tool calls ignored.
                calls = [] if final or tools is None else outcome.tool_calls
                if not calls or tools is None:
                    break
                step += 1
                for i, call in enumerate(calls):
                    call.id = call.id or f"call_{step}_{i}"
                messages.append(_assistant_message(outcome, calls))
                readable = False  # at least one call of this round could be read
                for i, call in enumerate(calls):
                    if ctx.include_tool_events:
                        yield _tool_event("tool_call", {"id": call.id, "name": call.name, "arguments": call.arguments})
                    if i >= MAX_CALLS_PER_STEP:
                        payload: dict[str, Any] = {
                            "error": f"At most {MAX_CALLS_PER_STEP} tool calls are run per round; this one was not"
                        }
                    else:
                        if status := out.status(_TOOL_STATUS.get(call.name)):
                            yield status
                        result = await tools.call(call.name, call.arguments)
                        for event in result.events:
                            if isinstance(event, Viz):
                                out.started = True
                            yield event
                        readable = readable or not result.malformed
                        payload = result.payload
                        log.debug("step %d: %s(%s) ok=%s", step, call.name, call.arguments[:200], result.ok)
                    if step >= config.max_steps:
                        payload = {**payload, "notice": _LAST_ROUND}
                    if ctx.include_tool_events:
                        yield _tool_event("tool_result", {"id": call.id, "name": call.name, "result": payload})
                    messages.append(
                        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(payload, default=str)}
                    )
                if not readable and step >= config.max_steps:
                    raise model_error(f"its tool calls still could not be read after {step} rounds")
        if not out.text.strip():
            raise model_error("it returned an empty answer")
        if tools is not None and (table := tools.fallback_table()) is not None:
            yield table
