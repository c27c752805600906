"""The Envoy edge (deploy/envoy/) with the real binary, call for call against the Python gateway:
authenticate, chat CRUD, saved queries, errors (status and body), a forged token, a streamed turn as
server-sent events, the routes it forwards to the gateway, and what it never exposes.

The JSON differences README.md documents ("Envoy and the gateway") are asserted here as they are."""

from __future__ import annotations

import json
import time
from typing import Any

import grpc
import httpx
import jwt
import pytest

from services.common.errors import CODES, HTTP_FROM_GRPC
from services.common.gen.trellis.v1 import (
    chat_pb2,
    chat_pb2_grpc,
    project_pb2,
    project_pb2_grpc,
    upload_pb2,
    upload_pb2_grpc,
)
from tests.helpers import add_integration, bearer, bearer_metadata, create_chat, make_admin, post_files
from tests.turn_clients import parse_sse, ws_turn

MISSING_CHAT = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
# Codes whose HTTP status no gRPC code gives through Envoy (grpc-gateway's table), and why it does
# not matter: the upload route is the gateway's even through Envoy; MODEL_ERROR only ends a stream.
STATUS_EXCEPTIONS = {"PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "MODEL_ERROR"}


def clients(stack, envoy, token: str) -> tuple[httpx.Client, httpx.Client]:
    headers = bearer(token)
    return (
        httpx.Client(base_url=envoy.url, headers=headers, timeout=60),
        httpx.Client(base_url=stack.gateway_url, headers=headers, timeout=60),
    )


def assert_same_error(via_envoy: httpx.Response, via_gateway: httpx.Response, status: int, code: str) -> None:
    """The same status; Envoy's body is a google.rpc.Status whose ErrorInfo carries the gateway's code."""
    assert via_envoy.status_code == via_gateway.status_code == status, (via_envoy.text, via_gateway.text)
    assert via_envoy.headers["content-type"] == "application/json"
    gateway = via_gateway.json()
    status_body = via_envoy.json()
    assert set(status_body) == {"code", "message", "details"}
    assert status_body["code"] == CODES[code].grpc_code.value[0]
    assert status_body["message"] == gateway["detail"]
    (info,) = [d for d in status_body["details"] if d["@type"].endswith("google.rpc.ErrorInfo")]
    assert info["reason"] == gateway["code"] == code and info["domain"] == "trellis.v1"
    assert len(info["metadata"]["debug_id"]) == len(gateway["debug_id"]) == 16


def test_the_same_code_gets_the_same_http_status_through_either_front() -> None:
    differing = {code for code, info in CODES.items() if HTTP_FROM_GRPC[info.grpc_code] != info.http_status}
    assert differing == STATUS_EXCEPTIONS


def test_authenticate_through_envoy_gives_a_token_the_gateway_accepts(stack, org, envoy) -> None:
    body = {"email": "edge@example.com"}
    via_envoy = httpx.post(f"{envoy.url}/v1/authenticate", headers={"X-API-Key": org.api_key}, json=body)
    via_gateway = httpx.post(f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": org.api_key}, json=body)
    assert via_envoy.status_code == via_gateway.status_code == 200
    a, b = via_envoy.json(), via_gateway.json()
    assert set(a) == set(b) == {"token", "member_id", "organization_id", "expires_at"}
    assert (a["member_id"], a["organization_id"]) == (b["member_id"], b["organization_id"])
    for token, base in ((a["token"], stack.gateway_url), (b["token"], envoy.url)):
        assert httpx.get(f"{base}/v1/chats", headers=bearer(token)).status_code == 200
    wrong = {"X-API-Key": "trk_not_a_key"}
    assert_same_error(
        httpx.post(f"{envoy.url}/v1/authenticate", headers=wrong, json=body),
        httpx.post(f"{stack.gateway_url}/v1/authenticate", headers=wrong, json=body),
        401,
        "UNAUTHENTICATED",
    )


def test_a_forged_token_is_refused_by_both(stack, org, envoy) -> None:
    real = jwt.decode(org.token(), options={"verify_signature": False})
    forged = jwt.encode({**real, "exp": int(time.time()) + 3600}, "not-the-secret" * 4, algorithm="HS256")
    via_envoy, via_gateway = clients(stack, envoy, forged)
    with via_envoy, via_gateway:
        assert_same_error(via_envoy.get("/v1/chats"), via_gateway.get("/v1/chats"), 401, "UNAUTHENTICATED")
        no_token = {"Authorization": ""}
        assert via_envoy.get("/v1/chats", headers=no_token).status_code == 401
        assert via_gateway.get("/v1/chats", headers=no_token).status_code == 401


def test_chat_crud_and_errors_match(stack, org, envoy) -> None:
    via_envoy, via_gateway = clients(stack, envoy, org.token("crud@example.com"))
    with via_envoy, via_gateway:
        created = via_envoy.post("/v1/chats/create", json={"title": "Edge"})
        assert created.status_code == 200, created.text
        chat = created.json()
        assert via_envoy.get(f"/v1/chats/{chat['id']}").json() == via_gateway.get(f"/v1/chats/{chat['id']}").json()
        assert via_envoy.get("/v1/chats").json() == via_gateway.get("/v1/chats").json()
        renamed = via_envoy.put(f"/v1/chats/{chat['id']}", json={"title": "Edge, renamed"})
        assert renamed.json() == via_gateway.put(f"/v1/chats/{chat['id']}", json={"title": "Edge, renamed"}).json()

        assert_same_error(
            via_envoy.get(f"/v1/chats/{MISSING_CHAT}"),
            via_gateway.get(f"/v1/chats/{MISSING_CHAT}"),
            404,
            "CHAT_NOT_FOUND",
        )
        bad = {"chat_id": "", "message": "hello"}
        assert_same_error(
            via_envoy.post("/v1/chats", json=bad), via_gateway.post("/v1/chats", json=bad), 400, "MISSING_CHAT_ID"
        )
        too_long = {"title": "x" * 1000}
        assert_same_error(
            via_envoy.post("/v1/chats/create", json=too_long),
            via_gateway.post("/v1/chats/create", json=too_long),
            400,
            "INVALID_REQUEST",
        )
        deleted = via_envoy.delete(f"/v1/chats/{chat['id']}")
        assert deleted.status_code == 200 and deleted.json() == {"message": "Chat deleted successfully"}
        assert via_gateway.get(f"/v1/chats/{chat['id']}").status_code == 404


def test_saved_queries_match(stack, org, envoy) -> None:
    make_admin(stack, org.id, "queries-admin@example.com")
    via_envoy, via_gateway = clients(stack, envoy, org.token("queries-admin@example.com"))
    member_envoy, member_gateway = clients(stack, envoy, org.token("queries-member@example.com"))
    with via_envoy, via_gateway, member_envoy, member_gateway:
        body = {"title": "Customers", "prompt": "How many?", "sql": "SELECT COUNT(*) AS n FROM customers"}
        created = via_envoy.post("/v1/queries", json=body)
        assert created.status_code == 200, created.text
        query = created.json()
        path = f"/v1/queries/{query['id']}"
        assert via_envoy.get(path).json() == via_gateway.get(path).json() == query
        assert via_envoy.get("/v1/queries").json() == via_gateway.get("/v1/queries").json()
        patched = via_envoy.patch(path, json={"title": "All customers"})
        assert patched.status_code == 200 and patched.json()["title"] == "All customers"
        assert via_gateway.get(path).json() == patched.json()
        assert_same_error(
            member_envoy.post("/v1/queries", json=body), member_gateway.post("/v1/queries", json=body), 403, "FORBIDDEN"
        )
        assert via_envoy.delete(path).status_code == 200
        assert_same_error(via_envoy.get(path), via_gateway.get(path), 404, "NOT_FOUND")


def upload_storage_path(upload: dict[str, Any], org, chat: str) -> str:
    return f"{org.id}/{chat}/{upload['id']}"


def sse_frames(text: str) -> list[dict[str, Any]]:
    """Envoy's server-sent events: `data: <one gRPC message as JSON>` frames, no `event:` line."""
    frames = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        assert block.startswith("data: ") and "\n" not in block, block
        frames.append(json.loads(block.removeprefix("data: ")))
    return frames


def test_a_turn_streams_through_envoy_as_server_sent_events_ending_with_the_answer(stack, org, envoy) -> None:
    integration = add_integration(stack, org.id)
    token = org.token("turns@example.com")
    via_envoy, via_gateway = clients(stack, envoy, token)
    question = "Total sales by region in 2025, as a bar chart"
    with via_envoy, via_gateway:
        chats = [create_chat(c, integration_id=integration)["id"] for c in (via_envoy, via_gateway)]
        with via_envoy.stream("POST", "/v1/chats", json={"chat_id": chats[0], "message": question}) as resp:
            assert resp.status_code == 200
            assert resp.headers["content-type"] == "text/event-stream"
            frames = sse_frames(resp.read().decode())
        gateway = via_gateway.post("/v1/chats", json={"chat_id": chats[1], "message": question})
        # The stored history reads the same through both fronts.
        assert via_envoy.get(f"/v1/chats/{chats[0]}").json() == via_gateway.get(f"/v1/chats/{chats[0]}").json()
        history = via_gateway.get(f"/v1/chats/{chats[0]}").json()["messages"]
    events = parse_sse(gateway.text)
    # Envoy: each frame is a SendMessageResponse; its one `event` field is the gateway's `event:` name.
    pairs = list(zip([next(iter(f["event"].items())) for f in frames], events, strict=True))
    assert [kind for (kind, _), _ in pairs] == [name for name, _ in events]
    assert pairs[0][0][0] == "chat_metadata" and pairs[-1][0][0] == "message"
    assert frames[0]["event"]["chat_metadata"]["id"] == chats[0]
    for (kind, payload), (_, expected) in pairs:
        if kind == "processing":  # the enum's proto name, not the lower-case word
            assert payload == {"status": "PROCESSING_STATUS_" + expected["status"].upper()}
        elif kind == "visualization" and "chart" in payload:  # the proto's oneof, not flattened
            chart = payload["chart"]
            assert chart["chart_type"] == "CHART_TYPE_" + expected["chart_type"].upper() == "CHART_TYPE_BAR"
            assert [{"label": v["label"], "value": v["value"]} for v in chart["values"]] == expected["data"]["values"]
            assert chart["title"] == expected["title"]
        elif kind == "visualization":
            table = payload["table"]
            assert (table["headers"], table["rows"]) == (expected["headers"], expected["rows"])
        elif kind in ("text_delta", "message"):
            assert payload["content"] == expected["content"]
    final = frames[-1]["event"]["message"]
    assert history[-1]["id"] == final["id"] and history[-1]["content"] == final["content"] != ""


def test_websocket_and_multipart_uploads_go_through_envoy_to_the_gateway(stack, org, envoy) -> None:
    integration = add_integration(stack, org.id)
    token = org.token("forwarded@example.com")
    via_envoy, via_gateway = clients(stack, envoy, token)
    with via_envoy, via_gateway:
        chat = create_chat(via_envoy, integration_id=integration)["id"]
        events = ws_turn(envoy.url, token, {"chat_id": chat, "message": "How many products are there?"})
        assert events[0][0] == "chat_metadata" and events[-1][0] == "message"

        uploaded = post_files(via_envoy, chat, ("notes.csv", b"city,units\nLisbon,3\nPorto,5\n", "text/csv"))
        assert uploaded.status_code == 200, uploaded.text
        (upload,) = uploaded.json()["uploads"]
        listed = [via.get(f"/v1/chats/{chat}/uploads").json() for via in (via_envoy, via_gateway)]
        for body in listed:  # presigned URLs are signed afresh on each call
            for item in body["uploads"]:
                item.pop("presigned_url")
        # Envoy prints every field of the proto's Upload (chat_id, storage_path) and leaves out an unset
        # optional one; the gateway answers docs/api.md's shape (message_id: null).
        (envoy_item,), (gateway_item,) = listed[0].pop("uploads"), listed[1].pop("uploads")
        assert listed[0] == listed[1] == {"chat_id": chat}
        assert gateway_item.pop("message_id") is None and "message_id" not in envoy_item
        assert envoy_item == gateway_item | {"chat_id": chat, "storage_path": upload_storage_path(upload, org, chat)}
        gone = via_envoy.delete(f"/v1/chats/uploads/{upload['id']}")
        assert gone.status_code == 200 and gone.json() == {"message": "Upload deleted successfully"}
    assert httpx.get(f"{envoy.url}/healthz").json() == httpx.get(f"{stack.gateway_url}/healthz").json()


def test_envoy_never_exposes_the_internal_services(stack, org, envoy) -> None:
    token = org.token("internal@example.com")
    as_http = httpx.post(
        f"{envoy.url}/trellis.v1.UploadInternalService/GetUploads", headers=bearer(token), json={"upload_ids": []}
    )
    assert as_http.status_code == 404 and as_http.json()["code"] == 5
    request = upload_pb2.GetUploadsRequest(upload_ids=[MISSING_CHAT])
    with grpc.insecure_channel(f"127.0.0.1:{envoy.port}") as channel:
        with pytest.raises(grpc.RpcError) as refused:
            upload_pb2_grpc.UploadInternalServiceStub(channel).GetUploads(
                request, metadata=bearer_metadata(token), timeout=10
            )
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
        with pytest.raises(grpc.RpcError) as refused:  # the Upload service's question to the Chat service
            check = project_pb2.CheckProjectChangeRequest(project_id=MISSING_CHAT)
            project_pb2_grpc.ProjectInternalServiceStub(channel).CheckProjectChange(
                check, metadata=bearer_metadata(token), timeout=10
            )
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
        # The public services pass as native gRPC.
        listed = chat_pb2_grpc.ChatServiceStub(channel).ListChats(
            chat_pb2.ListChatsRequest(), metadata=bearer_metadata(token), timeout=10
        )
        assert listed.total == 0
        projects = project_pb2_grpc.ProjectServiceStub(channel).ListProjects(
            project_pb2.ListProjectsRequest(), metadata=bearer_metadata(token), timeout=10
        )
        assert projects.total == 0
    with grpc.insecure_channel(stack.upload_target) as channel:  # the service itself does serve it
        direct = upload_pb2_grpc.UploadInternalServiceStub(channel).GetUploads(
            request, metadata=bearer_metadata(token), timeout=10
        )
        assert list(direct.uploads) == []


@pytest.mark.parametrize(
    "path", ["/v1/nothing-here", "/v1/projectz", "/trellis.v1.ProjectInternalService/CheckProjectChange"]
)
def test_unknown_paths_are_404_with_a_status_body(org, envoy, path) -> None:
    resp = httpx.get(f"{envoy.url}{path}", headers=bearer(org.token()))
    assert resp.status_code == 404
    assert resp.json()["code"] == 5 and resp.json()["details"] == []
