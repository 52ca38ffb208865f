#!/usr/bin/env bash
# apache-connect.sh standalone <worker.properties> [connector.properties ...]
# apache-connect.sh distributed <worker.properties>
# apache-connect.sh jmx-agent   (prints the path of the JMX exporter agent jar, fetched once)
# Runs Apache Kafka Connect from the jars kafka/pom.xml fetched (the baseline
# for compatibility checks and benchmarks), in the foreground, like Kafka's
# bin/connect-{standalone,distributed}.sh with their default heap.
# SLUICE_CONNECT_LOG sets the log file (default: stderr is quiet, log in state dir).
# KAFKA_OPTS adds JVM options, as in Kafka's scripts (e.g. a -javaagent).
source "$(dirname "$0")/lib.sh"
mode=${1:-}; shift || true
if [ "$mode" = jmx-agent ]; then
  pom="$SLUICE_ROOT/e2e/env/images/apache-connect/pom.xml"
  v=$(sed -n 's:.*<jmx.exporter.version>\(.*\)</jmx.exporter.version>.*:\1:p' "$pom")
  jar="$SLUICE_CACHE/jmx-exporter-$v/jmx_prometheus_javaagent-$v.jar"
  if [ ! -f "$jar" ]; then
    mvn -q -B -Dstyle.color=never dependency:copy "-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:$v" \
      "-DoutputDirectory=$(dirname "$jar")" >&2
  fi
  echo "$jar"; exit 0
fi
case "$mode" in
  standalone) main=org.apache.kafka.connect.cli.ConnectStandalone ;;
  distributed) main=org.apache.kafka.connect.cli.ConnectDistributed ;;
  *) echo "usage: $0 standalone|distributed <worker.properties> [connector files...]" >&2; exit 2 ;;
esac
bash "$SLUICE_ROOT/e2e/env/kafka.sh" jars >/dev/null
logfile="${SLUICE_CONNECT_LOG:-$SLUICE_STATE/apache-connect-$$.log}"
mkdir -p "$(dirname "$logfile")"
exec java ${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G} ${KAFKA_OPTS:-} -XX:+UseG1GC -Djava.awt.headless=true \
  "-Dlog4j2.configurationFile=$SLUICE_ROOT/e2e/env/kafka/log4j2.properties" \
  "-Dsluice.log.file=$logfile" -cp "$KAFKA_LIBS/*" "$main" "$@"
