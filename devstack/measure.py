"""Resident memory of running processes, read from /proc (Linux): now, and the peak over a while.

Shared by the upload benchmark (bench/upload_throughput.py) and the test that bounds the
services' memory during a large upload (tests/gateway/test_uploads_streaming.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path


def rss(pid: int) -> int:
    """Resident set size of process `pid`, in bytes; ProcessLookupError if there is no such process."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        raise ProcessLookupError(f"no process {pid}") from None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ProcessLookupError(f"process {pid} has no resident memory (a zombie?)")


class PeakRss:
    """The peak resident memory of named processes while the `with` block runs.

    Sampled when the block starts and ends and every `interval` seconds in between, on a
    background thread; `peak` maps each name to bytes. A process that disappears meanwhile
    fails the block (ProcessLookupError) rather than leaving a misleading peak.
    """

    def __init__(self, pids: Mapping[str, int], interval: float = 0.005) -> None:
        self.pids = dict(pids)
        self.peak = {name: 0 for name in self.pids}
        self._interval = interval
        self._stop = threading.Event()
        self._failure: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], rss(pid))

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                self.sample()
        except (OSError, ValueError) as exc:  # handed to the `with` block's thread in __exit__
            self._failure = exc

    def __enter__(self) -> PeakRss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        self.sample()
