// The integration suite's bookkeeping (test/integration/suite/index.js), run here against a
// stub `vscode` and a stub MCP Host API: a server the runner configured but the extension
// does not list is a failure, never a pass; a test is skipped (and says so) only for a
// server the runner's MCP_HOST_TEST_SERVERS leaves out. The suite's tests themselves run in
// a real VS Code (the e2e harness); here they mostly fail against the stub, which is fine:
// only the results of the tests whose servers are missing are looked at.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { repo } from './helpers.ts';

const require = createRequire(import.meta.url);
const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const SUITE = path.join(repo, 'test/integration/suite/index.js');
const STUB_ID = path.join(repo, 'test/unit/<stub vscode>');

interface Result { name: string; ok: boolean; skipped?: string; error?: string }

/** Loads a fresh copy of the suite with `env`, the extension listing only `serverNames`. */
async function runSuite(serverNames: string[], env: Record<string, string | undefined>): Promise<Result[]> {
  const fail = () => Promise.reject(new Error('stub API: not implemented'));
  const snapshot = (name: string) => ({ name, scope: 'workspace', state: { kind: 'running' }, tools: [], resources: [], resourceTemplates: [], prompts: [], description: 'running · 0 tools' });
  const api: Record<string, unknown> = {
    apiVersion: 1,
    servers: () => serverNames.map(snapshot),
    waitForState: (name: string) => serverNames.includes(name) ? Promise.resolve(snapshot(name)) : Promise.reject(new Error(`unknown server ${name}`)),
    treeChildren: () => Promise.resolve([]),
    callTool: fail, readResource: fail, getPrompt: fail,
    outputChannelName: (name: string) => `MCP Host: ${name}`,
    logLines: () => [],
  };
  const vscode = {
    extensions: { getExtension: () => ({ isActive: true, packageJSON: { contributes: { commands: [] } }, activate: () => Promise.resolve(api) }) },
    commands: { getCommands: () => Promise.resolve([]), executeCommand: fail },
    workspace: { workspaceFolders: [] },
    window: { visibleTextEditors: [], tabGroups: { all: [] } },
  };
  const resolve = Module._resolveFilename;
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]));
  Module._resolveFilename = (request: string, ...rest: unknown[]) => request === 'vscode' ? STUB_ID : resolve(request, ...rest);
  require.cache[STUB_ID] = { id: STUB_ID, filename: STUB_ID, loaded: true, exports: vscode } as unknown as NodeJS.Module;
  delete require.cache[SUITE];
  for (const [k, v] of Object.entries(env)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  const log = console.log;
  console.log = () => {};
  try {
    const suite = require(SUITE) as { run(): Promise<{ results: Result[] }> };
    return await suite.run().then(r => r.results, (e: { results?: Result[] }) => { if (!e.results) throw e; return e.results; });
  } finally {
    console.log = log;
    Module._resolveFilename = resolve;
    delete require.cache[STUB_ID];
    delete require.cache[SUITE];
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

const BASIC_TESTS = /fixture server|sampling: an allowed server/;

test('a broken workspace (basic and the remote servers missing) fails the tests that need them when the runner expects every server', async () => {
  const results = await runSuite(['everything', 'filesystem'], { MCP_HOST_TEST_SERVERS: undefined });
  const needing = results.filter(r => BASIC_TESTS.test(r.name) || /^remote:/.test(r.name) || /^log:/.test(r.name));
  assert.equal(needing.length, 5, needing.map(r => r.name).join('\n'));
  for (const r of needing) assert.ok(!r.ok && !r.skipped, `${r.name} must fail: ${JSON.stringify(r)}`);
  const listed = results.find(r => /^the configured servers are listed/.test(r.name))!;
  assert.ok(!listed.ok && /servers the tests need are not configured/.test(listed.error ?? ''), JSON.stringify(listed));
});

test('with MCP_HOST_TEST_SERVERS, a server listed but missing fails; a server not listed is a skip that says so', async () => {
  const results = await runSuite(['everything', 'filesystem'], { MCP_HOST_TEST_SERVERS: 'everything,filesystem,basic' });
  for (const r of results.filter(x => BASIC_TESTS.test(x.name) || /^log:/.test(x.name))) assert.ok(!r.ok && !r.skipped, `${r.name} must fail: ${JSON.stringify(r)}`);
  const remote = results.find(r => /^remote:/.test(r.name))!;
  assert.equal(remote.ok, true);
  assert.match(remote.skipped ?? '', /did not configure everything-http, everything-sse/);
  const listed = results.find(r => /^the configured servers are listed/.test(r.name))!;
  assert.ok(!listed.ok && /MCP_HOST_TEST_SERVERS/.test(listed.error ?? ''), JSON.stringify(listed));
  // Besides remote: the tests that need what only the e2e harness provides (planted secrets
  // and their servers, a person answering dialogs: test/integration/suite/trust.js), and
  // those of the 2026-07-28 servers not listed here (suite/stateless.js, suite/skills.js).
  const skipped = results.filter(r => r.skipped);
  assert.deepEqual(skipped.map(r => r.name).filter(n => !/^(remote|secrets|stateless|stateless-http|skills):|^mcpHost\.addServer /.test(n)), [], 'only the remote, secrets, addServer and 2026-07-28 server tests are skipped');
  for (const r of skipped.filter(x => /^mcpHost\.addServer /.test(x.name))) assert.match(r.skipped ?? '', /did not set MCP_HOST_TEST_UI_LOG/);
});
