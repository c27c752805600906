"""N concurrent turns answered by a model streaming at its own pace, through the gateway over SSE.

    .venv/bin/python bench/streams.py                       # N = 100, 300, 1000; 5 chunks/s for 10 s
    .venv/bin/python bench/streams.py --levels 20 --chunks 5 --rate 10   # a quick look

Starts a private stack (Chat service + gateway; rate limits and the open-chat cap raised) whose
only model is bench/paced_model.py, an OpenAI-compatible server streaming `--chunks` chunks at
`--rate` per second. For each N it creates N chats (untimed), then starts N turns arriving at
`--arrival` per second over raw HTTP/1.1 connections, and records per turn the time to the first
SSE event and to `message` (or `error`), the errors, the turns per second, and the peak resident
memory of the gateway and the Chat service against their idle memory (per open stream). Then it
reads every chat back and checks each user message has its stored reply. Prints a JSON report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.paced_model import PacedModel
from devstack.measure import PeakRss, rss
from devstack.stack import Stack, StackConfig
from services.chat.settings import ChatSettings
from services.chat.storage.stores import opened_stores

MODEL = "paced"


@dataclass
class Turn:
    chat_id: str
    first_ms: float | None = None
    done_s: float | None = None
    error: str | None = None


def say(text: str) -> None:
    print(f"[streams] {text}", file=sys.stderr, flush=True)


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the stack's processes inherit it


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def sse_turn(port: int, token: str, turn: Turn, started: float) -> None:
    body = json.dumps({"chat_id": turn.chat_id, "message": "How are sales going?", "model": MODEL}).encode()
    request = (
        f"POST /v1/chats HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        turn.error = f"connect: {exc.__class__.__name__}"
        return
    try:
        writer.write(request)
        status = (await reader.readline()).split(b" ")[1]
        buffer = b""
        while True:
            data = await reader.read(65536)
            if not data:
                break
            buffer += data
            if turn.first_ms is None and b"event: " in buffer:
                turn.first_ms = (time.perf_counter() - started) * 1000
            if b"event: message" in buffer:
                break
            if b"event: error" in buffer:
                turn.error = "error event: " + buffer[buffer.index(b"event: error") :][:200].decode(errors="replace")
                break
        if status != b"200":
            turn.error = f"HTTP {status.decode()}: {buffer[-300:].decode(errors='replace')}"
        elif turn.error is None and b"event: message" not in buffer:
            turn.error = "stream ended without message"
    except (OSError, asyncio.IncompleteReadError, IndexError) as exc:
        turn.error = f"{exc.__class__.__name__}: {exc}"
    finally:
        turn.done_s = time.perf_counter() - started
        writer.close()


async def gather_limited(limit: int, coros: list[Any]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


async def make_chats(http: httpx.AsyncClient, n: int) -> list[str]:
    async def create() -> str:
        resp = await http.post("/v1/chats/create", json={"title": "streams"})
        resp.raise_for_status()
        return str(resp.json()["id"])

    return await gather_limited(16, [create() for _ in range(n)])


async def stored_replies(http: httpx.AsyncClient, chat_ids: list[str]) -> int:
    """How many chats lack a stored, non-error reply after their user message."""

    async def missing(chat_id: str) -> bool:
        messages = (await http.get(f"/v1/chats/{chat_id}")).json().get("messages", [])
        roles = [m["role"] for m in messages]
        reply = messages[-1] if messages else {}
        return (
            roles != ["user", "assistant"] or not reply.get("content") or "error_code" in (reply.get("metadata") or {})
        )

    return sum(await gather_limited(16, [missing(c) for c in chat_ids]))


async def run_level(stack: Stack, token: str, n: int, arrival: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=headers, timeout=60) as http:
        chat_ids = await make_chats(http, n)
        pids = {name: stack.procs[name].proc.pid for name in ("gateway", "chat")}  # type: ignore[union-attr]
        idle = {name: rss(pid) for name, pid in pids.items()}
        turns = [Turn(c) for c in chat_ids]
        say(f"N={n}: {n} turns arriving at {arrival:g}/s")
        begin = time.perf_counter()
        with PeakRss(pids, interval=0.25) as peak:
            tasks = []
            for i, turn in enumerate(turns):
                delay = begin + i / arrival - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(sse_turn(stack.gateway_port, token, turn, time.perf_counter())))
            await asyncio.gather(*tasks)
        wall = time.perf_counter() - begin
        unanswered = await stored_replies(http, chat_ids)
    firsts = [t.first_ms for t in turns if t.first_ms is not None]
    durations = [t.done_s for t in turns if t.done_s is not None and t.error is None]
    errors = [t.error for t in turns if t.error]
    kinds: dict[str, int] = {}
    for error in errors:
        key = error.split(":")[0]
        kinds[key] = kinds.get(key, 0) + 1
    return {
        "n": n,
        "first_event_ms_p50": pct(firsts, 50),
        "first_event_ms_p99": pct(firsts, 99),
        "turn_s_p50": pct(durations, 50),
        "turn_s_p99": pct(durations, 99),
        "errors": len(errors),
        "error_kinds": kinds,
        "first_error": errors[0] if errors else None,
        "turns_per_s": round((n - len(errors)) / wall, 1),
        "unanswered_in_history": unanswered,
        "rss_idle_mib": {k: round(v / 2**20, 1) for k, v in idle.items()},
        "rss_peak_mib": {k: round(v / 2**20, 1) for k, v in peak.peak.items()},
        "kib_per_stream": {k: round((peak.peak[k] - idle[k]) / 1024 / n, 1) for k in pids},
    }


def start_stack(data_dir: Path, model: PacedModel, extra_env: dict[str, str]) -> Stack:
    env = {
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_API_KEY": "bench",
        "OPENAI_MODELS": f"{MODEL}=Paced model",
        "DEFAULT_MODEL": MODEL,
        "SEND_RATE_PER_MINUTE": "1000000",
        "CREATE_CHAT_RATE_PER_MINUTE": "1000000",
        "OPEN_CHAT_CAP": "1000000",
        "TURN_TIMEOUT_SECONDS": "600",
        **extra_env,
    }
    return Stack(StackConfig(data_dir=data_dir, with_upload=False, env=env, quiet=True)).start()


def token_for(stack: Stack) -> str:
    settings = ChatSettings.model_validate(stack.service_env())
    with opened_stores(settings.resolved_database_url()) as stores:
        org = stores.organizations.create_organization("Streams bench")
        _, key = stores.organizations.create_api_key(org.id, "bench")
    resp = httpx.post(f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": key}, json={"email": "b@x.io"})
    resp.raise_for_status()
    return str(resp.json()["token"])


def run(
    levels: list[int], chunks: int, rate: float, arrival: float, env: dict[str, str], data_dir: Path | None = None
) -> list[dict[str, Any]]:
    raise_fd_limit()
    results = []
    with PacedModel(chunks, rate) as model, tempfile.TemporaryDirectory(prefix="streams-") as tmp:
        stack = start_stack(data_dir or Path(tmp), model, env)
        say(f"stack in {stack.data_dir} (logs in {stack.log_dir}); chat pid {stack.procs['chat'].proc.pid}")  # type: ignore[union-attr]
        try:
            token = token_for(stack)
            for n in levels:
                results.append(asyncio.run(run_level(stack, token, n, arrival)))
                say(json.dumps(results[-1]))
        finally:
            stack.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="100,300,1000", help="comma-separated N")
    parser.add_argument("--chunks", type=int, default=50, help="chunks per model answer")
    parser.add_argument("--rate", type=float, default=5.0, help="chunks per second")
    parser.add_argument("--arrival", type=float, default=100.0, help="turns started per second")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the stack (e.g. GATEWAY_WORKERS=2)")
    parser.add_argument("--data-dir", type=Path, help="keep the stack's data and logs here (default: a temporary dir)")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    levels = [int(x) for x in args.levels.split(",")]
    print(json.dumps(run(levels, args.chunks, args.rate, args.arrival, env, args.data_dir), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
