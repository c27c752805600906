#!/usr/bin/env bash
# Static checks of what deploy/ ships, as CI runs them (each a few seconds):
#   hadolint on every Dockerfile; both kustomize overlays rendered and validated strictly against the
#   Kubernetes schemas; the rendered Envoy config through `envoy --mode validate`.
# Needs .venv (scripts/bootstrap.sh) and kubectl (its built-in kustomize).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/.venv/bin"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "-- hadolint"
mapfile -t dockerfiles < <(find . -name '*Dockerfile' -not -path './.venv/*' -not -path '*/node_modules/*' -not -path './build/*' | sort)
[ "${#dockerfiles[@]}" -gt 0 ] || { echo "no Dockerfile found" >&2; exit 1; }
for dockerfile in "${dockerfiles[@]}"; do
  "$BIN/hadolint" "$dockerfile"
  echo "   ok: $dockerfile"
done

echo "-- kubectl kustomize + kubernetes-validate --strict"
command -v kubectl >/dev/null || { echo "kubectl (with kustomize) is needed" >&2; exit 1; }
for overlay in local production; do
  kubectl kustomize "deploy/k8s/overlays/$overlay" > "$WORK/$overlay.yaml"
  "$BIN/kubernetes-validate" --strict --quiet "$WORK/$overlay.yaml"
  echo "   ok: overlays/$overlay ($(grep -c '^kind:' "$WORK/$overlay.yaml") objects)"
done

echo "-- envoy --mode validate"
"$BIN/python" deploy/envoy/render.py --kubernetes --check
"$BIN/python" deploy/envoy/descriptor.py "$WORK/trellis.binpb" >/dev/null
"$BIN/python" - "$WORK/production.yaml" "$WORK/trellis.binpb" > "$WORK/envoy.yaml" <<'PY'
import sys
import yaml
rendered, descriptor = sys.argv[1], sys.argv[2]
config = next(
    doc["data"]["envoy.yaml"]
    for doc in yaml.safe_load_all(open(rendered))
    if doc and doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("envoy-config")
)
sys.stdout.write(config.replace("/etc/envoy/trellis.binpb", descriptor))
PY
"$BIN/envoy" --mode validate -c "$WORK/envoy.yaml" --log-level warn | tail -n 1
echo "   ok: $("$BIN/envoy" --version | grep -o 'version: [^ ]*')"
