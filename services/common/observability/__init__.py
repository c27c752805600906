"""What every process shares to be observed: request ids, JSON logs, Prometheus metrics, traces.

- `context`: the request's debug id (and start time) in contextvars, and its gRPC metadata key;
- `json_logs`: one JSON object per log line, carrying the debug id;
- `metrics`: the catalog of `trellis_*` metrics; `exposition`: serving them;
- `grpc_interceptor`: a gRPC server interceptor binding the id and counting every RPC;
- `tracing`: OpenTelemetry spans, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
"""
