#!/usr/bin/env bash
# Installs the system tools the environment needs when they are missing
# (Debian packages; as root). Go comes with the machine image: Debian's own
# golang is too old for Kubernetes 1.35, so we check its version instead.
source "$(dirname "$0")/lib.sh"
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
command -v envsubst >/dev/null || missing+=(gettext-base)   # lib.sh render
# The node: container runtime, CNI plugins, image building, the base rootfs.
if [ "${SLUICE_NODE:-1}" != 0 ]; then
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  for p in bridge host-local loopback portmap; do [ -x "/usr/lib/cni/$p" ] || { missing+=(containernetworking-plugins); break; }; done
  command -v buildah >/dev/null || missing+=(buildah)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v conntrack >/dev/null || missing+=(conntrack)
  command -v ipset >/dev/null || missing+=(ipset)   # kube-router's NetworkPolicy firewall
  command -v ip >/dev/null || missing+=(iproute2)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || die "Go >= 1.25 is required to build Kubernetes"
gov=$(go env GOVERSION | sed 's/^go//'); [ "$(printf '%s\n1.25\n' "$gov" | sort -V | head -1)" = 1.25 ] || die "Go >= 1.25 required, found $gov"
