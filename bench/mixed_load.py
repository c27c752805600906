"""A mixed workload against the whole system, then a check that nothing was lost.

    .venv/bin/python bench/mixed_load.py                          # 20 users x 5 rounds
    .venv/bin/python bench/mixed_load.py --users 4 --rounds 2     # a quick look

Starts a private stack (SeaweedFS, Chat, Upload, gateway; rate limits raised) with the demo
database connected. Each virtual user runs rounds of what a client does: create a chat on the
database, upload a CSV to it, ask a question over SSE, ask another over WebSocket, list its chats
and read the chat back. Every request is timed per kind (p50/p99 and errors). Afterwards every
chat is read again: each user message must have its stored, non-error reply, and every stored
upload's object must be fetchable from S3 (its presigned URL) with the size the upload reported.
Prints a JSON report; exits 1 when a question lost its reply or an upload its object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.streams import gather_limited, pct, raise_fd_limit
from devstack.demo_db import create_demo_database
from devstack.stack import Stack, StackConfig
from services.chat.admin import create_integration
from services.chat.settings import ChatSettings
from services.chat.storage.stores import opened_stores

SSE_QUESTION = "How many orders are there?"
WS_QUESTION = "Total amount by order status"
CSV = b"department,spend\nSales,1200\nSupport,800\nResearch,1500\n"


def say(text: str) -> None:
    print(f"[mixed_load] {text}", file=sys.stderr, flush=True)


class Recorder:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    async def time(self, kind: str, coro: Any) -> Any:
        started = time.perf_counter()
        try:
            result = await coro
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, none stops the run
            self.errors[kind].append(f"{exc.__class__.__name__}: {exc}"[:300])
            return None
        self.ms[kind].append((time.perf_counter() - started) * 1000)
        return result

    def report(self) -> dict[str, Any]:
        kinds = sorted(set(self.ms) | set(self.errors))
        return {
            kind: {
                "ok": len(self.ms[kind]),
                "errors": len(self.errors[kind]),
                "p50_ms": _round(pct(self.ms[kind], 50)),
                "p99_ms": _round(pct(self.ms[kind], 99)),
                "first_error": self.errors[kind][0] if self.errors[kind] else None,
            }
            for kind in kinds
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ok(resp: httpx.Response) -> dict[str, Any]:
    if resp.status_code != 200:
        raise RuntimeError(f"HTTP {resp.status_code}: {resp.text[:200]}")
    return resp.json()  # type: ignore[no-any-return]


async def sse_turn(http: httpx.AsyncClient, chat_id: str) -> None:
    body = {"chat_id": chat_id, "message": SSE_QUESTION}
    async with http.stream("POST", "/v1/chats", json=body, headers={"Accept": "text/event-stream"}) as resp:
        text = (await resp.aread()).decode()
    if resp.status_code != 200 or "event: message" not in text:
        raise RuntimeError(f"HTTP {resp.status_code}: {text[-200:]}")


async def ws_turn(ws_url: str, token: str, chat_id: str) -> None:
    async with connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        json.loads(await ws.recv())  # authenticated
        await ws.send(json.dumps({"action": "send_message", "chat_id": chat_id, "message": WS_QUESTION}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if frame["event"] == "message":
                return
            if frame["event"] == "error":
                raise RuntimeError(f"error event: {frame['data']}")


async def user(stack: Stack, token: str, integration: str, rounds: int, rec: Recorder, out: dict[str, list]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    ws_url = stack.gateway_url.replace("http://", "ws://") + "/v1/chats/ws"
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=headers, timeout=120) as http:
        for _ in range(rounds):
            chat = await rec.time("create", http.post("/v1/chats/create", json={"integration_id": integration}))
            if chat is None or chat.status_code != 200:
                rec.errors["create"].append(f"HTTP {getattr(chat, 'status_code', '-')}") if chat is not None else None
                continue
            chat_id = chat.json()["id"]
            out["chats"].append(chat_id)
            files = {"files": ("spend.csv", CSV, "text/csv")}
            uploaded = await rec.time("upload", http.post("/v1/chats/uploads", data={"chat_id": chat_id}, files=files))
            if uploaded is not None:
                try:
                    out["uploads"].extend(_ok(uploaded)["uploads"])
                except RuntimeError as exc:
                    rec.errors["upload"].append(str(exc))
            await rec.time("sse_turn", sse_turn(http, chat_id))
            await rec.time("ws_turn", ws_turn(ws_url, token, chat_id))
            await rec.time("list", _checked(http.get("/v1/chats", params={"limit": 20})))
            await rec.time("get", _checked(http.get(f"/v1/chats/{chat_id}")))


async def _checked(request: Any) -> dict[str, Any]:
    return _ok(await request)


async def lost_work(http: httpx.AsyncClient, chat_ids: list[str], uploads: list[dict[str, Any]]) -> dict[str, int]:
    """Questions without a stored non-error reply, and uploads whose object cannot be fetched whole."""

    async def unanswered(chat_id: str) -> int:
        messages = _ok(await http.get(f"/v1/chats/{chat_id}"))["messages"]
        missing = 0
        for i, message in enumerate(messages):
            if message["role"] != "user":
                continue
            reply = messages[i + 1] if i + 1 < len(messages) else None
            if reply is None or reply["role"] != "assistant" or "error_code" in (reply.get("metadata") or {}):
                missing += 1
        return missing

    async def object_missing(upload: dict[str, Any]) -> bool:
        async with httpx.AsyncClient(timeout=60) as s3:
            resp = await s3.get(upload["presigned_url"])
        return resp.status_code != 200 or len(resp.content) != upload["file_size"]

    return {
        "questions_without_reply": sum(await gather_limited(16, [unanswered(c) for c in chat_ids])),
        "uploads_without_object": sum(await gather_limited(16, [object_missing(u) for u in uploads])),
    }


def setup(stack: Stack) -> tuple[str, str]:
    """An organization with the demo database connected, and a member's token."""
    settings = ChatSettings.model_validate(stack.service_env())
    path = settings.allowed_integration_dirs()[0] / "retail.db"
    create_demo_database(path)
    with opened_stores(settings.resolved_database_url()) as stores:
        org = stores.organizations.create_organization("Mixed load bench")
        _, key = stores.organizations.create_api_key(org.id, "bench")
        integration = create_integration(stores, settings, org.id, "Retail", f"sqlite:///{path.resolve()}").id
    resp = httpx.post(f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": key}, json={"email": "m@x.io"})
    resp.raise_for_status()
    return str(resp.json()["token"]), integration


async def drive(stack: Stack, users: int, rounds: int) -> dict[str, Any]:
    token, integration = setup(stack)
    rec = Recorder()
    out: dict[str, list] = {"chats": [], "uploads": []}
    say(f"{users} users x {rounds} rounds (create, upload, SSE turn, WebSocket turn, list, get)")
    begin = time.perf_counter()
    await asyncio.gather(*(user(stack, token, integration, rounds, rec, out) for _ in range(users)))
    wall = time.perf_counter() - begin
    async with httpx.AsyncClient(
        base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        lost = await lost_work(http, out["chats"], out["uploads"])
    requests = sum(len(v) for v in rec.ms.values())
    return {
        "users": users,
        "rounds": rounds,
        "wall_s": round(wall, 1),
        "requests_per_s": round(requests / wall, 1),
        "by_kind": rec.report(),
        "errors": sum(len(v) for v in rec.errors.values()),
        **lost,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20, help="concurrent virtual users")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per user")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the stack (e.g. CHAT_WORKERS=2)")
    args = parser.parse_args()
    raise_fd_limit()
    env = {
        "SEND_RATE_PER_MINUTE": "1000000",
        "CREATE_CHAT_RATE_PER_MINUTE": "1000000",
        "UPLOAD_RATE_PER_MINUTE": "1000000",
        "OPEN_CHAT_CAP": "1000000",
        "WS_MAX_CONNECTIONS_PER_TOKEN": "1000000",
        **dict(item.split("=", 1) for item in args.env),
    }
    with tempfile.TemporaryDirectory(prefix="mixed-load-") as tmp:
        stack = Stack(StackConfig(data_dir=Path(tmp), env=env, quiet=True)).start()
        try:
            report = asyncio.run(drive(stack, args.users, args.rounds))
        finally:
            stack.stop()
    print(json.dumps(report, indent=2))
    return 1 if report["questions_without_reply"] or report["uploads_without_object"] else 0


if __name__ == "__main__":
    sys.exit(main())
