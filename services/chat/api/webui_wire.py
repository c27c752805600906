"""Open WebUI's chats on the wire (docs/openwebui.md): stored records → messages of the webui_*
protos, and the JSON-object fields of requests. Shared by the webui_* servicers."""

from __future__ import annotations

from typing import Any, Protocol

from services.chat.storage.models import WebuiFolder
from services.chat.storage.webui_chat_list_store import ChatSummary, SortedPage
from services.chat.storage.webui_document import dumps, epoch, load_object
from services.chat.storage.webui_rows import Tag, WebuiChatRecord
from services.common.gen.trellis.v1 import webui_chat_pb2, webui_folder_pb2, webui_tag_pb2

MAX_OBJECT_BYTES = 64 * 1024  # a folder's or a chat's `meta`/`data`


def webui_chat(record: WebuiChatRecord) -> webui_chat_pb2.WebuiChat:
    chat = record.chat
    return webui_chat_pb2.WebuiChat(
        id=chat.id,
        user_id=chat.member_id,
        title=chat.title,
        chat_json=dumps(record.document),
        updated_at=epoch(chat.last_activity_at),
        created_at=epoch(chat.created_at),
        share_id=chat.share_id,
        archived=chat.archived,
        pinned=chat.pinned,
        meta_json=dumps(record.meta),
        folder_id=chat.folder_id,
    )


def summaries(rows: list[ChatSummary]) -> list[webui_chat_pb2.WebuiChatSummary]:
    return [
        webui_chat_pb2.WebuiChatSummary(
            id=r.id, title=r.title, updated_at=epoch(r.updated_at), created_at=epoch(r.created_at)
        )
        for r in rows
    ]


def tags(member_id: str, rows: list[Tag]) -> list[webui_tag_pb2.WebuiTag]:
    return [webui_tag_pb2.WebuiTag(id=t.id, name=t.name, user_id=member_id) for t in rows]


def folder(row: WebuiFolder) -> webui_folder_pb2.WebuiFolder:
    return webui_folder_pb2.WebuiFolder(
        id=row.id,
        parent_id=row.parent_id,
        user_id=row.member_id,
        name=row.name,
        meta_json=dumps(row.meta),
        data_json=dumps(row.data),
        is_expanded=row.is_expanded,
        created_at=epoch(row.created_at),
        updated_at=epoch(row.updated_at),
    )


class SortedPageRequest(Protocol):
    """A request for a page of a list the client may filter and sort."""

    page: int
    query: str
    order_by: str
    direction: str


def sorted_page(request: SortedPageRequest) -> SortedPage:
    return SortedPage(request.page, request.query, request.order_by, request.direction)


def json_object(text: str, where: str) -> dict[str, Any]:
    """An optional JSON-object field of a request: empty text is {}."""
    return load_object(text, where, limit=MAX_OBJECT_BYTES) if text.strip() else {}
