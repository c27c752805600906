"""Open WebUI's chat search text (docs/openwebui.md) as SQL conditions on `chats`.

Filter words `tag:`, `folder:`, `pinned:`, `archived:` and `shared:` narrow the chats; the other
words must all occur, as word prefixes, in one message (through the full-text index of
migration 0005: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL) or, as one piece of
text, in the title. Words are reduced to letters and digits, so input is never query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import column, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from services.chat.storage.models import Chat, WebuiChatTag
from services.chat.storage.webui_folder_store import member_folders, search_key, subtree_ids

MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FLAGS = ("pinned", "archived", "shared")


@dataclass
class SearchText:
    """A search text taken apart."""

    text: str = ""  # what is left once the filter words are out, lower-cased
    tags: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(_WORD.findall(self.text)))[:MAX_TERMS]


def parse(raw: str) -> SearchText:
    out = SearchText()
    rest = []
    for word in raw.lower().split():
        name, colon, value = word.partition(":")
        if colon and name == "tag" and value:
            out.tags.append(value)
        elif colon and name == "folder" and value:
            out.folders.append(value)
        elif colon and name in _FLAGS and value in ("true", "false"):
            out.flags[name] = value == "true"
        else:
            rest.append(word)
    out.text = " ".join(rest)
    return out


def conditions(s: Session, org_id: str, member_id: str, query: SearchText) -> list[ColumnElement[bool]]:
    """What a chat of the member must satisfy to match (archived ones only with archived:true)."""
    where: list[ColumnElement[bool]] = [
        col(Chat.organization_id) == org_id,
        col(Chat.member_id) == member_id,
        col(Chat.archived) == query.flags.get("archived", False),
    ]
    if "pinned" in query.flags:
        where.append(col(Chat.pinned) == query.flags["pinned"])
    if "shared" in query.flags:
        where.append(col(Chat.share_id).is_not(None) if query.flags["shared"] else col(Chat.share_id).is_(None))
    for tag in query.tags:
        tagged = select(WebuiChatTag.chat_id).where(col(WebuiChatTag.member_id) == member_id)
        if tag == "none":
            where.append(col(Chat.id).not_in(tagged))
        else:
            where.append(col(Chat.id).in_(tagged.where(col(WebuiChatTag.tag_id) == tag)))
    if query.folders:
        where.append(col(Chat.folder_id).in_(_folder_ids(s, org_id, member_id, query.folders)))
    if query.text:
        title = col(Chat.title).icontains(query.text, autoescape=True)
        terms = query.terms
        where.append(title | col(Chat.id).in_(_message_matches(s, terms)) if terms else title)
    return where


def _folder_ids(s: Session, org_id: str, member_id: str, names: Collection[str]) -> set[str]:
    folders = member_folders(s, org_id, member_id)
    roots = [f.id for f in folders if search_key(f.name) in {search_key(n) for n in names}]
    return subtree_ids(folders, roots)


def _message_matches(s: Session, terms: list[str]) -> Any:
    """The ids of chats with a message containing every term (as a word prefix)."""
    bind = s.get_bind()
    if bind.dialect.name == "sqlite":
        stmt = text(
            "SELECT ms.chat_id FROM message_search_fts JOIN message_search ms ON ms.id = message_search_fts.rowid "
            "WHERE message_search_fts MATCH :q"
        ).bindparams(q=" ".join(f'"{t}"*' for t in terms))
    else:
        stmt = text("SELECT chat_id FROM message_search WHERE tsv @@ to_tsquery('simple', :q)").bindparams(
            q=" & ".join(f"{t}:*" for t in terms)
        )
    return stmt.columns(column("chat_id"))
