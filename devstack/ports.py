"""Loopback port helpers for the local stack and the tests."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it)."""
    # The socket is closed before returning, so a racing process could still take the port;
    # callers that must not collide either retry or let the server report the conflict.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Block until host:port accepts a TCP connection; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(
                f"nothing accepted TCP connections on {host}:{port} within {timeout:.1f}s (last error: {last_error})"
            )
        try:
            with socket.create_connection((host, port), timeout=min(1.0, remaining)):
                return
        except OSError as exc:
            last_error = exc
        time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
