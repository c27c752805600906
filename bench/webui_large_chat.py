"""Open WebUI's chat routes on a 5,000-message chat against a 10-message one, in one run.

    .venv/bin/python bench/webui_large_chat.py [--runs 30] [--large 5000] [--small 10] [--database-url URL]

Starts a private stack (Chat service + gateway) in a temporary directory (SQLite, or the empty
PostgreSQL database given with --database-url), creates both chats with POST /api/v1/chats/new
(linear histories of user/assistant turns, ~250 characters a message), then times, round-robin
over the two chats so machine noise hits both alike:

- GET /api/v1/chats/{id}: the whole document (every message, rebuilt from the rows);
- a one-message update: POST /api/v1/chats/{id} whose `history` holds one new message under the
  current one and moves `currentId` to it (what a client that sends only what changed does; the
  merge never deletes, so this is a complete save);
- for reference, the stock UI's save: POST /api/v1/chats/{id} with the whole history and the
  `messages` list, one new message added (its cost has to grow with the chat: it sends it all).

Prints p50/p90/max per request and chat, and the large/small p50 ratio of each. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import Stack, StackConfig
from services.chat.settings import ChatSettings
from services.chat.storage.stores import opened_stores

WORDS = "revenue region quarter customers orders growth margin product churn forecast".split()


def say(text: str) -> None:
    print(f"[bench] {text}", flush=True)


def text_of(n: int, chars: int = 250) -> str:
    words = [WORDS[(n + i) % len(WORDS)] for i in range(chars // 7)]
    return " ".join(words)[:chars]


def history_of(count: int) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    parent = None
    for n in range(count):
        mid = str(uuid.uuid4())
        role = "user" if n % 2 == 0 else "assistant"
        messages[mid] = {
            "id": mid,
            "parentId": parent,
            "childrenIds": [],
            "role": role,
            "content": text_of(n),
            "timestamp": int(time.time()),
            **({"model": "embedded-sql", "done": True} if role == "assistant" else {"models": ["embedded-sql"]}),
        }
        if parent:
            messages[parent]["childrenIds"].append(mid)
        parent = mid
    return {"messages": messages, "currentId": parent}


def linear(history: dict[str, Any]) -> list[dict[str, Any]]:
    out, walk = [], history["currentId"]
    while walk:
        out.append(history["messages"][walk])
        walk = history["messages"][walk]["parentId"]
    return out[::-1]


class Chat:
    def __init__(self, http: httpx.Client, size: int) -> None:
        self.http = http
        self.size = size
        self.history = history_of(size)
        doc = {"title": f"{size} messages", "models": ["embedded-sql"], "history": self.history}
        resp = http.post("/api/v1/chats/new", json={"chat": {**doc, "messages": linear(self.history)}})
        resp.raise_for_status()
        self.id = resp.json()["id"]

    def _new_message(self) -> dict[str, Any]:
        mid, parent = str(uuid.uuid4()), self.history["currentId"]
        message = {"id": mid, "parentId": parent, "childrenIds": [], "role": "user", "content": text_of(7)}
        self.history["messages"][mid] = message
        self.history["messages"][parent]["childrenIds"].append(mid)
        self.history["currentId"] = mid
        return message

    def get(self) -> float:
        return timed(lambda: self.http.get(f"/api/v1/chats/{self.id}"))

    def update_one(self) -> float:
        message = self._new_message()
        body = {"chat": {"history": {"messages": {message["id"]: message}, "currentId": message["id"]}}}
        return timed(lambda: self.http.post(f"/api/v1/chats/{self.id}", json=body))

    def save_whole(self) -> float:
        self._new_message()
        body = {"chat": {"models": ["embedded-sql"], "history": self.history, "messages": linear(self.history)}}
        return timed(lambda: self.http.post(f"/api/v1/chats/{self.id}", json=body))


def timed(call: Any) -> float:
    started = time.perf_counter()
    resp = call()
    elapsed = (time.perf_counter() - started) * 1000
    resp.raise_for_status()
    return elapsed


def token_for(stack: Stack) -> str:
    settings = ChatSettings.model_validate(stack.service_env())
    with opened_stores(settings.resolved_database_url()) as stores:
        org = stores.organizations.create_organization(f"Bench {uuid.uuid4().hex[:6]}")
        _, api_key = stores.organizations.create_api_key(org.id, "bench")
    resp = httpx.post(
        f"{stack.gateway_url}/v1/authenticate", headers={"X-API-Key": api_key}, json={"email": "bench@example.com"}
    )
    resp.raise_for_status()
    return str(resp.json()["token"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(stack: Stack, small: int, large: int, runs: int, warmup: int) -> dict[tuple[str, int], list[float]]:
    results: dict[tuple[str, int], list[float]] = {}
    with httpx.Client(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token_for(stack)}"}) as http:
        http.timeout = 120
        started = time.perf_counter()
        chats = [Chat(http, small), Chat(http, large)]
        say(f"chats of {small} and {large} messages created in {time.perf_counter() - started:.1f} s")
        for kind in ("get", "update_one", "save_whole"):
            for round_no in range(warmup + runs):
                order = chats if round_no % 2 == 0 else chats[::-1]
                for chat in order:
                    elapsed = getattr(chat, kind)()
                    if round_no >= warmup:
                        results.setdefault((kind, chat.size), []).append(elapsed)
            say(f"{kind}: done")
    return results


LABELS = {
    "get": "GET /api/v1/chats/{id} (whole document)",
    "update_one": "POST /api/v1/chats/{id}, one new message",
    "save_whole": "POST /api/v1/chats/{id}, whole history (stock UI)",
}


def report(results: dict[tuple[str, int], list[float]], small: int, large: int, runs: int) -> None:
    print()
    print(f"Latency in ms, {runs} timed requests each, p50 / p90 / max")
    print(f"{'request':<52}| {f'{small} messages':^23} | {f'{large} messages':^23} | p50 ratio")
    print("-" * 52 + "+" + "-" * 25 + "+" + "-" * 25 + "+" + "-" * 10)
    for kind, label in LABELS.items():
        cells = []
        for size in (small, large):
            values = results[(kind, size)]
            cells.append(f"{percentile(values, 50):6.1f} {percentile(values, 90):7.1f} {max(values):7.1f}")
        ratio = statistics.median(results[(kind, large)]) / statistics.median(results[(kind, small)])
        print(f"{label:<52}| {cells[0]:^23} | {cells[1]:^23} | x{ratio:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per chat and kind (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default 3)")
    parser.add_argument("--small", type=int, default=10, help="messages in the small chat (default 10)")
    parser.add_argument("--large", type=int, default=5000, help="messages in the large chat (default 5000)")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as tmp:
        config = StackConfig(data_dir=Path(tmp), with_upload=False, quiet=True, database_url=args.database_url)
        with Stack(config) as stack:
            say(f"stack ready: gateway {stack.gateway_url} ({'PostgreSQL' if args.database_url else 'SQLite'})")
            results = run(stack, args.small, args.large, args.runs, args.warmup)
    report(results, args.small, args.large, args.runs)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
