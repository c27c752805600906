"""The Envoy config the manifests ship passes `envoy --mode validate` with the real binary, on the
descriptor set built from protos/ as the image builds it."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from devstack.envoy import build_descriptor_set, envoy_binary, render_module
from tests.deploy.manifests import K8S, render


@pytest.fixture(scope="module")
def descriptor(tmp_path_factory: pytest.TempPathFactory):
    return build_descriptor_set(tmp_path_factory.mktemp("descriptor") / "trellis.binpb")


def _validate(config: str, path) -> subprocess.CompletedProcess[str]:
    path.write_text(config)
    return subprocess.run(
        [envoy_binary(), "--mode", "validate", "-c", str(path), "--log-level", "warn"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_rendered_kubernetes_config_validates(descriptor, tmp_path) -> None:
    objects = render(K8S / "overlays" / "production")
    config = next(o for o in objects if o["metadata"]["name"].startswith("envoy-config"))["data"]["envoy.yaml"]
    baked = render_module.KUBERNETES["descriptor_path"]
    assert baked in config
    done = _validate(config.replace(baked, str(descriptor)), tmp_path / "envoy.yaml")
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr


def test_a_broken_config_does_not(descriptor, tmp_path) -> None:
    config = (K8S / "base" / "envoy" / "envoy.yaml").read_text()
    config = config.replace(render_module.KUBERNETES["descriptor_path"], str(descriptor))
    done = _validate(config.replace("convert_grpc_status: true", "convert_grpc_status: maybe"), tmp_path / "bad.yaml")
    assert done.returncode != 0


def test_the_edge_keeps_streams_open_and_exposes_only_public_services() -> None:
    config = yaml.safe_load((K8S / "base" / "envoy" / "envoy.yaml").read_text())
    (rest, _probes) = config["static_resources"]["listeners"]
    manager = rest["filter_chains"][0]["filters"][0]["typed_config"]
    transcoder = manager["http_filters"][0]["typed_config"]
    assert transcoder["convert_grpc_status"] is True
    assert transcoder["request_validation_options"] == {"reject_unknown_method": True}
    assert transcoder["print_options"]["always_print_primitive_fields"] is True
    assert transcoder["print_options"]["stream_sse_style_delimited"] is True
    exposed = set(transcoder["services"])
    assert not {"trellis.v1.UploadInternalService", "trellis.v1.ProjectInternalService"} & exposed
    assert "trellis.v1.ProjectService" in exposed
    routes = manager["route_config"]["virtual_hosts"][0]["routes"]
    for route in routes:
        if "route" in route:  # no route timeout cuts a stream
            assert route["route"]["timeout"] in ("0s", "5s"), route
            assert "Internal" not in route["match"].get("prefix", "")
    prefixes = {r["match"]["prefix"].strip("/") for r in routes if "route" in r and "prefix" in r["match"]}
    assert prefixes == exposed  # native gRPC passes for exactly the transcoded services
    forwarded = {
        r["match"].get("path") or r["match"]["safe_regex"]["regex"]
        for r in routes
        if r.get("route", {}).get("cluster") == "gateway"
    }
    assert forwarded == {"/v1/chats/ws", "/v1/chats/uploads", "/v1/projects/[^/]+/documents", "/healthz"}
