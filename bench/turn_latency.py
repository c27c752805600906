"""Turn latency over direct gRPC, SSE and WebSocket through the gateway, and SSE through the Envoy edge.

    .venv/bin/python bench/turn_latency.py [--turns 30] [--question "how many rows are in customers"]

Starts a private stack (Chat service, gateway and the Envoy edge; no Upload/SeaweedFS) in a
temporary directory, creates an organization, an API key and the demo integration, then runs the
same question `--turns` times over each transport, round-robin (the starting transport rotates
every round), so machine noise hits all of them alike; each round also asks the embedded engine
in this process, with no transport and no storage at all. For each turn it measures the time from
sending the request to receiving `chat_metadata` and to receiving `message` (for the engine: its
first event and its last), and prints p50/p90/p99/max per transport plus the ratios of the p50s
to direct gRPC, and of direct gRPC to the bare engine. Nothing is asserted.

Rate limits are respected without timing them: a fresh JWT (POST /v1/authenticate) every
TURNS_PER_TOKEN turns (30 turns/min per `jti` across transports), a fresh WebSocket every
TURNS_PER_SOCKET WebSocket turns (burst of 3 `send_message` per 10 s per socket), and fresh
chats with each token; reconnects, authentication and chat creation stay outside the timed region.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
from google.protobuf import json_format
from websockets.sync.client import ClientConnection, connect

from devstack.demo_db import create_demo_database
from devstack.stack import Stack, StackConfig
from services.chat.admin import create_integration
from services.chat.engines.base import Database, TurnContext
from services.chat.engines.embedded.engine import EmbeddedEngine
from services.chat.settings import ChatSettings
from services.chat.storage.stores import opened_stores
from services.common.gen.trellis.v1 import chat_pb2, chat_pb2_grpc

TRANSPORTS = ("grpc", "sse", "ws", "envoy")
ENGINE = "engine"  # the embedded engine in this process: what the transports and storage add to
TURNS_PER_TOKEN = 24  # < 30 sends/min per jti, with room for the warm-up turns
TURNS_PER_SOCKET = 3  # the per-socket burst: 3 send_message per 10 s
PROGRESS_EVERY = 5  # rounds


def say(text: str) -> None:
    print(f"[bench] {text}", flush=True)


class TurnFailedError(RuntimeError):
    pass


@dataclass
class Timing:
    metadata_ms: float
    message_ms: float


@dataclass
class Setup:
    stack: Stack
    api_key: str
    integration_id: str
    database_url: str
    email: str = "bench@example.com"


@dataclass
class Session:
    """Everything that is renewed with each token: the token, one chat per transport, the socket."""

    setup: Setup
    http: httpx.Client
    token: str = ""
    chats: dict[str, str] = field(default_factory=dict)
    ws: ClientConnection | None = None
    ws_scope: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    ws_turns: int = 0
    turns: int = 0

    def renew_token(self) -> None:
        self.close_socket()
        resp = self.http.post(
            "/v1/authenticate", headers={"X-API-Key": self.setup.api_key}, json={"email": self.setup.email}
        )
        resp.raise_for_status()
        self.token = resp.json()["token"]
        self.turns = 0
        for transport in TRANSPORTS:
            resp = self.http.post(
                "/v1/chats/create",
                headers=self.auth_headers(),
                json={"integration_id": self.setup.integration_id, "title": f"bench {transport}"},
            )
            resp.raise_for_status()
            self.chats[transport] = resp.json()["id"]

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def before_turn(self, transport: str) -> None:
        """Untimed preparation: a new token when its budget is spent, a new socket every few turns."""
        if not self.token or self.turns >= TURNS_PER_TOKEN:
            self.renew_token()
        if transport == "ws" and (self.ws is None or self.ws_turns >= TURNS_PER_SOCKET):
            self.open_socket()
        self.turns += 1

    def open_socket(self) -> None:
        self.close_socket()
        url = self.setup.stack.gateway_url.replace("http://", "ws://") + "/v1/chats/ws"
        self.ws = self.ws_scope.enter_context(connect(url, additional_headers=self.auth_headers(), open_timeout=10))
        frame = json.loads(self.ws.recv(10))
        if frame.get("event") != "authenticated":
            raise TurnFailedError(f"WebSocket authentication failed: {frame}")
        self.ws_turns = 0

    def close_socket(self) -> None:
        self.ws_scope.close()  # closes the socket (handshake included) if one is open
        self.ws = None


def grpc_turn(stub: chat_pb2_grpc.ChatServiceStub, session: Session, question: str) -> Timing:
    request = chat_pb2.SendMessageRequest(chat_id=session.chats["grpc"], message=question)
    metadata = [("authorization", f"Bearer {session.token}")]
    t_metadata = None
    start = time.perf_counter()
    for response in stub.SendMessage(request, metadata=metadata, timeout=60):
        kind = response.event.WhichOneof("event")
        if kind == "chat_metadata":
            t_metadata = time.perf_counter()
        elif kind == "message":
            return finish(start, t_metadata, time.perf_counter())
        elif kind == "error":
            raise TurnFailedError(f"gRPC turn failed: {json_format.MessageToDict(response.event.error)}")
    raise TurnFailedError("gRPC stream ended without a message")


def sse_turn(http: httpx.Client, session: Session, question: str, transport: str = "sse") -> Timing:
    headers = {**session.auth_headers(), "Accept": "text/event-stream"}
    body = {"chat_id": session.chats[transport], "message": question}
    t_metadata = None
    start = time.perf_counter()
    with http.stream("POST", "/v1/chats", json=body, headers=headers) as resp:
        if resp.status_code != 200:
            raise TurnFailedError(f"SSE turn refused: HTTP {resp.status_code} {resp.read().decode()}")
        event, data = None, []
        for line in resp.iter_lines():
            if line.startswith(":"):
                continue  # keepalive comment
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
                if event is None and transport == "envoy":
                    # Envoy's transcoded stream: each TurnEvent as JSON, its kind the one key of "event"
                    event = next(iter(json.loads(data[-1])["event"]))
            elif line == "" and event is not None:  # end of one event
                if event in ("chat_metadata", "chatMetadata"):
                    t_metadata = time.perf_counter()
                elif event == "message":
                    return finish(start, t_metadata, time.perf_counter())
                elif event == "error":
                    raise TurnFailedError(f"SSE turn failed: {''.join(data)}")
                event, data = None, []
    raise TurnFailedError("SSE stream ended without a message")


def ws_turn(session: Session, question: str) -> Timing:
    assert session.ws is not None
    frame = json.dumps({"action": "send_message", "chat_id": session.chats["ws"], "message": question})
    session.ws_turns += 1
    t_metadata = None
    start = time.perf_counter()
    session.ws.send(frame)
    while True:
        event = json.loads(session.ws.recv(60))
        if event["event"] == "chat_metadata":
            t_metadata = time.perf_counter()
        elif event["event"] == "message":
            return finish(start, t_metadata, time.perf_counter())
        elif event["event"] == "error":
            raise TurnFailedError(f"WebSocket turn failed: {event['data']}")


def engine_turn(engine: EmbeddedEngine, database: Database, question: str) -> Timing:
    """The engine alone, as a turn runs it (schema cached after the warm-up), no transport or storage."""

    async def answer() -> Timing:
        first = None
        start = time.perf_counter()
        async for _ in engine.answer(TurnContext(question=question, database=database)):
            first = first or time.perf_counter()
        return finish(start, first, time.perf_counter())

    return asyncio.run(answer())


def finish(start: float, t_metadata: float | None, t_message: float) -> Timing:
    if t_metadata is None:
        raise TurnFailedError("message arrived without chat_metadata before it")
    return Timing((t_metadata - start) * 1000, (t_message - start) * 1000)


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def prepare(stack: Stack) -> Setup:
    """An organization, its API key and the demo integration, made with the admin tooling."""
    settings = ChatSettings.model_validate(stack.service_env())
    db_path = settings.allowed_integration_dirs()[0] / "retail.db"
    if not db_path.exists():
        create_demo_database(db_path)
    with opened_stores(settings.resolved_database_url()) as stores:
        org = stores.organizations.create_organization(f"Bench {uuid.uuid4().hex[:6]}")
        _, api_key = stores.organizations.create_api_key(org.id, "bench")
        integration = create_integration(stores, settings, org.id, "Retail", f"sqlite:///{db_path.resolve()}")
    return Setup(stack, api_key, integration.id, f"sqlite:///{db_path.resolve()}")


def run(setup: Setup, turns: int, warmup: int, question: str) -> dict[str, list[Timing]]:
    results: dict[str, list[Timing]] = {t: [] for t in (*TRANSPORTS, ENGINE)}
    engine = EmbeddedEngine()
    database = Database(setup.database_url, "sqlite", "Retail")
    assert setup.stack.envoy_url is not None
    with (
        grpc.insecure_channel(setup.stack.chat_target) as channel,
        httpx.Client(base_url=setup.stack.gateway_url, timeout=60) as http,
        httpx.Client(base_url=setup.stack.envoy_url, timeout=60) as edge,
    ):
        stub = chat_pb2_grpc.ChatServiceStub(channel)
        session = Session(setup, http)
        runners = {
            "grpc": lambda: grpc_turn(stub, session, question),
            "sse": lambda: sse_turn(http, session, question),
            "ws": lambda: ws_turn(session, question),
            "envoy": lambda: sse_turn(edge, session, question, "envoy"),
        }
        try:
            for round_no in range(-warmup, turns):
                shift = round_no % len(TRANSPORTS)
                order = TRANSPORTS[shift:] + TRANSPORTS[:shift]
                timings = {}
                for transport in order:
                    session.before_turn(transport)  # untimed: token, chats, socket
                    timings[transport] = runners[transport]()
                timings[ENGINE] = engine_turn(engine, database, question)
                if round_no < 0:
                    continue  # warm-up: connections, caches, first-call imports
                for transport, timing in timings.items():
                    results[transport].append(timing)
                done = round_no + 1
                if done % PROGRESS_EVERY == 0 or done == turns:
                    last = ", ".join(f"{t} {timings[t].message_ms:6.1f} ms" for t in TRANSPORTS)
                    say(f"round {done:>3}/{turns}: message after {last}")
        finally:
            session.close_socket()
    return results


def report(results: dict[str, list[Timing]], turns: int, question: str) -> None:
    metrics = (("chat_metadata", "metadata_ms"), ("message", "message_ms"))
    names = (*TRANSPORTS, ENGINE)
    stats = {
        (t, attr): [percentile([getattr(x, attr) for x in results[t]], p) for p in (50, 90, 99, 100)]
        for t in names
        for _, attr in metrics
    }
    quartet = f"{'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}"
    print()
    print(f"Turn latency in ms, {turns} turns per transport, question {question!r}")
    print(f"{'':<10}| {'to chat_metadata':^31} | {'to message':^31}")
    print(f"{'transport':<10}| {quartet} | {quartet}")
    print("-" * 10 + "+" + "-" * 33 + "+" + "-" * 33)
    for t in names:
        cells = [" ".join(f"{v:7.1f}" for v in stats[t, attr]) for _, attr in metrics]
        print(f"{t:<10}| {cells[0]} | {cells[1]}")
    print(f"({ENGINE}: the embedded engine in this process, first event and last, no transport or storage)")
    print()
    for t, base_name in (("sse", "grpc"), ("ws", "grpc"), ("envoy", "grpc"), ("envoy", "sse"), ("grpc", ENGINE)):
        ratios = []
        # the engine's first event is a status it yields at once: only its whole answer compares
        for name, attr in metrics[1:] if base_name == ENGINE else metrics:
            base = stats[base_name, attr][0]
            ratios.append(f"{name} x{stats[t, attr][0] / base:.2f}" if base > 0 else f"{name} n/a")
        print(f"p50 ratio {t}/{base_name}: {', '.join(ratios)}")
    mean = {t: statistics.fmean(x.message_ms for x in results[t]) for t in names}
    print("mean to message: " + ", ".join(f"{t} {mean[t]:.1f} ms" for t in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=30, help="timed turns per transport (default 30)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--question", default="how many rows are in customers")
    args = parser.parse_args(argv)
    if args.turns < 1 or args.warmup < 0:
        parser.error("--turns must be at least 1 and --warmup at least 0")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as tmp:
        say("starting the stack (chat service, gateway, Envoy edge)")
        with Stack(StackConfig(data_dir=Path(tmp), with_upload=False, quiet=True, envoy_port=0)) as stack:
            elapsed = time.perf_counter() - started
            say(f"stack ready in {elapsed:.1f} s: gateway {stack.gateway_url}, chat {stack.chat_target}")
            setup = prepare(stack)
            say(f"organization, API key and demo integration ready; {args.warmup} warm-up round(s), then {args.turns}")
            try:
                results = run(setup, args.turns, args.warmup, args.question)
            except TurnFailedError as exc:
                say(f"turn failed: {exc}")
                return 1
            say("stopping the stack")
    report(results, args.turns, args.question)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
