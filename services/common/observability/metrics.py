"""The catalog of Prometheus metrics (`trellis_` prefix, base units, `_total` counters).

Every process imports the same catalog and exposes what it uses: the gateway the `http_*`,
stream and upload metrics, the services the `grpc_*` ones, the Chat service the turn metrics, the
Upload service the S3 errors; rate-limit rejections and database errors wherever they happen.
Labels are bounded: route templates (never raw paths), gRPC method names, engine ids, stable
error codes.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Seconds: from a millisecond to the longest turn a client may wait for.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

# --- HTTP (gateway) -------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "trellis_http_requests_total",
    "HTTP requests and WebSocket sessions answered by the gateway, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "trellis_http_request_duration_seconds",
    "Time from an HTTP request's arrival to the end of its response (whole stream for SSE).",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
ACTIVE_STREAMS = Gauge(
    "trellis_active_streams",
    "Open server-sent-event responses and WebSocket sessions on the gateway.",
    ["transport"],
    multiprocess_mode="livesum",
)
GATEWAY_FIRST_EVENT = Histogram(
    "trellis_gateway_turn_first_event_seconds",
    "Time from a turn's request (HTTP request or WebSocket frame) to its first event leaving the gateway.",
    ["transport"],
    buckets=LATENCY_BUCKETS,
)

# --- gRPC (services) ------------------------------------------------------------------------
GRPC_REQUESTS = Counter(
    "trellis_grpc_server_requests_total",
    "RPCs a service finished, by service, method and gRPC status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
GRPC_DURATION = Histogram(
    "trellis_grpc_server_request_duration_seconds",
    "Time from an RPC's arrival to its status (whole stream for streaming RPCs).",
    ["grpc_service", "grpc_method"],
    buckets=LATENCY_BUCKETS,
)
GRPC_IN_FLIGHT = Gauge(
    "trellis_grpc_server_in_flight_requests",
    "RPCs being served (streaming turns included).",
    ["grpc_service", "grpc_method"],
    multiprocess_mode="livesum",
)

# --- turns (Chat service) -------------------------------------------------------------------
TURNS = Counter(
    "trellis_turns_total",
    "Turns that ended, by engine and outcome (answered, declined, interrupted, error) and error code.",
    ["engine", "outcome", "code"],
)
TURN_DURATION = Histogram(
    "trellis_turn_duration_seconds",
    "Time from a turn's RPC to its last event, by engine and outcome.",
    ["engine", "outcome"],
    buckets=LATENCY_BUCKETS,
)
TURN_FIRST_EVENT = Histogram(
    "trellis_turn_first_event_seconds",
    "Time from a turn's RPC to its first event (chat_metadata) in the Chat service.",
    ["engine"],
    buckets=LATENCY_BUCKETS,
)

# --- uploads --------------------------------------------------------------------------------
UPLOAD_FILES = Counter(
    "trellis_upload_files_total", "Files of upload requests, by outcome (stored, refused).", ["outcome"]
)
UPLOAD_BYTES = Counter("trellis_upload_bytes_total", "Bytes of the files stored by upload requests.")
UPLOAD_DURATION = Histogram(
    "trellis_upload_request_duration_seconds",
    "Time to answer an upload request (every file streamed, stored and parsed).",
    buckets=LATENCY_BUCKETS,
)

# --- failures of what the services depend on -------------------------------------------------
RATE_LIMIT_REJECTIONS = Counter(
    "trellis_rate_limit_rejections_total",
    "Requests refused by a rate limit or cap, by limit (send, create_chat, upload, authenticate, ws_send, ...).",
    ["limit"],
)
S3_ERRORS = Counter("trellis_s3_errors_total", "Failed object-storage operations.", ["operation"])
DATABASE_ERRORS = Counter(
    "trellis_database_errors_total",
    "Errors raised by a service's own database driver, by exception class.",
    ["error"],
)


def rate_limited(key: str) -> None:
    """Count a rejection by a rate limiter whose key is `<limit>:<subject>`."""
    RATE_LIMIT_REJECTIONS.labels(key.split(":", 1)[0]).inc()
