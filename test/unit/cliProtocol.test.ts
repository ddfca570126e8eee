// The CLI's protocol revision (issue 9): negotiated by default, remembered per configured
// server so the next run skips the probe, shown by `servers --json`, pinned with
// --protocol-version or the definition's "protocolVersion".

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { cli, show, writeRawServer } from './cliHarness.ts';
import { fixture } from './helpers.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcph-cliproto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function workspace(name: string, servers: Record<string, unknown>): string {
  const ws = path.join(tmp, name);
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  writeFileSync(path.join(ws, '.vscode', 'mcp.json'), JSON.stringify({ servers }));
  return ws;
}

test('a stateless server is spoken to statelessly; `servers --json` then says which revision it speaks', async () => {
  const ws = workspace('modern', { modern: { command: process.execPath, args: [fixture('stateless.mjs'), 'stdio'] } });
  const env = { MCP_HOST_PROTOCOL_FILE: path.join(tmp, 'modern-protocols.json') };
  const before = await cli(['servers', '--json'], { cwd: ws, env });
  assert.equal(JSON.parse(before.stdout).servers[0].protocolVersion, undefined, 'not known before a run');
  const r = await cli(['call', 'echo', '--args', '{"message":"hi"}', '--trust-workspace', '--verbose', '--server', 'modern'], { cwd: ws, env });
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /connected to fixture-stateless .* \(protocol 2026-07-28, stateless, stdio\)/);
  const listed = JSON.parse((await cli(['servers', '--json'], { cwd: ws, env })).stdout).servers[0];
  assert.equal(listed.protocolVersion, '2026-07-28');
  assert.equal(listed.protocol, 'stateless');
});

test('a remembered stateful server is not probed the next time', async () => {
  const log = path.join(tmp, 'legacy-methods.txt');
  // Each method it receives, in order, goes to a file (messages are small: one per chunk).
  const server = writeRawServer(path.join(tmp, 'legacy.cjs'), `
    process.stdin.on('data', d => {
      for (const l of String(d).split('\\n')) {
        if (!l.trim()) continue;
        try { require('node:fs').appendFileSync(${JSON.stringify(log)}, (JSON.parse(l).method ?? 'response') + '\\n'); } catch {}
      }
    });
  `);
  const ws = workspace('legacy', { legacy: { command: process.execPath, args: [server] } });
  const env = { MCP_HOST_PROTOCOL_FILE: path.join(tmp, 'legacy-protocols.json') };
  const first = await cli(['tools', '--trust-workspace', '--server', 'legacy'], { cwd: ws, env });
  assert.equal(first.code, 0, show(first));
  const firstRun = readFileSync(log, 'utf8').trim().split('\n');
  assert.deepEqual(firstRun.slice(0, 2), ['server/discover', 'initialize'], firstRun.join(', '));
  writeFileSync(log, '');
  const second = await cli(['tools', '--trust-workspace', '--server', 'legacy'], { cwd: ws, env });
  assert.equal(second.code, 0, show(second));
  const secondRun = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(secondRun[0], 'initialize', `no probe: ${secondRun.join(', ')}`);
  assert.ok(!secondRun.includes('server/discover'));
  const listed = JSON.parse((await cli(['servers', '--json'], { cwd: ws, env })).stdout).servers[0];
  assert.equal(listed.protocol, 'stateful');
  assert.equal(listed.protocolVersion, '2025-11-25');
});

test('--protocol-version pins a revision; a stateless-only server refuses 2025-11-25 with a clear error', async () => {
  const stdio = `${process.execPath} ${fixture('stateless.mjs')} stdio`;
  const modern = await cli(['tools', '--protocol-version', '2026-07-28', '--verbose', '--stdio', stdio]);
  assert.equal(modern.code, 0, show(modern));
  const old = await cli(['tools', '--protocol-version', '2025-11-25', '--stdio', stdio]);
  assert.equal(old.code, 3, show(old));
  assert.match(old.stderr, /› initialize: .*[Uu]nsupported protocol version/);
  const bad = await cli(['tools', '--protocol-version', '2030-01-01', '--stdio', stdio]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--protocol-version must be one of 2026-07-28, 2025-11-25/);
});
