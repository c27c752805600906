"""The engine interface: what answers a turn, independent of transport and persistence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from services.common.gen.trellis.v1 import turn_pb2

EMBEDDED_MODEL_ID = "embedded-sql"  # the default model; no other engine may take its id


@dataclass(frozen=True)
class Database:
    url: str
    dialect: str
    display_name: str


@dataclass(frozen=True)
class HistoryTurn:
    """One earlier message of the chat's current branch, as saved (context comes from saved messages only)."""

    role: str
    content: str
    # The message's metadata: an answer's `sql`, `result`, `declined`, a question's `uploads`…
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnContext:
    question: str
    # Earlier messages of the chat's current branch, oldest first.
    history: list[HistoryTurn] = field(default_factory=list)
    database: Database | None = None
    model: str = ""
    organization_rules: list[str] = field(default_factory=list)
    memories: list[str] = field(default_factory=list)
    # The date relative dates ("last month") are counted from; None means the server's today.
    today: date | None = None
    # Passages of the files attached to this turn, or of the chat's project's documents, most
    # relevant to the question, best first.
    attachments: list[Attachment] = field(default_factory=list)
    # The name of the document project the chat answers from ("" for a chat on a database).
    project: str = ""
    # Whether the caller wants the engine's tool traffic as Tool events.
    include_tool_events: bool = False


@dataclass(frozen=True)
class Attachment:
    upload_id: str
    filename: str
    # The passage, headed by its place in the file when it has one ("report.pdf, page 3 of 9").
    text: str
    mime_type: str = ""


@dataclass(frozen=True)
class Status:
    """Progress while the engine works; only allowed before the first output."""

    status: turn_pb2.ProcessingStatus


@dataclass(frozen=True)
class Delta:
    """A piece of the final answer's text."""

    text: str


@dataclass(frozen=True)
class Viz:
    visualization: turn_pb2.Visualization


@dataclass(frozen=True)
class Note:
    """Metadata kept on the assistant message (e.g. the SQL that ran)."""

    key: str
    value: Any


@dataclass(frozen=True)
class Tool:
    """Tool traffic (`tool_call`, `tool_result`, `tool_message`), sent only when the turn asked for it."""

    kind: str
    payload: dict[str, Any]


EngineEvent = Status | Delta | Viz | Note | Tool


class Engine(Protocol):
    model_id: str
    display_name: str
    description: str

    def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]: ...
