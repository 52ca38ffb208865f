#!/usr/bin/env bash
# Installs the project's npm dependencies when they are missing or older than
# package-lock.json, so `npm test` and `npm run demo` work on a fresh clone
# without a separate `npm ci`. Installed and current: does nothing.
source "$(dirname "$0")/lib.sh"
cd "$SLUICE_ROOT"
stamp=node_modules/.package-lock.json   # written by npm ci / npm install
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund >&2
fi
