#!/usr/bin/env bash
# Takes the whole test environment down; leaves caches, removes nothing else.
# `down.sh --clean` also deletes all state (data dirs, certificates, the
# node's containerd store).
source "$(dirname "$0")/lib.sh"
verb=down; [ "${1:-}" = "--clean" ] && verb=clean
bash "$SLUICE_ROOT/e2e/env/node.sh" "$verb"
bash "$SLUICE_ROOT/e2e/env/k8s.sh" "$verb"
bash "$SLUICE_ROOT/e2e/env/kafka.sh" "$verb"
bash "$SLUICE_ROOT/e2e/env/postgres.sh" "$verb"
