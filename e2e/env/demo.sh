#!/usr/bin/env bash
# The main job (`npm run demo`): brings up Kafka, the control plane and the
# node (building what is missing, including our images), installs the Helm
# chart, applies examples/connector.yaml, waits until data flows through
# Kafka into the sink's file, and prints the resources and a sample of the
# moved data. A second run reuses what is up; `npm run env:down` removes it all.
source "$(dirname "$0")/lib.sh"
cd "$SLUICE_ROOT"
bash e2e/env/deps.sh
npm run --silent build
env_json=$(bash e2e/env/up.sh | tail -1)
field() { node -e 'const v=process.argv[2].split(".").reduce((o,k)=>o?.[k],JSON.parse(process.argv[1]));console.log(v??"")' "$env_json" "$1"; }
[ -n "$(field node.name)" ] || die "the environment has no node (SLUICE_NODE=0?): the demo runs pods"
export KUBECONFIG="$(field kubeconfig)"
kubectl="$(field kubernetes.bin)/kubectl"
helm="$(field helm)"
pod_kafka="$(field kafka.podBootstrapServers)"
ns=sluice-demo

# The namespace first: the chart puts the operator's Role there.
"$kubectl" get namespace "$ns" >/dev/null 2>&1 || "$kubectl" create namespace "$ns" >/dev/null
# The demo's operator watches only the demo's namespace, so that it never
# reconciles what the test suite creates in this environment.
log "installing the chart (helm upgrade --install sluice helm/sluice -n sluice-system --set watchNamespaces={$ns})"
"$helm" upgrade --install sluice helm/sluice -n sluice-system --create-namespace --wait --timeout 5m \
  --set "watchNamespaces={$ns}" >/dev/null
wait_for 60 "the default ServiceAccount of $ns" "$kubectl" -n "$ns" get serviceaccount default
log "applying examples/connector.yaml (bootstrapServers: $pod_kafka)"
sed "s#\${KAFKA_BOOTSTRAP_SERVERS}#$pod_kafka#" examples/connector.yaml | "$kubectl" -n "$ns" apply -f - >/dev/null

ready() { [ "$("$kubectl" -n "$ns" get "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
wait_for 300 "KafkaConnect quickstart Ready" ready kafkaconnect/quickstart
wait_for 120 "Connector orders-source Ready" ready connector/orders-source
wait_for 120 "Connector orders-to-file Ready" ready connector/orders-to-file

# Data flowing end to end: records in the topic, then lines in the sink's file.
sample=$(node - "$(field kafka.bootstrapServers)" <<'JS'
const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ brokers: [process.argv[2]], logLevel: logLevel.NOTHING });
(async () => {
  const consumer = kafka.consumer({ groupId: `demo-peek-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  const out = [];
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30000);
    consumer.run({ eachMessage: async ({ message }) => {
      out.push(`${message.key} ${message.value}`);
      if (out.length >= 3) { clearTimeout(timer); resolve(); }
    } });
  });
  await consumer.disconnect();
  console.log(out.join('\n'));
})().catch((e) => { console.error(e.message); process.exit(1); });
JS
)
pod=$("$kubectl" -n "$ns" get pods -l sluice.dev/cluster=quickstart -o jsonpath='{.items[0].metadata.name}')
lines() { "$kubectl" -n "$ns" exec "$pod" -- sh -c 'wc -l < /var/lib/sluice/orders.txt' 2>/dev/null || echo 0; }
wait_for 60 "lines in the sink's file" test "$(lines)" -gt 0
sleep 2

echo
echo "== kubectl get kafkaconnects,connectors -n $ns"
"$kubectl" -n "$ns" get kafkaconnects,connectors
echo
echo "== topic orders (first records, key value):"
echo "$sample"
echo
echo "== $(lines) records so far in $pod:/var/lib/sluice/orders.txt; the last ones:"
"$kubectl" -n "$ns" exec "$pod" -- tail -3 /var/lib/sluice/orders.txt
echo
echo "== change data capture: PostgreSQL -> Kafka with Debezium's PostgresConnector config (e2e/env/demo-cdc.sh)"
bash e2e/env/demo-cdc.sh
echo
echo "Try: kubectl -n $ns patch connector orders-source --type merge -p '{\"spec\":{\"state\":\"paused\"}}'"
echo "     (KUBECONFIG=$KUBECONFIG, kubectl at $kubectl); npm run env:down removes everything."
