#!/usr/bin/env bash
# The main job, as far as it runs today: brings up the environment, starts a
# standalone Sluice worker with a data generator and a file sink
# (examples/standalone/), waits until records flow, prints the connectors and
# a sample of the moved data, then stops the worker (the environment stays up).
source "$(dirname "$0")/lib.sh"
cd "$SLUICE_ROOT"
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
npm run --silent build
env_json=$(bash e2e/env/up.sh | tail -1)
bootstrap=$(node -e 'console.log(JSON.parse(process.argv[1]).kafka.bootstrapServers)' "$env_json")
dir=$(mktemp -d /tmp/sluice-demo-XXXX)
export SLUICE_DEMO_DIR=$dir
sed "s#\${SLUICE_DEMO_DIR}#$dir#" examples/standalone/file-sink.properties > "$dir/file-sink.properties"
cat > "$dir/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$dir/data/offsets.json
offset.flush.interval.ms=2000
listeners=http://127.0.0.1:18083
PROPS
node_modules/.bin/node dist/runtime/src/cli.js standalone "$dir/worker.properties" examples/standalone/datagen-source.json "$dir/file-sink.properties" > "$dir/worker.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
wait_for 60 "records in $dir/out.txt" test -s "$dir/out.txt"
sleep 3
echo "== connectors"
curl -s 'http://127.0.0.1:18083/connectors?expand=status' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const [n,v] of Object.entries(JSON.parse(s)))console.log(n.padEnd(10),v.status.connector.state,v.status.tasks.map(t=>t.state).join(","))})'
echo "== $(wc -l < "$dir/out.txt") records moved datagen -> Kafka topic sluice-demo -> $dir/out.txt; a sample:"
head -5 "$dir/out.txt"
