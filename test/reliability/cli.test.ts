// The same misbehaving servers through the mcp-host CLI: the process must end (no hang),
// with the exit code for the failure's kind and a message on stderr naming the server,
// the method and the cause, and leave no server process behind.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { descendants, fixture, repo } from '../unit/helpers.ts';

interface Ran { code: number | null; stdout: string; stderr: string; ms: number }

function cli(args: string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(repo, 'src/cli/bin.ts'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MCP_HOST_SETTINGS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`mcp-host ${args.join(' ')} did not end in ${timeoutMs} ms; stderr: ${stderr}`)); }, timeoutMs);
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
  });
}
const target = (name: string, ...flags: string[]) => ['--stdio', `${JSON.stringify(process.execPath)} ${JSON.stringify(fixture(name))}${flags.map(f => ` ${f}`).join('')}`, '--name', name.replace(/\.mjs$/, '')];

describe('misbehaving servers through the CLI', () => {
  test('exits during initialize: exit 3, exit code and stderr tail named', async () => {
    const r = await cli(['tools', ...target('exit-during-initialize.mjs')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /exit-during-initialize › initialize: the server process exited with code 7/);
    assert.match(r.stderr, /missing API key/);
  });

  test('hangs in initialize (ignoring stdin close and SIGTERM): --timeout gives exit 4, and the server is killed', async () => {
    const r = await cli(['tools', '--timeout', '500', ...target('hang-initialize.mjs', '--ignore-stdin-close', '--ignore-sigterm')]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /hang-initialize › initialize: the server did not complete the handshake within 500 ms/);
  });

  test('crashes mid-call: exit 3 at once, naming tools/call', async () => {
    const r = await cli(['call', 'crash', ...target('crash-mid-call.mjs')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /crash-mid-call › tools\/call crash: the server process exited with code 3 \(stderr: about to crash\)/);
  });

  test('exits while its helper holds stdout: noticed at once, not at the timeout', async () => {
    const r = await cli(['call', 'crash', '--timeout', '20000', ...target('orphan-holds-stdout.mjs')]);
    // Exit 3 naming the exit is the crash noticed; at the timeout it would be exit 4 and a timeout sentence.
    assert.equal(r.code, 3);
    assert.match(r.stderr, /orphan-holds-stdout › tools\/call crash: the server process exited with code 5/);
  });

  test('garbage, partial lines and invalid UTF-8 on stdout: the answer still arrives', async () => {
    assert.match((await cli(['call', 'echo', '--args', '{"message":"x"}', ...target('garbage-stdout.mjs')])).stdout, /héllo wörld ✓ 🎉/);
    assert.match((await cli(['call', 'trickle', '--args', '{"message":"slow"}', ...target('partial-line.mjs')])).stdout, /slow/);
    const bytes = await cli(['call', 'bytes', ...target('invalid-utf8.mjs')]);
    assert.equal(bytes.code, 0, bytes.stderr);
    assert.match(bytes.stdout, /ok ✓/);
  });

  test('a half line cut by an exit: exit 3 naming the call', async () => {
    const r = await cli(['call', 'cut', ...target('partial-line.mjs')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /partial-line › tools\/call cut: the server process exited with code 9/);
  });

  test('unknown ids and one id answered twice: the first answer wins', async () => {
    const r = await cli(['call', 'dup', '--args', '{"message":"m"}', ...target('unknown-ids.mjs')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'first: m');
  });

  test('100,000 notifications, then the answer', async () => {
    const r = await cli(['call', 'flood', '--args', '{"count":100000,"kind":"message"}', ...target('flood.mjs')], 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /flooded 100000/);
  });

  test('requests for capabilities the CLI did not offer are refused, and the server goes on', async () => {
    const r = await cli(['call', 'probe', '--json', ...target('undeclared-requests.mjs')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /x\/unknown/);
    assert.match(r.stdout, /-32601/);
  });

  test('results that violate the schema: exit 3 with what was wrong', async () => {
    const r = await cli(['call', 'structured-mismatch', ...target('schema-violations.mjs')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /schema-violations › tools\/call structured-mismatch: structuredContent of "structured-mismatch" does not match its output schema/);
    const bad = await cli(['call', 'result-not-object', ...target('schema-violations.mjs')]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /schema-violations › tools\/call result-not-object: invalid response/);
  });

  test('ignores SIGTERM at shutdown: the CLI still ends and kills its process tree', async () => {
    const r = await cli(['call', 'echo', '--args', '{"message":"bye"}', ...target('stubborn-shutdown.mjs')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'bye');
    assert.deepEqual(descendants(), []);
  });
});
