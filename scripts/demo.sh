#!/usr/bin/env bash
# npm run demo — MCP Host in a real VS Code (code-server) with a sample workspace where
# server-everything and server-filesystem are ready. Prints the URL; Ctrl-C stops it.
#   scripts/demo.sh                 serve on 127.0.0.1:$PORT (default 8080, else the first free port)
#   scripts/demo.sh --screenshot [FILE]
#                                   open it in headless Chromium, wait for the running servers,
#                                   save a screenshot (default ~/.cache/mcp-host/demo/screenshot.png), exit
# User data persists in ~/.cache/mcp-host/demo (MCPH_DEMO_DIR); MCPH_DEMO_TRUST=1 keeps
# Workspace Trust on.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
cd "$here"
# MCPH_SKIP_SETUP=1 skips the (idempotent) setup, e.g. while others share node_modules.
[ "${MCPH_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh --e2e
bash scripts/package.sh --out dist/mcp-host.vsix
exec "$NODE24" test/e2e/demo.mjs --vsix dist/mcp-host.vsix "$@"
