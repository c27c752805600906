"""Logs as one JSON object per line, with the debug id of the request that wrote them.

    {"ts": "2026-11-30T10:00:00.123Z", "level": "WARNING", "service": "chat", "logger": "...",
     "message": "...", "debug_id": "3f9c0e1a2b4d5e6f", ...extra fields, "exc": "Traceback ..."}

`LOG_FORMAT=text` keeps the classic one-line text format (with `debug_id=` too).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from services.common.observability.context import current_debug_id

# Attributes every LogRecord has: anything else was passed with `extra=` and goes into the object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "debug_id"}


class DebugIdFilter(logging.Filter):
    """Stamps each record with the bound debug id (unless the call passed one in `extra`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "debug_id"):
            record.debug_id = current_debug_id()
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        debug_id = getattr(record, "debug_id", None)
        if debug_id:
            out["debug_id"] = debug_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str, service: str, fmt: str = "json") -> None:
    """Root logging for a process: JSON lines on stderr (or text with fmt="text"), debug ids stamped."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(DebugIdFilter())
    if fmt.strip().lower() == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s debug_id=%(debug_id)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
