"""The run command: the whole system on embedded defaults, with a demo database connected.

scripts/run        (creates the environment, then runs `python -m devstack.run`)
ENVOY_PORT=8080 scripts/run   (also the Envoy edge on that port, in front of the same services)
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from devstack.demo import setup_demo
from devstack.stack import Stack, StackConfig

DEMO_QUESTION = "Total sales by region in 2025, as a bar chart"


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        sys.exit(f"{name} must be a port number, got {raw!r}")


def main() -> int:
    data_dir = Path(os.environ.get("DATA_DIR", "data")).resolve()
    config = StackConfig(
        data_dir=data_dir,
        gateway_port=_port("GATEWAY_PORT", 8000),
        chat_port=_port("CHAT_GRPC_PORT", 50051),
        upload_port=_port("UPLOAD_GRPC_PORT", 50052),
        s3_port=_port("S3_PORT", 8333),
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=os.environ.get("REDIS_URL") or None,
        envoy_port=_port("ENVOY_PORT", 0) if os.environ.get("ENVOY_PORT") else None,
        chat_metrics_port=_port("CHAT_METRICS_PORT", 9464),
        upload_metrics_port=_port("UPLOAD_METRICS_PORT", 9465),
    )
    stack = Stack(config)
    env = stack.service_env()
    demo = setup_demo(env)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stack.start()
    base = stack.gateway_url
    org = demo[0]
    print(
        f"""
Trellis backend is up: gateway {base}, chat gRPC {stack.chat_target}, upload gRPC {stack.upload_target}
Data directory: {data_dir}   (logs in {stack.log_dir})
Metrics (Prometheus): {", ".join(stack.metrics_urls.values())}   API description: {base}/openapi.json
Web console: {base}/console   (sign in with the API key {org.api_key} and the email {org.admin_email})

Try it (copy and paste into another terminal): sign in, open a chat on the demo database, ask a question.
The answer streams back as server-sent events (curl -N prints each one as it arrives).

  TOKEN=$(curl -s -X POST {base}/v1/authenticate -H "X-API-Key: {org.api_key}" \\
      -H 'Content-Type: application/json' -d '{{"email": "{org.admin_email}"}}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  CHAT=$(curl -s -X POST {base}/v1/chats/create -H "Authorization: Bearer $TOKEN" \\
      -H 'Content-Type: application/json' -d '{{"title": "Sales questions", "integration_id": "{org.integration_id}"}}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
  curl -N -X POST {base}/v1/chats -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
      -d "{{\\"chat_id\\": \\"$CHAT\\", \\"message\\": \\"{DEMO_QUESTION}\\"}}"

More: curl -s {base}/v1/chats/$CHAT -H "Authorization: Bearer $TOKEN"   (the stored history)
      .venv/bin/grpcurl -plaintext -H "authorization: Bearer $TOKEN" {stack.chat_target} list   (the gRPC services)
      API reference: docs/api.md
""",
        flush=True,
    )
    if stack.envoy_url:
        print(
            f"""Envoy edge: {stack.envoy_url} serves the same REST routes, transcoded to gRPC (a turn streams as `data:` frames of
the gRPC messages); WebSocket and multipart uploads go through it to the gateway. Differences: README.md, "Envoy and the gateway".
""",
            flush=True,
        )
    for extra in demo[1:]:
        print(f"Second demo organization {extra.organization_id}: API key {extra.api_key}, admin {extra.admin_email}")
    print("Press Ctrl-C to stop every process.", flush=True)
    try:
        while not stop.wait(1):
            dead = [name for name, proc in stack.procs.items() if not proc.running]
            if dead:
                print(f"[stack] {', '.join(dead)} exited unexpectedly; see {stack.log_dir}", file=sys.stderr)
                return 1
    finally:
        stack.stop()
        print("[stack] stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
