"""deploy/k8s: both overlays render, validate strictly against the Kubernetes schemas, and every
workload is hardened (probes, limits, non-root, read-only root, no privilege escalation)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devstack.stack import ROOT
from tests.deploy.manifests import K8S, OVERLAYS, Obj, containers, env_of, named, pod_spec, render, workloads

OUR_SERVICES = ("chat", "upload", "gateway", "envoy")
GRPC_PORTS = {"chat": 50051, "upload": 50052}
SECRET_KEYS = {"JWT_SECRET", "ENCRYPTION_KEY", "S3_ACCESS_KEY", "S3_SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL"}


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Obj]]:
    return {overlay: render(K8S / "overlays" / overlay) for overlay in OVERLAYS}


def _validate(objects: list[Obj], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "rendered.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    validator = Path(sys.executable).parent / "kubernetes-validate"
    return subprocess.run(
        [str(validator), "--strict", "--quiet", str(path)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_validates_strictly_against_the_kubernetes_schemas(rendered, overlay, tmp_path) -> None:
    done = _validate(rendered[overlay], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_strict_validation_refuses_an_unknown_field(rendered, tmp_path) -> None:
    objects = yaml.safe_load(yaml.safe_dump(rendered["production"]))  # a deep copy
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    pod_spec(deployment)["containers"][0]["imagePulPolicy"] = "Always"  # a typo a lax check lets through
    done = _validate(objects, tmp_path)
    assert done.returncode != 0 and "imagePulPolicy" in done.stdout + done.stderr


def test_the_production_overlay_renders_the_whole_system(rendered) -> None:
    objects = rendered["production"]
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for name in OUR_SERVICES:
        assert ("Deployment", name) in kinds and ("Service", name) in kinds and ("PodDisruptionBudget", name) in kinds
    for name in ("chat", "gateway"):
        hpa = named(objects, "HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["minReplicas"] >= 2
    for name in ("postgres", "minio"):
        stateful = named(objects, "StatefulSet", name)
        assert stateful["spec"]["volumeClaimTemplates"], f"{name} keeps its data on a volume"
    assert ("Deployment", "redis") in kinds
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "Job"} == {"migrate-chat", "migrate-upload"}
    assert all(o["metadata"].get("namespace") == "trellis" for o in objects if o["kind"] != "Namespace")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_is_hardened(rendered, overlay) -> None:
    objects = rendered[overlay]
    assert len(workloads(objects)) == 9  # chat, upload, gateway, envoy, redis, postgres, minio, 2 migrations
    for workload in workloads(objects):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] > 0, name
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), name
        writable = {v["name"] for v in spec.get("volumes", [])} | {
            t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])
        }
        for container in containers(workload):
            where = f"{name} container {container['name']}"
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            assert not security.get("privileged"), where
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) >= {"cpu", "memory"}, f"{where}: {bound}"
            # Images pinned by tag: an explicit version, never `latest` or none.
            image = container["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            assert tag and tag != "latest" and re.search(r"\d", tag), f"{where}: {image}"
            # Writable only where mounted: emptyDir or a claim, never the root filesystem.
            assert {m["name"] for m in container.get("volumeMounts", [])} <= writable, where
            if workload["kind"] != "Job":
                assert "readinessProbe" in container and "livenessProbe" in container, where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_are_probed_on_their_health(rendered, overlay) -> None:
    objects = rendered[overlay]
    for name, port in GRPC_PORTS.items():
        (container,) = pod_spec(named(objects, "Deployment", name))["containers"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": port}, (name, probe)  # grpc.health.v1, natively
    (gateway,) = pod_spec(named(objects, "Deployment", "gateway"))["containers"]
    assert gateway["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    (envoy,) = pod_spec(named(objects, "Deployment", "envoy"))["containers"]
    assert envoy["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "probes"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replicas_spread_over_nodes_and_zones(rendered, overlay) -> None:
    for name in OUR_SERVICES:
        spread = pod_spec(named(rendered[overlay], "Deployment", name))["topologySpreadConstraints"]
        keys = {c["topologyKey"] for c in spread}
        assert keys == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}, name
        assert all(c["labelSelector"]["matchLabels"] == {"app.kubernetes.io/name": name} for c in spread)


def test_production_generates_no_secret_and_refuses_generated_ones(rendered) -> None:
    objects = rendered["production"]
    assert [o for o in objects if o["kind"] == "Secret"] == []  # the operator creates trellis-secrets
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trellis-config"))
    assert config["data"]["ENVIRONMENT"] == "production"
    assert config["data"]["MIGRATE_ON_START"] == "false"
    refs = {
        (v["secretKeyRef"]["name"], v["secretKeyRef"]["key"])
        for workload in workloads(objects)
        for container in containers(workload)
        for v in env_of(container).values()
        if isinstance(v, dict) and "secretKeyRef" in v
    }
    assert {name for name, _ in refs} == {"trellis-secrets"}
    assert {key for _, key in refs} == SECRET_KEYS


def test_local_generates_its_secret_with_every_key_referenced(rendered) -> None:
    objects = rendered["local"]
    (secret,) = [o for o in objects if o["kind"] == "Secret"]
    assert set(secret["data"]) == SECRET_KEYS
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trellis-config"))
    assert config["data"]["ENVIRONMENT"] == "development"
    for workload in workloads(objects):
        for container in containers(workload):
            for value in env_of(container).values():
                if isinstance(value, dict) and "secretKeyRef" in value:
                    assert value["secretKeyRef"]["name"] == secret["metadata"]["name"]  # the hashed name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_migration_jobs_migrate(rendered, overlay) -> None:
    objects = rendered[overlay]
    for service in ("chat", "upload"):
        job = named(objects, "Job", f"migrate-{service}")
        (container,) = pod_spec(job)["containers"]
        assert container["command"] == ["python", "-m", f"services.{service}.migrate"]
        assert set(env_of(container)) == {"ENVIRONMENT", "DATABASE_URL"}  # no other secret
        deployment = named(objects, "Deployment", service)
        (runner,) = pod_spec(deployment)["containers"]
        assert runner["image"] == container["image"]
        assert runner["envFrom"] == [{"configMapRef": {"name": runner["envFrom"][0]["configMapRef"]["name"]}}]
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trellis-config"))
    assert config["data"]["MIGRATE_ON_START"] == "false"


def _allowed_from(policy: Obj) -> set[str]:
    out = set()
    for rule in policy["spec"]["ingress"]:
        for peer in rule["from"]:
            if "podSelector" in peer:
                labels = peer["podSelector"]["matchLabels"]
                out.add(labels.get("app.kubernetes.io/name") or labels["app.kubernetes.io/component"])
            else:
                out.add("edge:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
    return out


def test_network_policies_let_only_the_edge_in_and_only_the_services_reach_the_data(rendered) -> None:
    objects = rendered["production"]
    policies = {
        p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name", "*"): p
        for p in objects
        if p["kind"] == "NetworkPolicy"
    }
    assert policies["*"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}  # default deny
    expected = {
        "envoy": {"edge:ingress-nginx"},
        "gateway": {"edge:ingress-nginx", "envoy"},
        "chat": {"gateway", "envoy", "upload"},
        "upload": {"gateway", "envoy", "chat"},
        "postgres": {"chat", "upload", "migrations"},
        "minio": {"upload"},
        "redis": {"chat", "gateway"},
    }
    assert {name: _allowed_from(policies[name]) for name in expected} == expected
    # Every pod is covered by a policy of its own.
    labelled = {pod_spec(w)["containers"][0]["name"] for w in workloads(objects) if w["kind"] != "Job"}
    assert labelled <= set(policies) | {"migrate"}


def test_the_edge_is_envoy_behind_an_ingress_that_does_not_buffer_streams(rendered) -> None:
    ingress = named(rendered["production"], "Ingress", "trellis")
    (rule,) = ingress["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "envoy"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"


def test_the_envoy_config_map_is_the_rendered_template(rendered) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "envoy" / "render.py"), "--kubernetes", "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = next(o for o in rendered["production"] if o["metadata"]["name"].startswith("envoy-config"))
    assert config["data"]["envoy.yaml"] == (K8S / "base" / "envoy" / "envoy.yaml").read_text()
    volumes = pod_spec(named(rendered["production"], "Deployment", "envoy"))["volumes"]
    assert {"name": "config", "configMap": {"name": config["metadata"]["name"]}} in volumes


def test_external_database_and_s3_components_remove_the_in_cluster_ones(tmp_path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                # kustomize takes only relative paths
                "resources": [os.path.relpath(K8S / "overlays" / "production", overlay)],
                "components": [
                    os.path.relpath(K8S / "components" / name, overlay)
                    for name in ("external-postgresql", "external-s3")
                ],
            }
        )
    )
    objects = render(overlay)
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for gone in ("postgres", "minio"):
        assert ("StatefulSet", gone) not in names and ("Service", gone) not in names
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("trellis-config"))
    assert config["data"]["S3_SECURE"] == "true" and config["data"]["ENVIRONMENT"] == "production"
    done = _validate(objects, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
