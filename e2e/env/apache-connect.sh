#!/usr/bin/env bash
# apache-connect.sh standalone <worker.properties> [connector.properties ...]
# apache-connect.sh distributed <worker.properties>
# Runs Apache Kafka Connect from the jars kafka/pom.xml fetched (the baseline
# for compatibility checks and benchmarks), in the foreground, like Kafka's
# bin/connect-{standalone,distributed}.sh with their default heap.
# SLUICE_CONNECT_LOG sets the log file (default: stderr is quiet, log in state dir).
source "$(dirname "$0")/lib.sh"
mode=${1:-}; shift || true
case "$mode" in
  standalone) main=org.apache.kafka.connect.cli.ConnectStandalone ;;
  distributed) main=org.apache.kafka.connect.cli.ConnectDistributed ;;
  *) echo "usage: $0 standalone|distributed <worker.properties> [connector files...]" >&2; exit 2 ;;
esac
bash "$SLUICE_ROOT/e2e/env/kafka.sh" jars >/dev/null
logfile="${SLUICE_CONNECT_LOG:-$SLUICE_STATE/apache-connect-$$.log}"
mkdir -p "$(dirname "$logfile")"
exec java ${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G} -XX:+UseG1GC -Djava.awt.headless=true \
  "-Dlog4j2.configurationFile=$SLUICE_ROOT/e2e/env/kafka/log4j2.properties" \
  "-Dsluice.log.file=$logfile" -cp "$KAFKA_LIBS/*" "$main" "$@"
