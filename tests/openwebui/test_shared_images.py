"""Images of a chat beyond its owner (docs/openwebui.md, "Images"): a colleague reading a share gets
the images its snapshot references, signed by the Upload service on the Chat service's grant of
that read, and nothing else; a clone or fork (of one's own chat, or of a share) gets copies of its
images as uploads of its own, so deleting the source leaves it whole."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from devstack.stack import Stack
from services.common import jwt_tokens
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.common.grants import grant
from tests.conftest import Org
from tests.helpers import bearer_metadata, post_files, stack_settings
from tests.openwebui.helpers import new_document, ok
from tests.openwebui.test_images import create, data_url, fetched, image_turn, stored_keys, ui, uploads, whole
from tests.upload.helpers import stored_objects
from tests.upload.samples import jpeg_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.storage


def messages(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["chat"]["history"]["messages"])


def member_of(stack: Stack, token: str) -> str:
    return jwt_tokens.verify(stack_settings(stack).resolved_jwt_secret(), token).member_id


def test_share_readers_get_the_images(stack: Stack, org: Org, other_org: Org) -> None:
    png, jpeg = png_bytes(title="shared"), jpeg_bytes()
    with ui(org) as owner, ui(org, "colleague@example.com") as colleague, ui(other_org) as outsider:
        doc = new_document("Shared")
        user_id = image_turn(doc["history"], data_url(png))
        chat_id = create(owner, doc)["id"]
        image_id = uploads(owner, chat_id)[0]["id"]
        # The owner's document also names a PDF of the same chat and an image of another chat of
        # theirs: neither is an image of the shared chat, so neither is signed for a reader.
        elsewhere = new_document("Elsewhere")
        image_turn(elsewhere["history"], data_url(jpeg, "image/jpeg"))
        other_image = uploads(owner, create(owner, elsewhere)["id"])[0]["id"]
        posted = post_files(owner, chat_id, ("report.pdf", pdf_bytes(), "application/pdf"))
        pdf_id = ok(posted)["uploads"][0]["id"]
        read = whole(owner, chat_id)
        read["history"]["messages"][user_id]["content"] = [
            {"type": "text", "text": "And these?"},
            {"type": "image_url", "image_url": {"url": f"trellis-upload:{pdf_id}"}},
            {"type": "image_url", "image_url": {"url": f"trellis-upload:{other_image}"}},
        ]
        ok(owner.post(f"/api/v1/chats/{chat_id}", json={"chat": read}))
        share_id = ok(owner.post(f"/api/v1/chats/{chat_id}/share"))["share_id"]

        for reader in (colleague, owner):
            shown = messages(ok(reader.get(f"/api/v1/chats/share/{share_id}")))[user_id]
            assert fetched(shown["files"][0]["url"]) == png
            assert [block.get("image_url", {}).get("url") for block in shown["content"][1:]] == [
                f"trellis-upload:{pdf_id}",
                f"trellis-upload:{other_image}",
            ]
        # Reading the share gives the colleague nothing of the owner's beyond it.
        assert colleague.get(f"/api/v1/chats/{chat_id}").status_code == 404
        assert colleague.get(f"/v1/chats/{chat_id}/uploads").status_code == 404

        refused = outsider.get(f"/api/v1/chats/share/{share_id}")
        assert refused.status_code == 404 and image_id not in refused.text

        # Revoked: 404 for the colleague, with neither a URL nor a reference.
        assert ok(owner.delete(f"/api/v1/chats/{chat_id}/share")) is True
        gone = colleague.get(f"/api/v1/chats/share/{share_id}")
        assert gone.status_code == 404 and image_id not in gone.text and "X-Amz-Signature" not in gone.text


def test_sign_and_copy_need_the_chat_services_grant(stack: Stack, org: Org, other_org: Org) -> None:
    """Called directly (the internal port), SignChatImages and CopyChatImages reach nothing on the
    caller's word: without the Chat service's grant for that caller, that chat and those uploads,
    the chat is not found; with it, only the chat's images in the caller's organization."""
    png = png_bytes(title="granted")
    with ui(org) as owner:
        doc = new_document("Granted")
        image_turn(doc["history"], data_url(png))
        chat_id = create(owner, doc)["id"]
        image_id = uploads(owner, chat_id)[0]["id"]
        pdf_id = ok(post_files(owner, chat_id, ("r.pdf", pdf_bytes(), "application/pdf")))["uploads"][0]["id"]
        elsewhere = new_document("Elsewhere")
        image_turn(elsewhere["history"], data_url(jpeg_bytes(), "image/jpeg"))
        other_chat = create(owner, elsewhere)["id"]
        other_image = uploads(owner, other_chat)[0]["id"]
    secret = stack_settings(stack).resolved_jwt_secret()
    token, outsider_token = org.token("colleague@example.com"), other_org.token()
    colleague, outsider = member_of(stack, token), member_of(stack, outsider_token)
    ids = [image_id, pdf_id, other_image]
    read = ("chat-image-read", org.id, colleague, chat_id)
    bad_reads = {
        "none": "",
        "forged": "0" * 64,
        "for another chat": grant(secret, "chat-image-read", org.id, colleague, other_chat, *ids),
        "for other uploads": grant(secret, *read, image_id),
        "for another member": grant(secret, "chat-image-read", org.id, "someone-else", chat_id, *ids),
        "for a copy": grant(secret, "chat-image-copy", org.id, colleague, chat_id, *ids),
    }
    to_chat = str(uuid.uuid4())
    copy = ("chat-image-copy", org.id, colleague, chat_id, to_chat)
    bad_copies = {
        "none": "",
        "forged": "f" * 64,
        "for another target": grant(secret, "chat-image-copy", org.id, colleague, chat_id, str(uuid.uuid4()), *ids),
        "for other uploads": grant(secret, *copy, pdf_id),
        "for a read": grant(secret, *read, *ids),
    }
    objects = stored_objects(stack, org.id)
    with grpc.insecure_channel(stack.upload_target) as channel:
        stub = upload_pb2_grpc.UploadInternalServiceStub(channel)
        for label, proof in bad_reads.items():
            with pytest.raises(grpc.RpcError) as refused:
                request = upload_pb2.SignChatImagesRequest(chat_id=chat_id, upload_ids=ids, read_grant=proof)
                stub.SignChatImages(request, metadata=bearer_metadata(token), timeout=30)
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND, label
        for label, proof in bad_copies.items():
            with pytest.raises(grpc.RpcError) as refused:
                copying = upload_pb2.CopyChatImagesRequest(
                    chat_id=chat_id, upload_ids=ids, to_chat_id=to_chat, copy_grant=proof
                )
                stub.CopyChatImages(copying, metadata=bearer_metadata(token), timeout=30)
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND, label
        assert stored_objects(stack, org.id) == objects  # nothing copied

        # Granted: the chat's image only (not its PDF, not another chat's image), signed.
        request = upload_pb2.SignChatImagesRequest(
            chat_id=chat_id, upload_ids=ids, read_grant=grant(secret, *read, *ids)
        )
        signed = stub.SignChatImages(request, metadata=bearer_metadata(token), timeout=30).uploads
        assert [u.id for u in signed] == [image_id] and fetched(signed[0].presigned_url) == png
        # A grant of the right secret for a member of another organization still reaches nothing of this one.
        proof = grant(secret, "chat-image-read", other_org.id, outsider, chat_id, *ids)
        request = upload_pb2.SignChatImagesRequest(chat_id=chat_id, upload_ids=ids, read_grant=proof)
        assert not stub.SignChatImages(request, metadata=bearer_metadata(outsider_token), timeout=30).uploads

        copying = upload_pb2.CopyChatImagesRequest(
            chat_id=chat_id, upload_ids=ids, to_chat_id=to_chat, copy_grant=grant(secret, *copy, *ids)
        )
        copies = stub.CopyChatImages(copying, metadata=bearer_metadata(token), timeout=30).copies
        assert [c.source_upload_id for c in copies] == [image_id]
        made = copies[0].upload
        assert (made.chat_id, made.upload_type) == (to_chat, "image") and made.id != image_id
        assert made.storage_path == f"{org.id}/{to_chat}/{made.id}" and fetched(made.presigned_url) == png
        # The copy is the caller's: their DeleteChatUploads of that chat removes it.
        request_delete = upload_pb2.DeleteChatUploadsRequest(chat_ids=[to_chat])
        assert stub.DeleteChatUploads(request_delete, metadata=bearer_metadata(token), timeout=30).deleted_count == 1
    assert stored_objects(stack, org.id) == objects


def test_clones_and_forks_keep_their_images_when_the_source_is_deleted(stack: Stack, org: Org) -> None:
    png, jpeg = png_bytes(size=(20, 20), color=(1, 90, 200)), jpeg_bytes()
    with ui(org) as owner, ui(org, "colleague@example.com") as colleague:
        doc = new_document("Source")
        first = image_turn(doc["history"], data_url(png))
        second = image_turn(doc["history"], data_url(jpeg, "image/jpeg"))
        chat_id = create(owner, doc)["id"]
        source_ids = {u["id"] for u in uploads(owner, chat_id)}
        assert len(source_ids) == 2

        clone = ok(owner.post(f"/api/v1/chats/{chat_id}/clone"))
        fork = ok(owner.post(f"/api/v1/chats/{chat_id}/fork", json={"message_id": first}))
        share_id = ok(owner.post(f"/api/v1/chats/{chat_id}/share"))["share_id"]
        shared_clone = ok(colleague.post(f"/api/v1/chats/{share_id}/clone/shared"))
        # Each has uploads of its own, of its member: the fork only its branch's image.
        made = {
            "clone": (owner, clone["id"], {first: png, second: jpeg}),
            "fork": (owner, fork["id"], {first: png}),
            "clone of the share": (colleague, shared_clone["id"], {first: png, second: jpeg}),
        }
        for label, (client, new_id, images) in made.items():
            listed = uploads(client, new_id)
            assert len(listed) == len(images), label
            assert all(u["upload_type"] == "image" for u in listed), label
            assert not {u["id"] for u in listed} & source_ids, label
            rows = stored_keys(stack, new_id)
            assert all(f"trellis-upload:{u['id']}" in rows for u in listed), label
            assert not any(source_id in rows for source_id in source_ids), label
        answer = messages(shared_clone)[second]
        assert fetched(answer["files"][0]["url"]) == jpeg

        assert ok(owner.delete(f"/api/v1/chats/{chat_id}")) is True
        assert not [o for o in stored_objects(stack, org.id) if o.startswith(f"{org.id}/{chat_id}/")]
        for label, (client, new_id, images) in made.items():
            shown = whole(client, new_id)["history"]["messages"]
            for message_id, data in images.items():
                assert fetched(shown[message_id]["files"][0]["url"]) == data, label
