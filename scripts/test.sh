#!/usr/bin/env bash
# The whole test suite — the README's test command and what CI runs:
#   1. installs what it needs (Node 24, npm packages, Chromium, code-server; cached, idempotent)
#   2. type-checks (tsc --noEmit) and bundles (esbuild)
#   3. unit and integration tests of the core against real servers (node:test on Node 24)
#   4. the reliability suite: misbehaving servers, property-based tests, a 2-minute soak
#   5. the official conformance suite's client scenarios
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

step "type-check (tsc --noEmit)"
if node node_modules/typescript/bin/tsc -p . --noEmit; then passed=$((passed+1)); echo "type-check: ok"; else failed=$((failed+1)); echo "type-check: FAILED"; fi

step "bundle (esbuild)"
if node esbuild.mjs; then passed=$((passed+1)); else failed=$((failed+1)); echo "bundle: FAILED"; fi

step "unit and core integration tests (node:test)"
log="$(mktemp)"
node --test --test-concurrency=2 --test-timeout=180000 --test-reporter=spec 'test/unit/**/*.test.ts' 2>&1 | tee "$log"
up=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}'); uf=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
[ -n "$up" ] || { up=0; uf=$((${uf:-0}+1)); echo "unit tests: no summary (runner crashed?)"; }
passed=$((passed+up)); failed=$((failed+${uf:-0}))
rm -f "$log"

step "reliability: misbehaving servers, property-based framing tests, the soak (node:test)"
log="$(mktemp)"
node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec \
  test/reliability/broken.test.ts test/reliability/cli.test.ts test/reliability/properties.test.ts test/reliability/soak.test.ts 2>&1 | tee "$log"
rp=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}'); rf=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
[ -n "$rp" ] || { rp=0; rf=$((${rf:-0}+1)); echo "reliability: no summary (runner crashed?)"; }
passed=$((passed+rp)); failed=$((failed+${rf:-0}))
rm -f "$log"

step "conformance (@modelcontextprotocol/conformance client scenarios)"
log="$(mktemp)"
node test/conformance/run.mjs 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
if [ -n "$line" ]; then
  passed=$((passed+$(echo "$line" | awk '{print $1}'))); failed=$((failed+$(echo "$line" | awk '{print $3}')))
else
  failed=$((failed+1)); echo "conformance: no summary line"
fi
rm -f "$log"

if [ "$run_e2e" = 1 ]; then
  step "end-to-end in a real VS Code (code-server + Chromium)"
  log="$(mktemp)"
  bash scripts/e2e.sh 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -n "$line" ]; then
    ep=$(echo "$line" | awk '{print $1}'); ef=$(echo "$line" | awk '{print $3}')
    passed=$((passed+ep)); failed=$((failed+ef))
    [ "$rc" = 0 ] || [ "$ef" != 0 ] || failed=$((failed+1))
  else
    failed=$((failed+1)); echo "e2e: no summary line (exit $rc)"
  fi
  rm -f "$log"
fi

echo
echo "${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
