// Servers that misbehave on purpose around their lifetime — exiting or hanging during
// `initialize`, crashing mid-call, ignoring SIGTERM at shutdown — and calls to a server that
// is not running. Each runs through the host core (ServerManager, or McpClient +
// StdioTransport where the manager cannot be configured for the case). For each: the host
// stays up, every pending call settles exactly once with an error naming the server, the
// method and the cause, the server's state and log say what happened, and no process is
// left behind. (The other misbehaving servers: broken-streams.test.ts, broken-protocol.test.ts.)

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { McpClient } from '../../src/protocol/client.ts';
import {
  GRACE, Settlements, assertNamedError, assertNoProcessesLeft, childPids, clientInfo, logText, managed, text,
  transport, waitForLog, waitForState, within,
} from './helpers.ts';

after(() => assertNoProcessesLeft());

describe('exits during initialize', () => {
  test('manager: error state with exit code and stderr, a log line, calls fail at once, nothing left', async () => {
    const h = managed('noKey', 'exit-during-initialize.mjs');
    try {
      const state = await waitForState(h.server, 'error');
      assert.ok(state.kind === 'error');
      assert.match(state.message, /^noKey › initialize: the server process exited with code 7 \(stderr: fatal: missing API key\)/);
      assert.equal(state.exitCode, 7);
      assert.match(state.stderrTail ?? '', /missing API key/);
      assert.match(logText(h.log), /\[error\/host\] failed to start: noKey › initialize: the server process exited with code 7/);
      assert.match(logText(h.log), /\[info\/stderr\] fatal: missing API key/);

      const calls = new Settlements();
      calls.track('echo', h.server.callTool('echo', {}));
      await calls.settled(10_000);
      assertNamedError(calls.failures[0], 'noKey', 'tools/call', /the server is not running \(error\)/);
    } finally {
      await h.done();
    }
  });

  test('McpClient.create rejects once, naming the server, initialize and the exit', async () => {
    const calls = new Settlements();
    calls.track('create', McpClient.create(transport('exit-during-initialize.mjs'), { name: 'noKey', clientInfo, capabilities: {} }));
    await calls.settled(30_000);
    assertNamedError(calls.failures[0], 'noKey', 'initialize', /exited with code 7 \(stderr: fatal: missing API key\)/);
    await assertNoProcessesLeft();
  });
});

describe('hangs in initialize', () => {
  test('manager: times out naming initialize; shutdown escalates past ignored stdin close and SIGTERM; nothing left', async () => {
    const h = managed('hanger', 'hang-initialize.mjs', ['--ignore-stdin-close', '--ignore-sigterm'], { requestTimeoutMs: 500 });
    try {
      await waitForLog(h.server, /hang-initialize: ready/);
      const groups = childPids();
      assert.equal(groups.length, 1);
      const state = await waitForState(h.server, 'error', 30_000);
      assert.ok(state.kind === 'error');
      assert.match(state.message, /^hanger › initialize: timed out after 500 ms/);
      const log = logText(h.log);
      assert.match(log, /sending SIGTERM/);
      assert.match(log, /hang-initialize: ignoring SIGTERM/);
      assert.match(log, /killing its process tree/);
      assert.match(log, /\[error\/host\] failed to start: hanger › initialize: timed out/);
      await assertNoProcessesLeft(groups);
    } finally {
      await h.done();
    }
  });

  test('manager: stopping a server stuck in initialize cancels the handshake and ends the process', async () => {
    const h = managed('hanger', 'hang-initialize.mjs');
    try {
      await waitForLog(h.server, /hang-initialize: ready/);
      const groups = childPids();
      assert.equal(h.server.state.kind, 'starting');
      await within(15_000, 'stop()', h.server.stop());
      assert.equal(h.server.state.kind, 'stopped');
      await assertNoProcessesLeft(groups);
    } finally {
      await h.done();
    }
  });
});

describe('crashes mid-call', () => {
  test('every call in flight fails at once naming server, method and exit; calls meanwhile fail fast; it restarts', async () => {
    const h = managed('crasher', 'crash-mid-call.mjs', [], { restart: { maxTries: 3, initialDelayMs: 300, maxDelayMs: 300 } });
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      for (let i = 0; i < 8; i++) calls.track(`crash ${i}`, h.server.callTool('crash', {}));
      await calls.settled(30_000);
      assert.equal(calls.failures.length, 8);
      // "At once": each failed because the process exited (not by its request timeout, 60 s).
      for (const e of calls.failures) assert.ok(!assertNamedError(e, 'crasher', 'tools/call', /the server process exited with code 3 \(stderr: about to crash\)/).isTimeout);

      const state = h.server.state;
      assert.ok(state.kind === 'error');
      assert.equal(state.exitCode, 3);
      assert.equal(state.willRetryInMs, 300);
      assert.match(logText(h.log), /\[error\/host\] the server process exited with code 3 \(stderr: about to crash\); restarting in 300 ms \(attempt 1 of 3\)/);

      const meanwhile = new Settlements();
      meanwhile.track('echo while down', h.server.callTool('echo', { message: 'x' }));
      await meanwhile.settled(10_000);
      assertNamedError(meanwhile.failures[0], 'crasher', 'tools/call', /the server is not running \(error\)/);

      await waitForState(h.server, 'running', 30_000);
      assert.equal(text(await h.server.callTool('echo', { message: 'back' })), 'back');
    } finally {
      await h.done();
    }
  });

  test('a crash is noticed when the server exits, even while a child it started holds stdout open', async () => {
    const h = managed('orphaner', 'orphan-holds-stdout.mjs', [], { requestTimeoutMs: 6000, restart: { maxTries: 0, initialDelayMs: 50, maxDelayMs: 50 } });
    let groups: number[] = [];
    try {
      await waitForLog(h.server, /orphan: helper \d+/);
      groups = childPids();
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('crash', h.server.callTool('crash', {}));
      await calls.settled(30_000);
      // Noticed through the exit, not through the request timeout (which would say "timed out").
      assert.ok(!assertNamedError(calls.failures[0], 'orphaner', 'tools/call', /the server process exited with code 5/).isTimeout);
      const state = h.server.state;
      assert.ok(state.kind === 'error' && state.exitCode === 5, JSON.stringify(state));
      await assertNoProcessesLeft(groups); // the helper went with its group
    } finally {
      await h.done(groups);
    }
  });

  test('a restart that fails during initialize is retried with backoff, not abandoned', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcph-flaky-'));
    const h = managed('flaky', 'flaky-restart.mjs', [path.join(dir, 'launches')], { restart: { maxTries: 5, initialDelayMs: 50, maxDelayMs: 100 } });
    try {
      await waitForState(h.server, 'running');
      await assert.rejects(h.server.callTool('crash', {}), (e: unknown) => !!assertNamedError(e, 'flaky', 'tools/call', /exited with code 3/));
      // Launch 2 exits during initialize; launch 3 works.
      await waitForLog(h.server, /failed to start: flaky › initialize: the server process exited with code 7/);
      const state = h.server.state;
      assert.ok(state.kind === 'error' && state.willRetryInMs !== undefined, `after a failed restart the server should retry, but its state is ${JSON.stringify(state)}`);
      await waitForState(h.server, 'running', 30_000);
      assert.equal(text(await h.server.callTool('echo', { message: 'hi' })), 'launch 3: hi');
    } finally {
      await h.done();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ignores SIGTERM at shutdown', () => {
  test('manager: stop escalates — stdin closed, SIGTERM, then the group is killed — and the log says so', async () => {
    const h = managed('stubborn', 'stubborn-shutdown.mjs');
    let groups: number[] = [];
    try {
      await waitForLog(h.server, /stubborn: child \d+/);
      groups = childPids();
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('hang', h.server.callTool('hang', {}));
      await within(30_000, 'stop()', h.server.stop());
      await calls.settled(10_000);
      assertNamedError(calls.failures[0], 'stubborn', 'tools/call', /the client closed the connection/);
      assert.equal(h.server.state.kind, 'stopped');
      // The escalation, in order, each step after its 2000 ms grace (the log says which grace
      // it waited; how long the machine took around it is not the point).
      const log = logText(h.log);
      const steps = [/did not exit 2000 ms after stdin closed; sending SIGTERM/, /stubborn: ignoring SIGTERM/, /ignored SIGTERM for 2000 ms; killing its process tree/];
      const at = steps.map(re => h.log.findIndex(e => re.test(e.message)));
      assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]!)), `the escalation steps in order (${at.join(', ')}); log:\n${log}`);
      await assertNoProcessesLeft(groups); // the server and the child that also ignores SIGTERM
    } finally {
      await h.done(groups);
    }
  });

  test('StdioTransport: close escalates with the configured grace and kills the whole group', async () => {
    const t = transport('stubborn-shutdown.mjs');
    const logs: string[] = [];
    t.onDidLog(l => logs.push(l.message));
    const childSeen = Event.toPromise(t.onDidLog, l => /stubborn: child \d+/.test(l.message), AbortSignal.timeout(10_000));
    const client = await McpClient.create(t, { name: 'stubborn', clientInfo, capabilities: {} });
    const group = t.pid!;
    await childSeen.catch(async err => { await client.close(); throw err; });
    const calls = new Settlements();
    calls.track('hang', client.callTool('hang', {}));
    const t0 = Date.now();
    await within(30_000, 'client.close()', client.close());
    const took = Date.now() - t0;
    await calls.settled(10_000);
    assertNamedError(calls.failures[0], 'stubborn', 'tools/call', /the client closed the connection/);
    // The configured grace (not the default 2000 ms) before each step, in order. A lower
    // bound only: a busy machine makes the close longer, never shorter.
    const sigterm = logs.findIndex(l => l.includes(`did not exit ${GRACE} ms after stdin closed; sending SIGTERM`));
    const kill = logs.findIndex(l => l.includes(`ignored SIGTERM for ${GRACE} ms; killing its process tree`));
    assert.ok(sigterm >= 0 && kill > sigterm, logs.join('\n'));
    assert.ok(took >= 2 * GRACE - 50, `close took ${took} ms, less than twice the ${GRACE} ms grace`);
    await assertNoProcessesLeft([group]);
  });
});

describe('fail fast', () => {
  test('every feature call to a server that is not running rejects — never throws — with a named error', async () => {
    const h = managed('idle', 'echo-fast.mjs', [], {}, false);
    try {
      const s = h.server;
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['tools/call', () => s.callTool('echo', {})],
        ['resources/read', () => s.readResource('x://y')],
        ['prompts/get', () => s.getPrompt('p', {})],
        ['completion/complete', () => s.complete({ type: 'ref/prompt', name: 'p' }, { name: 'a', value: '' })],
        ['resources/subscribe', () => s.subscribe('x://y')],
        ['resources/unsubscribe', () => s.unsubscribe('x://y')],
      ];
      for (const [method, call] of attempts) {
        let p: Promise<unknown> | undefined;
        assert.doesNotThrow(() => { p = call(); }, `${method} threw synchronously instead of returning a rejected promise`);
        await assert.rejects(p!, (e: unknown) => !!assertNamedError(e, 'idle', method, /the server is not running \(stopped\)/));
      }
    } finally {
      await h.done();
    }
  });
});
