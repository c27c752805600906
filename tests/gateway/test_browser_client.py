"""A browser-style client (fetch + ReadableStream + TextDecoder, in Node.js) reads a whole SSE turn."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.conftest import make_org, missing, start_stack
from tests.helpers import chat_messages, demo_chat, token_of

pytestmark = pytest.mark.storage

SCRIPT = Path(__file__).with_name("browser_client.mjs")


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        missing("Node.js (`node`) is not on PATH: the browser-style fetch client cannot run")
    return path


def run_client(node: str, base_url: str, token: str, chat_id: str, question: str) -> tuple[int, dict, str]:
    proc = subprocess.run(
        [node, str(SCRIPT), base_url, token, chat_id, question],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.stdout.strip(), f"no summary on stdout (exit {proc.returncode}); stderr: {proc.stderr}"
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_browser_client_reads_a_whole_turn(node, stack, org) -> None:
    with demo_chat(stack, org) as (http, chat_id):
        code, out, stderr = run_client(node, stack.gateway_url, token_of(http), chat_id, "show regions")
        assert code == 0, f"exit {code}: {stderr} {out}"
        assert out["status"] == 200 and out["error"] is None

        events = [(e["event"], e["data"]) for e in out["events"]]
        names = [name for name, _ in events]
        assert names[0] == "chat_metadata" and events[0][1]["id"] == chat_id
        assert events[1] == ("processing", {"status": "starting"})
        assert names[-1] == "message" and names.count("message") == 1 and "error" not in names
        assert set(names) <= {"chat_metadata", "processing", "visualization", "text_delta", "message"}

        message = out["message"]
        assert message == events[-1][1]
        assert "text_delta" in names and out["deltas"] == message["content"]
        assert "".join(d["content"] for n, d in events if n == "text_delta") == message["content"]

        visualizations = [data for name, data in events if name == "visualization"]
        assert len(visualizations) == 1
        table = visualizations[0]
        assert table["type"] == "table" and table["headers"] == ["id", "name"] and len(table["rows"]) == 4
        assert len(table["id"]) == 10 and table["id"].isalnum()
        assert names.index("visualization") < names.index("message")

        history = chat_messages(http, chat_id)
        assert [m["role"] for m in history] == ["user", "assistant"]
        assert history[0]["id"] == events[0][1]["user_message_id"] and history[0]["content"] == "show regions"
        assert history[1]["id"] == message["id"] and history[1]["content"] == message["content"]
        assert history[1]["metadata"]["visualizations"] == visualizations


def _wrong_token(kind: str, real: str) -> str:
    if kind == "garbage":
        return "not-a-valid-token"
    # Well-formed, with the real token's claims, but signed with another key.
    claims = jwt.decode(real, options={"verify_signature": False})
    return jwt.encode(claims, "not-the-server-secret-" + "x" * 32, algorithm="HS256")


@pytest.mark.parametrize("kind", ["garbage", "wrong_signature"])
def test_browser_client_reports_http_401(node, stack, org, kind) -> None:
    with demo_chat(stack, org) as (http, chat_id):
        token = _wrong_token(kind, token_of(http))
        code, out, stderr = run_client(node, stack.gateway_url, token, chat_id, "show regions")
        assert code != 0
        assert out["status"] == 401 and out["events"] == [] and out["message"] is None
        assert out["error"]["kind"] == "http" and out["error"]["status"] == 401
        assert out["error"]["body"]["code"] == "UNAUTHENTICATED"
        assert "HTTP 401" in stderr and "UNAUTHENTICATED" in stderr
        # Nothing was stored for the refused turn.
        assert chat_messages(http, chat_id) == []


@pytest.fixture(scope="module")
def keepalive_stack(node, request, tmp_path_factory) -> Iterator:
    """Slow deltas and a very short SSE keepalive period, so `: keepalive` comments interleave."""
    env = {"ENGINE_STREAM_DELAY_MS": "20", "SSE_KEEPALIVE_SECONDS": "0.01"}
    yield from start_stack(request, tmp_path_factory.mktemp("keepalive"), with_upload=False, env=env)


def test_browser_client_ignores_keepalive_comments(node, keepalive_stack) -> None:
    org = make_org(keepalive_stack)
    with demo_chat(keepalive_stack, org) as (http, chat_id):
        question = "which tables are there"
        code, out, stderr = run_client(node, keepalive_stack.gateway_url, token_of(http), chat_id, question)
        assert code == 0, f"exit {code}: {stderr} {out}"
        assert out["comments"] > 0  # keepalives did arrive, between events
        names = [e["event"] for e in out["events"]]
        assert names[0] == "chat_metadata" and names[-1] == "message" and names.count("message") == 1
        assert set(names) <= {"chat_metadata", "processing", "visualization", "text_delta", "message"}
        assert out["deltas"] == out["message"]["content"]
        history = chat_messages(http, chat_id)
        assert history[-1]["id"] == out["message"]["id"] and history[-1]["content"] == out["deltas"]
