"""The gRPC bootstrap: health flips to NOT_SERVING on SIGTERM, then the process exits cleanly."""

from __future__ import annotations

import signal
import sys
import threading

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devstack.ports import free_port
from devstack.procs import ManagedProcess
from devstack.stack import ROOT
from tests.waiting import wait_until


def test_sigterm_flips_health_then_exits(tmp_path) -> None:
    port = free_port()
    env = {
        "DATA_DIR": str(tmp_path),
        "CHAT_GRPC_ADDRESS": f"127.0.0.1:{port}",
        "SHUTDOWN_GRACE_SECONDS": "5",
        "PATH": "/usr/bin:/bin",
    }
    proc = ManagedProcess("chat", [sys.executable, "-m", "services.chat.server"], env, tmp_path / "chat.log", ROOT)
    proc.start()
    seen: list[int] = []
    try:

        def serving() -> bool:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
                req = health_pb2.HealthCheckRequest(service="trellis.v1.ChatService")
                return health_pb2_grpc.HealthStub(ch).Check(req, timeout=1).status == 1

        proc.wait_ready(serving, 30)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service="trellis.v1.ChatService"), timeout=20
        )

        def follow() -> None:
            try:
                for update in watch:
                    seen.append(update.status)
            except grpc.RpcError:
                pass

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        wait_until(lambda: seen, "the health watch reports the first status")
        proc.signal(signal.SIGTERM)
        assert proc.proc.wait(20) == 0, proc.tail()
        reader.join(5)
        channel.close()
    finally:
        proc.stop()
    serving_, not_serving = (health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING)
    assert seen[0] == serving_ and not_serving in seen, seen
    assert "draining" in proc.tail() and "stopped" in proc.tail()
