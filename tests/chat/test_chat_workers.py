"""CHAT_WORKERS: several Chat service processes on one port, the gateway's connections spread over
them, a crashed worker started again, and their metrics summed on the one metrics port."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_org, start_stack
from tests.helpers import add_integration, chat_messages, create_chat
from tests.turn_clients import sse_turn
from tests.waiting import wait_until

pytestmark = pytest.mark.storage

WORKERS = 2


@pytest.fixture(scope="module")
def workers_stack(request, tmp_path_factory) -> Iterator:
    # 16 connections: the kernel hashes each to a worker, so all landing on one is a 1-in-32,768 chance
    env = {"CHAT_WORKERS": str(WORKERS), "CHAT_GRPC_CHANNELS": "16"}
    yield from start_stack(request, tmp_path_factory.mktemp("workers"), with_upload=False, env=env)


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _established_ports(pid: int) -> set[int]:
    """Local ports of the TCP connections `pid` has open (from /proc: no extra dependency)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _ask(stack, org, integration: str) -> str:
    with org.client() as http:
        chat_id = create_chat(http, integration_id=integration)["id"]
    resp, events = sse_turn(
        stack.gateway_url, org.token(), {"chat_id": chat_id, "message": "how many orders are there"}
    )
    assert resp.status_code == 200 and events[-1][0] == "message", (resp.status_code, events[-2:])
    return chat_id


def test_workers_share_the_port_and_every_turn_is_answered(workers_stack) -> None:
    parent = workers_stack.procs["chat"].proc.pid
    workers = wait_until(lambda: len(_children(parent)) == WORKERS and _children(parent), "both workers run")
    org = make_org(workers_stack)
    integration = add_integration(workers_stack, org.id)
    with ThreadPoolExecutor(8) as pool:
        chat_ids = list(pool.map(lambda _: _ask(workers_stack, org, integration), range(24)))
    with org.client() as http:
        for chat_id in chat_ids:
            assert [m["role"] for m in chat_messages(http, chat_id)] == ["user", "assistant"]
    chat_port = int(workers_stack.chat_target.rsplit(":", 1)[1])
    serving = [w for w in workers if chat_port in _established_ports(w)]
    assert serving == workers  # the gateway's connections reached every worker

    # One summed exposition: the parent's metrics port counts the turns every worker answered.
    metrics = httpx.get(workers_stack.metrics_urls["chat"], timeout=10).text
    answered = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("trellis_turns_total{") and 'outcome="answered"' in line
    )
    assert answered >= len(chat_ids)


def test_a_crashed_worker_is_started_again(workers_stack) -> None:
    parent = workers_stack.procs["chat"].proc.pid
    before = wait_until(lambda: len(_children(parent)) == WORKERS and _children(parent), "both workers run")
    os.kill(before[0], signal.SIGKILL)
    after = wait_until(
        lambda: (kids := _children(parent)) and len(kids) == WORKERS and before[0] not in kids and kids,
        "the killed worker is replaced",
    )
    assert before[1] in after
    org = make_org(workers_stack)
    integration = add_integration(workers_stack, org.id)
    # connections to the dead worker reconnect to a live one on their next call
    wait_until(lambda: _try(workers_stack, org, integration), "a turn is answered again")
    for _ in range(8):
        _ask(workers_stack, org, integration)


def _try(stack, org, integration: str) -> bool:
    try:
        _ask(stack, org, integration)
    except AssertionError:
        return False
    return True
