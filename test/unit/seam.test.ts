// The connection seam a second protocol generation needs (issue 9, "make the seam real"):
// a request with no deadline, notifications with several listeners, per-message context
// reaching the transport, a cancel that only aborts, the input broker serving server
// requests without knowing how they came, and the home for cached results.

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { JsonRpcConnection } from '../../src/protocol/connection.ts';
import { RequestError } from '../../src/protocol/errors.ts';
import { registerInputHandlers, type InputBroker, type InputContext, type InputRequest } from '../../src/protocol/inputBroker.ts';
import { ResultCache, cacheKey, ttlOf, MAX_TTL_MS } from '../../src/protocol/resultCache.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';

const turn = () => new Promise<void>(r => setImmediate(r));

async function pair() {
  const [a, b] = InMemoryTransport.createPair();
  const client = new JsonRpcConnection(a, { name: 'srv', requestTimeoutMs: 50 });
  const server = new JsonRpcConnection(b, { name: 'client' });
  await a.start(); await b.start();
  return { a, b, client, server };
}

test('a request with no deadline (Infinity) arms no timer it cannot have, and never times out', async () => {
  // setTimeout(fn, Infinity) is clamped to 1 ms with a TimeoutOverflowWarning: the old
  // code woke up at once and printed that warning for every subscription stream.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const { client, server } = await pair();
  const releases: Array<() => void> = [];
  server.onRequest('subscriptions/listen', () => new Promise(r => { releases.push(() => r({})); }));
  let settled = false;
  const listen = client.request('subscriptions/listen', {}, { timeoutMs: Infinity }).then(() => { settled = true; });
  // A normal request times out (50 ms) while the endless one waits on.
  const short = await client.request('subscriptions/listen', {}).catch((e: RequestError) => e);
  assert.ok((short as RequestError).isTimeout);
  await turn();
  assert.equal(settled, false, 'the endless one is still waiting');
  releases[0]!();
  await listen;
  process.off('warning', onWarning);
  assert.deepEqual(warnings.filter(w => w === 'TimeoutOverflowWarning'), []);
  client.dispose(); server.dispose();
});

test('a notification reaches every listener of its method; disposing one leaves the others', async () => {
  const { client, server } = await pair();
  const seen: string[] = [];
  const one = client.onNotification('notifications/tools/list_changed', () => seen.push('one'));
  client.onNotification('notifications/tools/list_changed', () => seen.push('two'));
  server.notify('notifications/tools/list_changed');
  await turn();
  one.dispose();
  server.notify('notifications/tools/list_changed');
  await turn();
  assert.deepEqual(seen, ['one', 'two', 'two']);
  client.dispose(); server.dispose();
});

test('the input broker answers server requests and sees no difference from input requests but the context', async () => {
  const { client, server } = await pair();
  const asked: Array<{ request: InputRequest; ctx: InputContext }> = [];
  const broker: InputBroker = {
    capabilities: { roots: {}, elicitation: { form: {} } },
    async answer(request, ctx) { asked.push({ request, ctx }); return request.method === 'roots/list' ? { roots: [{ uri: 'file:///w' }] } : { action: 'decline' }; },
  };
  const reg = registerInputHandlers(client, broker);
  assert.deepEqual(await server.request('roots/list', {}), { roots: [{ uri: 'file:///w' }] });
  assert.deepEqual(await server.request('elicitation/create', { message: 'hi' }), { action: 'decline' });
  await assert.rejects(server.request('sampling/createMessage', {}), /Method not found/, 'not declared, not served');
  assert.equal(typeof asked[0]!.ctx.requestId, 'number');
  assert.ok(asked[0]!.ctx.signal instanceof AbortSignal);
  reg.dispose();
  await assert.rejects(server.request('roots/list', {}), /Method not found/);
  client.dispose(); server.dispose();
});

test('per-message headers reach the HTTP request; a cancel by abort sends no notification', async () => {
  const seen: Array<{ method: string; headers: http.IncomingHttpHeaders }> = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      const msg = JSON.parse(body || '{}');
      seen.push({ method: msg.method ?? '<response>', headers: req.headers });
      if (msg.method === 'initialize') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } } }));
      } else if (msg.method === 'slow') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': waiting\n\n'); // never answers
      } else { res.writeHead(202).end(); }
    });
  });
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const t = new StreamableHttpTransport({ url: `http://127.0.0.1:${port}/mcp`, mode: 'streamable' });
  const client = await McpClient.create(t, { name: 'h', clientInfo: { name: 't', version: '1' } });
  try {
    const ac = new AbortController();
    const slow = client.connection.request('slow', {}, { signal: ac.signal, cancelBy: 'abort', context: { headers: { 'mcp-method': 'slow', 'mcp-name': 'x' } } });
    while (!seen.some(s => s.method === 'slow')) await new Promise(r => setTimeout(r, 5));
    ac.abort();
    await assert.rejects(slow, (e: RequestError) => e.isCancellation);
    const req = seen.find(s => s.method === 'slow')!;
    assert.equal(req.headers['mcp-method'], 'slow');
    assert.equal(req.headers['mcp-name'], 'x');
    await client.close();
    assert.ok(!seen.some(s => s.method === 'notifications/cancelled'), seen.map(s => s.method).join(', '));
  } finally {
    await new Promise(r => srv.close(r));
  }
});

test('the result cache: fresh while ttlMs lasts, a hint of 0 or none is never kept, invalidation wins over a late answer', () => {
  let now = 1000;
  const c = new ResultCache({ now: () => now });
  const key = cacheKey('tools/list', undefined);
  assert.equal(c.store('tools/list', key, { tools: [] }, {}, 0), undefined, 'no hint: not kept');
  assert.equal(c.store('tools/list', key, { tools: [] }, { ttlMs: 0 }, 0), undefined);
  assert.equal(c.store('tools/list', key, { tools: [] }, { ttlMs: -5 }, 0), undefined);
  assert.ok(c.store('tools/list', key, { tools: ['a'] }, { ttlMs: 100, cacheScope: 'public' }, 0));
  assert.deepEqual(c.fresh(key)?.value, { tools: ['a'] });
  assert.equal(c.fresh(key)?.scope, 'public');
  now += 100;
  assert.equal(c.fresh(key), undefined, 'stale at receivedAt + ttlMs');
  // A response in flight when a list_changed came is not stored.
  const gen = c.generation('tools/list');
  c.invalidate('tools/list');
  assert.equal(c.store('tools/list', key, { tools: ['old'] }, { ttlMs: 1000 }, gen), undefined);
  // Per-URI invalidation of reads.
  c.store('resources/read', cacheKey('resources/read', { uri: 'a://1' }), { contents: [] }, { ttlMs: 1000 }, c.generation('resources/read'));
  c.store('resources/read', cacheKey('resources/read', { uri: 'a://2' }), { contents: [] }, { ttlMs: 1000 }, c.generation('resources/read'));
  c.invalidate('resources/read', 'a://1');
  assert.equal(c.fresh(cacheKey('resources/read', { uri: 'a://1' })), undefined);
  assert.ok(c.fresh(cacheKey('resources/read', { uri: 'a://2' })));
  assert.equal(ttlOf({ ttlMs: 10 * MAX_TTL_MS }), MAX_TTL_MS);
});
