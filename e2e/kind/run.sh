#!/usr/bin/env bash
# The end-to-end suite on a kind cluster (where Docker can pull kind's node
# image; it cannot here, where no registry is reachable — see the README):
#   e2e/kind/run.sh            create the cluster, build and load the images, run the suite
#   e2e/kind/run.sh down       delete the cluster
# Needs docker, kind, kubectl and helm on the PATH, and a Kafka broker that
# both this machine and the kind node reach: SLUICE_E2E_KAFKA (as the tests
# reach it) and SLUICE_E2E_POD_KAFKA (as pods reach it, e.g. the docker
# bridge address of a broker started with `KAFKA_HOST=<that address>
# bash e2e/env/kafka.sh up`). The suite is e2e/tests/end-to-end.test.ts,
# unchanged: it installs the chart itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLUSTER="${KIND_CLUSTER:-sluice-e2e}"
VERSION="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/sluice/Chart.yaml)"

if [ "${1:-}" = down ]; then
  kind delete cluster --name "$CLUSTER"
  exit 0
fi
: "${SLUICE_E2E_KAFKA:?set SLUICE_E2E_KAFKA (the broker as the tests reach it)}"
kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubeconfig="$(mktemp)"
kind get kubeconfig --name "$CLUSTER" > "$kubeconfig"
for component in runtime operator; do
  docker build -f "$component/Dockerfile" -t "sluice/$component:$VERSION" .
  kind load docker-image --name "$CLUSTER" "sluice/$component:$VERSION"
done
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
npm run --silent build
SLUICE_E2E_KUBECONFIG="$kubeconfig" npx mocha --no-config --timeout 600000 --exit \
  --reporter e2e/support/summary-reporter.cjs dist/e2e/tests/end-to-end.test.js
