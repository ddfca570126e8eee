#!/usr/bin/env bash
# npm run test:e2e — the packaged extension in a real VS Code (code-server + Chromium).
#   scripts/e2e.sh [harness options: --only suite,ui,untrusted,signin,signin-uri-handler | --headed]
# Installs the toolchain when missing (idempotent), packages dist/mcp-host.vsix, then runs
# test/e2e/run.mjs with Node 24. Screenshots land in .e2e/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
cd "$here"
# MCPH_SKIP_SETUP=1 skips the (idempotent) setup, e.g. while others share node_modules.
[ "${MCPH_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh --e2e
vsix="${MCPH_VSIX:-dist/mcp-host.vsix}"
if [ -z "${MCPH_VSIX:-}" ]; then
  bash scripts/package.sh --out "$vsix"
fi
exec "$NODE24" test/e2e/run.mjs --vsix "$vsix" "$@"
