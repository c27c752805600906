"""/metrics on the gateway and on each service's metrics port, counting what a real stack did."""

from __future__ import annotations

import httpx

from devstack.stack import Stack
from services.chat.engines.base import EMBEDDED_MODEL_ID as EMBEDDED
from tests.conftest import Org
from tests.helpers import add_integration, create_chat, post_files, token_of
from tests.observability.scrape import scrape, value
from tests.turn_clients import sse_turn
from tests.waiting import wait_until


def test_each_process_serves_prometheus_text_with_trellis_metrics(stack: Stack) -> None:
    for name, url in stack.metrics_urls.items():
        samples = scrape(url)
        assert any(metric.startswith("trellis_") for metric, _ in samples), name
        assert all(not m.startswith("trellis_") or m.islower() for m, _ in samples), name


def test_a_turn_an_upload_and_a_refusal_are_counted(stack: Stack, org: Org) -> None:
    integration = add_integration(stack, org.id)
    before = {name: scrape(url) for name, url in stack.metrics_urls.items()}
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
        _, events = sse_turn(stack.gateway_url, token_of(http), {"chat_id": chat_id, "message": "how many customers?"})
        assert events[-1][0] == "message", events
        assert post_files(http, chat_id, ("notes.csv", b"a,b\n1,2\n", "text/csv")).status_code == 200
        assert http.get(f"/v1/chats/{'0' * 8}-0000-4000-8000-{'0' * 12}").status_code == 404

    def counted() -> bool:
        after = scrape(stack.metrics_urls["chat"])
        return value(after, "trellis_turns_total", outcome="answered") > value(
            before["chat"], "trellis_turns_total", outcome="answered"
        )

    wait_until(counted, timeout=10, what="the turn to be counted")
    after = {name: scrape(url) for name, url in stack.metrics_urls.items()}

    def grew(process: str, name: str, **labels: str) -> float:
        return value(after[process], name, **labels) - value(before[process], name, **labels)

    # gateway: requests by route template, method and status; latency; streams; uploads
    assert grew("gateway", "trellis_http_requests_total", route="/v1/chats", method="POST", status="200") == 1
    assert grew("gateway", "trellis_http_requests_total", route="/v1/chats/{chat_id}", status="404") == 1
    assert grew("gateway", "trellis_http_request_duration_seconds_count", route="/v1/chats/create") == 1
    assert grew("gateway", "trellis_gateway_turn_first_event_seconds_count", transport="sse") == 1
    assert value(after["gateway"], "trellis_active_streams", transport="sse") == 0  # the stream closed
    assert grew("gateway", "trellis_upload_files_total", outcome="stored") == 1
    assert grew("gateway", "trellis_upload_bytes_total") == len(b"a,b\n1,2\n")
    # chat: RPCs by method and code, turns by engine and outcome, their timings
    chat_rpc = {"grpc_service": "trellis.v1.ChatService", "grpc_method": "SendMessage", "grpc_code": "OK"}
    assert grew("chat", "trellis_grpc_server_requests_total", **chat_rpc) == 1
    assert grew("chat", "trellis_grpc_server_requests_total", grpc_method="GetChat", grpc_code="NOT_FOUND") == 1
    assert grew("chat", "trellis_turns_total", engine=EMBEDDED, outcome="answered", code="") == 1
    assert grew("chat", "trellis_turn_first_event_seconds_count", engine=EMBEDDED) == 1
    assert grew("chat", "trellis_turn_duration_seconds_count", engine=EMBEDDED, outcome="answered") == 1
    # upload: the file's RPC
    assert grew("upload", "trellis_grpc_server_requests_total", grpc_method="UploadFile", grpc_code="OK") == 1


def test_rate_limit_rejections_are_counted(stack: Stack, org: Org) -> None:
    before = scrape(stack.metrics_urls["chat"])
    with org.client() as http:
        statuses = [http.post("/v1/chats/create", json={}).status_code for _ in range(21)]
    assert statuses[-1] == 429, statuses
    after = scrape(stack.metrics_urls["chat"])
    rejected = value(after, "trellis_rate_limit_rejections_total", limit="create_chat")
    assert rejected - value(before, "trellis_rate_limit_rejections_total", limit="create_chat") == 1


def test_metrics_need_no_token_and_are_not_cached(stack: Stack) -> None:
    resp = httpx.get(stack.metrics_urls["gateway"])
    assert resp.status_code == 200
    assert "# TYPE trellis_http_requests_total counter" in resp.text
