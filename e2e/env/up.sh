#!/usr/bin/env bash
# Brings the whole test environment up (idempotent) and prints where things
# are as JSON on its last line.
source "$(dirname "$0")/lib.sh"
mkdir -p "$SLUICE_STATE"
bash "$SLUICE_ROOT/e2e/env/prereqs.sh"
bash "$SLUICE_ROOT/e2e/env/kafka.sh" up
bash "$SLUICE_ROOT/e2e/env/k8s.sh" up
bash "$SLUICE_ROOT/e2e/env/info.sh"
