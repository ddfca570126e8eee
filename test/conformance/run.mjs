#!/usr/bin/env node
// Runs the client scenarios of the official MCP conformance suite
// (@modelcontextprotocol/conformance, Node >= 22) against the mcp-host CLI through
// test/conformance/client.ts, with no expected-failures file, and ends with the line
// "N passed, N failed". Authorization scenarios come with the auth work.
//
//   node test/conformance/run.mjs [SCENARIO…]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// Each installed version of the suite with the client scenarios we run under it (the
// alpha through its package name, 0.1.16 through an npm alias).
const SUITES = [
  { pkg: 'conformance-0.1.16', label: '0.1.16', scenarios: ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry'] },
  { pkg: '@modelcontextprotocol/conformance', label: '0.2.0-alpha.12', scenarios: ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry'] },
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
    const r = await run(process.execPath, [bin, 'client', '--command', command, '--scenario', scenario, '--timeout', '30000', '-o', out]);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const summary = /Passed: \d+\/\d+, \d+ failed, \d+ warnings/.exec(r.output)?.[0] ?? 'no summary';
    const name = `${scenario} [${suite.label}]`;
    if (r.code === 0 && summary !== 'no summary') {
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
