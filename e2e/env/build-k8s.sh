#!/usr/bin/env bash
# Builds etcd, the Kubernetes binaries and helm from the Go module proxy into
# $SLUICE_CACHE. Idempotent: binaries already built at the pinned versions are kept.
source "$(dirname "$0")/lib.sh"

K8S_TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)

need_build=0
for t in "${K8S_TOOLS[@]}" etcd; do [ -x "$K8S_BIN/$t" ] || need_build=1; done
if [ "$need_build" = 1 ]; then
  command -v go >/dev/null || die "go is required to build Kubernetes (install golang)"
  log "building Kubernetes $K8S_VERSION and etcd $ETCD_VERSION (first run only; takes a while)"
  mkdir -p "$K8S_BIN"
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  cd "$SLUICE_ROOT/e2e/env/k8s"
  for t in "${K8S_TOOLS[@]}"; do
    [ -x "$K8S_BIN/$t" ] && continue
    log "go build $t"
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$K8S_BIN/$t.tmp" "k8s.io/kubernetes/cmd/$t"
    mv "$K8S_BIN/$t.tmp" "$K8S_BIN/$t"
  done
  if [ ! -x "$K8S_BIN/etcd" ]; then
    log "go build etcd"
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$K8S_BIN/etcd.tmp" ./etcd
    mv "$K8S_BIN/etcd.tmp" "$K8S_BIN/etcd"
  fi
fi

if [ ! -x "$HELM_BIN/helm" ]; then
  log "building helm $HELM_VERSION"
  mkdir -p "$HELM_BIN"
  ( cd "$(mktemp -d)" && GOBIN="$HELM_BIN" CGO_ENABLED=0 go install -trimpath \
      -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" )
fi
log "kubernetes binaries in $K8S_BIN, helm in $HELM_BIN"
