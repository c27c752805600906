"""trellis.v1.SavedQueryService: saved queries (docs/api.md). Any member reads; admins write."""

from __future__ import annotations

import grpc

from services.chat.api.access import require_admin
from services.chat.api.validation import string_list, text_field
from services.chat.sql.parameters import compile_template, extract_parameters
from services.chat.sql.safety import MAX_SQL_CHARS, check_read_only
from services.chat.storage.organization_store import OrganizationStore
from services.chat.storage.saved_query_store import EDITABLE, SavedQueryStore, SavedQueryView
from services.common.auth_interceptor import current_principal
from services.common.convert import ts
from services.common.database import run_sync
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import saved_query_pb2, saved_query_pb2_grpc
from services.common.jwt_tokens import Principal

MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_KEYWORDS = 100
MAX_KEYWORD = 200
# A saved query belongs to the organization, not to one integration, so its engine is unknown when
# it is saved: it must parse as a query in at least one of them and be unsafe in none. It is checked
# again for the real engine whenever it runs.
SAVE_DIALECTS = ("sqlite", "postgres", "mysql", "duckdb")


def _keywords(values: list[str]) -> list[str]:
    return string_list("keywords", values, most=MAX_KEYWORDS, longest=MAX_KEYWORD)


def _sql(value: str | None) -> str | None:
    """The SQL to store (None: prompt-only), once it is known to be a single read-only query."""
    if value is None or not value.strip():
        return None
    if len(value) > MAX_SQL_CHARS:
        raise ApiError("INVALID_REQUEST", f"sql: at most {MAX_SQL_CHARS} characters")
    bindable = compile_template(value).sql
    parse_error: ApiError | None = None
    for dialect in SAVE_DIALECTS:
        try:
            check_read_only(bindable, dialect, max_rows=0)
        except ApiError as err:
            if err.code == "UNSAFE_SQL":
                raise
            parse_error = parse_error or err
        else:
            parse_error = None
            break
    if parse_error is not None:
        raise parse_error
    return value


def _populated(request: saved_query_pb2.UpdateSavedQueryRequest) -> list[str]:
    """The implied mask of a request without update_mask (AIP-134): the fields it sets, e.g. via Envoy."""
    paths = [f for f in ("title", "prompt", "description", "keywords") if getattr(request, f)]
    return [*paths, "sql"] if request.HasField("sql") else paths


def _to_proto(view: SavedQueryView) -> saved_query_pb2.SavedQuery:
    row = view.query
    message = saved_query_pb2.SavedQuery(
        id=row.id,
        organization_id=row.organization_id,
        title=row.title,
        description=row.description,
        prompt=row.prompt,
        keywords=row.keywords,
        parameters=extract_parameters(row.sql),
        last_updated_by=row.last_updated_by or "",
        last_updated_by_name=view.last_updated_by_name,
        created_at=ts(row.created_at),
        updated_at=ts(row.updated_at),
    )
    if row.sql is not None:
        message.sql = row.sql
    return message


class SavedQueryServicer(saved_query_pb2_grpc.SavedQueryServiceServicer):
    def __init__(self, organizations: OrganizationStore, queries: SavedQueryStore) -> None:
        self._organizations = organizations
        self._queries = queries

    async def _admin(self) -> Principal:
        return (await require_admin(self._organizations))[0]

    async def ListSavedQueries(  # noqa: N802
        self, request: saved_query_pb2.ListSavedQueriesRequest, context: grpc.aio.ServicerContext
    ) -> saved_query_pb2.ListSavedQueriesResponse:
        who = current_principal()
        views = await run_sync(self._queries.list_all, who.organization_id)
        return saved_query_pb2.ListSavedQueriesResponse(queries=[_to_proto(v) for v in views])

    async def GetSavedQuery(  # noqa: N802
        self, request: saved_query_pb2.GetSavedQueryRequest, context: grpc.aio.ServicerContext
    ) -> saved_query_pb2.SavedQuery:
        who = current_principal()
        view = await run_sync(self._queries.get, who.organization_id, request.query_id)
        return _to_proto(view)

    async def CreateSavedQuery(  # noqa: N802
        self, request: saved_query_pb2.CreateSavedQueryRequest, context: grpc.aio.ServicerContext
    ) -> saved_query_pb2.SavedQuery:
        who = await self._admin()
        title = text_field("title", request.title, limit=MAX_TITLE, required=True)
        prompt = text_field("prompt", request.prompt, limit=MAX_TEXT, required=True)
        description = text_field("description", request.description, limit=MAX_TEXT, required=False)
        keywords = _keywords(list(request.keywords))
        # Parsing a long statement is CPU work: keep it off the event loop.
        sql = await run_sync(_sql, request.sql if request.HasField("sql") else None)
        view = await run_sync(
            lambda: self._queries.create(
                who.organization_id,
                who.member_id,
                title=title,
                prompt=prompt,
                sql=sql,
                description=description,
                keywords=keywords,
            )
        )
        return _to_proto(view)

    async def UpdateSavedQuery(  # noqa: N802
        self, request: saved_query_pb2.UpdateSavedQueryRequest, context: grpc.aio.ServicerContext
    ) -> saved_query_pb2.SavedQuery:
        who = await self._admin()
        changes: dict[str, object] = {}
        for path in dict.fromkeys(request.update_mask.paths or _populated(request)):
            if path not in EDITABLE:
                raise ApiError("INVALID_REQUEST", f"update_mask: '{path}' is not an editable field")
            if path == "title":
                changes[path] = text_field("title", request.title, limit=MAX_TITLE, required=True)
            elif path == "prompt":
                changes[path] = text_field("prompt", request.prompt, limit=MAX_TEXT, required=True)
            elif path == "description":
                changes[path] = text_field("description", request.description, limit=MAX_TEXT, required=False)
            elif path == "keywords":
                changes[path] = _keywords(list(request.keywords))
            else:  # sql: in the mask without a value clears it (a prompt-only query)
                changes[path] = await run_sync(_sql, request.sql if request.HasField("sql") else None)
        view = await run_sync(self._queries.update, who.organization_id, who.member_id, request.query_id, changes)
        return _to_proto(view)

    async def DeleteSavedQuery(  # noqa: N802
        self, request: saved_query_pb2.DeleteSavedQueryRequest, context: grpc.aio.ServicerContext
    ) -> saved_query_pb2.DeleteSavedQueryResponse:
        who = await self._admin()
        await run_sync(self._queries.delete, who.organization_id, request.query_id)
        return saved_query_pb2.DeleteSavedQueryResponse()
