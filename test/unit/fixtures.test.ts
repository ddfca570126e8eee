// The project's fixture servers: behaviours the reference servers don't show.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { RequestError } from '../../src/protocol/errors.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { descendants, fixture, groupMembers, stdioDef, waitForState } from './helpers.ts';

const clientInfo = { name: 'test', version: '1' };
function transport(name: string, args: string[] = [], grace = 300) {
  return new StdioTransport({ command: process.execPath, args: [fixture(name), ...args], env: {}, shutdownGraceMs: grace });
}

describe('fixture servers', () => {
  test('basic: tools, progress, cancellation reaching the server, elicitation, sampling, roots', async () => {
    const t = transport('basic.mjs');
    const stderr: string[] = [];
    t.onDidLog(l => { if (l.source === 'stderr') stderr.push(l.message); });
    const told = Event.toPromise(t.onDidLog, l => l.source === 'stderr' && l.message.includes('CANCELLED slow'), AbortSignal.timeout(30_000));
    told.catch(() => {}); // awaited below; never an unhandled rejection when an earlier step fails
    const client = await McpClient.create(t, { name: 'basic', clientInfo, capabilities: { roots: {}, sampling: {}, elicitation: { form: {} } }, onConnection: conn => {
      conn.onRequest('roots/list', () => ({ roots: [{ uri: 'file:///w', name: 'w' }] }));
      conn.onRequest('sampling/createMessage', () => ({ role: 'assistant', content: { type: 'text', text: 'sampled!' }, model: 'm' }));
      conn.onRequest('elicitation/create', () => ({ action: 'accept', content: { name: 'Bo', color: 'red' } }));
    } });
    try {
      await client.listTools();
      assert.deepEqual((await client.callTool('add', { a: 2, b: 5 })).structuredContent, { sum: 7 });
      assert.equal((await client.callTool('fail', {})).isError, true);
      assert.match(JSON.stringify(await client.callTool('roots', {})), /file:\/\/\/w/);
      assert.match(JSON.stringify(await client.callTool('sample', { prompt: 'x' })), /sampled!/);
      assert.match(JSON.stringify(await client.callTool('elicit', {})), /accept.*Bo/);
      const ctrl = new AbortController();
      const steps: string[] = [];
      const call = client.callTool('slow', { steps: 50, delayMs: 50 }, { signal: ctrl.signal, onProgress: p => { steps.push(p.message ?? ''); if (steps.length === 2) ctrl.abort(); } });
      await assert.rejects(call, (e: RequestError) => e.isCancellation);
      // The server saw notifications/cancelled: its handler's signal aborted (it says so on stderr).
      await told.catch(() => assert.fail(`the server was not told (stderr: ${stderr.join(' | ')})`));
    } finally {
      await client.close();
    }
  });

  test('crash mid-call: the pending call fails at once naming server, method and cause; the server restarts', async () => {
    const manager = new ServerManager({ restart: { maxTries: 2, initialDelayMs: 50, maxDelayMs: 100 } });
    manager.setDefinitions([stdioDef('crasher', process.execPath, [fixture('crash-mid-call.mjs')])], { autoStart: true });
    const s = manager.get('crasher')!;
    try {
      await waitForState(s, 'running');
      const calls = [s.callTool('crash', {}), s.callTool('echo', { message: 'in flight' }).catch(e => e)];
      await assert.rejects(calls[0]!, (e: RequestError) => {
        assert.match(e.message, /^crasher › tools\/call: the server process exited with code 3 \(stderr: about to crash\)/);
        assert.ok(!e.isTimeout, 'fails by the exit, not at the timeout');
        return true;
      });
      assert.equal(s.state.kind, 'error');
      assert.equal((s.state as { exitCode?: number }).exitCode, 3);
      await waitForState(s, 'running', 10_000); // restarted with backoff
      assert.match(JSON.stringify(await s.callTool('echo', { message: 'back' })), /back/);
    } finally {
      await manager.dispose();
    }
    assert.deepEqual(descendants(), []);
  });

  test('exit during initialize: error state with exit code and stderr tail', async () => {
    const manager = new ServerManager({});
    manager.setDefinitions([stdioDef('noKey', process.execPath, [fixture('exit-during-initialize.mjs')])], { autoStart: true });
    const s = manager.get('noKey')!;
    try {
      const state = await waitForState(s, 'error');
      assert.ok(state.kind === 'error');
      assert.match(state.message, /noKey › initialize: the server process exited with code 7 \(stderr: fatal: missing API key\)/);
      assert.equal(state.exitCode, 7);
      assert.match(state.stderrTail ?? '', /missing API key/);
    } finally {
      await manager.dispose();
    }
  });

  test('hang in initialize: times out, and shutdown escalates past ignored stdin close and SIGTERM', async () => {
    const t = transport('hang-initialize.mjs', ['--ignore-stdin-close', '--ignore-sigterm'], 200);
    const logs: string[] = [];
    t.onDidLog(l => logs.push(l.message));
    let pid: number | undefined;
    t.onDidChangeState(s => { if (s.kind === 'running') pid = t.pid; });
    await assert.rejects(McpClient.create(t, { name: 'hanger', clientInfo, capabilities: {}, initializeTimeoutMs: 300 }),
      (e: RequestError) => e.isTimeout && /^hanger › initialize: timed out after 300 ms/.test(e.message));
    // The escalation, in order, after the configured 200 ms grace each time.
    const sigterm = logs.findIndex(l => l.includes('did not exit 200 ms after stdin closed; sending SIGTERM'));
    const kill = logs.findIndex(l => l.includes('ignored SIGTERM for 200 ms; killing its process tree'));
    assert.ok(sigterm >= 0 && kill > sigterm, logs.join('\n'));
    assert.deepEqual(groupMembers(pid!), []);
  });

  test('garbage on stdout: non-JSON lines are skipped with a warning, split UTF-8 survives', async () => {
    const t = transport('garbage-stdout.mjs');
    const warnings: string[] = [];
    t.onDidLog(l => { if (l.level === 'warning') warnings.push(l.message); });
    const client = await McpClient.create(t, { name: 'garbage', clientInfo, capabilities: {} });
    const conn: string[] = [];
    client.connection.onDidWarn(w => conn.push(w));
    try {
      await client.listTools();
      const r = await client.callTool('echo', { message: 'x' });
      assert.match((r.content[0] as { text: string }).text, /héllo wörld ✓ 🎉/);
      assert.ok(warnings.some(w => /not JSON/.test(w) && /Server starting/.test(w)));
    } finally {
      await client.close();
    }
  });

  test('wrong protocol version: disconnects with both versions named', async () => {
    await assert.rejects(McpClient.create(transport('wrong-version.mjs'), { name: 'old', clientInfo, capabilities: {} }),
      (e: RequestError) => /old › initialize: .*1999-01-01.*2025-11-25/.test(e.message));
  });

  test('a 100 MB result arrives whole; a result over the cap fails clearly', async () => {
    const client = await McpClient.create(transport('big-result.mjs'), { name: 'big', clientInfo, capabilities: {} });
    try {
      const r = await client.callTool('big', { sizeMb: 100 });
      assert.equal((r.content[0] as { text: string }).text.length, 100 * 1024 * 1024);
    } finally {
      await client.close();
    }
    const capped = new StdioTransport({ command: process.execPath, args: [fixture('big-result.mjs')], env: {}, maxMessageBytes: 1024 * 1024 });
    const c2 = await McpClient.create(capped, { name: 'capped', clientInfo, capabilities: {} });
    await assert.rejects(c2.callTool('big', { sizeMb: 4 }), (e: RequestError) => /capped › tools\/call: the server sent a message larger than the 1 MiB limit/.test(e.message));
    await c2.close();
    assert.deepEqual(descendants(), []);
  });
});
