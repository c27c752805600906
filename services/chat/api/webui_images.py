"""Images in Open WebUI chat documents go to the Upload service, not into the chat's rows
(docs/openwebui.md, "Images").

On write (`store`): every string of a posted document that is a base64 `data:image/…` URL (in a
message's `files`, in list `content`, in a top-level key, anywhere) is stored with
UploadInternalService.StoreChatImage as an upload of the chat, and the document keeps a reference
(storage/webui_image_refs.py) in its place. A presigned URL of one of the caller's images, which a
client echoes back after a read, becomes its reference again. Everything is stored before the
document is written; if the write then fails, the new uploads are removed.

On read (`present`): every reference is replaced by a fresh presigned URL of its upload (the
caller's own; for a share, an image of the shared chat, signed on the grant of that read).

On a clone or fork (`copied`): the images the new chat references are copied as its own uploads
(UploadInternalService.CopyChatImages, inside S3), so it keeps them when the source is deleted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from services.chat.clients.upload import UploadClient
from services.chat.storage.webui_document import ChatDocument, PostedHistory, PostedMessage
from services.chat.storage.webui_image_refs import REF_IN_JSON, ImageRef, image_ref, parse_ref, replaced
from services.common.errors import ApiError
from services.common.gen.trellis.v1 import webui_chat_pb2
from services.common.ids import new_id
from services.common.jwt_tokens import Principal

log = logging.getLogger(__name__)
MAX_NEW_IMAGES = 20  # per chat document: each is an upload (stored, parsed, indexed)
MAX_IMPORT_IMAGES = 100  # per import, all its chats together (counted as distinct data: URLs)
DATA_URL = re.compile(r"data:(?P<mime>image/[a-z0-9.+-]+)(?:;[^;,]*)*?;base64,", re.IGNORECASE)
EXTENSIONS = {"image/png": "png", "image/x-png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/pjpeg": "jpg"}
_WHITESPACE = re.compile(r"\s+")


def _presigned(org_id: str) -> re.Pattern[str]:
    """A presigned URL of an object of the organization: its key is `<org>/<chat>/<upload id>`."""
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return re.compile(rf"https?://[^?#\s]*/{re.escape(org_id)}/{uuid}/(?P<id>{uuid})\?[^#\s]*X-Amz-Signature=")


Path = tuple[str | int, ...]
_SEGMENT = re.compile(r"\w+")


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """(path, string) for every string of a JSON value, depth first."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def located(path: Path, problem: str) -> str:
    """`field: problem`, the field as far as it is a plain dotted path (a message id such as a UUID is
    not): the gateway turns it into a 422's `loc`; the rest of the path goes into the text."""
    plain = 0
    while plain < len(path) and _SEGMENT.fullmatch(str(path[plain])):
        plain += 1
    rest = ".".join(str(p) for p in path[plain:])
    return ".".join(str(p) for p in path[:plain]) + ": " + (f"at {rest}: " if rest else "") + problem


def _parts(doc: ChatDocument, where: str) -> Iterator[tuple[Path, str]]:
    base = tuple(where.split("."))
    yield from _strings(doc.keys, base)
    if doc.history is not None:
        for node_id, message in doc.history.messages.items():
            yield from _strings(message.fields, (*base, "history", "messages", node_id))


def _with(doc: ChatDocument, replacements: dict[str, str]) -> ChatDocument:
    history = doc.history
    if history is not None:
        messages = {
            node_id: PostedMessage(m.node_id, m.parent_id, replaced(m.fields, replacements))
            for node_id, m in history.messages.items()
        }
        history = PostedHistory(messages, history.current_id, history.has_current)
    return ChatDocument(doc.title, replaced(doc.keys, replacements), history)


def decoded(path: Path, text: str, match: re.Match[str]) -> bytes:
    try:
        return base64.b64decode(_WHITESPACE.sub("", text[match.end() :]), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("INVALID_REQUEST", located(path, "the data: URL is not valid base64")) from None


class NewImage(NamedTuple):
    path: Path  # where it was first found
    mime: str  # as the data: URL declares it
    data: bytes


@dataclass
class StoredImages:
    """A document with its images replaced by references, and the uploads this made."""

    document: ChatDocument
    new_upload_ids: list[str] = field(default_factory=list)


def data_urls(doc: ChatDocument) -> int:
    """How many distinct data: images a document carries (an import's are counted before any is stored)."""
    return len({text for _, text in _parts(doc, "chat") if DATA_URL.match(text)})


def has_images(doc: ChatDocument, org_id: str) -> bool:
    """Whether a document carries data: images or presigned URLs of the organization's objects."""
    presigned = _presigned(org_id)
    return any(DATA_URL.match(text) or presigned.match(text) for _, text in _parts(doc, "chat"))


@dataclass
class ImageCopies:
    """A clone's or fork's id, chosen before it is written, and its copies of the source's images."""

    chat_id: str
    refs: dict[str, str] = field(default_factory=dict)  # the source's reference → its copy's
    upload_ids: list[str] = field(default_factory=list)  # the copies


class ChatImages:
    def __init__(self, uploads: UploadClient) -> None:
        self._uploads = uploads

    async def store(
        self,
        who: Principal,
        chat_id: str,
        doc: ChatDocument,
        where: str = "chat",
        stored: list[str] | None = None,
    ) -> StoredImages:
        """The document's images stored as uploads of `chat_id` (already checked to be the caller's,
        or being created); `stored`: the references the chat has already, reused for the same bytes.
        Every data: URL is decoded and counted before the first upload."""
        by_digest: dict[str, str] = {}
        by_id: dict[str, str] = {}
        for text in stored or ():
            ref = parse_ref(text)
            if ref is not None:
                by_id.setdefault(ref.upload_id, text)
                if ref.digest:
                    by_digest[ref.digest] = text
        presigned = _presigned(who.organization_id)
        replacements: dict[str, str] = {}
        new: dict[str, NewImage] = {}  # digest → the image to store
        pending: dict[str, str] = {}  # data: URL → the digest of a new image
        echoed: dict[str, list[str]] = {}  # upload id → the URLs naming it
        for path, text in _parts(doc, where):
            if text in replacements or text in pending:
                continue
            if data_url := DATA_URL.match(text):
                data = decoded(path, text, data_url)
                digest = hashlib.sha256(data).hexdigest()
                if digest in by_digest:
                    replacements[text] = by_digest[digest]
                    continue
                pending[text] = digest
                if digest not in new:
                    if len(new) == MAX_NEW_IMAGES:
                        raise ApiError("INVALID_REQUEST", located(path, f"at most {MAX_NEW_IMAGES} new images"))
                    new[digest] = NewImage(path, data_url["mime"].lower(), data)
            elif url := presigned.match(text):
                if url["id"] in by_id:
                    replacements[text] = by_id[url["id"]]
                else:
                    echoed.setdefault(url["id"], []).append(text)
        result = StoredImages(doc)
        try:
            made = {digest: await self._stored(who, chat_id, image, result) for digest, image in new.items()}
            if echoed:  # the caller's own images only: anyone else's URL stays a plain string
                for upload_id, upload in (await self._uploads.fresh(who, list(echoed))).items():
                    if upload.upload_type == "image" and upload.chat_id:
                        replacements.update({u: image_ref(upload_id) for u in echoed[upload_id]})
        except BaseException:
            await self.discard(who, chat_id, result.new_upload_ids)
            raise
        replacements.update({text: image_ref(made[digest], digest) for text, digest in pending.items()})
        if replacements:
            result.document = _with(doc, replacements)
        return result

    async def _stored(self, who: Principal, chat_id: str, image: NewImage, result: StoredImages) -> str:
        """The new upload's id."""
        try:
            upload = await self._uploads.store_image(
                who, chat_id, f"image.{EXTENSIONS.get(image.mime, 'bin')}", image.mime, image.data
            )
        except ApiError as err:
            err.detail = located(image.path, err.detail)
            raise
        result.new_upload_ids.append(upload.id)
        return upload.id

    async def discard(self, who: Principal, chat_id: str, upload_ids: list[str]) -> None:
        """Uploads made for a document that was then not written; a failure is only logged."""
        if not upload_ids:
            return
        try:
            await self._uploads.delete_for_chats(who, [chat_id], upload_ids)
        except ApiError as err:
            log.warning("images %s of chat %s remain after a failed save: %s", upload_ids, chat_id, err.detail)

    async def present(
        self, who: Principal, chat: webui_chat_pb2.WebuiChat, shared_chat_id: str | None = None
    ) -> webui_chat_pb2.WebuiChat:
        """The chat with each image reference replaced by a fresh presigned URL of its upload. For the
        caller's own chats, the caller's uploads are asked for; for a share (`shared_chat_id`: the
        shared chat, whose snapshot the caller has been let read), the images of that chat, which
        the Upload service signs on the grant of this read, whoever the reader. A reference that
        cannot be resolved (deleted, not an image of that chat, the Upload service down) stays as is."""
        ids = list(dict.fromkeys(m["id"] for m in REF_IN_JSON.finditer(chat.chat_json)))
        if not ids:
            return chat
        try:
            if shared_chat_id is None:
                found = await self._uploads.fresh(who, ids)
            else:
                found = await self._uploads.sign_images(who, shared_chat_id, ids)
        except ApiError as err:
            log.warning("no presigned URLs for the images of chat %s: %s", chat.id, err.detail)
            return chat
        urls = {i: u.presigned_url for i, u in found.items() if u.upload_type == "image" and u.chat_id}

        def url(match: re.Match[str]) -> str:
            return json.dumps(urls[match["id"]]) if match["id"] in urls else match[0]

        chat.chat_json = REF_IN_JSON.sub(url, chat.chat_json)
        return chat

    async def copied(self, who: Principal, source_chat_id: str, refs: list[ImageRef]) -> ImageCopies:
        """The images a clone or fork of `source_chat_id` (a chat the caller may read) references,
        copied as uploads of the new chat's id, chosen here; the references to put in its place.
        Nothing to copy, no call; a failure leaves no copy behind."""
        copies = ImageCopies(new_id())
        if not refs:
            return copies
        try:
            made = await self._uploads.copy_images(who, source_chat_id, [r.upload_id for r in refs], copies.chat_id)
        except BaseException:
            await self.discard_all(who, copies.chat_id)
            raise
        copies.upload_ids = [u.id for u in made.values()]
        copies.refs = {r.text: image_ref(made[r.upload_id].id, r.digest) for r in refs if r.upload_id in made}
        return copies

    async def discard_all(self, who: Principal, chat_id: str) -> None:
        """Every upload of a chat that was then not written (a clone refused); a failure is only logged."""
        try:
            await self._uploads.delete_for_chats(who, [chat_id])
        except ApiError as err:
            log.warning("images of the unwritten chat %s remain: %s", chat_id, err.detail)

    async def presented(self, who: Principal, chats: list[webui_chat_pb2.WebuiChat]) -> list[webui_chat_pb2.WebuiChat]:
        return [await self.present(who, c) for c in chats]
