#!/usr/bin/env bash
# debezium.sh jars: fetches Debezium's PostgreSQL connector (debezium/pom.xml)
# from Maven Central into the cache once and prints the plugin directory to
# give Apache Kafka Connect as plugin.path (the jars are never committed).
source "$(dirname "$0")/lib.sh"
DEBEZIUM_VERSION="$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$SLUICE_ROOT/e2e/env/debezium/pom.xml")"
PLUGINS="$SLUICE_CACHE/debezium-$DEBEZIUM_VERSION/plugins"
DIR="$PLUGINS/debezium-connector-postgres"

fetch() {
  [ -f "$DIR/.complete" ] && return 0
  command -v mvn >/dev/null || die "maven is required to fetch Debezium (install maven)"
  log "fetching Debezium $DEBEZIUM_VERSION (PostgreSQL connector) from Maven Central"
  rm -rf "$DIR"; mkdir -p "$DIR"
  mvn -q -B -Dstyle.color=never -f "$SLUICE_ROOT/e2e/env/debezium/pom.xml" dependency:copy-dependencies >&2 \
    -DoutputDirectory="$DIR" -DincludeScope=runtime -DexcludeGroupIds=org.apache.kafka
  touch "$DIR/.complete"
}

case "${1:-}" in
  jars) fetch; echo "$PLUGINS" ;;
  version) echo "$DEBEZIUM_VERSION" ;;
  *) echo "usage: $0 jars|version" >&2; exit 2 ;;
esac
