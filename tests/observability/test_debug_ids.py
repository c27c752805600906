"""One debug id per request, in the error body, the response header and every process's JSON log lines."""

from __future__ import annotations

import uuid

from devstack.stack import Stack
from tests.conftest import Org
from tests.helpers import assert_error, create_chat, post_files
from tests.observability.scrape import json_lines
from tests.waiting import wait_until


def _lines_with(stack: Stack, process: str, debug_id: str) -> list[dict]:
    return [line for line in json_lines(stack.log_dir / f"{process}.log") if line.get("debug_id") == debug_id]


def test_an_error_body_s_debug_id_finds_the_lines_of_every_process(stack: Stack, org: Org) -> None:
    with org.client() as http:
        resp = http.get(f"/v1/chats/{uuid.uuid4()}")
    body = assert_error(resp, 404, "CHAT_NOT_FOUND")
    debug_id = body["debug_id"]
    assert resp.headers["x-debug-id"] == debug_id
    gateway = wait_until(lambda: _lines_with(stack, "gateway", debug_id), what="the gateway's lines")
    chat = wait_until(lambda: _lines_with(stack, "chat", debug_id), what="the chat service's lines")
    assert any(line.get("route") == "/v1/chats/{chat_id}" and line.get("status") == 404 for line in gateway)
    assert any(line.get("code") == "CHAT_NOT_FOUND" and line.get("cause") for line in gateway)
    assert any(line.get("grpc_code") == "NOT_FOUND" and line.get("rpc", "").endswith("/GetChat") for line in chat)
    for line in gateway + chat:
        assert {"ts", "level", "service", "logger", "message"} <= line.keys()


def test_a_caller_s_debug_id_crosses_gateway_upload_and_chat(stack: Stack, org: Org) -> None:
    debug_id = "trace-" + uuid.uuid4().hex[:16]
    with org.client() as http:
        chat_id = create_chat(http)["id"]
        http.headers["X-Debug-Id"] = debug_id
        resp = post_files(http, chat_id, ("a.csv", b"x,y\n1,2\n", "text/csv"))
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-debug-id"] == debug_id
    # the gateway called the Upload service, which asked the Chat service whether the chat is the caller's
    for process in ("gateway", "upload", "chat"):
        wait_until(lambda process=process: _lines_with(stack, process, debug_id), what=f"{process} lines")


def test_an_unusable_caller_id_is_replaced(stack: Stack, org: Org) -> None:
    with org.client() as http:
        resp = http.get(f"/v1/chats/{uuid.uuid4()}", headers={"X-Debug-Id": 'bad" id'})
    assert resp.json()["debug_id"] == resp.headers["x-debug-id"] != 'bad" id'


def test_a_failed_turn_leaves_a_line_with_its_debug_id_and_cause(stack: Stack, org: Org) -> None:
    """A turn on a database that went away fails; the chat service says why, under the turn's id."""
    import shutil

    from services.chat.admin import create_integration
    from tests.helpers import chat_stores, demo_database_url, stack_settings
    from tests.turn_clients import parse_sse

    source = demo_database_url(stack).removeprefix("sqlite:///")
    doomed = stack_settings(stack).allowed_integration_dirs()[0] / f"gone-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(source, doomed)
    with chat_stores(stack) as stores:
        integration = create_integration(stores, stack_settings(stack), org.id, "Gone", f"sqlite:///{doomed}").id
    doomed.unlink()
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
        resp = http.post("/v1/chats", json={"chat_id": chat_id, "message": "how many customers?"})
    debug_id = resp.headers["x-debug-id"]
    if resp.status_code == 200:
        kind, data = parse_sse(resp.text)[-1]
        assert kind == "error" and data["debug_id"] == debug_id, (kind, data)
    else:
        assert resp.json()["debug_id"] == debug_id
    lines = wait_until(lambda: _lines_with(stack, "chat", debug_id), what="the chat service's lines")
    failures = [line for line in lines if line.get("cause") and line["level"] in ("WARNING", "ERROR", "INFO")]
    assert failures and all(line["debug_id"] == debug_id for line in failures), lines
