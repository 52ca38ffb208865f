#!/usr/bin/env bash
# Prints the running environment as one JSON line (exit 1 if something is down).
source "$(dirname "$0")/lib.sh"
bash "$SLUICE_ROOT/e2e/env/kafka.sh" status >/dev/null && bash "$SLUICE_ROOT/e2e/env/k8s.sh" status >/dev/null || exit 1
printf '{"kafka":{"bootstrapServers":"%s:%s","version":"%s","libs":"%s"},"kubeconfig":"%s","kubernetes":{"version":"%s","bin":"%s"},"helm":"%s","state":"%s"}\n' \
  "${KAFKA_HOST:-127.0.0.1}" "${KAFKA_PORT:-9092}" "$KAFKA_VERSION" "$KAFKA_LIBS" \
  "$(bash "$SLUICE_ROOT/e2e/env/k8s.sh" kubeconfig)" "$K8S_VERSION" "$K8S_BIN" "$HELM_BIN/helm" "$SLUICE_STATE"
