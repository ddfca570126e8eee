// Servers that misbehave on purpose, each run through the host core (ServerManager, or
// McpClient + StdioTransport where the manager cannot be configured for the case). For
// each: the host stays up, every pending call settles exactly once with an error naming
// the server, the method and the cause, the server's state and log say what happened, no
// process is left behind, and memory stays bounded.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { Emitter, Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ManagedServer, ServerManagerOptions } from '../../src/host/types.ts';
import { McpClient } from '../../src/protocol/client.ts';
import type { CallToolResult } from '../../src/protocol/types.ts';
import { StdioTransport, type StdioTransportOptions } from '../../src/transports/stdio.ts';
import {
  MB, Settlements, assertNamedError, assertNoProcessesLeft, childPids, clientInfo, collectLog, fixture, logText,
  measureRss, stdioDef, waitForLog, waitForState, within,
} from './helpers.ts';

const GRACE = 300;

function transport(file: string, args: string[] = [], extra: Partial<StdioTransportOptions> = {}): StdioTransport {
  return new StdioTransport({ command: process.execPath, args: [fixture(file), ...args], env: {}, shutdownGraceMs: GRACE, ...extra });
}

/** One server under a fresh manager; the manager is disposed (and checked) by `done()`. */
function managed(name: string, file: string, args: string[] = [], options: ServerManagerOptions = {}, autoStart = true) {
  const manager = new ServerManager({ restart: { maxTries: 3, initialDelayMs: 50, maxDelayMs: 200 }, ...options });
  manager.setDefinitions([stdioDef(name, process.execPath, [fixture(file), ...args])], { autoStart: false });
  const server = manager.get(name)!;
  const log = collectLog(server);
  if (autoStart) void server.start();
  return {
    manager, server, log,
    /** Disposes the manager (bounded: a stop that never ends is a failure too) and checks for leftovers. */
    async done(groups: number[] = []) {
      const problems: string[] = [];
      await within(15_000, 'manager.dispose()', manager.dispose()).catch((e: Error) => problems.push(e.message));
      await assertNoProcessesLeft(groups).catch((e: Error) => problems.push(e.message));
      if (problems.length) assert.fail(problems.join('; '));
    },
  };
}

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const connectionOf = (s: ManagedServer) => (s as unknown as { currentClient?: McpClient }).currentClient;

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
      await calls.settled(1000);
      assertNamedError(calls.failures[0], 'noKey', 'tools/call', /the server is not running \(error\)/);
    } finally {
      await h.done();
    }
  });

  test('McpClient.create rejects once, naming the server, initialize and the exit', async () => {
    const calls = new Settlements();
    calls.track('create', McpClient.create(transport('exit-during-initialize.mjs'), { name: 'noKey', clientInfo, capabilities: {} }));
    await calls.settled(5000);
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
      const state = await waitForState(h.server, 'error', 15_000);
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
      await calls.settled(5000);
      assert.equal(calls.failures.length, 8);
      for (const e of calls.failures) assertNamedError(e, 'crasher', 'tools/call', /the server process exited with code 3 \(stderr: about to crash\)/);
      assert.ok(calls.lastSettledAt < 3000, `settled after ${calls.lastSettledAt} ms`);

      const state = h.server.state;
      assert.ok(state.kind === 'error');
      assert.equal(state.exitCode, 3);
      assert.equal(state.willRetryInMs, 300);
      assert.match(logText(h.log), /\[error\/host\] the server process exited with code 3 \(stderr: about to crash\); restarting in 300 ms \(attempt 1 of 3\)/);

      const meanwhile = new Settlements();
      meanwhile.track('echo while down', h.server.callTool('echo', { message: 'x' }));
      await meanwhile.settled(100);
      assertNamedError(meanwhile.failures[0], 'crasher', 'tools/call', /the server is not running \(error\)/);

      await waitForState(h.server, 'running', 5000);
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
      await calls.settled(10_000);
      assertNamedError(calls.failures[0], 'orphaner', 'tools/call', /the server process exited with code 5/);
      assert.ok(calls.lastSettledAt < 3000, `noticed only after ${calls.lastSettledAt} ms (the request timeout is 6000 ms)`);
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
      await waitForState(h.server, 'running', 5000);
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
      const t0 = Date.now();
      await within(15_000, 'stop()', h.server.stop());
      const took = Date.now() - t0;
      await calls.settled(100);
      assertNamedError(calls.failures[0], 'stubborn', 'tools/call', /the client closed the connection/);
      assert.equal(h.server.state.kind, 'stopped');
      const log = logText(h.log);
      assert.match(log, /did not exit 2000 ms after stdin closed; sending SIGTERM/, `stop took ${took} ms; log:\n${log}`);
      assert.match(log, /stubborn: ignoring SIGTERM/);
      assert.match(log, /ignored SIGTERM for 2000 ms; killing its process tree/);
      assert.ok(took < 8000, `stop took ${took} ms`);
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
    await within(10_000, 'client.close()', client.close());
    const took = Date.now() - t0;
    await calls.settled(100);
    assertNamedError(calls.failures[0], 'stubborn', 'tools/call', /the client closed the connection/);
    assert.ok(took >= 2 * GRACE - 50 && took < 2 * GRACE + 2000, `close took ${took} ms`);
    assert.ok(logs.some(l => /sending SIGTERM/.test(l)) && logs.some(l => /killing its process tree/.test(l)), logs.join('\n'));
    await assertNoProcessesLeft([group]);
  });
});

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
      await calls.settled(5000);
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
    const client = await McpClient.create(transport('invalid-utf8.mjs', ['--bom']), { name: 'bom', clientInfo, capabilities: {}, initializeTimeoutMs: 2000 });
    try {
      assert.equal(client.serverInfo.name, 'fixture-invalid-utf8');
    } finally {
      await within(10_000, 'client.close()', client.close());
    }
  });
});

describe('answers unknown ids and one id twice', () => {
  test('stray answers are logged and ignored; the call settles once, with the first answer', async () => {
    const h = managed('ids', 'unknown-ids.mjs');
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('dup', h.server.callTool('dup', { message: 'm' }));
      await calls.settled(5000);
      assert.equal(text(calls.values[0]), 'first: m');
      assert.equal(text(await h.server.callTool('echo', { message: 'after' })), 'after'); // the duplicate has been read by now
      const log = logText(h.log);
      assert.match(log, /ignored a response to unknown request id 987654/);
      assert.match(log, /ignored a response to unknown request id "\d+"/);
      assert.match(log, /ignored a response to unknown request id null/);
      const id = /unknown request id "(\d+)"/.exec(log)![1];
      assert.match(log, new RegExp(`ignored a response to unknown request id ${id}\\b`), 'the second answer to the same id');
      assert.equal(h.server.state.kind, 'running');
      assert.equal(connectionOf(h.server)!.connection.pendingCount, 0);
    } finally {
      await h.done();
    }
  });
});

describe('never reads stdin', () => {
  test('writes that back up are capped: later requests fail at once with a named cause, memory stays bounded', async () => {
    // `maxPendingWriteBytes` is the proposed StdioTransport option (default 64 MiB); passed
    // through a variable so this compiles before it exists.
    const options = { command: process.execPath, args: [fixture('never-reads-stdin.mjs')], env: {}, shutdownGraceMs: GRACE, maxPendingWriteBytes: 16 * MB };
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
        await calls.settled(15_000);
      });
      for (const e of calls.failures) assertNamedError(e, 'deaf', 'tools/call', /./);
      const fast = calls.all.filter(e => !e.ok && e.at < 1000);
      assert.ok(peakMb - startMb < 150, `RSS grew ${(peakMb - startMb).toFixed(0)} MB while writes backed up; ${fast.length} of 300 calls failed at once, the rest with: ${(calls.failures[calls.failures.length - 1] as Error).message}`);
      assert.ok(fast.length >= 250, `only ${fast.length} of 300 calls failed at once`);
      assertNamedError(fast[0]!.value, 'deaf', 'tools/call', /not reading|stdin/i);
    } finally {
      const t0 = Date.now();
      await within(10_000, 'client.close()', client.close());
      assert.ok(Date.now() - t0 < 3 * GRACE + 2000, `close took ${Date.now() - t0} ms`);
      await assertNoProcessesLeft([group]);
    }
  });
});

describe('asks for capabilities we did not declare', () => {
  test('sampling, elicitation and roots requests get -32601 and the server stays up', async () => {
    const h = managed('asker', 'undeclared-requests.mjs');
    try {
      await waitForState(h.server, 'running');
      const answers = JSON.parse(text(await h.server.callTool('probe', {}))) as Record<string, { error?: { code: number; message: string } }>;
      for (const method of ['sampling/createMessage', 'elicitation/create', 'roots/list', 'x/unknown']) {
        assert.equal(answers[method]?.error?.code, -32601, `${method}: ${JSON.stringify(answers[method])}`);
        assert.equal(answers[method]!.error!.message, `Method not found: ${method}`);
      }
      assert.equal(h.server.state.kind, 'running');
      assert.equal(text(await h.server.callTool('echo', { message: 'up' })), 'up');
    } finally {
      await h.done();
    }
  });

  test('with only roots declared, roots are answered and the others still get -32601', async () => {
    const roots = { roots: () => [{ uri: 'file:///w', name: 'w' }], onDidChangeRoots: new Emitter<void>().event };
    const h = managed('asker', 'undeclared-requests.mjs', [], { roots });
    try {
      await waitForState(h.server, 'running');
      const answers = JSON.parse(text(await h.server.callTool('probe', {}))) as Record<string, { result?: unknown; error?: { code: number } }>;
      assert.deepEqual(answers['roots/list']?.result, { roots: [{ uri: 'file:///w', name: 'w' }] });
      assert.equal(answers['sampling/createMessage']?.error?.code, -32601);
      assert.equal(answers['elicitation/create']?.error?.code, -32601);
    } finally {
      await h.done();
    }
  });
});

describe('results that violate the schema', () => {
  test('an invalid tool in tools/list: the server runs, the log names the list, the path and the cause', async () => {
    const h = managed('sv', 'schema-violations.mjs', ['--bad-list']);
    try {
      await waitForState(h.server, 'running');
      assert.match(logText(h.log), /\[warning\/host\] could not list tools: sv › tools\/list: invalid result: .*tools\[\d+\]\.inputSchema/);
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('invalid results fail their call naming server, method and what is wrong; the server stays up', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    try {
      await waitForState(h.server, 'running');
      const expect: Record<string, RegExp> = {
        'unknown-content': /invalid result: .*content\[0\]\.type/,
        'content-not-array': /invalid result: .*at content\b/,
        'structured-mismatch': /structuredContent of "structured-mismatch" does not match its output schema: #\/sum/,
        'structured-missing': /tool "structured-missing" declares an output schema but returned no structuredContent/,
      };
      const calls = new Settlements();
      for (const name of Object.keys(expect)) calls.track(name, h.server.callTool(name, {}));
      await calls.settled(5000);
      calls.all.forEach((e, i) => assertNamedError(e.value, 'sv', 'tools/call', Object.values(expect)[i]!));
      assert.equal(text(await h.server.callTool('ok', {})), 'fine');
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('a result that is not an object, or a malformed error, fails its call at once and is not answered', async () => {
    const h = managed('sv', 'schema-violations.mjs', [], { requestTimeoutMs: 5000 });
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('result-not-object', h.server.callTool('result-not-object', {}));
      calls.track('error-malformed', h.server.callTool('error-malformed', {}));
      await calls.settled(8000);
      assertNamedError(calls.failures[0], 'sv', 'tools/call', /result is not an object/);
      assertNamedError(calls.failures[1], 'sv', 'tools/call', /malformed error/);
      assert.ok(calls.lastSettledAt < 2000, `failed only after ${calls.lastSettledAt} ms (the request timeout is 5000 ms)`);
      const stats = JSON.parse(text(await h.server.callTool('stats', {}))) as Record<string, number>;
      assert.equal(stats['<response>'], undefined, 'we answered the server\'s responses with error responses');
    } finally {
      await h.done();
    }
  });

  test('a structuredContent the validator cannot walk fails the call with a named error', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('structured-deep', h.server.callTool('structured-deep', {}));
      await calls.settled(5000);
      assertNamedError(calls.failures[0], 'sv', 'tools/call', /structuredContent of "structured-deep"/);
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('tracing traffic survives a message nested 20,000 levels deep', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    try {
      await waitForState(h.server, 'running');
      (h.server as unknown as { traceTraffic: boolean }).traceTraffic = true;
      process.on('uncaughtException', onUncaught);
      await h.server.callTool('structured-deep', {}).catch(() => {});
      await new Promise(r => setImmediate(r)); // listener errors are rethrown in a microtask
      assert.deepEqual(uncaught.map(e => (e as Error).message), [], 'an exception escaped the host');
      assert.match(logText(h.log), /\[trace\/traffic\] ← /);
    } finally {
      process.off('uncaughtException', onUncaught);
      await h.done();
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
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const { result, startMb, peakMb } = await measureRss(() => h.server.callTool('flood', { count: 100_000, kind: 'message' }));
      delay.disable();
      assert.equal(text(result), 'flooded 100000');
      assert.equal(floodLogs, 100_000);
      assert.ok(peakMb - startMb < 100, `RSS grew ${(peakMb - startMb).toFixed(0)} MB`);
      assert.ok(delay.max / 1e6 < 1000, `the event loop stalled for ${(delay.max / 1e6).toFixed(0)} ms`);
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
