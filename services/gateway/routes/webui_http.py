"""Open WebUI's HTTP conventions, shared by the routes/webui_*.py and personal_keys.py modules
(docs/openwebui.md): not a route module itself.

- Routes live at /api/v1/<resource>… with /api/<resource>… aliases (`aliased`).
- The bearer token is the JWT of /v1/authenticate or a personal API key (`sk-…`), exchanged once
  for a JWT with PersonalKeyService.ExchangePersonalKey and remembered until shortly before it
  expires (`webui_caller`).
- Errors are FastAPI's: `{"detail": "..."}` (plus this API's `code` and `debug_id`), and 422
  `{"detail": [{"type", "loc", "msg"}]}` for a request that fails validation: an INVALID_REQUEST
  whose detail starts with the field's path (`chat.history: ...`). Other INVALID_REQUESTs
  (`Folder already exists`) are 400, as upstream answers them (`webui_route`).
- A body over its size limit is 413 before anything is called (`read_body`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Protocol

import grpc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.common.errors import ApiError, from_rpc_error
from services.common.gen.trellis.v1 import personal_key_pb2, webui_chat_pb2
from services.common.jwt_tokens import bearer_token
from services.gateway.caller import AuthenticatedCaller, Caller, caller_with_token
from services.gateway.state import state_of

MAX_BODY_BYTES = 8 * 1024 * 1024  # a chat document (with its derived `messages`), a folder, a tag...
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # POST /import: many chats
# One chat document as sent to the Chat service, once its derived `messages` list is left out: the
# service's own limit (services/chat/storage/webui_document.py), under gRPC's 4 MiB per message.
MAX_DOCUMENT_BYTES = 3_670_016
PERSONAL_KEY_PREFIX = "sk-"
EXCHANGED_MAX = 1000  # personal keys remembered
EXCHANGE_MARGIN = 300.0  # seconds before its expiry a token obtained for a key is not reused
_FIELD_PATH = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w]+)*): (.+)$", re.S)
_exchanged: OrderedDict[str, tuple[str, float]] = OrderedDict()

Handler = Callable[[Request], Awaitable[Response]]


class RoutedHandler(Protocol):
    """A route handler with the RPCs it calls (scripts/readme_routes.py lists them)."""

    rpcs: tuple[str, ...]

    def __call__(self, request: Request) -> Awaitable[Response]: ...


# --- routes and errors ----------------------------------------------------------------------


def aliased(resource: str, table: Sequence[tuple[str, str, Handler]]) -> list[Route]:
    """The table's routes under /api/v1/<resource> and again under /api/<resource>, in order
    (static paths first: Starlette takes the first route that matches)."""
    return [
        Route(f"{prefix}/{resource}{path}", handler, methods=[method])
        for prefix in ("/api/v1", "/api")
        for method, path, handler in table
    ]


def webui_route(*rpcs: str, source: str = "body") -> Callable[[Handler], RoutedHandler]:
    """Declare the RPCs a route calls and give its errors Open WebUI's shape (`source`: where the
    fields named by validation errors are, `body` or `query`)."""

    def wrap(handler: Handler) -> RoutedHandler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as err:
                if err.code == "UNAUTHENTICATED":
                    forget_personal_key(request)
                if err.code == "INVALID_REQUEST":
                    return invalid_response(err, source)
                raise

        routed: Any = run
        routed.rpcs = rpcs
        return routed  # type: ignore[no-any-return]

    return wrap


def invalid_response(err: ApiError, source: str) -> JSONResponse:
    match = _FIELD_PATH.match(err.detail)
    if match is None:
        return JSONResponse({"detail": err.detail, "code": err.code, "debug_id": err.debug_id}, status_code=400)
    path, message = match.groups()
    loc: list[str | int] = [source, *(int(p) if p.isdigit() else p for p in path.split("."))]
    kind = "missing" if message == "Field required" else "value_error"
    item = {"type": kind, "loc": loc, "msg": message}
    return JSONResponse({"detail": [item], "code": err.code, "debug_id": err.debug_id}, status_code=422)


def invalid(field: str, message: str) -> ApiError:
    """A request that fails validation (422), naming its field."""
    return ApiError("INVALID_REQUEST", f"{field}: {message}")


# --- credentials ----------------------------------------------------------------------------


def _key_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def webui_caller(request: Request) -> AuthenticatedCaller:
    """The caller, from a bearer JWT or a personal API key (UNAUTHENTICATED otherwise)."""
    state = state_of(request)
    token = bearer_token(request.headers.get("authorization"))
    if token.startswith(PERSONAL_KEY_PREFIX):
        digest = _key_digest(token)
        known = _exchanged.get(digest)
        if known is None or known[1] < time.time():
            answer = await Caller(state.clients, ()).unary(
                state.clients.personal_keys.ExchangePersonalKey, personal_key_pb2.ExchangePersonalKeyRequest(key=token)
            )
            known = (answer.token, answer.expires_at.seconds - EXCHANGE_MARGIN)
            _exchanged[digest] = known
            while len(_exchanged) > EXCHANGED_MAX:
                _exchanged.popitem(last=False)
        token = known[0]
    return caller_with_token(state, token)


def forget_personal_key(request: Request) -> None:
    """A refused token obtained for a personal key (revoked since) is asked for again next time."""
    header = request.headers.get("authorization") or ""
    token = header.partition(" ")[2].strip()
    if token.startswith(PERSONAL_KEY_PREFIX):
        _exchanged.pop(_key_digest(token), None)


# --- request bodies and parameters -----------------------------------------------------------


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The JSON body (None when empty); 413 past `limit` bytes, read no further."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError("PAYLOAD_TOO_LARGE", f"The request body is over {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise ApiError("PAYLOAD_TOO_LARGE", f"The request body is over {limit} bytes")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise invalid("body", f"JSON decode error: {exc}") from None


async def body_object(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    body = await read_body(request, limit)
    if body is None:
        raise invalid("body", "Field required")
    if not isinstance(body, dict):
        raise invalid("body", "Input should be a valid dictionary")
    return body


def required_object(body: dict[str, Any], name: str, prefix: str = "") -> dict[str, Any]:
    """body[name], an object (`prefix`: the body's own path in the request, e.g. `chats.2.`)."""
    value = body.get(name)
    if name not in body:
        raise invalid(prefix + name, "Field required")
    if not isinstance(value, dict):
        raise invalid(prefix + name, "Input should be a valid dictionary")
    return value


def optional_string(body: dict[str, Any], name: str, prefix: str = "") -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid(prefix + name, "Input should be a valid string")
    return value


def query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(name, "Input should be a valid integer") from None


def sorted_page(request: Request) -> dict[str, Any]:
    """The query of a list the client may filter and sort: `page`, `query`, `order_by`, `direction`."""
    params = request.query_params
    return {
        "page": query_int(request, "page", 1),
        "query": params.get("query", ""),
        "order_by": params.get("order_by", ""),
        "direction": params.get("direction", ""),
    }


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = (request.query_params.get(name) or "").lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise invalid(name, "Input should be a valid boolean")


def document_json(chat: dict[str, Any], where: str = "chat") -> str:
    """A chat document for the Chat service: `messages` is left out when a `history` is there (the
    service derives it from the history); 413 over MAX_DOCUMENT_BYTES."""
    if isinstance(chat.get("history"), dict):
        chat = {k: v for k, v in chat.items() if k != "messages"}
    text = json.dumps(chat, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise ApiError("PAYLOAD_TOO_LARGE", f"{where}: a chat document is at most {MAX_DOCUMENT_BYTES} bytes of JSON")
    return text


# --- responses ------------------------------------------------------------------------------


def chat_json(chat: webui_chat_pb2.WebuiChat) -> str:
    """Open WebUI's ChatResponse, the document and meta written in as the service produced them."""
    head = json.dumps(
        {
            "id": chat.id,
            "user_id": chat.user_id,
            "title": chat.title,
            "updated_at": chat.updated_at,
            "created_at": chat.created_at,
            "share_id": chat.share_id if chat.HasField("share_id") else None,
            "archived": chat.archived,
            "pinned": chat.pinned,
            "folder_id": chat.folder_id if chat.HasField("folder_id") else None,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f'{head[:-1]},"chat":{chat.chat_json or "{}"},"meta":{chat.meta_json or "{}"}}}'


def chat_response(chat: webui_chat_pb2.WebuiChat) -> Response:
    return Response(chat_json(chat), media_type="application/json")


def chats_response(chats: Sequence[webui_chat_pb2.WebuiChat]) -> Response:
    return Response("[" + ",".join(chat_json(c) for c in chats) + "]", media_type="application/json")


def summaries_response(chats: Sequence[webui_chat_pb2.WebuiChatSummary]) -> JSONResponse:
    """Open WebUI's ChatTitleIdResponse list."""
    return JSONResponse(
        [{"id": c.id, "title": c.title, "updated_at": c.updated_at, "created_at": c.created_at} for c in chats]
    )


class ChatStream(Protocol):
    """A server-streaming call that yields messages carrying one chat each."""

    def __aiter__(self) -> AsyncIterator[Any]: ...


async def streamed_chats(stream: ChatStream, *, ndjson: bool) -> StreamingResponse:
    """Whole chats as the service streams them: NDJSON, one per line, or a JSON array. The first
    one is awaited here, so a failure before it (a missing folder) keeps its HTTP status."""
    items = aiter(stream)
    try:
        first = await anext(items, None)
    except grpc.aio.AioRpcError as err:
        raise from_rpc_error(err) from None

    async def body() -> AsyncIterator[bytes]:
        count = 0
        if not ndjson:
            yield b"["
        pending = first
        while pending is not None:
            text = chat_json(pending.chat)
            yield ((text + "\n") if ndjson else ("," if count else "") + text).encode()
            count += 1
            pending = await anext(items, None)
        if not ndjson:
            yield b"]"

    return StreamingResponse(body(), media_type="application/x-ndjson" if ndjson else "application/json")
