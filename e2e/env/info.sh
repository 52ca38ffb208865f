#!/usr/bin/env bash
# Prints the running environment as one JSON line (exit 1 if something is down;
# "node" is null when this environment runs without a node).
source "$(dirname "$0")/lib.sh"
bash "$SLUICE_ROOT/e2e/env/kafka.sh" status >/dev/null && bash "$SLUICE_ROOT/e2e/env/k8s.sh" status >/dev/null || exit 1
postgres=$(bash "$SLUICE_ROOT/e2e/env/postgres.sh" info) || exit 1
node=$(bash "$SLUICE_ROOT/e2e/env/node.sh" info)
# A node whose network this environment owns but whose processes stopped is down too.
if [ "$node" = null ] && [ "${SLUICE_NODE:-1}" != 0 ] && [ "$(cat "$NODE_OWNER_FILE" 2>/dev/null)" = "$SLUICE_STATE" ]; then exit 1; fi
podkafka=null
[ "$node" != null ] && podkafka="\"$NODE_IP:${KAFKA_POD_PORT:-9094}\""
printf '{"kafka":{"bootstrapServers":"%s:%s","podBootstrapServers":%s,"version":"%s","libs":"%s"},"kubeconfig":"%s","kubernetes":{"version":"%s","bin":"%s"},"node":%s,"postgres":%s,"helm":"%s","state":"%s"}\n' \
  "${KAFKA_HOST:-127.0.0.1}" "${KAFKA_PORT:-9092}" "$podkafka" "$KAFKA_VERSION" "$KAFKA_LIBS" \
  "$(bash "$SLUICE_ROOT/e2e/env/k8s.sh" kubeconfig)" "$K8S_VERSION" "$K8S_BIN" "$node" "$postgres" "$HELM_BIN/helm" "$SLUICE_STATE"
