"""The run command: whole system up with the demo organization, Ctrl-C stops every process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

import httpx

from devstack.ports import free_port
from devstack.stack import ROOT
from tests.waiting import wait_until


def _start(env: dict[str, str], log) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: "Press Ctrl-C" in open(log.name).read() or proc.poll() is not None,
            "the run command is ready",
            timeout=120,
            interval=0.2,
        )
    except AssertionError:
        proc.kill()
        raise AssertionError(f"run command not ready:\n{open(log.name).read()}") from None
    if "Press Ctrl-C" not in open(log.name).read():
        raise AssertionError(f"run command exited early:\n{open(log.name).read()}")
    return proc


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    return proc.wait(60)


def _closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _printed_walkthrough_streams_an_answer(output: str) -> None:
    """The printed commands, pasted into bash as they are, ask the demo question and stream the answer."""
    block = output.split("Try it")[1].split("\n\n", 2)[1].split("\nMore:")[0]
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    events = re.findall(r"^event: (\w+)$", done.stdout, flags=re.M)
    assert events[0] == "chat_metadata" and events[-1] == "message", done.stdout[-2000:]
    assert '"chart_type":"bar"' in done.stdout  # the question asks for a bar chart


def test_run_command_serves_the_demo_and_stops_cleanly(tmp_path) -> None:
    ports = {name: free_port() for name in ("GATEWAY_PORT", "CHAT_GRPC_PORT", "UPLOAD_GRPC_PORT", "S3_PORT")}
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        DEMO_API_KEY="trk_fixed_demo_key_for_tests",
        DEMO_ADMIN_EMAIL="boss@demo.test",
        DEMO_SECOND_ORG="1",
        DEMO_SECOND_API_KEY="trk_second_org_key",
    )
    base = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    for attempt in range(2):  # the second run reuses the first one's data directory
        with open(tmp_path / f"run{attempt}.log", "w+") as log:
            proc = _start(env, log)
            try:
                output = open(log.name).read()
                assert "curl -N" in output and "trk_fixed_demo_key_for_tests" in output
                if attempt == 0:
                    _printed_walkthrough_streams_an_answer(output)
                integration_id = re.search(r'"integration_id": "([0-9a-f-]{36})"', output).group(1)
                token = httpx.post(
                    f"{base}/v1/authenticate",
                    headers={"X-API-Key": "trk_fixed_demo_key_for_tests"},
                    json={"email": "boss@demo.test"},
                ).json()["token"]
                headers = {"Authorization": f"Bearer {token}"}
                chat = httpx.post(
                    f"{base}/v1/chats/create",
                    headers=headers,
                    json={"title": f"run {attempt}", "integration_id": integration_id},
                )
                assert chat.status_code == 200, chat.text
                # the printed walkthrough made one chat in the first run
                assert httpx.get(f"{base}/v1/chats", headers=headers).json()["total"] == attempt + 2
                # The second organization is isolated from the first.
                other = httpx.post(
                    f"{base}/v1/authenticate",
                    headers={"X-API-Key": "trk_second_org_key"},
                    json={"email": "boss@demo.test"},
                ).json()
                assert other["organization_id"] != chat.json()["organization_id"]
                other_headers = {"Authorization": f"Bearer {other['token']}"}
                assert httpx.get(f"{base}/v1/chats/{chat.json()['id']}", headers=other_headers).status_code == 404
                assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
            finally:
                code = _stop(proc)
            assert code == 0, open(log.name).read()
            assert all(_closed(p) for p in ports.values()), "a process kept its port after Ctrl-C"
    assert (tmp_path / "data" / "demo" / "retail.db").exists()
