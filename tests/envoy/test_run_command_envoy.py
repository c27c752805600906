"""`ENVOY_PORT=NNNN scripts/run` also starts Envoy in front of the services; Ctrl-C stops it too.

Through it, a turn streams frame by frame (each event as it is produced, not the whole answer at
the end): the demo engine is slowed down so that the frames' arrival times tell."""

from __future__ import annotations

import json
import os
import time

import httpx

from devstack.ports import free_port
from tests.devstack.test_run_command import _closed, _start, _stop

DELAY_MS = 150


def test_envoy_port_starts_the_envoy_edge_with_the_run_command(tmp_path) -> None:
    ports = {
        name: free_port() for name in ("GATEWAY_PORT", "CHAT_GRPC_PORT", "UPLOAD_GRPC_PORT", "S3_PORT", "ENVOY_PORT")
    }
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        DEMO_API_KEY="trk_envoy_demo_key_for_tests",
        DEMO_ADMIN_EMAIL="boss@demo.test",
        ENGINE_STREAM_DELAY_MS=str(DELAY_MS),
    )
    edge = f"http://127.0.0.1:{ports['ENVOY_PORT']}"
    with open(tmp_path / "run.log", "w+") as log:
        proc = _start(env, log)
        try:
            output = open(log.name).read()
            assert f"Envoy edge: {edge}" in output
            assert f"gateway http://127.0.0.1:{ports['GATEWAY_PORT']}" in output  # the usual printout is kept
            auth = httpx.post(
                f"{edge}/v1/authenticate", headers={"X-API-Key": env["DEMO_API_KEY"]}, json={"email": "boss@demo.test"}
            )
            assert auth.status_code == 200, auth.text
            headers = {"Authorization": f"Bearer {auth.json()['token']}"}
            integration = httpx.get(f"{edge}/v1/integrations", headers=headers).json()["integrations"][0]["id"]
            chat = httpx.post(f"{edge}/v1/chats/create", headers=headers, json={"integration_id": integration}).json()
            arrivals: list[tuple[float, str]] = []
            body = {"chat_id": chat["id"], "message": "Total sales by region in 2025"}
            with httpx.stream("POST", f"{edge}/v1/chats", headers=headers, json=body, timeout=120) as resp:
                assert resp.status_code == 200 and resp.headers["content-type"] == "text/event-stream"
                for line in resp.iter_lines():
                    if line.startswith("data: "):
                        arrivals.append((time.monotonic(), next(iter(json.loads(line[6:])["event"]))))
            kinds = [kind for _, kind in arrivals]
            assert kinds[0] == "chat_metadata" and kinds[-1] == "message", kinds
            deltas = [at for at, kind in arrivals if kind == "text_delta"]
            assert len(deltas) >= 3, kinds
            # Paced DELAY_MS apart by the engine; a buffered answer would arrive all at once.
            assert deltas[-1] - deltas[0] >= (len(deltas) - 1) * DELAY_MS / 1000 * 0.5
        finally:
            assert _stop(proc) == 0
    assert _closed(ports["ENVOY_PORT"]) and _closed(ports["GATEWAY_PORT"])
