// One HTTP session's streams (src/gateway/httpSession.ts) with stand-in responses: answers on
// the stream of their request, related notifications beside them, the rest on the GET stream
// or in the bounded queue, and Last-Event-ID resumption of a broken stream.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { HttpSessionTransport } from '../../src/gateway/httpSession.ts';

class FakeRes extends EventEmitter {
  status = 0;
  headers: Record<string, unknown> = {};
  chunks: string[] = [];
  ended = false;
  writeHead(status: number, headers?: Record<string, unknown>) { this.status = status; Object.assign(this.headers, headers); this.emit('head'); return this; }
  flushHeaders() {}
  write(c: string) { this.chunks.push(c); return true; }
  end(c?: string) { if (c) this.chunks.push(c); this.ended = true; return this; }
  /** The events' ids and data. */
  events() { return this.chunks.join('').split('\n\n').filter(Boolean).map(e => ({ id: /^id: (.*)$/m.exec(e)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(e)![1]!) })); }
  broken() { this.emit('close'); }
}
const res = () => new FakeRes() as FakeRes & ServerResponse;

function session(limits = { replayEvents: 256, maxQueue: 3 }) {
  const drops: number[] = [];
  const t = new HttpSessionTransport('s1', 'alice', limits, n => drops.push(n));
  const received: unknown[] = [];
  t.onDidReceiveMessage(m => received.push(m));
  void t.start();
  return { t, received, drops };
}

test('an answer goes on the stream of its request, which ends when it owes nothing; progress beside it', () => {
  const { t, received } = session();
  const r = res();
  t.post([{ jsonrpc: '2.0', id: 1, method: 'tools/call' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }], r, 'sse');
  assert.equal(received.length, 2);
  assert.equal(r.status, 0, 'no headers before the first message');
  t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } }, { relatedRequestId: 1 });
  assert.equal(r.headers['content-type'], 'text/event-stream', 'progress before the answer: an event stream');
  t.send({ jsonrpc: '2.0', id: 2, result: {} });
  assert.equal(r.ended, false, 'still owes request 1');
  t.send({ jsonrpc: '2.0', id: 1, result: { content: [] } });
  assert.equal(r.ended, true);
  assert.deepEqual(r.events().map(e => e.data.method ?? `answer ${e.data.id}`), ['notifications/progress', 'answer 2', 'answer 1']);
  const ids = r.events().map(e => e.id!);
  assert.ok(ids.every(id => /^[A-Za-z0-9_-]+_\d+$/.test(id)));
});

test('JSON mode collects the answers into one body; notifications alone get 202', () => {
  const { t } = session();
  const r = res();
  t.post([{ jsonrpc: '2.0', id: 5, method: 'ping' }], r, 'json');
  t.send({ jsonrpc: '2.0', id: 5, result: {} });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.chunks.join('')), { jsonrpc: '2.0', id: 5, result: {} });
  const n = res();
  t.post([{ jsonrpc: '2.0', method: 'notifications/initialized' }], n, 'sse');
  assert.equal(n.status, 202);
});

test('unrelated messages wait in a bounded queue (oldest dropped, counted) and go out on the next GET stream', () => {
  const { t, drops } = session({ replayEvents: 256, maxQueue: 3 });
  for (let i = 1; i <= 5; i++) t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: i } });
  assert.deepEqual(drops, [1, 1]);
  assert.equal(t.dropped, 2);
  const g = res();
  t.open(g, undefined);
  assert.deepEqual(g.events().map(e => e.data.params.data), [3, 4, 5]);
  t.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  assert.equal(g.events().at(-1)!.data.method, 'notifications/tools/list_changed');
});

test('a broken POST stream is resumed with Last-Event-ID: what came after is replayed, the rest follows', () => {
  const { t } = session();
  const r = res();
  t.post([{ jsonrpc: '2.0', id: 9, method: 'tools/call' }], r, 'sse');
  t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } }, { relatedRequestId: 9 });
  const [first] = r.events();
  t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 2 } }, { relatedRequestId: 9 });
  r.broken();
  t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 3 } }, { relatedRequestId: 9 });
  const again = res();
  t.open(again, first!.id);
  assert.deepEqual(again.events().map(e => e.data.params.progress), [2, 3], 'the events after the last one seen');
  t.send({ jsonrpc: '2.0', id: 9, result: { content: [] } });
  assert.equal(again.events().at(-1)!.data.id, 9, 'the answer comes on the resumed stream');
  assert.equal(again.ended, true);
});

test('the replay buffer is bounded: an event older than it is not replayed', () => {
  const { t } = session({ replayEvents: 2, maxQueue: 10 });
  const g = res();
  t.open(g, undefined);
  for (let i = 1; i <= 5; i++) t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: i } });
  const firstId = g.events()[0]!.id!;
  const again = res();
  t.open(again, firstId);
  assert.deepEqual(again.events().map(e => e.data.params.data), [4, 5], 'only what the buffer still holds');
});

test('a POST whose first message is the one answer it owes gets a plain JSON body in one write', () => {
  const { t } = session();
  const r = res();
  t.post([{ jsonrpc: '2.0', id: 3, method: 'tools/call' }], r, 'sse');
  t.send({ jsonrpc: '2.0', id: 3, result: { content: [] } });
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.ended, true);
  assert.equal(r.chunks.length, 1, 'one write');
  assert.deepEqual(JSON.parse(r.chunks[0]!), { jsonrpc: '2.0', id: 3, result: { content: [] } });
  assert.equal(t.busy, false);
});

test('streams that broke are not kept for ever: one that sent nothing goes at once, finished ones only the latest 32', () => {
  const { t } = session();
  const internals = t as unknown as { streams: Map<string, unknown>; byRequest: Map<unknown, unknown> };
  // Broke before its first message: nothing to resume; its late answer is dropped, nothing held.
  const quiet = res();
  t.post([{ jsonrpc: '2.0', id: 'q', method: 'tools/call' }], quiet, 'sse');
  quiet.broken();
  assert.equal(internals.streams.size, 0);
  t.send({ jsonrpc: '2.0', id: 'q', result: {} });
  assert.equal(quiet.chunks.length, 0);
  // Broke after an event, then answered: kept for Last-Event-ID, but only the latest 32 of them.
  for (let i = 0; i < 40; i++) {
    const r = res();
    t.post([{ jsonrpc: '2.0', id: i, method: 'tools/call' }], r, 'sse');
    t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } }, { relatedRequestId: i });
    r.broken();
    t.send({ jsonrpc: '2.0', id: i, result: {} });
  }
  assert.equal(internals.streams.size, 32);
  assert.equal(internals.byRequest.size, 0);
});

test('the replay buffer is bounded in bytes too: an event bigger than the bound is sent but not kept', () => {
  const { t } = session({ replayEvents: 256, maxQueue: 10, replayBytes: 1000 } as never);
  const g = res();
  t.open(g, undefined);
  t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'a'.repeat(400) } });
  const first = g.events()[0]!.id!;
  t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'b'.repeat(400) } });
  t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'c'.repeat(5000) } });
  t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'd'.repeat(400) } });
  assert.equal(g.events().length, 4, 'all four sent');
  const again = res();
  t.open(again, first);
  assert.deepEqual(again.events().map(e => e.data.params.data[0]), ['b', 'd'], 'c was never kept');
  assert.equal((t as unknown as { replay: unknown[] }).replay.length, 2, 'a went to make room for d (bytes, not count)');
});

test('a POST whose answer takes a while becomes an event stream by itself, primed with an id to resume from; open streams get heartbeats', async () => {
  const { t } = session();
  const r = res();
  const started = new Promise(resolve => r.once('head', resolve));
  t.post([{ jsonrpc: '2.0', id: 'slow', method: 'tools/call' }], r, 'sse');
  await started;
  assert.equal(r.headers['content-type'], 'text/event-stream');
  const primingId = /^id: (\S+_0)\ndata: \n\n/.exec(r.chunks.join(''))?.[1];
  assert.ok(primingId, `an empty event with an id first: ${JSON.stringify(r.chunks)}`);
  t.heartbeat();
  assert.match(r.chunks.at(-1)!, /^: keep-alive\n\n$/);
  r.broken();
  t.send({ jsonrpc: '2.0', id: 'slow', result: { content: [] } });
  const again = res();
  t.open(again, primingId);
  assert.equal(again.events().at(-1)!.data.id, 'slow', 'the answer, replayed on the resumed stream');
});

test('a JSON-mode POST: a request to the client about it goes on the GET stream (it would be lost in the body); progress is not sent', () => {
  const { t } = session();
  const g = res();
  t.open(g, undefined);
  const r = res();
  t.post([{ jsonrpc: '2.0', id: 7, method: 'tools/call' }], r, 'json');
  t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } }, { relatedRequestId: 7 });
  t.send({ jsonrpc: '2.0', id: 's1', method: 'sampling/createMessage', params: {} }, { relatedRequestId: 7 });
  assert.deepEqual(g.events().map(e => e.data.method), ['sampling/createMessage']);
  t.send({ jsonrpc: '2.0', id: 7, result: { content: [] } });
  assert.deepEqual(JSON.parse(r.chunks.join('')), { jsonrpc: '2.0', id: 7, result: { content: [] } });
});
