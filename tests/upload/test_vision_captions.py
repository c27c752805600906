"""Images get a caption from an OpenAI-compatible vision model when one is configured."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import grpc
import pytest

from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from tests.conftest import make_org, start_stack
from tests.fake_openai_server import FakeOpenAIServer, Reply
from tests.helpers import grpc_metadata
from tests.upload.samples import png_bytes


@pytest.fixture(scope="module")
def vision(request, tmp_path_factory) -> Iterator[tuple]:
    with FakeOpenAIServer() as server:
        env = {"VISION_MODEL": "vision-test", "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
        for stack in start_stack(request, tmp_path_factory.mktemp("vision"), env=env):
            yield stack, server


def _upload_png(stack, data: bytes) -> tuple[object, dict, str]:
    org = make_org(stack)
    http = org.client()
    chat = http.post("/v1/chats/create").json()["id"]
    resp = http.post("/v1/chats/uploads", data={"chat_id": chat}, files=[("files", ("chart.png", data, "image/png"))])
    http.close()
    assert resp.status_code == 200, resp.text
    return org, resp.json()["uploads"][0], chat


def _passages(stack, org, chat: str, query: str) -> list[str]:
    with grpc.insecure_channel(stack.upload_target) as channel:
        resp = upload_pb2_grpc.UploadInternalServiceStub(channel).SearchUploadChunks(
            upload_pb2.SearchUploadChunksRequest(chat_id=chat, query=query),
            metadata=grpc_metadata(stack, org.api_key, "user@example.com"),
            timeout=10,
        )
    return [c.text for c in resp.chunks]


def test_the_model_caption_is_indexed(vision) -> None:
    stack, server = vision
    caption = "A bar chart titled Quarterly Revenue with four bars; Q4 is the highest at 1.2M."
    server.script(Reply(body={"choices": [{"message": {"role": "assistant", "content": caption}}]}))
    data = png_bytes()
    org, _, chat = _upload_png(stack, data)
    [request] = server.requests
    assert request["headers"].get("authorization") == "Bearer sk-test"
    assert request["json"]["model"] == "vision-test"
    image = request["json"]["messages"][0]["content"][1]["image_url"]["url"]
    assert image == "data:image/png;base64," + base64.b64encode(data).decode()
    texts = _passages(stack, org, chat, "quarterly revenue chart")
    assert any(caption in t for t in texts)


def test_a_failing_model_leaves_the_factual_description(vision) -> None:
    stack, server = vision
    server.script(Reply(status=500, body={"error": {"message": "boom"}}))
    org, upload, chat = _upload_png(stack, png_bytes(color=(20, 40, 220)))
    assert upload["upload_type"] == "image"
    texts = _passages(stack, org, chat, "image png pixels")
    assert texts and "vision model" not in " ".join(texts) and "64" in " ".join(texts)  # 64x48 from the image
