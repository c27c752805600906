"""One turn: validate, persist the user message, stream the engine's answer, persist the answer.

Validation happens before the first event so transport errors keep their HTTP status; once the
stream has started every failure becomes a final `error` event. Whatever ends the turn (answer,
error, cancellation by the client), an assistant message is stored, so history never shows a
user message with nothing after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from google.protobuf import json_format

from services.chat.clients.upload import UploadClient, upload_meta
from services.chat.engines.base import (
    Attachment,
    Database,
    Delta,
    Engine,
    EngineEvent,
    HistoryTurn,
    Note,
    Status,
    Tool,
    TurnContext,
    Viz,
)
from services.chat.engines.documents import DocumentAnswers
from services.chat.engines.registry import EngineRegistry
from services.chat.security.url_cipher import UrlCipher
from services.chat.storage.chat_store import ChatStore
from services.chat.storage.integration_store import IntegrationStore
from services.chat.storage.memory_store import MemoryStore
from services.chat.storage.models import Chat, Message
from services.chat.storage.organization_rule_store import OrganizationRuleStore
from services.chat.storage.saved_query_store import SavedQueryStore
from services.chat.turns.attachment_tables import AttachmentTables
from services.chat.turns.project_sources import ProjectSources
from services.chat.turns.saved_query import prepare_saved_sql, saved_query_events
from services.chat.turns.sources import ChatSources, Choice, answering_from, declined
from services.chat.turns.turn_metrics import TurnObserver
from services.common.convert import struct
from services.common.database import run_sync, utcnow
from services.common.errors import CODES, ApiError
from services.common.gen.trellis.v1 import chat_pb2, turn_pb2, upload_pb2
from services.common.ids import new_id
from services.common.jwt_tokens import Principal
from services.common.ratelimit import RateLimiter
from services.common.turn_json import visualization_json

log = logging.getLogger(__name__)
HISTORY_TURNS = 20
MAX_MESSAGE_CHARS = 32_000


@dataclass
class PreparedTurn:
    who: Principal
    chat: Chat
    display: str  # the user message as stored and shown
    context: TurnContext
    source: AsyncIterator[EngineEvent]
    engine: Engine
    edit_of: Message | None = None
    user_meta: dict[str, Any] = field(default_factory=dict)
    upload_ids: list[str] = field(default_factory=list)


def _error_event(err: ApiError) -> turn_pb2.TurnEvent:
    info = CODES[err.code]
    error_type = getattr(turn_pb2, f"ERROR_TYPE_{info.error_type.upper()}")
    event = turn_pb2.ErrorEvent(
        error=err.detail, code=err.code, retryable=info.retryable, debug_id=err.debug_id, error_type=error_type
    )
    if err.retry_after:
        event.retry_after_seconds = err.retry_after
    return turn_pb2.TurnEvent(error=event)


def _struct_values(parameters: Any) -> dict[str, Any]:
    values = json_format.MessageToDict(parameters) if parameters is not None else {}
    # JSON numbers arrive as floats; "10" and 10 should both bind as an integer 10.
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in values.items()}


class TurnService:
    def __init__(
        self,
        chats: ChatStore,
        integrations: IntegrationStore,
        engines: EngineRegistry,
        cipher: UrlCipher,
        limiter: RateLimiter,
        *,
        send_per_minute: int,
        turn_timeout: float,
        turn_lock_stale: float = 45.0,
        saved_queries: SavedQueryStore,
        uploads: UploadClient,
        tables: AttachmentTables,
        memories: MemoryStore,
        rules: OrganizationRuleStore,
        projects: ProjectSources,
        query_timeout: float = 15.0,
        stream_delay: float = 0.0,
    ) -> None:
        self._chats = chats
        self._integrations = integrations
        self._engines = engines
        self._cipher = cipher
        self._limiter = limiter
        self._send_per_minute = send_per_minute
        self._turn_timeout = turn_timeout
        self._turn_lock_stale = turn_lock_stale
        self._saved_queries = saved_queries
        self._uploads = uploads
        self._tables = tables
        self._memories = memories
        self._rules = rules
        self._projects = projects
        self._documents = DocumentAnswers(stream_delay=stream_delay)
        self._chat_sources = ChatSources(uploads, tables, query_timeout=query_timeout)
        self._query_timeout = query_timeout
        self._stream_delay = stream_delay

    # --- before the stream -----------------------------------------------------------------

    async def _throttle(self, who: Principal) -> None:
        wait = await self._limiter.hit(f"send:{who.jti}", self._send_per_minute, 60)
        if wait is not None:
            raise ApiError(
                "RATE_LIMIT", f"Sending is limited to {self._send_per_minute} messages per minute", retry_after=wait
            )

    async def _database(self, who: Principal, chat: Chat, integration_id: str) -> Database | None:
        if chat.project_id and integration_id:
            raise ApiError("INVALID_REQUEST", "integration_id: a chat on a project answers from its documents")
        wanted = integration_id or chat.integration_id
        if not wanted:
            return None
        integration = await run_sync(self._integrations.get, who.organization_id, wanted)
        url = self._cipher.decrypt(integration.url_encrypted)
        return Database(url=url, dialect=integration.dialect, display_name=integration.display_name)

    async def _earlier(self, chat_id: str, before_seq: int | None = None) -> list[Message]:
        """The messages of the chat's current branch (before `before_seq`), oldest first."""
        messages = await run_sync(self._chats.messages, chat_id)
        return [m for m in messages if before_seq is None or m.seq < before_seq]

    async def _context(
        self, who: Principal, text: str, engine: Engine, database: Database | None, history: list[HistoryTurn]
    ) -> TurnContext:
        """Everything the engine may use: rules of the organization and the member's memories included."""
        # both in one trip to a worker thread: a burst of turns queues on few of them
        rules, memories = await run_sync(
            lambda: (
                self._rules.list_all(who.organization_id),
                self._memories.list_for(who.organization_id, who.member_id),
            )
        )
        return TurnContext(
            question=text,
            history=history,
            database=database,
            model=engine.model_id,
            organization_rules=[r.content for r in rules],
            memories=[m.content for m in memories],
        )

    def _answer(
        self, engine: Engine, chat: Chat, context: TurnContext, choice: Choice | None = None
    ) -> AsyncIterator[EngineEvent]:
        """The engine's answer from the chosen source; a chat on a project answers from its documents,
        with citations, and so does a chat whose question is about its documents (turns/sources.py)."""
        if chat.project_id:
            return self._documents.answer(engine, context)
        if choice is None:
            return engine.answer(context)
        if choice.decline:
            return declined(choice, self._stream_delay)
        if choice.documents:
            documents = replace(context, attachments=ChatSources.document_passages(context))
            return answering_from(choice, self._documents.answer(engine, documents))
        return answering_from(choice, engine.answer(context))

    async def _files(
        self, who: Principal, chat: Chat, context: TurnContext, uploads: list[upload_pb2.Upload], sent: set[str]
    ) -> Choice | None:
        """The chat's files into the context and the source the question names (None: a chat without
        files, or a project's chat, which answers from its project with the files sent now as before).
        `sent`: the ids of the files that came with the question itself."""
        metas = [upload_meta(u) for u in uploads]
        if chat.project_id:
            if metas:
                await self._attach(who, chat.id, context, metas)
            return None
        return await self._chat_sources.attach(who, chat.id, context, metas, sent)

    async def _sources(self, who: Principal, chat: Chat, context: TurnContext, include_tool_events: bool) -> None:
        """What the turn draws on besides the database: the project's passages, the tool-event wish."""
        context.include_tool_events = include_tool_events
        if chat.project_id:
            await self._projects.attach(who, chat.project_id, context)

    async def _attach(self, who: Principal, chat_id: str, context: TurnContext, uploads: list[dict[str, Any]]) -> None:
        """Give the engine the attached files: relevant passages, and a spreadsheet as a database."""
        ids = [u["id"] for u in uploads]
        passages = await self._uploads.passages(who, chat_id, context.question, ids)
        context.attachments = [Attachment(p.upload_id, p.filename, p.text, p.mime_type) for p in passages]
        context.database = await self._tables.pick(who, uploads, context.question, context.database)

    async def _turn_uploads(
        self, who: Principal, chat: Chat, sent: list[str], earlier: list[str]
    ) -> tuple[list[upload_pb2.Upload], list[upload_pb2.Upload]]:
        """The uploads sent with the turn, and those the turn may use: for a chat on a project only
        the sent ones (its project is its source), otherwise every file of the branch."""
        if not sent and (chat.project_id or not earlier):
            return [], []  # no file: no call
        attached, usable = await self._uploads.for_turn(who, chat.id, sent, [] if chat.project_id else earlier)
        return attached, usable

    @staticmethod
    def _text(value: str, field_name: str) -> str:
        if not value.strip():
            raise ApiError("INVALID_REQUEST", f"{field_name}: must be a non-empty string")
        if len(value) > MAX_MESSAGE_CHARS:
            raise ApiError("INVALID_REQUEST", f"{field_name}: at most {MAX_MESSAGE_CHARS} characters")
        return value

    async def prepare_send(self, who: Principal, req: chat_pb2.SendMessageRequest) -> PreparedTurn:
        await self._throttle(who)
        if not req.chat_id:
            raise ApiError("MISSING_CHAT_ID", "chat_id is required: create a chat with POST /v1/chats/create")
        text = self._text(req.message, "message")
        chat = await run_sync(self._chats.get_chat, who.organization_id, who.member_id, req.chat_id)
        engine = self._engines.get(req.model)
        database = await self._database(who, chat, req.integration_id)
        earlier = await self._earlier(chat.id)
        context = await self._context(who, text, engine, database, _history_of(earlier))
        await self._sources(who, chat, context, req.include_tool_events)
        user_meta: dict[str, Any] = {}
        attached, usable = await self._turn_uploads(who, chat, list(req.upload_ids), _upload_ids_of(earlier))
        sent_ids = {u.id for u in attached}
        if attached:
            user_meta["uploads"] = [upload_meta(u) for u in attached]
        values = _struct_values(req.parameters) if req.HasField("parameters") else {}
        if req.saved_query_id:
            query = (await run_sync(self._saved_queries.get, who.organization_id, req.saved_query_id)).query
            sql, params = prepare_saved_sql(query, values, database)
            user_meta["saved_query_id"] = query.id
            if sql and database is not None:
                source = saved_query_events(
                    query, sql, params, database, query_timeout=self._query_timeout, stream_delay=self._stream_delay
                )
            else:  # prompt-only: the prompt goes to the engine, the message is only displayed
                context.question = query.prompt
                source = self._answer(engine, chat, context, await self._files(who, chat, context, usable, sent_ids))
        else:
            if values:
                raise ApiError("INVALID_REQUEST", "parameters: only allowed with saved_query_id")
            source = self._answer(engine, chat, context, await self._files(who, chat, context, usable, sent_ids))
        return PreparedTurn(
            who, chat, text, context, source, engine, user_meta=user_meta, upload_ids=[u.id for u in attached]
        )

    async def prepare_edit(self, who: Principal, req: chat_pb2.EditMessageRequest) -> PreparedTurn:
        await self._throttle(who)
        chat = await run_sync(self._chats.get_chat, who.organization_id, who.member_id, req.chat_id)
        target = await run_sync(self._chats.owned_message, who.organization_id, who.member_id, req.message_id, chat.id)
        if target.role != "user":
            raise ApiError("NOT_EDITABLE", "Only user messages can be edited")
        text = self._text(req.content, "content")
        engine = self._engines.get(req.model)
        database = await self._database(who, chat, req.integration_id)
        earlier = await self._earlier(chat.id, before_seq=target.seq)
        context = await self._context(who, text, engine, database, _history_of(earlier))
        await self._sources(who, chat, context, req.include_tool_events)
        # The new user turn keeps the files the edited one had (each keeps its first message_id), and
        # the files of the messages before it stay the turn's sources.
        uploads = list(target.meta.get("uploads") or [])
        upload_ids = [u["id"] for u in uploads]
        _, usable = await self._turn_uploads(who, chat, [], [*_upload_ids_of(earlier), *upload_ids])
        choice = await self._files(who, chat, context, usable, set(upload_ids))
        return PreparedTurn(
            who,
            chat,
            text,
            context,
            self._answer(engine, chat, context, choice),
            engine,
            edit_of=target,
            user_meta={"uploads": uploads} if uploads else {},
            upload_ids=upload_ids,
        )

    # --- the stream ------------------------------------------------------------------------

    async def run(self, turn: PreparedTurn) -> AsyncIterator[turn_pb2.TurnEvent]:
        """The turn's events; refused with TURN_IN_PROGRESS (before any event) while another one runs."""
        turn_id = new_id()
        # One transaction claims the chat and stores the question: the first event follows its commit.
        user = await run_sync(
            self._chats.start_turn,
            turn.chat.id,
            turn_id,
            self._stale_before(),
            turn.display,
            turn.user_meta,
            edit_of=turn.edit_of,
        )
        if user is None:
            await _close(turn.source)
            raise ApiError("TURN_IN_PROGRESS", "An answer is still being written in this chat: retry when it ends")
        renewal = asyncio.create_task(self._renew_claim(turn.chat.id, turn_id))
        observer = TurnObserver(turn.engine.model_id)
        try:
            async for event in self._events(turn, observer, user):
                yield event
        finally:
            observer.end()
            renewal.cancel()
            # Synchronous: on cancellation this task may not get to await anything any more.
            self._chats.release_turn(turn.chat.id, turn_id)

    def _stale_before(self) -> datetime:
        return utcnow() - timedelta(seconds=self._turn_lock_stale)

    async def _renew_claim(self, chat_id: str, turn_id: str) -> None:
        """Keep the chat's claim fresh while the turn runs: a claim that stops being renewed was a crash."""
        while True:
            await asyncio.sleep(self._turn_lock_stale / 3)
            try:
                await run_sync(self._chats.renew_turn, chat_id, turn_id)
            except Exception:  # tried again next period; the turn itself goes on
                log.warning("could not renew the turn claim of chat %s", chat_id, exc_info=True)

    async def _events(
        self, turn: PreparedTurn, observer: TurnObserver, user: Message
    ) -> AsyncIterator[turn_pb2.TurnEvent]:
        # An edit started a new branch: the Trellis view (the current branch) no longer shows the
        # messages after the edited one, and Open WebUI keeps them as the previous branch.
        observer.first_event()
        yield turn_pb2.TurnEvent(chat_metadata=turn_pb2.ChatMetadataEvent(id=turn.chat.id, user_message_id=user.id))
        yield turn_pb2.TurnEvent(processing=turn_pb2.ProcessingEvent(status=turn_pb2.PROCESSING_STATUS_STARTING))

        parts: list[str] = []
        meta: dict[str, Any] = {"model": turn.engine.model_id, "visualizations": []}
        finished = storing_answer = False
        try:
            if turn.upload_ids:
                await self._uploads.link(turn.who, turn.chat.id, user.id, turn.upload_ids)
            output_started = False
            async with asyncio.timeout(self._turn_timeout):
                async for event in turn.source:
                    if isinstance(event, Status):
                        if not output_started:  # statuses are progress, never after the answer began
                            yield turn_pb2.TurnEvent(processing=turn_pb2.ProcessingEvent(status=event.status))
                    elif isinstance(event, Viz):
                        output_started = True
                        meta["visualizations"].append(visualization_json(event.visualization))
                        yield turn_pb2.TurnEvent(visualization=event.visualization)
                    elif isinstance(event, Delta):
                        if not event.text:
                            continue
                        output_started = True
                        parts.append(event.text)
                        yield turn_pb2.TurnEvent(text_delta=turn_pb2.TextDeltaEvent(content=event.text))
                    elif isinstance(event, Note):
                        meta[event.key] = event.value
                    elif isinstance(event, Tool):  # only when asked for, and never stored
                        tool = turn_pb2.ToolEvent(kind=event.kind, payload=struct(event.payload))
                        yield turn_pb2.TurnEvent(tool=tool)
            storing_answer = True  # from here a cancellation must not store a second, partial answer
            answer = await run_sync(self._chats.append_message, turn.chat.id, "assistant", "".join(parts), meta)
            finished = True
            observer.answered(meta)
            yield turn_pb2.TurnEvent(message=turn_pb2.AssistantMessageEvent(id=answer.id, content=answer.content))
        except ApiError as err:
            finished = True
            observer.failed(err)
            await run_sync(self._persist_partial, turn, parts, meta, error_code=err.code)
            yield _error_event(err)
        except TimeoutError:
            finished = True
            late = ApiError("INTERNAL", f"The answer took longer than {self._turn_timeout:.0f} s and was stopped")
            observer.failed(late)
            await run_sync(self._persist_partial, turn, parts, meta, error_code=late.code)
            yield _error_event(late)
        except Exception as exc:
            finished = True
            failed = ApiError("INTERNAL", "Internal error while answering")
            log.exception("turn failed", exc_info=exc)
            observer.failed(failed)
            await run_sync(self._persist_partial, turn, parts, meta, error_code=failed.code)
            yield _error_event(failed)
        finally:
            if not finished and not storing_answer:
                # Cancelled (client gone, interrupt, shutdown): store the partial answer right away,
                # synchronously, since this task may not get to await anything any more.
                self._persist_partial(turn, parts, meta, interrupted=True)
                await _close(turn.source)

    def _persist_partial(
        self,
        turn: PreparedTurn,
        parts: list[str],
        meta: dict[str, Any],
        *,
        error_code: str | None = None,
        interrupted: bool = False,
    ) -> None:
        meta = dict(meta)
        if interrupted:
            meta["interrupted"] = True
        if error_code:
            meta["error_code"] = error_code
        try:
            self._chats.append_message(turn.chat.id, "assistant", "".join(parts), meta)
        except Exception:
            log.warning("could not store the partial answer of chat %s", turn.chat.id, exc_info=True)

    # --- recovery --------------------------------------------------------------------------

    def recover_dangling(self, grace: timedelta) -> int:
        """Close turns a crashed process left without an answer (older than `grace`)."""
        count = 0
        for msg, ends_chat in self._chats.dangling_user_turns(utcnow() - grace):
            if ends_chat:
                self._chats.append_message(
                    msg.chat_id, "assistant", "", {"interrupted": True, "error_code": "INTERNAL", "recovered": True}
                )
            else:  # a later turn followed it: the question stays, marked as never answered
                self._chats.update_meta(msg.id, {"unanswered": True, "error_code": "INTERNAL", "recovered": True})
            count += 1
        return count


def _history_of(messages: list[Message]) -> list[HistoryTurn]:
    kept = [HistoryTurn(m.role, m.content, dict(m.meta)) for m in messages]
    return kept[-2 * HISTORY_TURNS :]


def _upload_ids_of(messages: list[Message]) -> list[str]:
    """The files sent with the user messages among `messages`, in order."""
    return [u["id"] for m in messages if m.role == "user" for u in m.meta.get("uploads") or [] if u.get("id")]


async def _close(source: AsyncIterator[EngineEvent]) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except (RuntimeError, asyncio.CancelledError):
            pass
