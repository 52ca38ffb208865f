#!/usr/bin/env bash
# The CDC part of `npm run demo` (also runnable alone after `npm run build`
# with the environment up): a Sluice worker on this machine runs the
# PostgreSQL CDC connector (Debezium's config keys) against the
# environment's PostgreSQL and the PostgreSQL sink (Debezium's JDBC sink
# keys) from its topic into a second database, the replica. A few rows of
# the table change, their change events are printed from Kafka, then both
# tables; one more row changed at the source is shown arriving in the
# replica. The worker stops at the end and drops its slot
# (slot.drop.on.stop), so the demo leaves no WAL pinned; each run starts
# from fresh tables, so it can run again and again.
source "$(dirname "$0")/lib.sh"
cd "$SLUICE_ROOT"
env_json=$(bash e2e/env/info.sh | tail -1) || die "the environment is not up (npm run env:up)"
field() { node -e 'const v=process.argv[2].split(".").reduce((o,k)=>o?.[k],JSON.parse(process.argv[1]));console.log(v??"")' "$env_json" "$1"; }
pg_host=$(field postgres.host); pg_port=$(field postgres.port); pg_user=$(field postgres.user); pg_db=$(field postgres.database)
export PGPASSWORD="$(field postgres.password)"
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db")
command -v psql >/dev/null || psql=("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" "${psql[@]:1}")

run="demo_$(date +%s)"
dir=$(mktemp -d /tmp/sluice-demo-cdc-XXXXXX)
replica_db=sluice_demo_replica
replica=("${psql[@]:0:${#psql[@]}-1}" "$replica_db")
"${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$replica_db'" | grep -q 1 ||
  "${psql[@]}" -c "CREATE DATABASE $replica_db"
"${replica[@]}" -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS demo_orders"
"${psql[@]}" -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS demo_orders" -c "CREATE TABLE demo_orders (id int PRIMARY KEY, item text NOT NULL, amount numeric(10,2), placed timestamptz DEFAULT now())" \
  -c "INSERT INTO demo_orders (id, item, amount) VALUES (1, 'coffee', 3.50), (2, 'tea', 2.80)"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat > "$dir/worker.properties" <<P
bootstrap.servers=$(field kafka.bootstrapServers)
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$dir/offsets
listeners=http://127.0.0.1:$port
# The database password stays out of every file and the connector store:
# connectors name it as \${env:PGPASSWORD}, resolved only in a running task.
config.providers=env
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
config.providers.env.param.allowlist.pattern=PGPASSWORD
P
cat > "$dir/orders-cdc.properties" <<P
name=orders-cdc
connector.class=io.debezium.connector.postgresql.PostgresConnector
database.hostname=$pg_host
database.port=$pg_port
database.user=$pg_user
database.password=\${env:PGPASSWORD}
database.dbname=$pg_db
topic.prefix=$run
plugin.name=pgoutput
slot.name=${run}_slot
slot.drop.on.stop=true
publication.name=${run}_pub
publication.autocreate.mode=filtered
table.include.list=public.demo_orders
P
cat > "$dir/orders-replica.properties" <<P
name=orders-replica
connector.class=io.debezium.connector.jdbc.JdbcSinkConnector
topics=$run.public.demo_orders
connection.url=jdbc:postgresql://$pg_host:$pg_port/$replica_db
connection.username=$pg_user
connection.password=\${env:PGPASSWORD}
insert.mode=upsert
primary.key.mode=record_key
delete.enabled=true
schema.evolution=basic
collection.name.format=\${source.table}
P
log "starting a Sluice worker: the PostgreSQL CDC connector (topic $run.public.demo_orders) and the PostgreSQL sink into the database $replica_db"
node dist/runtime/src/cli.js standalone "$dir/worker.properties" "$dir/orders-cdc.properties" "$dir/orders-replica.properties" > "$dir/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null; "${psql[@]}" -c "DROP PUBLICATION IF EXISTS ${run}_pub" >/dev/null 2>&1 || true' EXIT
running() { curl -sf "http://127.0.0.1:$port/connectors/$1/status" | grep -q '"tasks":\[{"id":0,"state":"RUNNING"'; }
wait_for 60 "the CDC connector to run (log: $dir/worker.log)" running orders-cdc
wait_for 60 "the sink to run (log: $dir/worker.log)" running orders-replica
slot_active() { "${psql[@]}" -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name = '${run}_slot' AND active" | grep -q 1; }
wait_for 60 "the slot to stream" slot_active
"${psql[@]}" -c "INSERT INTO demo_orders (id, item, amount) VALUES (3, 'cake', 4.20)" \
  -c "UPDATE demo_orders SET amount = 3.90 WHERE id = 1" -c "DELETE FROM demo_orders WHERE id = 2"

echo
echo "== change events on $run.public.demo_orders (op: r snapshot, c insert, u update, d delete; key -> after):"
NODE_NO_WARNINGS=1 node - "$(field kafka.bootstrapServers)" "$run.public.demo_orders" <<'JS'
const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ brokers: [process.argv[2]], logLevel: logLevel.NOTHING });
(async () => {
  const consumer = kafka.consumer({ groupId: `demo-cdc-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [process.argv[3]], fromBeginning: true });
  const out = [];
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30000);
    consumer.run({ eachMessage: async ({ message }) => {
      // JsonConverter with schemas: {schema, payload}.
      const v = message.value ? JSON.parse(message.value.toString()).payload : null;
      const key = message.key ? JSON.stringify(JSON.parse(message.key.toString()).payload) : null;
      out.push(v ? `${v.op}  key=${key}  before=${JSON.stringify(v.before)}  after=${JSON.stringify(v.after)}  lsn=${v.source.lsn}`
                 : `tombstone  key=${key}`);
      if (out.length >= 6) { clearTimeout(timer); resolve(); }
    } });
  });
  await consumer.disconnect();
  console.log(out.join('\n'));
})().catch((e) => { console.error(e.message); process.exit(1); });
JS
echo "(amount is a Debezium Decimal: base64 of the unscaled value; worker log: $dir/worker.log)"

table() { "$@" -c "SELECT id, item, amount FROM demo_orders ORDER BY id"; }
same() { [ "$(table "${psql[@]}" -tA)" = "$(table "${replica[@]}" -tA 2>/dev/null)" ]; }
wait_for 60 "the replica to equal the source (log: $dir/worker.log)" same
echo
echo "== the loop: source table demo_orders ($pg_db) and its replica, written by the PostgreSQL sink ($replica_db):"
echo "-- source $pg_db.demo_orders"; table "${psql[@]}"
echo "-- replica $replica_db.demo_orders"; table "${replica[@]}"
"${psql[@]}" -c "UPDATE demo_orders SET item = 'espresso', amount = 2.40 WHERE id = 1"
changed=$(date +%s%N)
echo "== changed row 1 in the source (item espresso, amount 2.40); the replica $replica_db.demo_orders:"
arrived() { "${replica[@]}" -tAc "SELECT item FROM demo_orders WHERE id = 1" | grep -q espresso; }
wait_for 60 "the change in the replica (log: $dir/worker.log)" arrived
ms=$(( ($(date +%s%N) - changed) / 1000000 ))
table "${replica[@]}"
echo "(in the replica after ${ms} ms; worker log: $dir/worker.log)"
