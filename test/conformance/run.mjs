#!/usr/bin/env node
// Runs the client scenarios of the official MCP conformance suite
// (@modelcontextprotocol/conformance, Node >= 22) against the mcp-host CLI through
// test/conformance/client.ts, with no expected-failures file, and ends with the line
// "N passed, N failed".
//
//   node test/conformance/run.mjs [SCENARIO…]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// Each installed version of the suite with the client scenarios we run under it (the
// alpha through its package name, 0.1.16 through an npm alias).
// `specVersion`: the suite's --spec-version selection (its mocks speak that revision).
const STATELESS = ['tools_call', 'request-metadata', 'sep-2322-client-request-state', 'http-standard-headers', 'http-custom-headers',
  'http-invalid-tool-headers', 'json-schema-ref-no-deref', 'json-schema-2020-12-preservation'];
// SEP-2640 (an extension: the default selection runs it; --spec-version 2026-07-28 skips it).
const SKILLS = ['sep-2640-client-no-prefetch', 'sep-2640-client-verify-digest', 'sep-2640-client-verify-size', 'sep-2640-client-verify-frontmatter'];
// Authorization (MCP authorization, 2025-11-25 and 2026-07-28, and the auth extensions).
const AUTH_CORE = ['metadata-default', 'metadata-var1', 'metadata-var2', 'metadata-var3', 'basic-cimd', 'scope-from-www-authenticate',
  'scope-from-scopes-supported', 'scope-omitted-when-undefined', 'scope-step-up', 'scope-retry-limit', 'token-endpoint-auth-basic',
  'token-endpoint-auth-post', 'token-endpoint-auth-none', 'pre-registration'].map(s => `auth/${s}`);
const AUTH_2025_03_26 = ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'];
const AUTH_2026 = ['resource-mismatch', 'offline-access-scope', 'offline-access-not-supported', 'authorization-server-migration', 'iss-supported',
  'iss-not-advertised', 'iss-supported-missing', 'iss-wrong-issuer', 'iss-unexpected', 'iss-normalized', 'metadata-issuer-mismatch'].map(s => `auth/${s}`);
const AUTH_EXTENSIONS = ['client-credentials-jwt', 'client-credentials-basic', 'enterprise-managed-authorization', 'dpop', 'dpop-nonce', 'wif-jwt-bearer'].map(s => `auth/${s}`);
const AUTH_0116 = [...AUTH_CORE, ...AUTH_2025_03_26, 'auth/resource-mismatch', 'auth/offline-access-scope', 'auth/offline-access-not-supported',
  'auth/client-credentials-jwt', 'auth/client-credentials-basic', 'auth/cross-app-access-complete-flow'];
const SUITES = [
  { pkg: 'conformance-0.1.16', label: '0.1.16', scenarios: ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry', ...AUTH_0116] },
  { pkg: '@modelcontextprotocol/conformance', label: '0.2.0-alpha.12', scenarios: ['initialize', 'elicitation-sep1034-client-defaults', 'sse-retry', ...STATELESS, ...SKILLS,
    ...AUTH_CORE, ...AUTH_2025_03_26, ...AUTH_2026, ...AUTH_EXTENSIONS] },
  { pkg: '@modelcontextprotocol/conformance', label: '0.2.0-alpha.12 --spec-version 2026-07-28', specVersion: '2026-07-28', scenarios: [...STATELESS, ...AUTH_CORE, ...AUTH_2026] },
];
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const client = path.join(here, 'client.ts');

function finish(passed, failed, message) {
  if (message) console.log(message);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) finish(0, 1, `conformance: the suite needs Node >= 22 (this is ${process.version})`);

function conformanceBin(name) {
  try {
    const pkgFile = createRequire(path.join(repo, 'package.json')).resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.conformance;
    return path.join(path.dirname(pkgFile), bin);
  } catch {
    return undefined;
  }
}


// The suite splits --command on spaces.
const command = `${process.execPath} ${client}`;
if (/\s/.test(process.execPath) || /\s/.test(client)) finish(0, 1, `conformance: the suite cannot run a command whose path has spaces: ${command}`);

const only = process.argv.slice(2);
const out = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-conformance-'));
let passed = 0;
let failed = 0;
for (const suite of SUITES) {
  const bin = conformanceBin(suite.pkg);
  if (!bin) { failed++; console.log(`✗ ${suite.pkg} is not installed (npm install: it is a devDependency)`); continue; }
  for (const scenario of suite.scenarios.filter(s => !only.length || only.includes(s))) {
    const t0 = Date.now();
    const before = new Set(readdirSync(out));
    const r = await run(process.execPath, [bin, 'client', '--command', command, '--scenario', scenario, ...(suite.specVersion ? ['--spec-version', suite.specVersion] : []), '--timeout', '30000', '-o', out]);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const summary = /Passed: \d+\/\d+, \d+ failed, \d+ warnings/.exec(r.output)?.[0] ?? 'no summary';
    const name = `${scenario} [${suite.label}]`;
    const unexercised = notExercised(scenario, readdirSync(out).filter(d => !before.has(d)));
    if (unexercised) r.output += `\nconformance: ${unexercised}`;
    if (r.code === 0 && summary !== 'no summary' && !unexercised) {
      passed++;
      console.log(`✓ ${name} (${summary}; ${secs} s)`);
    } else {
      failed++;
      console.log(`✗ ${name} (${summary}; exit ${r.code}; ${secs} s)\n${r.output.trim().split('\n').map(l => `    ${l}`).join('\n')}`);
    }
  }
}
if (!failed) rmSync(out, { recursive: true, force: true });
else console.log(`conformance: results (checks.json, client stdout and stderr) are in ${out}`);
finish(passed, failed);

/**
 * For the SEP-2640 scenarios, why the run did not test what it is for: the suite passes a
 * run whose checks were SKIPPED (the client never listed skills), so each of their
 * `sep-2640-*` checks in the run's checks.json must be there and be SUCCESS.
 */
function notExercised(scenario, dirs) {
  if (!scenario.startsWith('sep-2640-')) return undefined;
  const dir = dirs.find(d => d.startsWith(`${scenario}-`));
  if (!dir) return `no results of ${scenario} were written (checks.json is missing)`;
  let checks;
  try { checks = JSON.parse(readFileSync(path.join(out, dir, 'checks.json'), 'utf8')); } catch (err) { return `${path.join(out, dir, 'checks.json')} cannot be read: ${err.message}`; }
  const skills = Array.isArray(checks) ? checks.filter(c => typeof c?.id === 'string' && c.id.startsWith('sep-2640-')) : [];
  if (!skills.length) return `checks.json of ${scenario} has no sep-2640-* check`;
  const bad = skills.filter(c => c.status !== 'SUCCESS');
  return bad.length ? `not exercised or failed: ${bad.map(c => `${c.id} ${c.status}${c.errorMessage ? ` (${c.errorMessage})` : ''}`).join('; ')}` : undefined;
}

function run(file, args) {
  return new Promise(resolve => {
    const child = spawn(file, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', c => { output += c; });
    child.stderr.on('data', c => { output += c; });
    child.on('error', err => resolve({ code: -1, output: `${output}\n${err.message}` }));
    child.on('close', code => resolve({ code: code ?? -1, output }));
  });
}
