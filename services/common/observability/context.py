"""The debug id of the request being served, in a contextvar, and how it travels between processes.

The gateway binds one id per HTTP request (or WebSocket frame) and sends it to the services in the
`x-debug-id` gRPC metadata; each service binds the id it receives. Log lines carry it, and an
ApiError made while it is bound takes it as its `debug_id`, so the id of an error body finds every
line the request wrote in every process.
"""

from __future__ import annotations

import contextvars
import re
import secrets
import time
from collections.abc import Sequence

DEBUG_ID_KEY = "x-debug-id"  # gRPC metadata key and HTTP header (lower case, as HTTP/2 wants)
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_debug_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("debug_id", default=None)
_started: contextvars.ContextVar[float | None] = contextvars.ContextVar("request_started", default=None)


def fresh_debug_id() -> str:
    return secrets.token_hex(8)


def current_debug_id() -> str | None:
    return _debug_id.get()


def request_started() -> float | None:
    """time.perf_counter() when the request being served arrived, if one is bound."""
    return _started.get()


def accepted_debug_id(raw: str | None) -> str:
    """An id a caller sent, if it looks like one (no log injection), else a fresh one."""
    return raw if raw is not None and _VALID.match(raw) else fresh_debug_id()


def bind_request(debug_id: str, started: float | None = None) -> None:
    """Bind the request's id and start time for the rest of this task (and the tasks it starts)."""
    _debug_id.set(debug_id)
    _started.set(time.perf_counter() if started is None else started)


def with_debug_id(metadata: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Outgoing gRPC metadata with the bound debug id added (unchanged when none is bound)."""
    debug_id = _debug_id.get()
    out = tuple(metadata)
    return out if debug_id is None else (*out, (DEBUG_ID_KEY, debug_id))
