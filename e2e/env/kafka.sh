#!/usr/bin/env bash
# kafka.sh up|down|status: one Apache Kafka broker in KRaft combined mode on
# the machine's Java 17, jars fetched from Maven Central by kafka/pom.xml.
# KAFKA_BROKERS=3 starts three combined KRaft nodes instead (a quorum of
# three controllers; ports KAFKA_PORT, +100, +200, and the same steps for the
# controller and pod ports), with replication factor 3 (min ISR 2) for
# Kafka's internal topics and as the default, so broker failover can be
# tested: `kafka.sh stop-node N` / `start-node N` stop and start node N.
source "$(dirname "$0")/lib.sh"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_POD_PORT="${KAFKA_POD_PORT:-9094}"
DIR="$SLUICE_STATE/kafka"
PIDFILE="$DIR/kafka.pid"
KAFKA_BROKERS="${KAFKA_BROKERS:-1}"
case "$KAFKA_BROKERS" in 1|3) ;; *) die "KAFKA_BROKERS must be 1 or 3 (got $KAFKA_BROKERS)" ;; esac
# A cluster's nodes live under $DIR/node-N; `brokers` says which layout is up.
BROKERS_FILE="$DIR/brokers"

fetch_jars() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "maven is required to fetch Kafka (install maven)"
  command -v java >/dev/null || die "java 17+ is required to run Kafka"
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$SLUICE_ROOT/e2e/env/kafka/pom.xml" dependency:copy-dependencies >&2 \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime
  touch "$KAFKA_LIBS/.complete"
}

# jvm <log file> <main class> [args...]: run a Kafka main class with the
# JVM flags shared by every Kafka process we start.
jvm() {
  local logfile=$1; shift
  ${exec_jvm:+exec} java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$SLUICE_ROOT/e2e/env/kafka/log4j2.properties" \
    "-Dsluice.log.file=$logfile" -cp "$KAFKA_LIBS/*" "$@"
}

ready() { (exec 3<>"/dev/tcp/$KAFKA_HOST/$KAFKA_PORT") 2>/dev/null && grep -q 'Kafka Server started' "$DIR/server.log"; }

up() {
  fetch_jars
  mkdir -p "$DIR"
  # With KAFKA_POD_HOST (the node's address, set by up.sh), a second listener
  # PODS on that address and KAFKA_POD_PORT (Kafka wants one port per
  # listener), advertised as itself, serves clients in pods.
  local pods="" pods_map=""
  if [ -n "${KAFKA_POD_HOST:-}" ]; then pods=",PODS://$KAFKA_POD_HOST:$KAFKA_POD_PORT"; pods_map=",PODS:PLAINTEXT"; fi
  sed -e "s#@KAFKA_HOST@#$KAFKA_HOST#g" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" \
      -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DIR/data#g" \
      -e "s#@POD_LISTENER@#$pods#g" -e "s#@POD_LISTENER_MAP@#$pods_map#g" \
      "$SLUICE_ROOT/e2e/env/kafka/server.properties" > "$DIR/server.properties.new"
  if pid_alive "$PIDFILE"; then
    if cmp -s "$DIR/server.properties.new" "$DIR/server.properties"; then
      rm -f "$DIR/server.properties.new"; log "kafka already running"; return 0
    fi
    log "restarting kafka (its listeners changed)"
    down
  fi
  mv "$DIR/server.properties.new" "$DIR/server.properties"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    jvm "$DIR/format.log" kafka.tools.StorageTool format \
      -t "$(jvm "$DIR/format.log" kafka.tools.StorageTool random-uuid)" \
      -c "$DIR/server.properties" >"$DIR/format.out" 2>&1 || { cat "$DIR/format.out" >&2; die "kafka storage format failed"; }
  fi
  : > "$DIR/server.log"
  # A separate session whose process is the JVM itself (see _broker), so the
  # recorded pid is exactly what `down` must stop.
  setsid bash "$SLUICE_ROOT/e2e/env/kafka.sh" _broker > "$DIR/stdout.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  wait_for 90 "kafka on $KAFKA_HOST:$KAFKA_PORT" ready || { tail -20 "$DIR/stdout.log" >&2; exit 1; }
  log "kafka $KAFKA_VERSION up on $KAFKA_HOST:$KAFKA_PORT"
}

down() {
  stop_pid "$PIDFILE" 30
  local n
  for n in 1 2 3; do [ -f "$DIR/node-$n/kafka.pid" ] && stop_pid "$DIR/node-$n/kafka.pid" 30; done
  rm -f "$BROKERS_FILE"
  log "kafka down"
}

# ---- KAFKA_BROKERS=3 --------------------------------------------------------

node_port() { echo $(( $1 + ($2 - 1) * 100 )); }   # node_port <base port> <node>
cluster_bootstrap() {
  local n out=""
  for n in 1 2 3; do out="$out${out:+,}$KAFKA_HOST:$(node_port "$KAFKA_PORT" "$n")"; done
  echo "$out"
}
node_ready() {
  (exec 3<>"/dev/tcp/$KAFKA_HOST/$(node_port "$KAFKA_PORT" "$1")") 2>/dev/null \
    && grep -q 'Kafka Server started' "$DIR/node-$1/server.log"
}

# node_properties <n>: the single-node template for node n, then the cluster's keys (later keys win).
node_properties() {
  local n=$1 nd="$DIR/node-$1" pods="" pods_map="" voters="" i
  if [ -n "${KAFKA_POD_HOST:-}" ]; then
    pods=",PODS://$KAFKA_POD_HOST:$(node_port "$KAFKA_POD_PORT" "$n")"; pods_map=",PODS:PLAINTEXT"
  fi
  for i in 1 2 3; do voters="$voters${voters:+,}$i@127.0.0.1:$(node_port "$CONTROLLER_PORT" "$i")"; done
  sed -e "s#@KAFKA_HOST@#$KAFKA_HOST#g" -e "s#@KAFKA_PORT@#$(node_port "$KAFKA_PORT" "$n")#g" \
      -e "s#@CONTROLLER_PORT@#$(node_port "$CONTROLLER_PORT" "$n")#g" -e "s#@DATA_DIR@#$nd/data#g" \
      -e "s#@POD_LISTENER@#$pods#g" -e "s#@POD_LISTENER_MAP@#$pods_map#g" \
      "$SLUICE_ROOT/e2e/env/kafka/server.properties"
  cat <<PROPS
# KAFKA_BROKERS=3: node $n of a three-node KRaft quorum
node.id=$n
controller.quorum.voters=$voters
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
default.replication.factor=3
min.insync.replicas=2
PROPS
}

start_node() {
  local n=$1 nd="$DIR/node-$1"
  pid_alive "$nd/kafka.pid" && return 0
  : > "$nd/server.log"
  setsid bash "$SLUICE_ROOT/e2e/env/kafka.sh" _node "$n" > "$nd/stdout.log" 2>&1 < /dev/null &
  echo $! > "$nd/kafka.pid"
}

cluster_up() {
  fetch_jars
  mkdir -p "$DIR"
  if pid_alive "$PIDFILE"; then log "stopping the single kafka broker for KAFKA_BROKERS=3"; stop_pid "$PIDFILE" 30; fi
  [ -f "$DIR/cluster.id" ] || jvm "$DIR/format.log" kafka.tools.StorageTool random-uuid > "$DIR/cluster.id"
  local n changed=0
  for n in 1 2 3; do
    mkdir -p "$DIR/node-$n"
    node_properties "$n" > "$DIR/node-$n/server.properties.new"
    if cmp -s "$DIR/node-$n/server.properties.new" "$DIR/node-$n/server.properties"; then
      rm -f "$DIR/node-$n/server.properties.new"
    else
      changed=1
      mv "$DIR/node-$n/server.properties.new" "$DIR/node-$n/server.properties"
    fi
  done
  if [ "$changed" = 1 ]; then
    for n in 1 2 3; do stop_pid "$DIR/node-$n/kafka.pid" 30; done
  fi
  for n in 1 2 3; do
    if [ ! -f "$DIR/node-$n/data/meta.properties" ]; then
      jvm "$DIR/format.log" kafka.tools.StorageTool format -t "$(cat "$DIR/cluster.id")" \
        -c "$DIR/node-$n/server.properties" >"$DIR/node-$n/format.out" 2>&1 \
        || { cat "$DIR/node-$n/format.out" >&2; die "kafka storage format of node $n failed"; }
    fi
    start_node "$n"
  done
  for n in 1 2 3; do
    wait_for 120 "kafka node $n" node_ready "$n" || { tail -20 "$DIR/node-$n/stdout.log" >&2; exit 1; }
  done
  echo 3 > "$BROKERS_FILE"
  log "kafka $KAFKA_VERSION up: 3 nodes on $(cluster_bootstrap)"
}

# The brokers that are up: 3 when a cluster was started, else 1.
running_brokers() { [ -f "$BROKERS_FILE" ] && cat "$BROKERS_FILE" || echo 1; }

case "${1:-}" in
  up) if [ "$KAFKA_BROKERS" = 3 ]; then cluster_up; else
        [ "$(running_brokers)" = 3 ] && { log "stopping the 3-node cluster for one broker"; down; }
        up
      fi ;;
  _broker) exec_jvm=1; jvm "$DIR/server.log" kafka.Kafka "$DIR/server.properties" ;;
  _node) exec_jvm=1; jvm "$DIR/node-$2/server.log" kafka.Kafka "$DIR/node-$2/server.properties" ;;
  stop-node) stop_pid "$DIR/node-${2:?node 1-3}/kafka.pid" 30; log "kafka node $2 stopped" ;;
  start-node) start_node "${2:?node 1-3}"; wait_for 120 "kafka node $2" node_ready "$2"; log "kafka node $2 up" ;;
  down) down ;;
  clean) down; rm -rf "$DIR" ;;
  status)
    if [ "$(running_brokers)" = 3 ]; then
      pid_alive "$DIR/node-1/kafka.pid" || pid_alive "$DIR/node-2/kafka.pid" || pid_alive "$DIR/node-3/kafka.pid" \
        || { echo stopped; exit 1; }
      echo "running $(cluster_bootstrap)"
    else
      pid_alive "$PIDFILE" && echo "running $KAFKA_HOST:$KAFKA_PORT" || { echo stopped; exit 1; }
    fi ;;
  bootstrap) if [ "$(running_brokers)" = 3 ]; then cluster_bootstrap; else echo "$KAFKA_HOST:$KAFKA_PORT"; fi ;;
  jars) fetch_jars; echo "$KAFKA_LIBS" ;;
  *) echo "usage: $0 up|down|clean|status|bootstrap|stop-node N|start-node N|jars" >&2; exit 2 ;;
esac
