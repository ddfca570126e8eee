#!/usr/bin/env bash
# The whole test suite — the README's test command and what CI runs:
#   1. installs what it needs (Node 24, npm packages, Chromium, code-server; cached, idempotent)
#   2. type-checks (tsc --noEmit) and bundles (esbuild)
#   3. unit and integration tests of the core against real servers (node:test on Node 24)
#   4. the reliability suite: misbehaving servers, property-based tests, a 2-minute soak
#   5. the official conformance suite's client scenarios, and its server scenarios through the gateway
#   6. the end-to-end suite in a real VS Code (code-server + Chromium + Playwright)
# Ends with the line "N passed, N failed". Options: --no-e2e (skip step 6).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
. scripts/env.sh
run_e2e=1
for a in "$@"; do [ "$a" = "--no-e2e" ] && run_e2e=0; done

bash scripts/setup.sh --e2e || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$(dirname "$NODE24"):$PATH"

passed=0; failed=0
step() { printf '\n=== %s ===\n' "$*"; }

# A check that passes or fails as a whole.
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed+1)); echo "$what: ok"; else failed=$((failed+1)); echo "$what: FAILED"; fi
}

# node's test runner; its closing counts are added to ours.
node_tests() {
  local log p f; log="$(mktemp)"
  node --test --test-reporter=spec "$@" 2>&1 | tee "$log"
  p=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}'); f=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  if [ -z "$p" ]; then p=0; f=$((${f:-0}+1)); echo "node --test printed no summary (did the runner crash?)"; fi
  passed=$((passed+p)); failed=$((failed+${f:-0}))
  rm -f "$log"
}

# A command that ends with "N passed, N failed"; a non-zero exit with no failure counted is one.
counted() {
  local log rc line f; log="$(mktemp)"
  "$@" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -n "$line" ]; then
    f=$(echo "$line" | awk '{print $3}')
    passed=$((passed+$(echo "$line" | awk '{print $1}'))); failed=$((failed+f))
    [ "$rc" = 0 ] || [ "$f" != 0 ] || failed=$((failed+1))
  else
    failed=$((failed+1)); echo "no summary line (exit $rc)"
  fi
  rm -f "$log"
}

step "type-check (tsc --noEmit)"
check type-check node node_modules/typescript/bin/tsc -p . --noEmit
check type-check-webviews node node_modules/typescript/bin/tsc -p tsconfig.webview.json --noEmit

step "bundle (esbuild)"
check bundle node esbuild.mjs

step "unit and core integration tests (node:test)"
node_tests --test-concurrency=2 --test-timeout=180000 'test/unit/**/*.test.ts'

step "reliability: misbehaving servers, property-based framing tests, the soak (node:test)"
node_tests --test-concurrency=1 --test-timeout=600000 \
  test/reliability/broken-lifecycle.test.ts test/reliability/broken-streams.test.ts test/reliability/broken-protocol.test.ts \
  test/reliability/cli.test.ts test/reliability/properties.test.ts test/reliability/soak.test.ts

step "conformance (@modelcontextprotocol/conformance client scenarios)"
counted node test/conformance/run.mjs

step "conformance (server scenarios: the gateway fronting server-everything, pass-through and namespaced, vs direct)"
counted node test/conformance/gateway.mjs

if [ "$run_e2e" = 1 ]; then
  step "end-to-end in a real VS Code (code-server + Chromium)"
  counted bash scripts/e2e.sh
fi

echo
echo "${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
