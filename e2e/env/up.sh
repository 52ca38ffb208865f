#!/usr/bin/env bash
# Brings the whole test environment up (idempotent) and prints where things
# are as JSON on its last line. SLUICE_NODE=0 leaves the node out.
source "$(dirname "$0")/lib.sh"
mkdir -p "$SLUICE_STATE"
bash "$SLUICE_ROOT/e2e/env/prereqs.sh"
# The node's images are built with the project's own Node and packages.
bash "$SLUICE_ROOT/e2e/env/deps.sh"
# The node's network first: Kafka also listens on the node's address for pods.
if [ "${SLUICE_NODE:-1}" != 0 ] && bash "$SLUICE_ROOT/e2e/env/node.sh" net \
    && [ "$(cat "$NODE_OWNER_FILE" 2>/dev/null)" = "$SLUICE_STATE" ]; then
  export KAFKA_POD_HOST="$NODE_IP"
  with_node=1
fi
bash "$SLUICE_ROOT/e2e/env/kafka.sh" up
bash "$SLUICE_ROOT/e2e/env/postgres.sh" up
bash "$SLUICE_ROOT/e2e/env/k8s.sh" up
[ "${with_node:-0}" = 1 ] && bash "$SLUICE_ROOT/e2e/env/node.sh" up
bash "$SLUICE_ROOT/e2e/env/info.sh"
