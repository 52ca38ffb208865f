#!/usr/bin/env bash
# k8s.sh up|down|clean|status: a real Kubernetes control plane on loopback:
# etcd, kube-apiserver (RBAC on, service-account token signer; it also
# listens where pods reach it: the node address it advertises as the
# `kubernetes` Service's endpoint),
# kube-controller-manager and kube-scheduler, each under its own identity.
# Writes an admin kubeconfig to $SLUICE_STATE/k8s/admin.kubeconfig.
source "$(dirname "$0")/lib.sh"

DIR="$SLUICE_STATE/k8s"
PKI="$DIR/pki"
APISERVER_PORT="${APISERVER_PORT:-6443}"
ETCD_PORT="${ETCD_PORT:-2379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-2380}"
SERVICE_CIDR="10.96.0.0/16"
SERVICE_IP="10.96.0.1"
SERVER="https://127.0.0.1:$APISERVER_PORT"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)

# cert <name> <CN> <O or ""> [SANs]: a key and a certificate signed by our CA.
cert() {
  local name=$1 cn=$2 org=$3 sans=${4:-}
  [ -f "$PKI/$name.crt" ] && return 0
  local subj="/CN=$cn"; [ -n "$org" ] && subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  local ext="$PKI/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
    if [ -n "$sans" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$sans"
    else echo "extendedKeyUsage=clientAuth"; fi; } > "$ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
}

# kubeconfig <file> <cert name>: a kubeconfig authenticating with that client cert.
kubeconfig() {
  write_if_changed "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: sluice
  cluster: {server: "$SERVER", certificate-authority: "$PKI/ca.crt"}
users:
- name: $2
  user: {client-certificate: "$PKI/$2.crt", client-key: "$PKI/$2.key"}
contexts:
- name: sluice
  context: {cluster: sluice, user: $2}
current-context: sluice
KC
}

pki() {
  mkdir -p "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -subj "/CN=sluice-test-ca" \
      -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  local host_ips; host_ips=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | sed 's/^/IP:/' | paste -sd, || true)
  # Pods reach the apiserver at the node's address (the `kubernetes` Service's
  # endpoint); a certificate from before the node existed lacks it.
  if [ -f "$PKI/apiserver.crt" ] && ! openssl x509 -in "$PKI/apiserver.crt" -noout -text | grep -q "IP Address:$NODE_IP\b"; then
    rm -f "$PKI/apiserver.crt"
  fi
  cert apiserver kube-apiserver "" \
    "IP:127.0.0.1,IP:$SERVICE_IP,IP:$NODE_IP${host_ips:+,$host_ips},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin sluice-admin system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  kubeconfig "$DIR/admin.kubeconfig" admin
  kubeconfig "$DIR/controller-manager.kubeconfig" controller-manager
  kubeconfig "$DIR/scheduler.kubeconfig" scheduler
}

# start <name> <args...>: run a binary from $K8S_BIN in its own session, logging
# to a file. A running one known to have started with other arguments (an
# older version of this script) is restarted.
start() {
  local name=$1; shift
  if pid_alive "$DIR/$name.pid"; then
    [ ! -f "$DIR/$name.args" ] || [ "$*" = "$(cat "$DIR/$name.args")" ] && return 0
    log "restarting $name (its arguments changed)"
    stop_pid "$DIR/$name.pid" 20
  fi
  echo "$*" > "$DIR/$name.args"
  setsid "$K8S_BIN/$name" "$@" > "$DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/$name.pid"
}

healthy() { curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$SERVER/$1" | grep -q ok; }

start_etcd() {
  start etcd --name sluice --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "sluice=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_for 30 etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  start kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "${APISERVER_BIND_ADDRESS:-0.0.0.0}" --advertise-address "${APISERVER_ADVERTISE_ADDRESS:-$NODE_IP}" --secure-port "$APISERVER_PORT" \
    --authorization-mode Node,RBAC --anonymous-auth=false \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
    --profiling=false
  wait_for 90 kube-apiserver healthy readyz
}

up() {
  bash "$SLUICE_ROOT/e2e/env/build-k8s.sh"
  mkdir -p "$DIR"
  pki
  start_etcd
  start_apiserver
  start kube-controller-manager --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "${CONTROLLER_MANAGER_PORT:-10257}" --leader-elect=false \
    --use-service-account-credentials --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --controllers '*'
  start kube-scheduler --kubeconfig "$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "${SCHEDULER_PORT:-10259}" --leader-elect=false
  # The default ServiceAccount appearing proves the controller-manager is working.
  wait_for 90 "controller-manager (default ServiceAccount)" \
    "$K8S_BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" get serviceaccount default -n default
  log "kubernetes $K8S_VERSION up at $SERVER (kubeconfig $DIR/admin.kubeconfig)"
}

down() {
  local i
  for (( i=${#COMPONENTS[@]}-1; i>=0; i-- )); do stop_pid "$DIR/${COMPONENTS[$i]}.pid" 20; done
  log "kubernetes down"
}

# restart_control_plane: the chaos run's fault (bench/chaos.ts): the
# apiserver and etcd stopped (SIGTERM) and started again on the same
# arguments and data; the controller-manager, the scheduler, the node and
# every client reconnect by themselves.
restart_control_plane() {
  pid_alive "$DIR/kube-apiserver.pid" && pid_alive "$DIR/etcd.pid" || die "the control plane is not running"
  stop_pid "$DIR/kube-apiserver.pid" 20
  stop_pid "$DIR/etcd.pid" 20
  start_etcd
  start_apiserver
  log "etcd and kube-apiserver restarted"
}

case "${1:-}" in
  up) up ;;
  restart-control-plane) restart_control_plane ;;
  down) down ;;
  clean) down; rm -rf "$DIR" ;;
  status) for c in "${COMPONENTS[@]}"; do pid_alive "$DIR/$c.pid" || { echo "stopped ($c)"; exit 1; }; done; echo "running $SERVER" ;;
  kubeconfig) echo "$DIR/admin.kubeconfig" ;;
  # For node.sh: identities signed by this control plane's CA.
  cert) shift; mkdir -p "$PKI"; cert "$@"; echo "$PKI" ;;
  kubeconfig-for) shift; kubeconfig "$@" ;;
  *) echo "usage: $0 up|down|clean|status|kubeconfig|restart-control-plane" >&2; exit 2 ;;
esac
