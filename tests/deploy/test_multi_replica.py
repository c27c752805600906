"""Two gateway and two chat processes sharing PostgreSQL and Redis, as replicas do in Kubernetes:
limits hold whichever replica a request reaches, and a turn run by one replica is history for the other.

Started the way the manifests start them: ENVIRONMENT=production with the secrets given (each
replica has its own DATA_DIR, so nothing generated could be shared), MIGRATE_ON_START=false after a
migration job. gateway-1 talks to chat-1 and gateway-2 to chat-2, so a request's replica is known.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from devstack.ports import free_port
from devstack.stack import ROOT, Stack, StackConfig
from tests.conftest import REDIS_TEST_URL, Org, _drop_pg_database, _fresh_pg_database, _unavailable, make_org
from tests.helpers import add_integration, assert_error, bearer, chat_messages, create_chat
from tests.turn_clients import parse_sse, sse_stream, ws_recv, ws_url
from tests.waiting import wait_until


@dataclass
class Replicas:
    stack: Stack
    gateways: tuple[str, str]  # base URLs: gateway-1 (→ chat-1), gateway-2 (→ chat-2)


def _redis_reachable() -> None:
    import redis

    client = redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {REDIS_TEST_URL}", exc)
    finally:
        client.close()


@pytest.fixture(scope="module")
def replicas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    admin = request.getfixturevalue("postgres_server")
    _redis_reachable()
    name, url = _fresh_pg_database(admin)
    work = tmp_path_factory.mktemp("replicas")
    shared = {
        "ENVIRONMENT": "production",
        "JWT_SECRET": "replicas-test-" + Fernet.generate_key().decode(),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "MIGRATE_ON_START": "false",
        "SCHEMA_WAIT_SECONDS": "30",
        "INTEGRATION_ALLOWED_DIRS": str(work / "integrations"),
        "ENGINE_STREAM_DELAY_MS": "30",  # a turn lasts long enough to be seen while it runs
    }
    try:
        for service in ("chat", "upload"):  # the migration Jobs, before any service starts
            job = subprocess.run(
                [sys.executable, "-m", f"services.{service}.migrate"],
                env={**shared, "DATABASE_URL": url, "PATH": ""},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert job.returncode == 0, job.stderr
        stack = Stack(
            StackConfig(data_dir=work / "one", database_url=url, redis_url=REDIS_TEST_URL, env=shared, quiet=True)
        )
        stack.start()
        try:
            chat2, gateway2 = free_port(), free_port()
            stack.start_replica(
                "chat-2", "chat", {"CHAT_GRPC_ADDRESS": f"127.0.0.1:{chat2}", "DATA_DIR": str(work / "two")}
            )
            stack.start_replica(
                "gateway-2",
                "gateway",
                {
                    "GATEWAY_PORT": str(gateway2),
                    "CHAT_GRPC_TARGET": f"127.0.0.1:{chat2}",
                    "DATA_DIR": str(work / "two"),
                },
            )
            yield Replicas(stack, (stack.gateway_url, f"http://127.0.0.1:{gateway2}"))
        finally:
            stack.stop()
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture
def team(replicas: Replicas) -> Org:
    return make_org(replicas.stack, "Replicated Org")


def test_the_replicas_are_separate_processes_with_nothing_generated(replicas) -> None:
    procs = replicas.stack.procs
    assert {"chat", "chat-2", "gateway", "gateway-2", "upload"} <= set(procs)
    assert all(procs[name].running for name in ("chat", "chat-2", "gateway", "gateway-2"))
    assert not (replicas.stack.data_dir.parent / "two" / "secrets").exists()


def test_the_21st_chat_creation_in_a_minute_is_refused_whichever_replica_gets_it(replicas, team) -> None:
    headers = bearer(team.token())
    one, two = (httpx.Client(base_url=url, headers=headers, timeout=30) for url in replicas.gateways)
    with one, two:
        for i in range(20):  # ten on each replica: each alone is far under its limit
            resp = (one if i % 2 else two).post("/v1/chats/create", json={"title": f"chat {i}"})
            assert resp.status_code == 200, (i, resp.text)
        for client in (one, two):
            body = assert_error(client.post("/v1/chats/create", json={"title": "one too many"}), 429, "RATE_LIMIT")
            assert body["retry_after_seconds"] >= 1
        assert one.get("/v1/chats?page_size=100").json()["total"] == 20
        assert two.get("/v1/chats?page_size=100").json()["total"] == 20


def _close_code(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(10)
    assert info.value.rcvd is not None
    return info.value.rcvd.code


def test_the_fourth_websocket_of_a_token_is_refused_across_replicas(replicas, team) -> None:
    token = team.token()
    one, two = replicas.gateways
    with contextlib.ExitStack() as opened:
        for base in (one, one, two):  # three sockets, on both replicas
            ws = opened.enter_context(connect(ws_url(base), additional_headers=bearer(token)))
            assert ws_recv(ws)["event"] == "authenticated"
        for base in (two, one):
            with connect(ws_url(base), additional_headers=bearer(token)) as fourth:
                frame = ws_recv(fourth)
                assert frame["event"] == "error" and frame["data"]["code"] == "WS_CONNECTION_CAP", frame
                assert _close_code(fourth) == 4429


def test_a_turn_run_by_one_replica_is_history_on_the_other(replicas, team) -> None:
    integration = add_integration(replicas.stack, team.id)
    token = team.token()
    one, two = replicas.gateways
    with httpx.Client(base_url=one, headers=bearer(token), timeout=30) as via_one:
        chat = create_chat(via_one, integration_id=integration)["id"]
    question = "How many customers are there?"
    with (
        httpx.Client(base_url=two, headers=bearer(token), timeout=30) as via_two,
        sse_stream(one, token, {"chat_id": chat, "message": question}) as stream,
    ):
        assert stream.status_code == 200
        text = ""
        lines = stream.iter_lines()
        while "event: text_delta" not in text:  # chat-1 is mid-turn
            text += next(lines) + "\n"
        during = chat_messages(via_two, chat)  # read by chat-2 from the shared database
        assert [(m["role"], m["content"]) for m in during][:1] == [("user", question)]
        text += "\n".join(lines)
        events = parse_sse(text + "\n")
        assert events[-1][0] == "message", events[-3:]
        answer = events[-1][1]

        def answered() -> list[dict]:
            messages = chat_messages(via_two, chat)
            return messages if len(messages) == 2 else []

        after = wait_until(answered, "chat-2 sees the stored answer")
        assert after[1]["role"] == "assistant" and after[1]["id"] == answer["id"]
        assert after[1]["content"] == answer["content"]
