#!/usr/bin/env bash
# fetch.sh: puts the Debezium JDBC sink plugin (pom.xml) under the cache and
# prints its plugin.path directory. Cached: a second call fetches nothing.
source "$(dirname "$0")/../../e2e/env/lib.sh"
dir="$SLUICE_CACHE/debezium-jdbc-3.6.0.Final"
if [ ! -f "$dir/.complete" ]; then
  command -v mvn >/dev/null || die "maven is required to fetch the Debezium JDBC sink"
  rm -rf "$dir"; mkdir -p "$dir/debezium-connector-jdbc"
  mvn -q -B -Dstyle.color=never -s "$SLUICE_ROOT/bench/debezium-jdbc/settings.xml" -f "$SLUICE_ROOT/bench/debezium-jdbc/pom.xml" dependency:copy-dependencies >&2 \
    -DoutputDirectory="$dir/debezium-connector-jdbc" -DincludeScope=runtime
  touch "$dir/.complete"
fi
echo "$dir"
