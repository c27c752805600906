"""What the Chat service may do with an Open WebUI chat's images on its word (a grant signed with the
shared JWT secret, services/common/grants.py): have them signed for a member who may read a document
of the chat without owning it (SignChatImages), and copy them into a new chat (CopyChatImages).

Only images (upload_type "image", not a project's document) of the granted chat in the caller's
organization are ever reached; every other id is left out. A missing, forged or mismatched grant
is NOT_FOUND before anything is looked up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from services.common.auth_interceptor import current_principal
from services.common.database import run_sync, utcnow
from services.common.errors import ApiError
from services.common.grants import is_granted
from services.common.ids import canonical_uuid, new_id
from services.upload.storage.models import Upload
from services.upload.storage.object_storage import ObjectStorage
from services.upload.storage.upload_store import UploadStore

log = logging.getLogger(__name__)
MAX_GRANTED_IMAGES = 500  # upload ids per call


def granted_chat(secret: str, proof: str, purpose: str, chat_id: str, *parts: str, upload_ids: Sequence[str]) -> str:
    """The chat's canonical id, once `proof` is the Chat service's grant of `purpose` for this caller,
    this chat, `parts` and these upload ids (as sent, in order); NOT_FOUND otherwise."""
    who = current_principal()
    canonical = canonical_uuid(chat_id)
    fields = (who.organization_id, who.member_id, chat_id, *parts, *upload_ids)
    if canonical is None or not is_granted(secret, proof, purpose, *fields):
        raise ApiError("NOT_FOUND", "Chat not found")
    if len(upload_ids) > MAX_GRANTED_IMAGES:
        raise ApiError("INVALID_REQUEST", f"upload_ids: at most {MAX_GRANTED_IMAGES} per call")
    return canonical


async def granted_images(store: UploadStore, chat_id: str, upload_ids: Sequence[str]) -> list[Upload]:
    return await run_sync(store.chat_images, current_principal().organization_id, chat_id, list(upload_ids))


class ImageCopies:
    """Images copied into another chat of the caller's: all of them, or none (what was made is removed)."""

    def __init__(self, store: UploadStore, storage: ObjectStorage) -> None:
        self._store = store
        self._storage = storage

    async def copy(self, sources: list[Upload], to_chat_id: str) -> list[tuple[Upload, Upload]]:
        """(source, copy) pairs, in the order of `sources`."""
        made: list[tuple[Upload, Upload]] = []
        try:
            for source in sources:
                made.append((source, await self._copied(source, to_chat_id)))
        except BaseException:
            for _, row in made:
                await self._remove(row)
            raise
        return made

    async def _copied(self, source: Upload, to_chat_id: str) -> Upload:
        who = current_principal()
        upload_id = new_id()
        key = f"{who.organization_id}/{to_chat_id}/{upload_id}"
        row = Upload(
            id=upload_id,
            organization_id=who.organization_id,
            member_id=who.member_id,
            chat_id=to_chat_id,
            filename=source.filename,
            mime_type=source.mime_type,
            upload_type=source.upload_type,
            file_size=source.file_size,
            storage_key=key,
            created_at=utcnow(),
        )
        await run_sync(self._storage.copy, source.storage_key, key)
        try:
            return await run_sync(self._store.create_copy, source, row)
        except BaseException:
            await self._remove_object(key)
            raise

    async def _remove(self, row: Upload) -> None:
        await self._remove_object(row.storage_key)
        await run_sync(self._store.delete, row.id)

    async def _remove_object(self, key: str) -> None:
        try:
            await run_sync(self._storage.remove, key)
        except ApiError as err:
            log.warning("could not remove the copied image %s after a failed copy: %s", key, err.detail)
