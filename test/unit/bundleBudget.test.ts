// The bundles stay within their stated budgets (docs/decisions.md): the extension host
// loads dist/extension.js at every start; the rest load when first used. Built here when
// dist/ is missing, so the check never depends on an earlier step having run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const BUDGET_KB: Record<string, number> = {
  'dist/extension.js': 300,
  // The panels' extension side and their page bundle (one for every panel) with its stylesheet.
  'dist/workbench.js': 100,
  'dist/webview/workbench.js': 320,
  'dist/webview/workbench.css': 16,
  'dist/forms.js': 24,
  // MCP Apps: the panels and our bridge (the SDK's AppBridge alone is 653 KB), and the sandbox page.
  'dist/apps.js': 64,
  'dist/webview/app.js': 24,
  'dist/webview/app.css': 8,
  // The gateway in VS Code (its HTTP server, sessions, catalogue, and the stateless 2026-07-28 side with MRTR).
  'dist/gateway.js': 96,
  // Add Server and Open Configuration (jsonc-parser's editing; zod again for the config schemas).
  'dist/config.js': 100,
  // The gateway's JWT validation (jose), loaded only when JWT options are set.
  'dist/jwt.js': 40,
};

test('every bundle is within its budget', () => {
  if (Object.keys(BUDGET_KB).some(f => !existsSync(path.join(repo, f)))) {
    execFileSync(process.execPath, ['esbuild.mjs', '--no-types'], { cwd: repo, stdio: 'ignore' });
  }
  const over: string[] = [];
  for (const [file, kb] of Object.entries(BUDGET_KB)) {
    const size = statSync(path.join(repo, file)).size / 1024;
    if (size > kb) over.push(`${file}: ${size.toFixed(1)} KB > ${kb} KB`);
  }
  assert.deepEqual(over, []);
});
