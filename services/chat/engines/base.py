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


@dataclass
class TurnContext:
    question: str
    # Earlier turns of the chat, oldest first: (role, content).
    history: list[tuple[str, str]] = field(default_factory=list)
    database: Database | None = None
    model: str = ""
    organization_rules: list[str] = field(default_factory=list)
    memories: list[str] = field(default_factory=list)
    # The date relative dates ("last month") are counted from; None means the server's today.
    today: date | None = None
    # Passages of the files attached to this turn most relevant to the question.
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    upload_id: str
    filename: str
    text: str


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


EngineEvent = Status | Delta | Viz | Note


class Engine(Protocol):
    model_id: str
    display_name: str
    description: str

    def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]: ...
