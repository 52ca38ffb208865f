#!/usr/bin/env bash
# Prints the running environment as one JSON line (exit 1 if something is down;
# "node" is null when this environment runs without a node).
source "$(dirname "$0")/lib.sh"
bash "$SLUICE_ROOT/e2e/env/kafka.sh" status >/dev/null && bash "$SLUICE_ROOT/e2e/env/k8s.sh" status >/dev/null || exit 1
postgres=$(bash "$SLUICE_ROOT/e2e/env/postgres.sh" info) || exit 1
node=$(bash "$SLUICE_ROOT/e2e/env/node.sh" info)
# A node whose network this environment owns but whose processes stopped is down too.
if [ "$node" = null ] && [ "${SLUICE_NODE:-1}" != 0 ] && [ "$(cat "$NODE_OWNER_FILE" 2>/dev/null)" = "$SLUICE_STATE" ]; then exit 1; fi
# With KAFKA_BROKERS=3 (kafka.sh), every node's address: ports +0, +100, +200.
bootstrap=$(bash "$SLUICE_ROOT/e2e/env/kafka.sh" bootstrap)
podkafka=null
if [ "$node" != null ]; then
  pod_port=${KAFKA_POD_PORT:-9094}
  if [ "$bootstrap" = "${bootstrap#*,}" ]; then podkafka="\"$NODE_IP:$pod_port\""
  else podkafka="\"$NODE_IP:$pod_port,$NODE_IP:$((pod_port + 100)),$NODE_IP:$((pod_port + 200))\""; fi
fi
printf '{"kafka":{"bootstrapServers":"%s","podBootstrapServers":%s,"version":"%s","libs":"%s"},"kubeconfig":"%s","kubernetes":{"version":"%s","bin":"%s"},"node":%s,"postgres":%s,"helm":"%s","state":"%s"}\n' \
  "$bootstrap" "$podkafka" "$KAFKA_VERSION" "$KAFKA_LIBS" \
  "$(bash "$SLUICE_ROOT/e2e/env/k8s.sh" kubeconfig)" "$K8S_VERSION" "$K8S_BIN" "$node" "$postgres" "$HELM_BIN/helm" "$SLUICE_STATE"
