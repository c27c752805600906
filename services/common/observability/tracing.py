"""OpenTelemetry traces, off by default: on when OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, exported over OTLP/HTTP with a batch processor.

The opentelemetry packages are an optional extra (`pip install trellis-backend[tracing]`): they
are not in the images' lock files, and a process asked to trace without them logs a warning and
runs untraced. Spans: one per HTTP request in the gateway, one per RPC in each service, joined
by the W3C `traceparent` the gateway puts in the gRPC metadata next to `x-debug-id`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)
_tracer: Any = None  # an opentelemetry Tracer once configured


def enabled() -> bool:
    return _tracer is not None


def configure(service: str) -> bool:
    """Set up the tracer provider of this process when an OTLP endpoint is configured."""
    global _tracer
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the tracing extra is not installed: no traces")
        return False
    name = os.environ.get("OTEL_SERVICE_NAME") or f"trellis-{service}"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("trellis")
    log.info("tracing to OTLP as %s", name)
    return True


def server_span(name: str, carrier: Mapping[str, str]) -> Any:
    """Start a span (a child of the caller's `traceparent`, if any) and make it current; None when off."""
    if _tracer is None:
        return None
    from opentelemetry import context, trace
    from opentelemetry.propagate import extract

    span = _tracer.start_span(name, context=extract(dict(carrier)), kind=trace.SpanKind.SERVER)
    context.attach(trace.set_span_in_context(span))
    return span


def end_span(span: Any, code: str, detail: str = "") -> None:
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("trellis.code", code)
    if detail:
        span.set_status(Status(StatusCode.ERROR, detail))
    span.end()


def inject(metadata: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Outgoing gRPC metadata with the current span's `traceparent` (unchanged when tracing is off)."""
    if _tracer is None:
        return metadata
    from opentelemetry.propagate import inject as otel_inject

    carrier: dict[str, str] = {}
    otel_inject(carrier)
    return (*metadata, *carrier.items())
