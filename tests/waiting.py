"""Waiting for something to happen: poll a condition until it holds, failing at a deadline.

Tests wait with these rather than with fixed sleeps: a sleep is either too short on a busy
machine (a flaky test) or longer than needed everywhere else (a slow one), and it never says
what it was waiting for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

TIMEOUT = 20.0  # seconds: generous, since it is only reached when something is wrong
INTERVAL = 0.05


def wait_until(condition: Callable[[], T], what: str, *, timeout: float = TIMEOUT, interval: float = INTERVAL) -> T:
    """Call `condition` until it returns something truthy, and return that.

    Fails with an AssertionError naming `what` (e.g. "the upload is stored") once `timeout`
    seconds have passed. An exception raised by `condition` propagates at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(interval)
