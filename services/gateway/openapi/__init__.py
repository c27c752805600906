"""The OpenAPI 3.1 document of the gateway (GET /openapi.json), built from its route table.

`rpc_routes` finds each route's RPC in the protos' `google.api.http` annotations, `proto_schema`
turns the RPC's messages into JSON Schemas (the proto3 JSON the gateway writes), `operations`
describes the routes whose bodies are not an RPC's message (SSE, multipart, WebSocket, console,
health, metrics), and `document` puts them together. A route none of them describes is listed
in `undescribed` and fails tests/observability/test_openapi.py.
"""
