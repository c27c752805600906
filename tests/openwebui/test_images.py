"""Images in chat documents (docs/openwebui.md, "Images"): a base64 `data:` image that a client
puts in a chat is stored as an upload of that chat (its object in S3, its row listed with the
chat's uploads); the message row keeps a reference, and reads give a presigned URL of the bytes.
Bad images are refused with nothing stored, a storage outage loses nothing, nobody but the
chat's member and the readers of its share get a URL, and a clone or fork has images of its own."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest
from sqlmodel import Session, select

from devstack.stack import Stack
from services.chat.storage.models import Chat, Message
from services.common import jwt_tokens
from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from services.common.grants import grant
from tests.conftest import Org, make_org, start_stack
from tests.helpers import bearer_metadata, chat_stores, stack_settings
from tests.openwebui.helpers import add_turn, check_chat, detail_error, message, new_document, ok, webui_client
from tests.upload.helpers import stored_objects
from tests.upload.samples import jpeg_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.storage


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def ui(org: Org, email: str = "user@example.com") -> httpx.Client:
    return webui_client(org.base_url, org.token(email))


def image_turn(history: dict[str, Any], url: str, content_url: str | None = None) -> str:
    """A user message with an image in `files` (and one as an OpenAI-style content block), and its
    answer, as the stock UI adds them; returns the user message's id."""
    user_id, _ = add_turn(history, "What does this chart show?", "Sales by region.")
    user = history["messages"][user_id]
    user["files"] = [{"type": "image", "url": url}]
    if content_url:
        user["content"] = [
            {"type": "text", "text": "And this?"},
            {"type": "image_url", "image_url": {"url": content_url}},
        ]
    return user_id


def create(client: httpx.Client, doc: dict[str, Any]) -> dict[str, Any]:
    return ok(client.post("/api/chats/new", json={"chat": doc}))


def whole(client: httpx.Client, chat_id: str) -> dict[str, Any]:
    return check_chat(ok(client.get(f"/api/v1/chats/{chat_id}")))


def uploads(client: httpx.Client, chat_id: str) -> list[dict[str, Any]]:
    """The chat's uploads as the Trellis API lists them."""
    listing = ok(client.get(f"/v1/chats/{chat_id}/uploads"))
    assert listing["chat_id"] == chat_id
    return list(listing["uploads"])


def stored_keys(stack: Stack, chat_id: str) -> str:
    """Everything the chat's rows hold besides plain content: its top-level keys and its messages'."""
    with chat_stores(stack) as stores, Session(stores.chats.engine) as s:
        chat = s.get(Chat, chat_id)
        assert chat is not None
        rows = s.exec(select(Message).where(Message.chat_id == chat_id)).all()
        return json.dumps([chat.webui_keys, *[(r.content, r.webui_keys) for r in rows]])


def fetched(url: str) -> bytes:
    assert url.startswith("http") and "X-Amz-Signature=" in url, url
    resp = httpx.get(url)
    assert resp.status_code == 200, resp.text
    return resp.content


def test_a_saved_image_is_an_upload_and_reads_back_as_a_url(stack: Stack, org: Org) -> None:
    png, jpeg = png_bytes(title="chart"), jpeg_bytes()
    with ui(org) as client:
        chat_id = create(client, new_document("Charts"))["id"]
        doc = new_document("Charts")
        user_id = image_turn(doc["history"], data_url(png), data_url(jpeg, "image/jpeg"))
        saved = check_chat(ok(client.post(f"/api/v1/chats/{chat_id}", json={"chat": doc})))

        # Two uploads of the chat, each an object under <org>/<chat>/<upload id>.
        listed = {u["mime_type"]: u for u in uploads(client, chat_id)}
        assert set(listed) == {"image/png", "image/jpeg"}
        assert all(u["upload_type"] == "image" and fetched(u["presigned_url"]) for u in listed.values())
        assert (fetched(listed["image/png"]["presigned_url"]), fetched(listed["image/jpeg"]["presigned_url"])) == (
            png,
            jpeg,
        )
        objects = stored_objects(stack, org.id)
        assert {f"{org.id}/{chat_id}/{u['id']}" for u in listed.values()} <= set(objects)

        # The rows hold references, not the bytes.
        rows = stored_keys(stack, chat_id)
        assert "base64" not in rows and base64.b64encode(png).decode()[:40] not in rows
        assert all(f"trellis-upload:{u['id']}" in rows for u in listed.values())

        # The save's answer and a read give the same shape with presigned URLs of the bytes.
        for document in (saved, whole(client, chat_id)):
            user = document["history"]["messages"][user_id]
            assert [f["type"] for f in user["files"]] == ["image"]
            assert fetched(user["files"][0]["url"]) == png
            assert user["content"][0] == {"type": "text", "text": "And this?"}
            assert fetched(user["content"][1]["image_url"]["url"]) == jpeg

        # The stock UI posts its local history again (the same data: URLs), then what it read
        # (the presigned URLs): no new upload, and the rows still hold references.
        ok(client.post(f"/api/v1/chats/{chat_id}", json={"chat": doc}))
        read_back = whole(client, chat_id)
        ok(client.post(f"/api/v1/chats/{chat_id}", json={"chat": {"history": read_back["history"]}}))
        assert len(uploads(client, chat_id)) == 2
        assert "X-Amz-Signature" not in stored_keys(stack, chat_id)
        assert fetched(whole(client, chat_id)["history"]["messages"][user_id]["files"][0]["url"]) == png

        # Deleting the chat deletes its images.
        assert ok(client.delete(f"/api/v1/chats/{chat_id}")) is True
        assert not [o for o in stored_objects(stack, org.id) if o.startswith(f"{org.id}/{chat_id}/")]


def test_new_chats_and_imports_store_their_images_too(stack: Stack, org: Org) -> None:
    png = png_bytes(size=(32, 32), color=(10, 200, 10))
    with ui(org) as client:
        doc = new_document("From the start")
        user_id = image_turn(doc["history"], data_url(png))
        doc["files"] = [{"type": "image", "url": data_url(png)}]  # a chat-level attachment
        made = create(client, doc)
        chat_id = made["id"]
        assert fetched(made["chat"]["files"][0]["url"]) == png
        assert fetched(made["chat"]["history"]["messages"][user_id]["files"][0]["url"]) == png
        assert len(uploads(client, chat_id)) == 1  # the same bytes twice are one upload
        assert "base64" not in stored_keys(stack, chat_id)

        # An import, like an Open WebUI export: the legacy `messages` list, and a history.
        legacy = {
            "title": "Legacy",
            "messages": [message("user", "see", None, files=[{"type": "image", "url": data_url(png)}])],
        }
        tree = new_document("Tree")
        tree_user = image_turn(tree["history"], data_url(jpeg_bytes(), "image/jpeg"))
        answer = ok(client.post("/api/v1/chats/import", json={"chats": [{"chat": legacy}, {"chat": tree}]}))
        assert len(answer) == 2
        for item, mime in zip(answer, ("image/png", "image/jpeg"), strict=True):
            listed = uploads(client, item["id"])
            assert [u["mime_type"] for u in listed] == [mime]
            assert "base64" not in stored_keys(stack, item["id"])
        tree_read = whole(client, answer[1]["id"])["history"]["messages"][tree_user]
        assert fetched(tree_read["files"][0]["url"]) == jpeg_bytes()


def test_bad_images_are_refused_with_nothing_stored(stack: Stack, org: Org) -> None:
    with ui(org) as client:
        doc = new_document("Kept")
        add_turn(doc["history"], "first question", "first answer")
        chat_id = create(client, doc)["id"]
        before, objects = whole(client, chat_id), stored_objects(stack, org.id)

        def save(url: str) -> httpx.Response:
            changed = copy.deepcopy(doc)
            image_turn(changed["history"], data_url(png_bytes()))  # a good image first: not kept either
            image_turn(changed["history"], url)
            return client.post(f"/api/v1/chats/{chat_id}", json={"chat": changed})

        # Not an image: a PDF, or text, declared as PNG; a GIF (only PNG and JPEG are taken).
        for url in (
            data_url(pdf_bytes()),
            data_url(b"just some words, not a picture"),
            data_url(b"GIF89a....", "image/gif"),
        ):
            detail = detail_error(save(url), 415)
            assert detail.startswith("chat.history.messages: at ") and ".files.0.url: " in detail, detail
        # Not base64 at all: a validation error naming the field.
        errors = detail_error(save("data:image/png;base64,***not base64***"), 422)
        assert errors[0]["loc"] == ["body", "chat", "history", "messages"] and "not valid base64" in errors[0]["msg"]

        # An image stored before its history is refused (a parent that exists nowhere) is removed.
        orphan = copy.deepcopy(doc)
        lost = image_turn(orphan["history"], data_url(png_bytes(color=(9, 9, 9))))
        orphan["history"]["messages"][lost]["parentId"] = "nowhere"
        detail_error(client.post(f"/api/v1/chats/{chat_id}", json={"chat": orphan}), 422)
        # Too many images in one document, or in one import: refused before any is stored.
        many = copy.deepcopy(doc)
        for i in range(21):
            image_turn(many["history"], data_url(png_bytes(size=(4, 4), color=(i, 0, 0))))
        errors = detail_error(client.post(f"/api/v1/chats/{chat_id}", json={"chat": many}), 422)
        assert "at most 20 new images" in errors[0]["msg"]
        chats_before = len(ok(client.get("/api/v1/chats/")))
        forms = []
        for c in range(6):
            form = new_document(f"Import {c}")
            for i in range(17):  # 17 per chat is allowed; 102 in one import is not
                image_turn(form["history"], data_url(png_bytes(size=(4, 4), color=(c, i, 1))))
            forms.append({"chat": form})
        errors = detail_error(client.post("/api/v1/chats/import", json={"chats": forms}), 422)
        assert errors[0]["loc"] == ["body", "chats"] and "100 images" in errors[0]["msg"]
        assert len(ok(client.get("/api/v1/chats/"))) == chats_before

        # Nothing of any of them was kept: not the chat's rows, not an upload, not an object.
        assert whole(client, chat_id)["history"] == before["history"]
        assert uploads(client, chat_id) == []
        assert stored_objects(stack, org.id) == objects


def test_another_organization_never_gets_the_image(stack: Stack, org: Org, other_org: Org) -> None:
    png = png_bytes(title="secret")
    with ui(org) as owner, ui(other_org) as outsider, ui(org, "colleague@example.com") as colleague:
        doc = new_document("Private")
        user_id = image_turn(doc["history"], data_url(png))
        made = create(owner, doc)
        chat_id, url = made["id"], made["chat"]["history"]["messages"][user_id]["files"][0]["url"]
        upload_id = uploads(owner, chat_id)[0]["id"]

        assert outsider.get(f"/api/v1/chats/{chat_id}").status_code == 404
        assert outsider.get(f"/v1/chats/{chat_id}/uploads").status_code == 404
        # Naming the owner's image in a chat of one's own (its URL, or its reference) gives nothing.
        for client in (outsider, colleague):
            planted = new_document("Mine")
            planted_id = image_turn(planted["history"], url, f"trellis-upload:{upload_id}")
            read = whole(client, create(client, planted)["id"])["history"]["messages"][planted_id]
            assert read["files"][0]["url"] == url  # kept as the plain string it was
            assert read["content"][1]["image_url"]["url"] == f"trellis-upload:{upload_id}"  # unresolved

        # A share: its readers get the image (test_share_readers_get_the_images); another
        # organization gets 404, and no reference or URL.
        share_id = ok(owner.post(f"/api/v1/chats/{chat_id}/share"))["share_id"]
        refused = outsider.get(f"/api/v1/chats/share/{share_id}")
        assert refused.status_code == 404 and upload_id not in refused.text
        assert outsider.post(f"/api/v1/chats/{share_id}/clone/shared").status_code == 404


@pytest.fixture(scope="module")
def small_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose uploads may be at most 4 KiB, whose members may have 2 chats, and whose S3 is
    stopped by a test."""
    env = {"UPLOAD_MAX_FILE_BYTES": "4096", "OPEN_CHAT_CAP": "2"}
    yield from start_stack(request, tmp_path_factory.mktemp("webui-images"), env=env)


def test_a_too_large_image_and_a_storage_outage_lose_nothing(small_stack: Stack) -> None:
    org = make_org(small_stack)
    with ui(org) as client:
        doc = new_document("Kept")
        add_turn(doc["history"], "first question", "first answer")
        chat_id = create(client, doc)["id"]
        before = whole(client, chat_id)

        big = new_document()
        image_turn(big["history"], data_url(png_bytes(size=(600, 600), color=(1, 2, 3)) + b"\0" * 8192))
        detail = detail_error(client.post(f"/api/v1/chats/{chat_id}", json={"chat": big}), 413)
        assert "at most" in detail
        detail_error(client.post("/api/v1/chats/new", json={"chat": big}), 413)
        detail_error(client.post("/api/v1/chats/import", json={"chats": [{"chat": big}]}), 413)

        small = new_document()
        image_turn(small["history"], data_url(png_bytes(size=(8, 8))))
        assert small_stack.s3 is not None
        small_stack.s3.stop()
        try:
            detail_error(client.post(f"/api/v1/chats/{chat_id}", json={"chat": small}), 503)
            chats_before = len(ok(client.get("/api/v1/chats/")))
            detail_error(client.post("/api/v1/chats/new", json={"chat": small}), 503)
            assert len(ok(client.get("/api/v1/chats/"))) == chats_before
        finally:
            small_stack.s3.start()
        assert whole(client, chat_id)["history"] == before["history"]
        assert uploads(client, chat_id) == []
        # Storage back: the same save goes through.
        ok(client.post(f"/api/v1/chats/{chat_id}", json={"chat": small}))
        assert len(uploads(client, chat_id)) == 1


def test_a_clone_while_storage_is_down_is_refused_whole(small_stack: Stack) -> None:
    """A clone copies its images inside S3 before it is written: with S3 down it is refused (503)
    and no chat is made; back up, the same clone goes through with images of its own; a clone then
    refused (the member's chat cap) keeps no copy."""
    org = make_org(small_stack)
    png = png_bytes(size=(8, 8), color=(5, 6, 7))
    with ui(org) as client:
        doc = new_document("Source")
        user_id = image_turn(doc["history"], data_url(png))
        chat_id = create(client, doc)["id"]
        chats_before = len(ok(client.get("/api/v1/chats/")))
        assert small_stack.s3 is not None
        small_stack.s3.stop()
        try:
            detail_error(client.post(f"/api/v1/chats/{chat_id}/clone"), 503)
            detail_error(client.post(f"/api/v1/chats/{chat_id}/fork"), 503)
        finally:
            small_stack.s3.start()
        assert len(ok(client.get("/api/v1/chats/"))) == chats_before
        clone = ok(client.post(f"/api/v1/chats/{chat_id}/clone"))
        copies, sources = uploads(client, clone["id"]), uploads(client, chat_id)
        assert len(copies) == len(sources) == 1 and copies[0]["id"] != sources[0]["id"]
        objects = stored_objects(small_stack, org.id)
        assert detail_error(client.post(f"/api/v1/chats/{chat_id}/clone"), 409)
        assert stored_objects(small_stack, org.id) == objects
        assert fetched(clone["chat"]["history"]["messages"][user_id]["files"][0]["url"]) == png


def test_store_chat_image_needs_the_chat_services_grant(stack: Stack, org: Org) -> None:
    """Called directly (the internal port), StoreChatImage takes no chat on the caller's word: without
    the Chat service's grant for that caller and that chat, the chat is not found and nothing is kept."""
    token = org.token()
    with ui(org) as client:
        chat_id = create(client, new_document("Mine"))["id"]
        other_chat = create(client, new_document("Also mine"))["id"]
    secret = stack_settings(stack).resolved_jwt_secret()
    member = jwt_tokens.verify(secret, token).member_id
    header = upload_pb2.UploadHeader(chat_id=chat_id, filename="x.png", declared_type="image/png")
    grants = {
        "none": "",
        "forged": "0" * 64,
        "for another chat": grant(secret, "chat-image", org.id, member, other_chat),
        "for another member": grant(secret, "chat-image", org.id, "someone-else", chat_id),
    }
    with grpc.insecure_channel(stack.upload_target) as channel:
        stub = upload_pb2_grpc.UploadInternalServiceStub(channel)
        for label, proof in grants.items():
            requests = [
                upload_pb2.StoreChatImageRequest(header=header, chat_grant=proof),
                upload_pb2.StoreChatImageRequest(chunk=png_bytes()),
            ]
            with pytest.raises(grpc.RpcError) as refused:
                stub.StoreChatImage(iter(requests), metadata=bearer_metadata(token), timeout=30)
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND, label
        good = grant(secret, "chat-image", org.id, member, chat_id)
        requests = [
            upload_pb2.StoreChatImageRequest(header=header, chat_grant=good),
            upload_pb2.StoreChatImageRequest(chunk=png_bytes()),
        ]
        stored = stub.StoreChatImage(iter(requests), metadata=bearer_metadata(token), timeout=30).upload
    assert (stored.chat_id, stored.upload_type) == (chat_id, "image")
    with ui(org) as client:
        assert [u["id"] for u in uploads(client, chat_id)] == [stored.id]
