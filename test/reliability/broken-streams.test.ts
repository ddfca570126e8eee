// Servers that misbehave on the pipe — junk and partial lines on stdout, invalid UTF-8,
// a stdin they never read, one line of 1 GB, floods of 100,000 notifications. Each runs
// through the host core (ServerManager, or McpClient + StdioTransport where the manager
// cannot be configured for the case). For each: the host stays up, every pending call
// settles exactly once with an error naming the server, the method and the cause, the
// server's log says what happened, no process is left behind, and memory stays bounded.
// (The other misbehaving servers: broken-lifecycle.test.ts, broken-protocol.test.ts.)

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { RequestError } from '../../src/protocol/errors.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import {
  GRACE, MB, Settlements, assertNamedError, assertNoProcessesLeft, clientInfo, fixture, logText, managed,
  measureRss, text, transport, waitForState, within,
} from './helpers.ts';

after(() => assertNoProcessesLeft());

describe('non-JSON and partial lines on stdout', () => {
  test('junk lines are skipped with a warning in the server log; the server works', async () => {
    const h = managed('garbage', 'garbage-stdout.mjs');
    try {
      await waitForState(h.server, 'running');
      assert.deepEqual(h.server.tools.map(t => t.name), ['echo']);
      assert.equal(text(await h.server.callTool('echo', { message: 'x' })), 'x héllo wörld ✓ 🎉');
      const log = logText(h.log);
      assert.match(log, /\[warning\/host\] skipped a line on stdout that is not JSON \(.*\): Server starting\.\.\./);
      assert.match(log, /not JSON .*\\x1b\[32mready/); // control characters escaped
      assert.match(log, /\[warning\/host\] ignored an invalid message: missing "jsonrpc": "2.0"/); // {"hello":1}
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('a response written a byte at a time arrives whole; a half line cut by an exit is reported and fails the call', async () => {
    const h = managed('partial', 'partial-line.mjs', [], { restart: { maxTries: 1, initialDelayMs: 50, maxDelayMs: 50 } });
    try {
      await waitForState(h.server, 'running');
      assert.equal(text(await h.server.callTool('trickle', { message: 'héllo 🎉' })), 'trickled: héllo 🎉');
      const calls = new Settlements();
      calls.track('cut', h.server.callTool('cut', {}));
      await calls.settled(30_000);
      assertNamedError(calls.failures[0], 'partial', 'tools/call', /the server process exited with code 9/);
      const log = logText(h.log);
      assert.match(log, /not JSON .*: progress: 0%\.\.\. not JSON/);
      assert.match(log, /not JSON .*: \{"jsonrpc":"2\.0","id":\d+,"result"/, 'the cut-off half line is reported');
      const state = h.server.state;
      assert.ok(state.kind === 'error' && state.exitCode === 9);
    } finally {
      await h.done();
    }
  });
});

describe('invalid UTF-8', () => {
  test('invalid bytes inside a string become U+FFFD, a line of them is skipped with a warning, the server stays up', async () => {
    const h = managed('utf8', 'invalid-utf8.mjs');
    try {
      await waitForState(h.server, 'running');
      const bad = Buffer.from([0xff, 0xfe, 0x80, 0xe2, 0x82, 0xc0, 0xaf, 0xed, 0xa0, 0x80]).toString('utf8');
      assert.match(bad, /^\ufffd+$/);
      assert.equal(text(await h.server.callTool('bytes', {})), `<${bad}> ok ✓`);
      assert.match(logText(h.log), /\[warning\/host\] skipped a line on stdout that is not JSON .*: garbage \ufffd+ \{"not":"json"/);
      assert.equal(h.server.state.kind, 'running');
      assert.equal(text(await h.server.callTool('echo', { message: 'still here' })), 'still here');
    } finally {
      await h.done();
    }
  });

  test('a UTF-8 byte-order mark before the first message does not break the handshake', async () => {
    const client = await McpClient.create(transport('invalid-utf8.mjs', ['--bom']), { name: 'bom', clientInfo, capabilities: {}, initializeTimeoutMs: 30_000 });
    try {
      assert.equal(client.serverInfo.name, 'fixture-invalid-utf8');
    } finally {
      await within(10_000, 'client.close()', client.close());
    }
  });
});


describe('never reads stdin', () => {
  test('writes that back up are capped: later requests fail at once with a named cause, memory stays bounded', async () => {
    // `maxPendingWriteBytes` is the proposed StdioTransport option (default 64 MiB); passed
    // through a variable so this compiles before it exists.
    const LIMIT_MB = 16;
    const options = { command: process.execPath, args: [fixture('never-reads-stdin.mjs')], env: {}, shutdownGraceMs: GRACE, maxPendingWriteBytes: LIMIT_MB * MB };
    const t = new StdioTransport(options);
    const stopped = Event.toPromise(t.onDidLog, l => /stopped reading/.test(l.message), AbortSignal.timeout(10_000));
    const client = await McpClient.create(t, { name: 'deaf', clientInfo, capabilities: {}, requestTimeoutMs: 3000 });
    const group = t.pid!;
    try {
      await stopped;
      const calls = new Settlements();
      const payload = 'y'.repeat(MB);
      const { startMb, peakMb } = await measureRss(async () => {
        for (let i = 0; i < 300; i++) calls.track(`call ${i}`, client.callTool('echo', { message: payload }));
        await calls.settled(60_000);
      });
      // Each call fails for one of two causes, told apart by the error, not by the clock: its
      // message still went into the pipe (it then times out: nobody reads it), or it was
      // refused because the writes already waiting passed the limit ("not reading its stdin").
      const refused = (e: unknown) => e instanceof RequestError && !e.isTimeout && /the server is not reading its stdin: .* MiB are waiting to be written \(limit 16 MiB\)/.test(e.message);
      const timedOut = (e: unknown) => e instanceof RequestError && e.isTimeout;
      assert.equal(calls.values.length, 0, 'no call can succeed: the server never reads');
      for (const e of calls.failures) assertNamedError(e, 'deaf', 'tools/call', /./);
      const other = calls.failures.filter(e => !refused(e) && !timedOut(e)).map(e => (e as Error).message);
      assert.deepEqual(other.slice(0, 3), [], 'every call fails as refused or as timed out');
      // The first calls fill the pipe and the buffer up to the limit; every later one is refused.
      const written = calls.all.findIndex(e => refused(e.value));
      assert.ok(written >= 1 && written <= LIMIT_MB + 1, `${written} calls of 1 MiB were written before the first refusal (limit ${LIMIT_MB} MiB)`);
      assert.ok(calls.all.slice(0, written).every(e => timedOut(e.value)), 'the calls written before the limit time out');
      assert.ok(calls.all.slice(written).every(e => refused(e.value)), 'every call after the limit is refused');
      assert.ok(300 - written >= 250, `only ${300 - written} of 300 calls were refused`);
      // "At once": every refusal settled before the first timeout did (an order of events).
      const firstTimeout = Math.min(...calls.all.filter(e => timedOut(e.value)).map(e => e.order));
      assert.ok(calls.all.filter(e => refused(e.value)).every(e => e.order < firstTimeout), 'a refusal waited for a timeout');
      assert.ok(peakMb - startMb < 150, `RSS grew ${(peakMb - startMb).toFixed(0)} MB while writes backed up`);
    } finally {
      await within(30_000, 'client.close()', client.close());
      await assertNoProcessesLeft([group]);
    }
  });
});

describe('one line of 1 GB', () => {
  test('cut off at maxMessageBytes with a clear error; memory stays bounded; the process is ended', async () => {
    const t = transport('one-gigabyte-line.mjs', [], { maxMessageBytes: 64 * MB });
    const logs: string[] = [];
    t.onDidLog(l => logs.push(`[${l.level}] ${l.message}`));
    const client = await McpClient.create(t, { name: 'huge', clientInfo, capabilities: {}, requestTimeoutMs: 60_000 });
    const group = t.pid!;
    try {
      const calls = new Settlements();
      const { startMb, peakMb } = await measureRss(async () => {
        calls.track('line', client.callTool('line', { mb: 1024 }));
        await calls.settled(30_000);
      });
      assertNamedError(calls.failures[0], 'huge', 'tools/call', /the server sent a message larger than the 64 MiB limit .*; raise the limit or fix the server/);
      assert.ok(peakMb - startMb < 300, `RSS grew ${(peakMb - startMb).toFixed(0)} MB`);
      const state = t.state;
      assert.ok(state.kind === 'stopped' && /larger than the 64 MiB limit/.test(state.error?.message ?? ''), JSON.stringify(state));
      assert.ok(logs.some(l => /^\[error\] the server sent a message larger/.test(l)), logs.join('\n'));
    } finally {
      await within(10_000, 'client.close()', client.close());
      await assertNoProcessesLeft([group]);
    }
  });

  test('the manager passes maxMessageBytes to its stdio transports', async () => {
    // `maxMessageBytes` is the proposed ServerManagerOptions field; through a variable so
    // this compiles before it exists.
    const options = { maxMessageBytes: 1 * MB, restart: { maxTries: 0, initialDelayMs: 50, maxDelayMs: 50 } };
    const h = managed('capped', 'big-result.mjs', [], options);
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('big', h.server.callTool('big', { sizeMb: 4 }));
      await calls.settled(10_000);
      assert.equal(calls.failures.length, 1, 'a 4 MiB result passed a 1 MiB limit');
      assertNamedError(calls.failures[0], 'capped', 'tools/call', /larger than the 1 MiB limit/);
      assert.match(logText(h.log), /\[error\/host\] the server sent a message larger than the 1 MiB limit/);
    } finally {
      await h.done();
    }
  });
});

describe('floods 100,000 notifications', () => {
  test('log messages: the answer arrives, the log has every one, memory and the event loop stay bounded', async () => {
    const h = managed('flood', 'flood.mjs', [], { requestTimeoutMs: 30_000 });
    try {
      await waitForState(h.server, 'running');
      let floodLogs = 0;
      h.server.onDidLog(e => { if (e.source === 'server' && e.message.startsWith('flood ')) floodLogs++; });
      // The event loop stays responsive: other work gets turns while the flood is read, counted
      // (not timed) by a setImmediate ticker that only counts while the flood is under way. A
      // host that read the flood in one go, or never yielded between reads, would give ~0.
      let turns = 0;
      let ticking = true;
      const tick = () => {
        if (floodLogs > 0 && floodLogs < 100_000) turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const { result, startMb, peakMb } = await measureRss(() => h.server.callTool('flood', { count: 100_000, kind: 'message' })).finally(() => { ticking = false; });
      assert.equal(text(result), 'flooded 100000');
      assert.equal(floodLogs, 100_000);
      assert.ok(peakMb - startMb < 100, `RSS grew ${(peakMb - startMb).toFixed(0)} MB`);
      assert.ok(turns >= 10, `other work got only ${turns} turns of the event loop while 100,000 messages were read`);
    } finally {
      await h.done();
    }
  });

  test('progress, unknown and invalid notifications: the answer arrives, progress reaches its listener, warnings are logged', async () => {
    const h = managed('flood', 'flood.mjs', [], { requestTimeoutMs: 30_000 });
    try {
      await waitForState(h.server, 'running');
      let warnings = 0;
      h.server.onDidLog(e => { if (e.level === 'warning' && /ignored an invalid message/.test(e.message)) warnings++; });
      let progress = 0;
      const { startMb, peakMb } = await measureRss(async () => {
        assert.equal(text(await h.server.callTool('flood', { count: 100_000, kind: 'progress' }, { onProgress: () => { progress++; } })), 'flooded 100000');
        assert.equal(text(await h.server.callTool('flood', { count: 100_000, kind: 'unknown' })), 'flooded 100000');
        assert.equal(text(await h.server.callTool('flood', { count: 100_000, kind: 'invalid' })), 'flooded 100000');
      });
      assert.equal(progress, 100_000);
      assert.equal(warnings, 100_000);
      assert.ok(peakMb - startMb < 100, `RSS grew ${(peakMb - startMb).toFixed(0)} MB`);
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('tools/list_changed: a bounded number of tools/list requests follows, memory stays bounded', async () => {
    const h = managed('flood', 'flood.mjs', [], { requestTimeoutMs: 20_000 });
    try {
      await waitForState(h.server, 'running');
      const { result, startMb, peakMb } = await measureRss(() => h.server.callTool('flood', { count: 100_000, kind: 'list_changed' }));
      assert.equal(text(result), 'flooded 100000');
      // Whatever relisting the flood caused has been sent before this request.
      const stats = JSON.parse(text(await h.server.callTool('stats', {}))) as Record<string, number>;
      assert.ok(stats['tools/list']! <= 10, `${stats['tools/list']} tools/list requests for one burst of list_changed`);
      assert.ok(peakMb - startMb < 100, `RSS grew ${(peakMb - startMb).toFixed(0)} MB`);
      assert.deepEqual(h.server.tools.map(t => t.name), ['flood', 'stats']);
    } finally {
      await h.done();
    }
  });
});
