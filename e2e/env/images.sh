#!/usr/bin/env bash
# images.sh build|list: the container images the test node runs, built here
# (there is no registry to pull from), written as docker-archive tarballs
# under $SLUICE_CACHE/images for node.sh to import into containerd:
#   - docker.io/library/node:24-bookworm-slim: a Debian bookworm rootfs from
#     debootstrap plus the Node 24 binary of the `node` npm package and npm,
#     tagged with the name our Dockerfiles' FROM uses;
#   - registry.k8s.io/pause:3.10: the pod sandbox (e2e/env/k8s/pause);
#   - docker.io/sluice/runtime:0.1.0 and docker.io/sluice/operator:0.1.0 from
#     runtime/Dockerfile and operator/Dockerfile (buildah).
# Each tarball is named after a hash of its inputs: unchanged inputs, no rebuild.
# `images.sh apache` builds, only when asked (tests of spec.runtime: apache),
#   - docker.io/sluice/apache-connect:4.3.1 from e2e/env/images/apache-connect
#     (Debian's OpenJDK 17 JRE on the same debootstrap rootfs, Kafka Connect
#     jars and the JMX exporter agent from Maven Central; docs/apache-runtime.md).
# `images.sh debezium` builds, only when asked, the plugin image
#   - docker.io/sluice/debezium-postgres:<version> from e2e/env/images/debezium-postgres
#     (Debezium's PostgreSQL connector from Maven Central under /plugins).
source "$(dirname "$0")/lib.sh"

IMAGES="$SLUICE_CACHE/images"
BASE_TAG="docker.io/library/node:24-bookworm-slim"
PAUSE_TAG="registry.k8s.io/pause:3.10"
APP_VERSION="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$SLUICE_ROOT/helm/sluice/Chart.yaml" 2>/dev/null || true)"
APP_VERSION="${APP_VERSION:-0.1.0}"
RUNTIME_TAG="docker.io/sluice/runtime:$APP_VERSION"
OPERATOR_TAG="docker.io/sluice/operator:$APP_VERSION"
NODE_BIN="$SLUICE_ROOT/node_modules/node/bin/node"
NPM_VERSION="${NPM_VERSION:-11.6.2}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BUILDAH=(buildah --root "$SLUICE_CACHE/buildah/storage" --runroot "$SLUICE_CACHE/buildah/run" --storage-driver overlay)
LOGDIR="$SLUICE_STATE/images"

# hash_of <files or dirs...>: one sha256 over the paths and contents of the inputs.
hash_of() {
  (cd "$SLUICE_ROOT" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# rootfs: a minimal Debian bookworm (cached; debootstrap takes minutes).
rootfs() {
  local tar="$SLUICE_CACHE/rootfs/bookworm-minbase.tar"
  if [ ! -f "$tar" ]; then
    command -v debootstrap >/dev/null || die "debootstrap is required (prereqs.sh installs it)"
    log "debootstrap bookworm (first run only)"
    local dir="$SLUICE_CACHE/rootfs/bookworm.tmp"
    rm -rf "$dir"; mkdir -p "$dir"
    debootstrap --variant=minbase bookworm "$dir" "$DEBIAN_MIRROR" > "$LOGDIR/debootstrap.log" 2>&1 \
      || { tail -20 "$LOGDIR/debootstrap.log" >&2; die "debootstrap failed (log: $LOGDIR/debootstrap.log)"; }
    # What node:*-slim leaves out too: apt lists, docs, man pages, caches.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
      "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/locale/* "$dir"/var/log/*
    tar -C "$dir" --numeric-owner -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$dir"
  fi
  echo "$tar"
}

# npm_tgz: the npm package tarball from the npm registry (cached).
npm_tgz() {
  local tgz="$SLUICE_CACHE/rootfs/npm-$NPM_VERSION.tgz"
  if [ ! -f "$tgz" ]; then
    log "npm pack npm@$NPM_VERSION"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
    mv "$tmp/npm-$NPM_VERSION.tgz" "$tgz"; rm -rf "$tmp"
  fi
  echo "$tgz"
}

# archive <tag> <hash>: the tarball path for that image at that input hash.
archive() { echo "$IMAGES/$(echo "$1" | tr '/:' '__')-$2.tar"; }

# save <tag> <tar>: write the built image as a docker-archive, drop older versions.
save() {
  local tag=$1 tar=$2
  rm -f "$IMAGES/$(echo "$tag" | tr '/:' '__')"-*.tar
  "${BUILDAH[@]}" push -q "$tag" "docker-archive:$tar.tmp:$tag" >/dev/null
  mv "$tar.tmp" "$tar"
}

base() {
  [ -x "$NODE_BIN" ] || die "$NODE_BIN missing (run npm ci)"
  local rootfs_tar npm; rootfs_tar=$(rootfs); npm=$(npm_tgz)
  local hash; hash=$( { sha256sum "$NODE_BIN" "$rootfs_tar" "$npm"; echo v1; } | sha256sum | cut -c1-16)
  local tar; tar=$(archive "$BASE_TAG" "$hash")
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  log "assembling $BASE_TAG (node $("$NODE_BIN" --version), npm $NPM_VERSION)"
  local c; c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" add "$c" "$rootfs_tar" / >/dev/null
  "${BUILDAH[@]}" copy --chmod 0755 "$c" "$NODE_BIN" /usr/local/bin/node >/dev/null
  "${BUILDAH[@]}" add "$c" "$npm" /usr/local/lib/node_modules/ >/dev/null   # unpacks as package/
  "${BUILDAH[@]}" run --network none "$c" -- sh -ec '
    mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
    groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    node --version >/dev/null && npm --version >/dev/null' >&2
  "${BUILDAH[@]}" config --env NODE_VERSION="$("$NODE_BIN" --version | tr -d v)" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$c"
  "${BUILDAH[@]}" commit -q --rm "$c" "$BASE_TAG" >/dev/null
  save "$BASE_TAG" "$tar"
  echo "$tar"
}

pause() {
  local hash; hash=$(hash_of e2e/env/k8s/pause e2e/env/k8s/go.mod)
  local tar; tar=$(archive "$PAUSE_TAG" "$hash")
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  log "building $PAUSE_TAG"
  local tmp; tmp=$(mktemp -d)
  (cd "$SLUICE_ROOT/e2e/env/k8s" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/pause" ./pause)
  local c; c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy --chmod 0755 "$c" "$tmp/pause" /pause >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  "${BUILDAH[@]}" commit -q --rm "$c" "$PAUSE_TAG" >/dev/null
  rm -rf "$tmp"
  save "$PAUSE_TAG" "$tar"
  echo "$tar"
}

# app <tag> <component> <base tar>: an image from <component>/Dockerfile.
app() {
  local tag=$1 comp=$2 base_tar=$3
  local hash; hash=$( { hash_of "$comp/src" "$comp/Dockerfile" "$comp/tsconfig.image.json" package.json package-lock.json tsconfig.json .dockerignore; basename "$base_tar"; } | sha256sum | cut -c1-16)
  local tar; tar=$(archive "$tag" "$hash")
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  log "building $tag from $comp/Dockerfile (log: $LOGDIR/$comp.log)"
  # The build's `npm ci` reaches the npm registry over the host network; when
  # a TLS-intercepting proxy sits in between, its CA bundle is mounted in and
  # named by the Dockerfile's NODE_EXTRA_CA_CERTS build argument.
  local ca=() bundle=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
  [ -f "$bundle" ] && ca=(-v "$bundle:/run/sluice-build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/sluice-build-ca.crt)
  (cd "$SLUICE_ROOT" && "${BUILDAH[@]}" bud --layers --pull=false --network host "${ca[@]}" \
      -f "$comp/Dockerfile" -t "$tag" .) > "$LOGDIR/$comp.log" 2>&1 \
    || { tail -30 "$LOGDIR/$comp.log" >&2; die "building $tag failed (log: $LOGDIR/$comp.log)"; }
  save "$tag" "$tar"
  echo "$tar"
}

# apache: the Apache Kafka Connect image (not part of `build`: only tests of
# the apache runtime need it). Prints its tarball.
APACHE_DIR=e2e/env/images/apache-connect
APACHE_TAG="docker.io/sluice/apache-connect:$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SLUICE_ROOT/$APACHE_DIR/pom.xml")"
DEBIAN_TAG="localhost/sluice/debian:bookworm-minbase"
# debian_base <rootfs tar>: the debootstrap rootfs as an image ($DEBIAN_TAG), the
# base of the Apache and plugin images.
debian_base() {
  if ! "${BUILDAH[@]}" inspect --type image "$DEBIAN_TAG" >/dev/null 2>&1; then
    local c; c=$("${BUILDAH[@]}" from scratch)
    "${BUILDAH[@]}" add "$c" "$1" / >/dev/null
    "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$c"
    "${BUILDAH[@]}" commit -q --rm "$c" "$DEBIAN_TAG" >/dev/null
  fi
}

apache() {
  command -v buildah >/dev/null || die "buildah is required (prereqs.sh installs it)"
  mkdir -p "$IMAGES" "$SLUICE_CACHE/rootfs" "$LOGDIR"
  local rootfs_tar; rootfs_tar=$(rootfs)
  local hash; hash=$( { hash_of "$APACHE_DIR"; sha256sum "$rootfs_tar"; echo v1; } | sha256sum | cut -c1-16)
  local tar; tar=$(archive "$APACHE_TAG" "$hash")
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  local started; started=$(date +%s)
  # The jars, once per pom (Maven's own cache makes a refetch cheap too).
  local jars="$SLUICE_CACHE/apache-connect-$(hash_of "$APACHE_DIR/pom.xml")"
  if [ ! -f "$jars/.complete" ]; then
    log "fetching Apache Kafka Connect jars and the JMX exporter agent from Maven Central"
    rm -rf "$jars"; mkdir -p "$jars/libs" "$jars/agent"
    mvn -q -B -Dstyle.color=never -f "$SLUICE_ROOT/$APACHE_DIR/pom.xml" dependency:copy-dependencies >&2 \
      -DoutputDirectory="$jars/libs" -DincludeScope=runtime -DexcludeArtifactIds=jmx_prometheus_javaagent
    mvn -q -B -Dstyle.color=never -f "$SLUICE_ROOT/$APACHE_DIR/pom.xml" dependency:copy-dependencies >&2 \
      -DoutputDirectory="$jars/agent" -DincludeArtifactIds=jmx_prometheus_javaagent -DexcludeTransitive=true
    touch "$jars/.complete"
  fi
  debian_base "$rootfs_tar"
  local stage; stage=$(mktemp -d)
  cp -a "$jars/libs" "$jars/agent" "$stage/"
  cp "$SLUICE_ROOT/$APACHE_DIR"/{connect,log4j2.properties,metrics-config.yml} "$stage/"
  log "building $APACHE_TAG (log: $LOGDIR/apache-connect.log)"
  "${BUILDAH[@]}" bud --layers --pull=false --network host --build-arg "BASE=$DEBIAN_TAG" \
      -f "$SLUICE_ROOT/$APACHE_DIR/Dockerfile" -t "$APACHE_TAG" "$stage" > "$LOGDIR/apache-connect.log" 2>&1 \
    || { rm -rf "$stage"; tail -30 "$LOGDIR/apache-connect.log" >&2; die "building $APACHE_TAG failed (log: $LOGDIR/apache-connect.log)"; }
  rm -rf "$stage"
  save "$APACHE_TAG" "$tar"
  log "built $APACHE_TAG in $(( $(date +%s) - started )) s"
  echo "$tar"
}

# debezium: the plugin image with Debezium's PostgreSQL connector (jars from
# Maven Central through debezium.sh), for tests of spec.plugins on the apache
# runtime. Prints its tarball.
DEBEZIUM_DIR=e2e/env/images/debezium-postgres
DEBEZIUM_TAG="docker.io/sluice/debezium-postgres:$(bash "$SLUICE_ROOT/e2e/env/debezium.sh" version)"
debezium() {
  command -v buildah >/dev/null || die "buildah is required (prereqs.sh installs it)"
  mkdir -p "$IMAGES" "$SLUICE_CACHE/rootfs" "$LOGDIR"
  local rootfs_tar; rootfs_tar=$(rootfs)
  local plugins; plugins=$(bash "$SLUICE_ROOT/e2e/env/debezium.sh" jars)
  local hash; hash=$( { hash_of "$DEBEZIUM_DIR" e2e/env/debezium/pom.xml; sha256sum "$rootfs_tar"; echo v1; } | sha256sum | cut -c1-16)
  local tar; tar=$(archive "$DEBEZIUM_TAG" "$hash")
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  debian_base "$rootfs_tar"
  local stage; stage=$(mktemp -d)
  cp -a "$plugins/debezium-connector-postgres" "$stage/"
  rm -f "$stage/debezium-connector-postgres/.complete"
  log "building $DEBEZIUM_TAG (log: $LOGDIR/debezium-postgres.log)"
  "${BUILDAH[@]}" bud --layers --pull=false --network none --build-arg "BASE=$DEBIAN_TAG" \
      -f "$SLUICE_ROOT/$DEBEZIUM_DIR/Dockerfile" -t "$DEBEZIUM_TAG" "$stage" > "$LOGDIR/debezium-postgres.log" 2>&1 \
    || { rm -rf "$stage"; tail -30 "$LOGDIR/debezium-postgres.log" >&2; die "building $DEBEZIUM_TAG failed (log: $LOGDIR/debezium-postgres.log)"; }
  rm -rf "$stage"
  save "$DEBEZIUM_TAG" "$tar"
  echo "$tar"
}

build() {
  command -v buildah >/dev/null || die "buildah is required (prereqs.sh installs it)"
  mkdir -p "$IMAGES" "$SLUICE_CACHE/rootfs" "$LOGDIR"
  local base_tar pause_tar runtime_tar operator_tar
  base_tar=$(base)
  # The app builds find the base under the name their FROM uses in buildah's
  # own storage (it is there after base(); after a cache wipe, load it back).
  "${BUILDAH[@]}" inspect --type image "$BASE_TAG" >/dev/null 2>&1 \
    || "${BUILDAH[@]}" pull -q "docker-archive:$base_tar" >/dev/null
  pause_tar=$(pause)
  runtime_tar=$(app "$RUNTIME_TAG" runtime "$base_tar")
  operator_tar=$(app "$OPERATOR_TAG" operator "$base_tar")
  # Dangling layers of earlier builds would pile up in the cache.
  "${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
  printf '%s\n' "$base_tar" "$pause_tar" "$runtime_tar" "$operator_tar"
}

case "${1:-}" in
  build) build ;;
  apache) apache ;;
  debezium) debezium ;;
  tags) printf '{"runtime":"%s","operator":"%s","node":"%s","pause":"%s"}\n' "$RUNTIME_TAG" "$OPERATOR_TAG" "$BASE_TAG" "$PAUSE_TAG" ;;
  *) echo "usage: $0 build|apache|debezium|tags" >&2; exit 2 ;;
esac
