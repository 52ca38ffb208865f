# Shared settings for the e2e environment scripts. Sourced, not run.
# Everything slow to build or download is cached outside git under
# $SLUICE_CACHE; everything that belongs to one running environment lives
# under $SLUICE_STATE (data dirs, logs, pids, certificates, kubeconfig).
set -euo pipefail

SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SLUICE_CACHE="${SLUICE_CACHE:-$HOME/.cache/sluice}"
SLUICE_STATE="${SLUICE_STATE:-$SLUICE_CACHE/state}"

K8S_VERSION="v1.35.4"     # last minor that supports containerd 1.x (node issue)
ETCD_VERSION="v3.6.5"     # the etcd server version k8s.io/kubernetes v1.35.4 requires
HELM_VERSION="v3.20.2"    # built against client-go v0.35, matching the control plane
COREDNS_VERSION="$(sed -n 's:^require github.com/coredns/coredns \(v[0-9.]*\)$:\1:p' "$SLUICE_ROOT/e2e/env/coredns/go.mod")"
CRICTL_VERSION="v1.34.0"  # newest cri-tools on the module proxy not newer than the node (v1.35.0 is not there)
KUBE_ROUTER_VERSION="v2.1.0"  # the newest kube-router the module proxy lists for .../kube-router/v2
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SLUICE_ROOT/e2e/env/kafka/pom.xml")"

K8S_BIN="$SLUICE_CACHE/k8s-$K8S_VERSION/bin"
HELM_BIN="$SLUICE_CACHE/helm-$HELM_VERSION/bin"
KAFKA_LIBS="$SLUICE_CACHE/kafka-$KAFKA_VERSION/libs"
COREDNS_BIN="$SLUICE_CACHE/coredns-$COREDNS_VERSION/bin"
CRICTL_BIN="$SLUICE_CACHE/crictl-$CRICTL_VERSION/bin"
KUBE_ROUTER_BIN="$SLUICE_CACHE/kube-router-$KUBE_ROUTER_VERSION/bin"

# The node (node.sh): one per machine, since kube-proxy owns the host's
# KUBE-* iptables chains. Its addresses exist only on the bridge node.sh
# creates: the node's own address and the pods' subnet.
NODE_NAME="${NODE_NAME:-sluice-node}"
NODE_IP="${NODE_IP:-10.201.0.1}"
POD_CIDR="${POD_CIDR:-10.244.0.0/24}"
POD_GATEWAY="${POD_GATEWAY:-10.244.0.1}"
NODE_OWNER_FILE=/run/sluice-node.owner

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# wait_for <seconds> <description> <command...>: poll until the command succeeds.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then die "timed out after ${timeout}s waiting for $what"; fi
    sleep 0.5
  done
}

# render <template> <dest>: the template with its ${NAME}s replaced by the
# shell variables of those names, written only when the result differs from
# what is there. Running processes watch some of these files (kube-proxy exits
# when its config file changes), so an unchanged config must stay untouched
# for a second `up` to leave running components alone.
render() {
  local tpl=$1 dest=$2 name vars=() names=()
  for name in $(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$tpl" | tr -d '${}' | sort -u); do
    [ -n "${!name+x}" ] || die "$tpl uses \${$name}, which is not set"
    vars+=("$name=${!name}"); names+=("\${$name}")
  done
  write_if_changed "$dest" < <(env "${vars[@]}" envsubst "${names[*]}" < "$tpl")
}

# write_if_changed <dest>: standard input into dest, unless dest already holds
# exactly that (the file, its inode and its mtime stay as they are). Files it
# did change are listed in CHANGED_FILES, so a caller can restart what reads them.
CHANGED_FILES=()
write_if_changed() {
  local dest=$1 tmp
  tmp=$(mktemp "$dest.XXXXXX")
  cat > "$tmp"
  if cmp -s "$tmp" "$dest"; then rm -f "$tmp"; else mv -f "$tmp" "$dest"; CHANGED_FILES+=("$dest"); fi
}

# changed <file>: true when write_if_changed changed that file in this run.
changed() { local f; for f in "${CHANGED_FILES[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

# pid_alive <pidfile>: true when the process recorded in pidfile is running.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid <pidfile> [grace seconds]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local f=$1 grace=${2:-20}
  pid_alive "$f" || { rm -f "$f"; return 0; }
  local pid; pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq $(( grace * 5 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}
