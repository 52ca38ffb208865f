#!/usr/bin/env bash
# node.sh net|up|down|clean|status|info: a real Kubernetes node beside the
# control plane of k8s.sh: containerd + runc + CNI bridge (Debian packages),
# kubelet and kube-proxy (built by build-k8s.sh), CoreDNS as a host process
# serving cluster.local, a local PV provisioner with a default StorageClass,
# and the images of images.sh imported into containerd.
#
# Network (nothing here routes to anything outside the machine): one bridge,
# sluicebr0, with the pods' veths, the pods' gateway $POD_GATEWAY in $POD_CIDR
# and the node's own address $NODE_IP/32 (its InternalIP, where the apiserver,
# CoreDNS and Kafka's pod listener are reached; this kernel has no dummy
# interfaces). Forwarding out of the bridge to anywhere else is rejected.
#
# One node per machine (kube-proxy owns the host's KUBE-* chains): the
# environment that created the network owns it ($NODE_OWNER_FILE); another
# environment's up skips the node, its down leaves it alone.
source "$(dirname "$0")/lib.sh"

DIR="$SLUICE_STATE/node"
K8S_DIR="$SLUICE_STATE/k8s"
PKI="$K8S_DIR/pki"
KUBECTL=("$K8S_BIN/kubectl" --kubeconfig "$K8S_DIR/admin.kubeconfig")
CTRD_SOCK="$DIR/containerd/containerd.sock"
CRICTL=("$CRICTL_BIN/crictl" --runtime-endpoint "unix://$CTRD_SOCK" --image-endpoint "unix://$CTRD_SOCK" --timeout 60s)
BRIDGE=sluicebr0
CNI_BIN=/usr/lib/cni
KUBELET_PORT="${KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${KUBELET_HEALTHZ_PORT:-10248}"
KUBE_PROXY_HEALTHZ_PORT="${KUBE_PROXY_HEALTHZ_PORT:-10256}"
KUBE_PROXY_METRICS_PORT="${KUBE_PROXY_METRICS_PORT:-10249}"
COREDNS_HEALTH_PORT="${COREDNS_HEALTH_PORT:-18080}"
COREDNS_READY_PORT="${COREDNS_READY_PORT:-18181}"
KUBE_ROUTER_HEALTH_PORT="${KUBE_ROUTER_HEALTH_PORT:-20244}"
STORAGE_CLASS=sluice-local
# Stopped in reverse order by down.
COMPONENTS=(containerd kubelet kube-proxy kube-router coredns provisioner)
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables)

owner() { cat "$NODE_OWNER_FILE" 2>/dev/null || true; }
# The network's owner is live while its bridge and its marker exist (both
# removed by its net_down; a reboot removes the bridge).
owned_by_other() {
  local o; o=$(owner)
  [ -n "$o" ] && [ "$o" != "$SLUICE_STATE" ] && [ -f "$o/node/net.up" ] && ip link show "$BRIDGE" >/dev/null 2>&1
}

# --- network -----------------------------------------------------------------

# other_owner: true (and says so) when another environment owns the node.
other_owner() {
  owned_by_other || return 1
  log "the node belongs to the environment in $(owner); not creating another"
}

# net_up: the bridge, its addresses, the egress guard, the sysctls (call only
# when other_owner is false; not in a condition, so that errors stop us).
net_up() {
  mkdir -p "$DIR"
  echo "$SLUICE_STATE" > "$NODE_OWNER_FILE"
  if [ ! -f "$DIR/sysctl.saved" ]; then
    for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done > "$DIR/sysctl.saved"
  fi
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$POD_GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
  ip addr replace "$NODE_IP/32" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Pods talk to each other, to Services (DNAT'd before this chain) and to the
  # node's own addresses (INPUT, not FORWARD); nothing is forwarded elsewhere.
  iptables -w -N SLUICE-POD-EGRESS 2>/dev/null || iptables -w -F SLUICE-POD-EGRESS
  iptables -w -A SLUICE-POD-EGRESS -o "$BRIDGE" -j RETURN
  iptables -w -A SLUICE-POD-EGRESS -j REJECT
  iptables -w -C FORWARD -i "$BRIDGE" -j SLUICE-POD-EGRESS 2>/dev/null \
    || iptables -w -I FORWARD 1 -i "$BRIDGE" -j SLUICE-POD-EGRESS
  touch "$DIR/net.up"
}

# delete_chains <regex>: flush and delete iptables chains whose name matches,
# after removing the rules (in any chain) that jump to them.
delete_chains() {
  local re=$1 table chains rule
  for table in filter nat mangle raw; do
    chains=$(iptables-save -t "$table" 2>/dev/null | sed -nE "s/^:(($re)[^ ]*) .*/\1/p")
    [ -n "$chains" ] || continue
    iptables-save -t "$table" | grep -E "^-A .* -j ($re)" | while read -r rule; do
      # shellcheck disable=SC2086  # the rule is a list of iptables arguments
      eval "iptables -w -t $table -D ${rule#-A }" 2>/dev/null || true
    done || true
    for c in $chains; do iptables -w -t "$table" -F "$c" 2>/dev/null || true; done
    for c in $chains; do iptables -w -t "$table" -X "$c" 2>/dev/null || true; done
  done
}

net_down() {
  [ -f "$DIR/net.up" ] || [ "$(owner)" = "$SLUICE_STATE" ] || return 0
  ip link del "$BRIDGE" 2>/dev/null || true
  # kube-proxy's, kubelet's and the CNI portmap plugin's chains, and ours.
  delete_chains 'KUBE-|CNI-|SLUICE-'
  if [ -f "$DIR/sysctl.saved" ]; then
    while IFS= read -r kv; do sysctl -qw "$kv" || true; done < "$DIR/sysctl.saved"
    rm -f "$DIR/sysctl.saved"
  fi
  rm -f "$DIR/net.up"
  [ "$(owner)" = "$SLUICE_STATE" ] && rm -f "$NODE_OWNER_FILE"
  return 0
}

# --- configuration -------------------------------------------------------------

identities() {
  local k8s="$SLUICE_ROOT/e2e/env/k8s.sh"
  bash "$k8s" cert node "system:node:$NODE_NAME" system:nodes >/dev/null
  bash "$k8s" cert kubelet-serving "system:node:$NODE_NAME" system:nodes "IP:$NODE_IP,DNS:$NODE_NAME,DNS:localhost" >/dev/null
  bash "$k8s" cert kube-proxy system:kube-proxy "" >/dev/null
  bash "$k8s" cert coredns system:coredns "" >/dev/null
  bash "$k8s" cert provisioner system:sluice-provisioner "" >/dev/null
  for id in node kube-proxy coredns provisioner; do bash "$k8s" kubeconfig-for "$DIR/$id.kubeconfig" "$id"; done
}

configs() {
  mkdir -p "$DIR"/{containerd,cni/net.d,cni/ipam,kubelet,volumes,pod-logs}
  render "$SLUICE_ROOT/e2e/env/node/containerd.toml" "$DIR/containerd/config.toml"
  render "$SLUICE_ROOT/e2e/env/node/10-sluice.conflist" "$DIR/cni/net.d/10-sluice.conflist"
  render "$SLUICE_ROOT/e2e/env/node/kubelet.yaml" "$DIR/kubelet.yaml"
  render "$SLUICE_ROOT/e2e/env/node/kube-proxy.yaml" "$DIR/kube-proxy.yaml"
  render "$SLUICE_ROOT/e2e/env/node/Corefile" "$DIR/Corefile"
}

# Cluster objects the node's helpers need: RBAC for CoreDNS and the
# provisioner, and the default StorageClass.
cluster_objects() {
  render "$SLUICE_ROOT/e2e/env/node/cluster-objects.yaml" "$DIR/cluster-objects.yaml"
  "${KUBECTL[@]}" apply -f "$DIR/cluster-objects.yaml" > "$DIR/cluster-objects.log"
}

# --- processes -----------------------------------------------------------------

# restart_reconfigured: a running component whose config file this run has
# changed is stopped, so that up starts it again on the new config (kube-proxy
# would exit by itself on a changed file; the others would go on with the old
# one). Components whose config is unchanged are left running.
restart_reconfigured() {
  local pair
  for pair in containerd:containerd/config.toml kubelet:kubelet.yaml kube-proxy:kube-proxy.yaml coredns:Corefile; do
    if changed "$DIR/${pair#*:}" && pid_alive "$DIR/${pair%%:*}.pid"; then
      log "${pair%%:*}: configuration changed, restarting"
      stop_pid "$DIR/${pair%%:*}.pid" 20
    fi
  done
}

# start <name> <binary> <args...>: run in its own session, logging to a file.
start() {
  local name=$1 bin=$2; shift 2
  pid_alive "$DIR/$name.pid" && return 0
  setsid "$bin" "$@" > "$DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$name.pid"
}

# import_images: load images.sh's archives into containerd's k8s.io namespace
# (skipped for an archive already imported into this containerd).
import_images() {
  local tar stamp
  mkdir -p "$DIR/containerd/imported"
  for tar in $(bash "$SLUICE_ROOT/e2e/env/images.sh" build); do
    stamp="$DIR/containerd/imported/$(basename "$tar")"
    [ -f "$stamp" ] && continue
    log "importing $(basename "$tar") into containerd"
    rm -f "$DIR/containerd/imported/$(basename "$tar" | sed 's/-[0-9a-f]*\.tar$//')"-*.tar
    ctr --address "$CTRD_SOCK" -n k8s.io images import --no-unpack "$tar" >> "$DIR/import.log" 2>&1 \
      || { tail -5 "$DIR/import.log" >&2; die "importing $tar failed"; }
    touch "$stamp"
  done
}

start_kubelet() {
  start kubelet "$K8S_BIN/kubelet" --config "$DIR/kubelet.yaml" --kubeconfig "$DIR/node.kubeconfig" \
    --root-dir "$DIR/kubelet" --cert-dir "$DIR/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
}

node_ready() {
  [ "$("${KUBECTL[@]}" get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

apiserver_endpoint() {
  "${KUBECTL[@]}" get endpointslice -n default -l kubernetes.io/service-name=kubernetes \
    -o jsonpath='{.items[*].endpoints[*].addresses[*]}' | grep -qw "$NODE_IP"
}

up() {
  command -v containerd >/dev/null || die "containerd is required (prereqs.sh installs it)"
  bash "$SLUICE_ROOT/e2e/env/k8s.sh" status >/dev/null || die "the control plane is not running (k8s.sh up first)"
  if other_owner; then return 0; fi
  net_up
  bash "$SLUICE_ROOT/e2e/env/build-node.sh"
  identities
  configs
  restart_reconfigured
  cluster_objects

  # There is no registry: an image that is not here must fail to pull at
  # once, on the machine (a proxy address nothing listens on), rather than
  # containerd reaching out to docker.io or another registry.
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    start containerd containerd --config "$DIR/containerd/config.toml"
  wait_for 30 containerd "${CRICTL[@]}" info
  import_images

  # kubelet's pod volumes: a shared mount, so mount propagation works while
  # the machine's root mount stays private.
  if ! findmnt -rn -o TARGET "$DIR/kubelet" >/dev/null 2>&1; then
    mount --bind "$DIR/kubelet" "$DIR/kubelet"
  fi
  mount --make-rshared "$DIR/kubelet"
  start_kubelet
  start kube-proxy "$K8S_BIN/kube-proxy" --config "$DIR/kube-proxy.yaml"
  start coredns "$COREDNS_BIN/coredns" -conf "$DIR/Corefile"
  start provisioner "$K8S_BIN/provisioner" --kubeconfig "$DIR/provisioner.kubeconfig" \
    --base "$DIR/volumes" --node "$NODE_NAME" --storage-class "$STORAGE_CLASS"

  wait_for 120 "node $NODE_NAME Ready (log: $DIR/kubelet.log)" node_ready || { tail -20 "$DIR/kubelet.log" >&2; exit 1; }
  # The NetworkPolicy engine: kube-router's firewall only (no routing, no
  # service proxy, no CNI), iptables + ipset rules on the pods' bridge ports.
  # After the node is registered: kube-router exits when it cannot find its
  # Node object (on a fresh environment kubelet has not registered it yet).
  start kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$K8S_DIR/admin.kubeconfig" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --hostname-override "$NODE_NAME" --health-port "$KUBE_ROUTER_HEALTH_PORT" --metrics-port 0
  wait_for 60 "kube-proxy healthy" curl -sf "http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz"
  wait_for 60 "kube-router healthy (log: $DIR/kube-router.log)" curl -sf "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"
  wait_for 60 "CoreDNS ready" curl -sf "http://127.0.0.1:$COREDNS_READY_PORT/ready"
  wait_for 60 "the kubernetes Service's endpoint at $NODE_IP" apiserver_endpoint
  log "node $NODE_NAME Ready at $NODE_IP (pods $POD_CIDR, logs in $DIR)"
}

# cgroups_down: kubelet's /kubepods hierarchy in every v1 controller (and the
# unified one), after any process still in it is killed.
cgroups_down() {
  local root d
  for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    d="${root%/}/kubepods"
    [ -d "$d" ] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

down() {
  if [ ! -f "$DIR/net.up" ] && ! pid_alive "$DIR/containerd.pid"; then log "node down"; return 0; fi
  local i
  for c in provisioner coredns kubelet; do stop_pid "$DIR/$c.pid" 20; done
  # The Node object goes too: a stale Ready=True would let the next up's
  # wait pass before the new kubelet has reported anything.
  "${KUBECTL[@]}" delete node "$NODE_NAME" --ignore-not-found --wait=false --request-timeout 10s >/dev/null 2>&1 || true
  # Pod sandboxes through CRI, so the CNI plugins release addresses and
  # network namespaces and the shims exit.
  if pid_alive "$DIR/containerd.pid"; then
    "${CRICTL[@]}" rmp --all --force >> "$DIR/down.log" 2>&1 || true
    "${CRICTL[@]}" rm --all --force >> "$DIR/down.log" 2>&1 || true
  fi
  stop_pid "$DIR/containerd.pid" 20
  stop_pid "$DIR/kube-proxy.pid" 20
  [ -x "$K8S_BIN/kube-proxy" ] && "$K8S_BIN/kube-proxy" --cleanup >> "$DIR/down.log" 2>&1 || true
  stop_pid "$DIR/kube-router.pid" 20
  [ -x "$KUBE_ROUTER_BIN/kube-router" ] && "$KUBE_ROUTER_BIN/kube-router" --cleanup-config >> "$DIR/down.log" 2>&1 || true
  cgroups_down
  # Anything still mounted below our state: pod volumes, the kubelet bind
  # mount, sandbox shm and container rootfs mounts.
  findmnt -rn -o TARGET | grep -F "$DIR/" | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done || true
  net_down
  rm -rf "$DIR/cni/ipam"
  # What kubelet keeps at fixed paths whatever its root dir: log symlinks into
  # our pod-logs, the device-plugin socket, the flexvolume directory.
  find /var/log/containers -maxdepth 1 -type l -lname "$DIR/*" -delete 2>/dev/null || true
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  rmdir /var/log/containers /var/lib/kubelet/device-plugins /var/lib/kubelet \
    /usr/libexec/kubernetes/kubelet-plugins/volume/exec /usr/libexec/kubernetes/kubelet-plugins/volume \
    /usr/libexec/kubernetes/kubelet-plugins /usr/libexec/kubernetes 2>/dev/null || true
  # containerd's default runtime directories, when nothing else uses them.
  rmdir /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd/fifo /run/containerd/s /run/containerd 2>/dev/null || true
  log "node down"
}

status() {
  for c in "${COMPONENTS[@]}"; do pid_alive "$DIR/$c.pid" || { echo "stopped ($c)"; return 1; }; done
  echo "running $NODE_NAME at $NODE_IP"
}

# info: the node as a JSON object (null when this environment has no node).
info() {
  if ! status >/dev/null 2>&1; then echo null; return 0; fi
  local ready=false; node_ready && ready=true
  printf '{"name":"%s","ready":%s,"ip":"%s","podCIDR":"%s","storageClass":"%s","images":%s,"logs":"%s"}\n' \
    "$NODE_NAME" "$ready" "$NODE_IP" "$POD_CIDR" "$STORAGE_CLASS" \
    "$(bash "$SLUICE_ROOT/e2e/env/images.sh" tags)" "$DIR"
}

# import_extra apache|debezium: an image built only when asked (images.sh
# apache: Apache Kafka Connect; images.sh debezium: the Debezium PostgreSQL
# plugin image), for tests of spec.runtime: apache (not part of every env:up).
import_extra() {
  local tar; tar=$(bash "$SLUICE_ROOT/e2e/env/images.sh" "$1")
  local stamp; stamp="$DIR/containerd/imported/$(basename "$tar")"
  mkdir -p "$DIR/containerd/imported"
  [ -f "$stamp" ] && return 0
  log "importing $(basename "$tar") into containerd"
  ctr --address "$CTRD_SOCK" -n k8s.io images import --no-unpack "$tar" >> "$DIR/import.log" 2>&1 \
    || { tail -5 "$DIR/import.log" >&2; die "importing $tar failed"; }
  touch "$stamp"
}

# restart_kubelet: the chaos run's fault (bench/chaos.ts): kubelet stopped
# (SIGTERM) and started again on the same config; the pods' containers keep
# running meanwhile.
restart_kubelet() {
  pid_alive "$DIR/kubelet.pid" || die "kubelet is not running"
  stop_pid "$DIR/kubelet.pid" 20
  start_kubelet
  wait_for 60 "kubelet healthy (log: $DIR/kubelet.log)" curl -sf "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"
  log "kubelet restarted"
}

# pod_pid <namespace> <pod> [container]: the host pid of the pod's running
# container (the first one, or the named one), for faults injected from the
# host (SIGKILL, iptables in its network namespace).
pod_pid() {
  local args=(ps -q --state running --label "io.kubernetes.pod.namespace=$1" --label "io.kubernetes.pod.name=$2")
  [ -n "${3:-}" ] && args+=(--name "^$3\$")
  local id; id=$("${CRICTL[@]}" "${args[@]}" | head -1)
  [ -n "$id" ] || die "no running container in pod $1/$2"
  "${CRICTL[@]}" inspect -o go-template --template '{{.info.pid}}' "$id"
}

case "${1:-}" in
  net) if ! other_owner; then net_up; fi ;;
  import-apache) import_extra apache ;;
  import-debezium) import_extra debezium ;;
  up) up ;;
  down) down ;;
  clean) down; rm -rf "$DIR" "$SLUICE_STATE/images" ;;
  status) status ;;
  info) info ;;
  restart-kubelet) restart_kubelet ;;
  # Images of this tree (images.sh build) into the running node's containerd; new pods use them.
  import-images) import_images ;;
  pod-pid) shift; pod_pid "$@" ;;
  *) echo "usage: $0 net|up|down|clean|status|info|import-apache|import-debezium|import-images|restart-kubelet|pod-pid NS POD [CONTAINER]" >&2; exit 2 ;;
esac
