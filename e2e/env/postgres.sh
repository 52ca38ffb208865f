#!/usr/bin/env bash
# postgres.sh up|down|clean|status|info: one PostgreSQL server from Debian's
# packages, in its own cluster for this environment (not Debian's `main`),
# with wal_level=logical for change data capture (issue 13) and the
# JDBC/PostgreSQL sinks. It listens on 127.0.0.1 and, when the node's
# network exists, on the node's address for pods. Its superuser's password is
# generated once and kept in the state directory (never committed).
#
# PostgreSQL refuses to run as root, so the server runs as the `postgres`
# system user. That user cannot reach a state directory under root's home
# (mode 700); the data directory then lives under /var/lib/postgresql and
# $SLUICE_STATE/postgres/data points at it (`clean` removes both).
source "$(dirname "$0")/lib.sh"

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5433}"         # not 5432: that is Debian's own `main` cluster
PG_USER="${PG_USER:-sluice}"
PG_DATABASE="${PG_DATABASE:-sluice}"
DIR="$SLUICE_STATE/postgres"
PWFILE="$DIR/password"

pg_bin() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$v" ] && echo "/usr/lib/postgresql/$v/bin"
}

install_packages() {
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] && return 0
  log "installing postgresql (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postinst creates and starts its own `main` cluster where it can;
  # ours is separate and on another port, so that does not matter.
  apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  [ -x "$(pg_bin)/initdb" ] || die "postgresql installed but initdb not found under /usr/lib/postgresql"
}

as_pg() { runuser -u postgres -- "$@"; }

# data_dir: where the cluster lives (see the header).
data_dir() {
  if [ -L "$DIR/data" ] || [ -d "$DIR/data" ]; then readlink -f "$DIR/data"; return; fi
  mkdir -p "$DIR"
  if as_pg test -x "$DIR" 2>/dev/null; then
    echo "$DIR/data"
  else
    echo "/var/lib/postgresql/sluice-$(printf '%s' "$SLUICE_STATE" | sha256sum | cut -c1-12)/data"
  fi
}

# The node's address when its network exists on this machine.
pod_host() { ip -4 addr show 2>/dev/null | grep -q "inet $NODE_IP/" && echo "$NODE_IP" || true; }

listen_addresses() { local p; p=$(pod_host); echo "$PG_HOST${p:+,$p}"; }

running() { local d; d=$(data_dir); [ -f "$d/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" status -D "$d" >/dev/null 2>&1; }

psql_admin() {
  PGPASSWORD="$(cat "$PWFILE")" "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"
}

init_cluster() {
  local d=$1
  mkdir -p "$DIR"
  [ -f "$PWFILE" ] || (umask 077 && openssl rand -hex 16 > "$PWFILE")
  mkdir -p "$(dirname "$d")"
  chown postgres: "$(dirname "$d")"
  local tmp; tmp=$(dirname "$d")/initdb.pw
  (umask 077 && cp "$PWFILE" "$tmp") && chown postgres: "$tmp"
  log "initdb $d (superuser $PG_USER)"
  as_pg "$(pg_bin)/initdb" -D "$d" -U "$PG_USER" --pwfile="$tmp" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || { rm -f "$tmp"; cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$tmp"
  [ "$d" = "$DIR/data" ] || ln -sfn "$d" "$DIR/data"
  # Pods reach the server from the pods' subnet through the node's address.
  cat > "$d/pg_hba.conf" <<EOF
# Written by e2e/env/postgres.sh.
local   all  all                 scram-sha-256
host    all  all  127.0.0.1/32   scram-sha-256
host    all  all  10.0.0.0/8     scram-sha-256
host    replication  all  127.0.0.1/32  scram-sha-256
host    replication  all  10.0.0.0/8    scram-sha-256
EOF
  chown postgres: "$d/pg_hba.conf"
}

# The settings this script owns; rewritten on every up, compared to decide
# whether a running server must restart (only listen_addresses can change).
write_conf() {
  local d=$1
  cat > "$d/sluice.conf.new" <<EOF
# Written by e2e/env/postgres.sh (included from postgresql.conf).
listen_addresses = '$(listen_addresses)'
port = $PG_PORT
unix_socket_directories = ''
wal_level = logical
max_replication_slots = 40
max_wal_senders = 40
max_connections = 200
wal_sender_timeout = 60s
shared_buffers = 128MB
max_wal_size = 2GB
fsync = on
log_destination = 'stderr'
logging_collector = off
EOF
  chown postgres: "$d/sluice.conf.new"
  grep -q "^include_if_exists = 'sluice.conf'" "$d/postgresql.conf" ||
    echo "include_if_exists = 'sluice.conf'" >> "$d/postgresql.conf"
}

up() {
  install_packages
  local d; d=$(data_dir)
  [ -f "$d/PG_VERSION" ] || init_cluster "$d"
  write_conf "$d"
  if running; then
    if cmp -s "$d/sluice.conf.new" "$d/sluice.conf"; then
      rm -f "$d/sluice.conf.new"; log "postgres already running"; return 0
    fi
    log "restarting postgres (its settings changed)"
    down
  fi
  mv "$d/sluice.conf.new" "$d/sluice.conf"
  # pg_ctl detaches the server into its own session.
  as_pg "$(pg_bin)/pg_ctl" start -w -t 60 -D "$d" -l "$d/../server.log" >/dev/null ||
    { tail -20 "$d/../server.log" >&2; die "postgres did not start"; }
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE DATABASE $PG_DATABASE"
  log "postgres $(psql_admin -d "$PG_DATABASE" -tAc 'SHOW server_version' | cut -d' ' -f1) up on $(listen_addresses):$PG_PORT"
}

down() {
  local d; d=$(data_dir)
  if running; then as_pg "$(pg_bin)/pg_ctl" stop -w -t 60 -m fast -D "$d" >/dev/null || true; fi
  log "postgres down"
}

clean() {
  down
  local d; d=$(data_dir)
  [ "$d" = "$DIR/data" ] || rm -rf "$(dirname "$d")"
  rm -rf "$DIR"
}

# info: the connection details as JSON (host/port/user/password/database for
# this machine; podHost for pods, null without the node's network).
info() {
  running || { echo null; return 1; }
  local ph; ph=$(pod_host)
  if [ -n "$ph" ]; then ph="\"$ph\""; else ph=null; fi
  printf '{"host":"%s","port":%s,"podHost":%s,"user":"%s","password":"%s","database":"%s","version":"%s"}\n' \
    "$PG_HOST" "$PG_PORT" "$ph" "$PG_USER" "$(cat "$PWFILE")" "$PG_DATABASE" \
    "$(cat "$(data_dir)/PG_VERSION")"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  clean) clean ;;
  status) running && echo "running $(listen_addresses):$PG_PORT" || { echo stopped; exit 1; } ;;
  info) info ;;
  psql) shift; psql_admin -d "$PG_DATABASE" "$@" ;;
  *) echo "usage: $0 up|down|clean|status|info|psql [args]" >&2; exit 2 ;;
esac
