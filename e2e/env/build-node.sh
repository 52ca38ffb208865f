#!/usr/bin/env bash
# Builds the node's helper binaries from the Go module proxy into $SLUICE_CACHE
# (kubelet and kube-proxy come from build-k8s.sh): CoreDNS with the plugins
# cluster DNS needs (e2e/env/coredns), crictl, kube-router (only its network
# policy firewall runs: the NetworkPolicy engine), and our local PV provisioner
# (e2e/env/k8s/provisioner, rebuilt when its source changes). Idempotent.
source "$(dirname "$0")/lib.sh"

if [ ! -x "$COREDNS_BIN/coredns" ]; then
  log "building CoreDNS $COREDNS_VERSION"
  mkdir -p "$COREDNS_BIN"
  (cd "$SLUICE_ROOT/e2e/env/coredns" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$COREDNS_BIN/coredns.tmp" .)
  mv "$COREDNS_BIN/coredns.tmp" "$COREDNS_BIN/coredns"
fi

if [ ! -x "$CRICTL_BIN/crictl" ]; then
  log "building crictl $CRICTL_VERSION"
  mkdir -p "$CRICTL_BIN"
  ( cd "$(mktemp -d)" && GOBIN="$CRICTL_BIN" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" )
fi

if [ ! -x "$KUBE_ROUTER_BIN/kube-router" ]; then
  log "building kube-router $KUBE_ROUTER_VERSION"
  mkdir -p "$KUBE_ROUTER_BIN"
  ( cd "$(mktemp -d)" && GOBIN="$KUBE_ROUTER_BIN" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" )
fi

hash=$(cd "$SLUICE_ROOT/e2e/env/k8s" && cat go.mod go.sum provisioner/*.go | sha256sum | cut -c1-16)
if [ ! -x "$K8S_BIN/provisioner-$hash" ]; then
  log "building the local PV provisioner"
  rm -f "$K8S_BIN"/provisioner-*
  (cd "$SLUICE_ROOT/e2e/env/k8s" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$K8S_BIN/provisioner-$hash.tmp" ./provisioner)
  mv "$K8S_BIN/provisioner-$hash.tmp" "$K8S_BIN/provisioner-$hash"
fi
ln -sfn "provisioner-$hash" "$K8S_BIN/provisioner"
