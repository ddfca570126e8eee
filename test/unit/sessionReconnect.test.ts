// Issue 8, item 10: the server→client stream must not die silently, and a session the
// server forgot is re-established by the connection layer. The transport reports a 404
// (sends fail with 'session-expired'); McpClient runs the handshake again, once however
// many requests found out, and retries them once; the manager then restores what the old
// session held (resource subscriptions, the log level) and lists again. A GET stream that
// keeps failing is retried forever with capped backoff while the state carries a notice;
// 401/403 are an authorization problem ('auth'), never retried in a loop.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { ServerState, type ManagedServer, type ServerDefinition, type ServerManagerOptions } from '../../src/host/types.ts';
import { McpClient } from '../../src/protocol/client.ts';
import type { RequestError } from '../../src/protocol/errors.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { HttpFixture, type FixtureSession } from './httpFixture.ts';
import { waitForState } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function setup(opts: Partial<ServerManagerOptions> = {}, configure: (fx: HttpFixture) => void = () => {}) {
  const fx = await new HttpFixture().listen();
  fx.getMode = 'stream';
  configure(fx);
  const m = new ServerManager({ requestTimeoutMs: 20_000, httpReconnect: { initialDelayMs: 5, maxDelayMs: 20, maxRetries: 3 }, ...opts });
  cleanups.push(() => fx.close(), () => m.dispose());
  const def: ServerDefinition = { id: 'user::web', name: 'web', scope: 'user', source: { file: 'test' }, fingerprint: 'web', launch: { type: 'http', url: fx.url, headers: {} } };
  m.setDefinitions([def], { autoStart: true });
  const s = m.get('web')!;
  const logs: string[] = [];
  s.onDidLog(l => logs.push(l.message));
  return { fx, m, s, logs };
}

function waitState(s: ManagedServer, what: string, pred: (st: ServerState) => boolean): Promise<ServerState> {
  if (pred(s.state)) return Promise.resolve(s.state);
  return Event.toPromise(s.onDidChangeState, pred, AbortSignal.timeout(30_000)).catch(() => {
    throw new Error(`${what} did not happen (state: ${JSON.stringify(s.state)})`);
  });
}

const only = (fx: HttpFixture): FixtureSession | undefined => fx.sessions.size === 1 ? [...fx.sessions.values()][0] : undefined;
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('a session the server forgets (HTTP 404)', () => {
  test('concurrent requests cause one new handshake, are retried, and the manager restores subscriptions and the log level', async () => {
    const { fx, s, logs } = await setup();
    await waitForState(s, 'running');
    await s.subscribe('test://a');
    await s.subscribe('test://b');
    await s.unsubscribe('test://b');
    await s.setLogLevel('debug');
    const old = only(fx)!;
    assert.deepEqual(old.levels, ['debug']);
    fx.expireAll();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.callTool('echo', { i })));
    results.forEach((r, i) => assert.equal(text(r), `called echo {"i":${i}}`));
    assert.equal(fx.initializeCalls, 2, 'one new handshake for all of them');
    await fx.until(() => { const n = only(fx); return !!n && n.subscribes.length > 0 && n.levels.length > 0 && n.lists.includes('tools'); }, 'the restoration');
    const now = only(fx)!;
    assert.notEqual(now.id, old.id);
    assert.deepEqual(now.subscribes, ['test://a'], 'what was subscribed (and not unsubscribed) is subscribed again');
    assert.deepEqual(now.levels, ['debug']);
    assert.equal(s.state.kind, 'running');
    assert.ok(logs.some(l => l.includes(`session ${old.id} expired`)), logs.join('\n'));
    assert.ok(logs.some(l => /the server ended the session; a new one is established/.test(l)), logs.join('\n'));
  });

  test('an idle client learns it from the GET stream and establishes the new session itself', async () => {
    const { fx, s } = await setup();
    await waitForState(s, 'running');
    await fx.until(() => (only(fx)?.getStreams.size ?? 0) > 0, 'the GET stream');
    await s.subscribe('test://a');
    await s.setLogLevel('warning');
    fx.expireAll(); // ends the GET stream; its reconnection gets the 404
    await fx.until(() => fx.initializeCalls === 2 && only(fx)?.subscribes.length === 1 && only(fx)?.levels.length === 1, 'a new session without any call');
    assert.deepEqual(only(fx)!.subscribes, ['test://a']);
    assert.deepEqual(only(fx)!.levels, ['warning']);
    await fx.until(() => (only(fx)?.getStreams.size ?? 0) > 0, 'the GET stream of the new session');
  });

  test('a request is retried once: a second 404 fails it as session-expired', async () => {
    const fx = await new HttpFixture().listen();
    cleanups.push(() => fx.close());
    const t = new StreamableHttpTransport({ url: fx.url });
    const c = await McpClient.create(t, { name: 'web', clientInfo: { name: 't', version: '1' }, capabilities: {}, requestTimeoutMs: 20_000 });
    cleanups.push(() => c.close());
    let reconnects = 0;
    c.onDidReconnect(() => reconnects++);
    fx.expireAll();
    const call = c.callTool('echo', {});
    // As soon as the new handshake reaches the server (before its answer is read), forget
    // that session too: the retry gets a 404 as well.
    await fx.until(() => fx.initializeCalls === 2, 'the new handshake');
    fx.expireAll();
    await assert.rejects(call, (e: RequestError) => e.code === 'session-expired' && /^web › tools\/call: the server ended the session \(HTTP 404 from POST http:\/\/127\.0\.0\.1:\d+\/mcp\)$/.test(e.message));
    assert.ok(reconnects >= 1);
    // The client is still usable: the next call gets a session of its own.
    assert.equal(text(await c.callTool('echo', { after: 1 })), 'called echo {"after":1}');
  });

  test('a new handshake that fails closes the connection with the cause, and the manager restarts', async () => {
    const { fx, s } = await setup({ restart: { maxTries: 1, initialDelayMs: 10, maxDelayMs: 10 } });
    await waitForState(s, 'running');
    fx.expireAll();
    fx.initializeStatus = 500;
    await assert.rejects(s.callTool('echo', {}), (e: Error) => /^web › tools\/call: the server ended the session, and a new one could not be established: HTTP 500 from POST http:\/\/127\.0\.0\.1:\d+\/mcp: cannot start a session$/.test(e.message));
    const st = await waitState(s, 'the error state', st => st.kind === 'error');
    assert.ok(st.kind === 'error' && /a new one could not be established/.test(st.message), JSON.stringify(st));
  });
});

describe('the GET stream', () => {
  test('fails N times, then works: the running state carries a notice, then clears it', async () => {
    const { fx, s, logs } = await setup({}, fx => { fx.getMode = 500; });
    const down = await waitState(s, 'the notice', st => st.kind === 'running' && !!st.notice);
    assert.ok(down.kind === 'running');
    assert.match(down.notice!, /^the server's event stream \(GET http:\/\/127\.0\.0\.1:\d+\/mcp\) is down: HTTP 500: the event stream is unavailable\. Notifications from the server are being lost; reconnecting\.$/);
    assert.ok(fx.getCount >= 2, `${fx.getCount} GET attempts before the notice (one failure is a blip)`);
    assert.match(ServerState.describe(down), /^running · the server's event stream/);
    // It keeps retrying past the point where it used to give up.
    await fx.until(() => fx.getCount >= 10, 'retries after the notice');
    // Calls still work meanwhile.
    assert.equal(text(await s.callTool('echo', {})), 'called echo {}');
    fx.getMode = 'stream';
    await waitState(s, 'the notice cleared', st => st.kind === 'running' && st.notice === undefined);
    assert.deepEqual(s.state, { kind: 'running' });
    assert.ok(logs.some(l => /the GET stream is back after \d+ failed attempts/.test(l)), logs.join('\n'));
    // And notifications arrive again.
    const got = Event.toPromise(s.onDidLog, l => l.message === 'back again', AbortSignal.timeout(30_000));
    await fx.until(() => (only(fx)?.getStreams.size ?? 0) > 0, 'the GET stream');
    fx.notifyAll('notifications/message', { level: 'info', data: 'back again' });
    await got;
  });

  for (const status of [401, 403]) {
    test(`HTTP ${status} on it is an authorization problem: a notice, and no retry loop`, async () => {
      const { fx, s } = await setup({}, fx => { fx.getMode = status; });
      const st = await waitState(s, 'the notice', st => st.kind === 'running' && !!st.notice);
      assert.ok(st.kind === 'running');
      assert.match(st.notice!, new RegExp(`^HTTP ${status} from GET http://127\\.0\\.0\\.1:\\d+/mcp: the server requires authorization${status === 403 ? ' \\(access denied\\)' : ''}; notifications from the server are not received$`));
      // Round trips meanwhile; a retrying loop (5 ms backoff) would have asked again.
      for (let i = 0; i < 20; i++) await s.callTool('echo', { i });
      assert.equal(fx.getCount, 1);
    });
  }
});

describe('401/403 on a POST', () => {
  test('a start refused with 401 fails with an auth error naming the URL, and is not restarted', async () => {
    const { fx, s } = await setup({ restart: { maxTries: 5, initialDelayMs: 5, maxDelayMs: 5 } }, fx => { fx.postStatus = 401; });
    const st = await waitForState(s, 'error');
    assert.ok(st.kind === 'error');
    assert.match(st.message, /^web › initialize: HTTP 401 from POST http:\/\/127\.0\.0\.1:\d+\/mcp: the server requires authorization$/);
    assert.equal(st.willRetryInMs, undefined);
    assert.equal(fx.getCount, 0);
  });

  test('McpClient: the cause has the local code "auth"', async () => {
    const fx = await new HttpFixture().listen();
    cleanups.push(() => fx.close());
    const t = new StreamableHttpTransport({ url: fx.url });
    const c = await McpClient.create(t, { name: 'web', clientInfo: { name: 't', version: '1' }, capabilities: {}, requestTimeoutMs: 20_000 });
    cleanups.push(() => c.close());
    fx.postStatus = 403;
    await assert.rejects(c.callTool('echo', {}), (e: RequestError) => e.code === 'auth' && /^web › tools\/call: HTTP 403 from POST http:\/\/127\.0\.0\.1:\d+\/mcp: the server requires authorization \(access denied\)$/.test(e.message));
    assert.equal(fx.initializeCalls, 1);
  });
});
