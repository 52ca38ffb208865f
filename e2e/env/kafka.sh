#!/usr/bin/env bash
# kafka.sh up|down|status: one Apache Kafka broker in KRaft combined mode on
# the machine's Java 17, jars fetched from Maven Central by kafka/pom.xml.
source "$(dirname "$0")/lib.sh"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_POD_PORT="${KAFKA_POD_PORT:-9094}"
DIR="$SLUICE_STATE/kafka"
PIDFILE="$DIR/kafka.pid"

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

down() { stop_pid "$PIDFILE" 30; log "kafka down"; }

case "${1:-}" in
  up) up ;;
  _broker) exec_jvm=1; jvm "$DIR/server.log" kafka.Kafka "$DIR/server.properties" ;;
  down) down ;;
  clean) down; rm -rf "$DIR" ;;
  status) pid_alive "$PIDFILE" && echo "running $KAFKA_HOST:$KAFKA_PORT" || { echo stopped; exit 1; } ;;
  jars) fetch_jars; echo "$KAFKA_LIBS" ;;
  *) echo "usage: $0 up|down|clean|status|jars" >&2; exit 2 ;;
esac
