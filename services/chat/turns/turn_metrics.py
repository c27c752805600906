"""What a turn reports about itself: its outcome and timings as metrics, and a log line when it fails.

Outcomes: `answered`, `declined` (the engine said it could not map the question: the answer's
metadata has `declined`), `error` (with the stable code) and `interrupted` (the client went away,
interrupted it, or the service shut down). Times are measured from the RPC's arrival (bound by the
observability interceptor), so they include the checks made before the turn's first event.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from services.common.errors import ApiError
from services.common.observability.context import request_started
from services.common.observability.metrics import TURN_DURATION, TURN_FIRST_EVENT, TURNS

log = logging.getLogger(__name__)


class TurnObserver:
    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.started = request_started() or time.perf_counter()
        self.outcome = "interrupted"  # until the turn says otherwise
        self.code = ""

    def first_event(self) -> None:
        TURN_FIRST_EVENT.labels(self.engine).observe(time.perf_counter() - self.started)

    def answered(self, meta: dict[str, Any]) -> None:
        self.outcome = "declined" if meta.get("declined") else "answered"

    def failed(self, err: ApiError) -> None:
        self.outcome, self.code = "error", err.code
        log.warning(
            "turn failed: %s",
            err.code,
            extra={"debug_id": err.debug_id, "code": err.code, "cause": err.detail, "engine": self.engine},
        )

    def end(self) -> None:
        elapsed = time.perf_counter() - self.started
        TURNS.labels(self.engine, self.outcome, self.code).inc()
        TURN_DURATION.labels(self.engine, self.outcome).observe(elapsed)
        if self.outcome == "interrupted":
            log.info(
                "turn interrupted after %.1f s: the client went away, interrupted it, or the service stopped",
                elapsed,
                extra={"engine": self.engine},
            )
