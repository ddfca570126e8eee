#!/usr/bin/env bash
# Builds the extension bundle and packages it as a .vsix (dist/mcp-host.vsix by default).
#   scripts/package.sh [--no-build] [--out FILE]
# The .vsix holds only what .vscodeignore lets through (dist/extension.js, media,
# package.json, README, LICENSE); this script checks that and prints the size.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
cd "$here"

build=1
out="dist/mcp-host.vsix"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/package.sh [--no-build] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '[package] %s\n' "$*" >&2; }

if [ ! -x "$NODE24" ] || [ ! -d node_modules/@vscode/vsce ]; then
  bash "$here/scripts/setup.sh"
fi

if [ "$build" = 1 ]; then
  log "node esbuild.mjs"
  "$NODE24" esbuild.mjs >&2
fi
[ -f dist/extension.js ] || { log "dist/extension.js is missing (build first)"; exit 1; }

mkdir -p "$(dirname "$out")"
rm -f "$out"
log "vsce package --no-dependencies --out $out"
# vsce asks interactively when something is missing (e.g. LICENSE); never wait for a tty.
# README links stay relative (the repository URL is a placeholder; images ship in media/).
"$NODE24" node_modules/@vscode/vsce/vsce package --no-dependencies --no-rewrite-relative-links \
  --out "$out" </dev/null >&2

# Only what .vscodeignore lets through (its `!` lines) may be inside, plus vsce's own
# manifest files; vsce stores LICENSE as LICENSE.txt and README.md as readme.md.
files="$(unzip -Z1 "$out")"
unexpected="$("$NODE24" -e '
  const fs = require("fs");
  const allow = fs.readFileSync(".vscodeignore", "utf8").split(/\r?\n/)
    .filter((l) => l.startsWith("!")).map((l) => l.slice(1).trim().replace(/^\//, ""));
  const glob = (g) => new RegExp("^" + g.replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
    .replace(/\u0000/g, ".*") + "$", "i");
  const ok = [/^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/,
    ...allow.map((g) => glob("extension/" + g)),
    ...(allow.some((g) => /^LICENSE/i.test(g)) ? [/^extension\/LICENSE\.txt$/i] : [])];
  const bad = fs.readFileSync(0, "utf8").split("\n").filter(Boolean).filter((f) => !ok.some((r) => r.test(f)));
  process.stdout.write(bad.join("\n"));
' <<<"$files")"
if [ -n "$unexpected" ]; then
  log "files in $out that .vscodeignore does not allow:"; printf '  %s\n' $unexpected >&2
  exit 1
fi
printf '%s\n' "$files" | grep -qx 'extension/dist/extension.js' || { log "extension/dist/extension.js missing from $out"; exit 1; }
log "contents:"; printf '%s\n' "$files" | sed 's/^/  /' >&2

bytes=$(stat -c %s "$out")
printf '%s %s bytes (%s KB)\n' "$out" "$bytes" "$(( (bytes + 512) / 1024 ))"
