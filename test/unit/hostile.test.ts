// Bounded under a hostile or careless server (issue 8, item 11): incoming requests are
// capped; a request the server makes of us extends only the call it belongs to; update
// storms are coalesced; a throwing listener is reported, never fatal; duplicate names do
// not break the lists; roots/list_changed goes out only for real changes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Emitter, setUnexpectedErrorHandler, type Disposable, type Event } from '../../src/base/event.ts';
import { JsonRpcConnection } from '../../src/protocol/connection.ts';
import { RequestError } from '../../src/protocol/errors.ts';
import type { JsonRpcMessage } from '../../src/protocol/jsonrpc.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { LogEntry, RootsProvider } from '../../src/host/types.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';
import { tagRelated, type Transport, type TransportLog, type TransportState } from '../../src/transports/transport.ts';
import { fixture, repo, stdioDef, waitForState } from './helpers.ts';

const turn = () => new Promise<void>(r => setImmediate(r));

/** A transport the test speaks through by hand: what the connection sends is recorded. */
class ScriptedTransport implements Transport {
  state: TransportState = { kind: 'running' };
  readonly sent: JsonRpcMessage[] = [];
  private readonly msg = new Emitter<unknown>();
  private readonly st = new Emitter<TransportState>();
  private readonly lg = new Emitter<TransportLog>();
  readonly onDidReceiveMessage: Event<unknown> = this.msg.event;
  readonly onDidChangeState: Event<TransportState> = this.st.event;
  readonly onDidLog: Event<TransportLog> = this.lg.event;
  async start(): Promise<void> {}
  send(m: JsonRpcMessage): void { this.sent.push(m); }
  async close(): Promise<void> {}
  dispose(): void {}
  deliver(m: unknown): void { this.msg.fire(m); }
}

describe('requests the server makes of us', () => {
  test('are capped: past the limit each is answered with an error at once, and the connection says so', async () => {
    const [a, b] = InMemoryTransport.createPair();
    const client = new JsonRpcConnection(a, { name: 'srv', maxIncomingRequests: 8 });
    const server = new JsonRpcConnection(b, { name: 'client', requestTimeoutMs: 60_000 });
    await a.start(); await b.start();
    const warnings: string[] = [];
    client.onDidWarn(w => warnings.push(w));
    const release: Array<() => void> = [];
    client.onRequest('elicitation/create', () => new Promise(r => release.push(() => r({ action: 'cancel' }))));
    const calls = Array.from({ length: 100 }, () => server.request('elicitation/create', {}).then(() => 'ok', (e: RequestError) => e.message));
    // The 92 refused ones settle while the 8 accepted ones are still held.
    const refused = await Promise.all(calls.slice(8));
    assert.equal(refused.filter(r => /Too many concurrent requests: 8 are already being handled/.test(r)).length, 92, refused.slice(0, 3).join('\n'));
    assert.equal(release.length, 8, 'only 8 reached the handler');
    assert.ok(warnings.some(w => /refused elicitation\/create: the server has 8 requests waiting on us already \(limit 8\)/.test(w)), warnings.join('\n'));
    for (const r of release) r();
    assert.deepEqual(await Promise.all(calls.slice(0, 8)), Array(8).fill('ok'));
    // Below the limit again: accepted.
    const later = server.request('elicitation/create', {});
    await turn();
    release.at(-1)!();
    await later;
    client.dispose(); server.dispose();
  });

  test('extend only the call they belong to: the tagged one, the only one, or those pending when they came', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const tr = new ScriptedTransport();
    const conn = new JsonRpcConnection(tr, { name: 'srv', requestTimeoutMs: 100, maxRequestTimeoutMs: 10_000 });
    conn.onRequest('elicitation/create', () => new Promise(() => {})); // the user never answers
    const outcome = new Map<string, string>();
    const call = (name: string) => conn.request(name, {}).then(() => outcome.set(name, 'ok'), (e: RequestError) => outcome.set(name, e.isTimeout ? 'timeout' : e.message));
    const idOf = (name: string) => (tr.sent.find(m => 'method' in m && m.method === name) as { id: number }).id;

    // 1. Tagged by the transport (HTTP: it came on A's response stream): only A waits on.
    void call('A'); void call('B');
    const tagged = { jsonrpc: '2.0', id: 's1', method: 'elicitation/create', params: {} };
    tagRelated(tagged, idOf('A'));
    tr.deliver(tagged);
    for (let i = 0; i < 5; i++) { t.mock.timers.tick(50); await turn(); }
    assert.equal(outcome.get('B'), 'timeout', 'B is not what the server waits on');
    assert.equal(outcome.has('A'), false, 'A is extended while its elicitation is open');

    // 2. Untagged, with C and D pending: both may be its cause; E, sent after it, is not.
    void call('C'); void call('D');
    tr.deliver({ jsonrpc: '2.0', id: 's2', method: 'elicitation/create', params: {} });
    void call('E');
    for (let i = 0; i < 5; i++) { t.mock.timers.tick(50); await turn(); }
    assert.equal(outcome.get('E'), 'timeout', 'a call sent after the request cannot be its cause');
    assert.equal(outcome.has('C') || outcome.has('D'), false);
    conn.dispose();
    await turn();
    assert.match(String(outcome.get('A')), /closed/);
  });
});

describe('a careless server through the manager', () => {
  test('an update storm is one read per resource per turn, and duplicate names keep the first', async () => {
    const m = new ServerManager({ requestTimeoutMs: 60_000 });
    try {
      m.setDefinitions([stdioDef('hostile', process.execPath, [fixture('hostile.mjs')])], { autoStart: true });
      const s = m.get('hostile')!;
      const logs: string[] = [];
      s.onDidLog((l: LogEntry) => logs.push(l.message));
      await waitForState(s, 'running');
      assert.deepEqual(s.tools.map(t => t.name), ['dup', 'one', 'updates', 'counts']);
      assert.equal(s.tools[0]!.description, 'first dup');
      assert.deepEqual(s.resources.map(r => r.uri), ['fixture://same', 'fixture://other']);
      const updates = new Map<string, number>();
      s.onDidUpdateResource(uri => updates.set(uri, (updates.get(uri) ?? 0) + 1));
      const r = await s.callTool('updates', { count: 30_000, uris: 3 });
      assert.deepEqual(r.content, [{ type: 'text', text: 'sent 30000' }]);
      await turn(); await turn();
      assert.deepEqual([...updates.keys()].sort(), ['fixture://r0', 'fixture://r1', 'fixture://r2']);
      const events = [...updates.values()].reduce((x, y) => x + y, 0);
      // 30,000 notifications arrive in a few dozen reads of the pipe; each read gives at
      // most one event per resource.
      assert.ok(events <= 3 * 200, `${events} update events for 30000 notifications`);
      await m.dispose();
      assert.ok(logs.some(l => /the server lists tools more than once: "dup"; only the first of each is shown/.test(l)), logs.join('\n'));
      assert.ok(logs.some(l => /the server lists resources more than once: "fixture:\/\/same"/.test(l)), logs.join('\n'));
    } finally {
      await m.dispose();
    }
  });

  test('notifications/roots/list_changed goes out only when the roots changed', async () => {
    let roots = [{ uri: 'file:///a', name: 'a' }];
    const change = new Emitter<void>();
    const provider: RootsProvider = { roots: () => roots, onDidChangeRoots: change.event };
    const m = new ServerManager({ roots: provider });
    try {
      m.setDefinitions([stdioDef('hostile', process.execPath, [fixture('hostile.mjs')])], { autoStart: true });
      const s = m.get('hostile')!;
      await waitForState(s, 'running');
      const counts = async () => JSON.parse(((await s.callTool('counts', {})).content[0] as { text: string }).text);
      change.fire(); change.fire(); // VS Code fired, nothing changed
      roots = [{ uri: 'file:///a', name: 'a' }, { uri: 'file:///b', name: 'b' }];
      change.fire();
      change.fire(); // again the same list
      // The calls after the notifications arrive after them (stdio keeps order).
      const c = await counts();
      assert.equal(c.notifications['notifications/roots/list_changed'], 1, JSON.stringify(c));
    } finally {
      await m.dispose();
      change.dispose();
    }
  });
});

describe('a listener that throws', () => {
  test('is reported to the unexpected-error handler; the other listeners still run', () => {
    const seen: unknown[] = [];
    const previous = setUnexpectedErrorHandler(err => seen.push(err));
    try {
      const e = new Emitter<number>();
      const got: number[] = [];
      const subs: Disposable[] = [e.event(() => { throw new Error('listener bug'); }), e.event(v => got.push(v))];
      e.fire(1); e.fire(2);
      assert.deepEqual(got, [1, 2]);
      assert.equal(seen.length, 2);
      assert.match(String(seen[0]), /listener bug/);
      for (const d of subs) d.dispose();
    } finally {
      setUnexpectedErrorHandler(previous);
    }
  });

  test('never ends the process by default (what the CLI runs with)', () => {
    const script = `
      import { Emitter } from ${JSON.stringify(path.join(repo, 'src/base/event.ts'))};
      const e = new Emitter();
      e.event(() => { throw new Error('listener bug'); });
      e.fire(1);
      await new Promise(r => setTimeout(r, 10));
      console.log('still alive');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /still alive/);
    assert.match(r.stderr, /a listener failed: Error: listener bug/);
  });
});
