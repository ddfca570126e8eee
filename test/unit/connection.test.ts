import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonRpcConnection } from '../../src/protocol/connection.ts';
import { LocalError, RequestError, WireError } from '../../src/protocol/errors.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';

async function pair(opts: { timeout?: number; max?: number } = {}) {
  const [a, b] = InMemoryTransport.createPair();
  const client = new JsonRpcConnection(a, { name: 'srv', requestTimeoutMs: opts.timeout ?? 5000, maxRequestTimeoutMs: opts.max });
  const server = new JsonRpcConnection(b, { name: 'client' });
  await a.start(); await b.start();
  // What the server side receives, raw.
  const seen: any[] = [];
  b.onDidReceiveMessage(m => seen.push(m));
  return { a, b, client, server, seen };
}

test('request and response are paired by id; results are parsed', async () => {
  const { client, server } = await pair();
  server.onRequest('add', p => ({ sum: (p.a as number) + (p.b as number) }));
  const [r1, r2] = await Promise.all([
    client.request('add', { a: 1, b: 2 }),
    client.request('add', { a: 5, b: 5 }, { parse: raw => (raw.sum as number) * 10 }),
  ]);
  assert.deepEqual(r1, { sum: 3 });
  assert.equal(r2, 100);
  assert.equal(client.pendingCount, 0);
});

test('a timeout rejects as a timeout, removes the pending entry and sends notifications/cancelled', async () => {
  const { client, server, seen } = await pair({ timeout: 50 });
  server.onRequest('hang', () => new Promise(() => {}));
  await assert.rejects(client.request('hang', {}), (e: RequestError) => {
    assert.ok(e.isTimeout);
    assert.match(e.message, /^srv › hang: timed out after 50 ms/);
    return true;
  });
  assert.equal(client.pendingCount, 0);
  const cancel = await waitFor(() => seen.find(m => m.method === 'notifications/cancelled'));
  assert.equal(cancel.params.reason, 'timeout');
});

test('a user abort is a cancellation, not a timeout, and the server handler sees its signal abort', async () => {
  const { client, server } = await pair();
  let handlerAborted: Promise<unknown> | undefined;
  server.onRequest('long', (_p, ctx) => {
    handlerAborted = new Promise(res => ctx.signal.addEventListener('abort', () => res(ctx.signal.reason)));
    return new Promise(() => {});
  });
  const ctrl = new AbortController();
  const p = client.request('long', {}, { signal: ctrl.signal });
  await waitFor(() => handlerAborted ? true : undefined);
  ctrl.abort();
  await assert.rejects(p, (e: RequestError) => e.isCancellation && !e.isTimeout);
  const reason = await handlerAborted!;
  assert.ok(reason instanceof LocalError);
  assert.match((reason as LocalError).message, /cancelled by the server/);
});

// Timeouts are about time: these tests run on mocked timers and a mocked clock
// (node:test's MockTimers), so a busy machine cannot make a step miss its deadline. The
// in-memory transport delivers on microtasks, which `turn()` lets run.
const turn = () => new Promise<void>(r => setImmediate(r));

test('progress reaches the caller and extends the timeout up to the hard maximum', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { client, server } = await pair({ timeout: 120, max: 400 });
  server.onRequest('slow', async (p) => {
    const token = (p._meta as any).progressToken;
    for (let i = 1; i <= 3; i++) {
      await new Promise(r => setTimeout(r, 80));
      server.notify('notifications/progress', { progressToken: token, progress: i, total: 3, message: `step ${i}` });
    }
    return { done: true };
  });
  const progress: string[] = [];
  let outcome: unknown;
  const slow = client.request('slow', {}, { onProgress: p => progress.push(p.message!) }).then(r => { outcome = r; }, e => { outcome = e; });
  await turn();
  // Three steps of 80 ms: 240 ms in all, twice the 120 ms timeout, each step within it.
  for (let i = 0; i < 3; i++) { t.mock.timers.tick(80); await turn(); }
  await slow;
  assert.deepEqual(outcome, { done: true });
  assert.deepEqual(progress, ['step 1', 'step 2', 'step 3']);

  // Progress forever: the hard maximum still ends it.
  server.onRequest('forever', async (p) => {
    const token = (p._meta as any).progressToken;
    for (let i = 0; i < 100; i++) {
      await new Promise(r => setTimeout(r, 50));
      server.notify('notifications/progress', { progressToken: token, progress: i });
    }
    return {};
  });
  const t0 = Date.now();
  let ended: RequestError | undefined;
  let progressSeen = 0;
  const forever = client.request('forever', {}, { onProgress: () => { progressSeen++; } }).then(() => assert.fail('resolved'), (e: RequestError) => { ended = e; });
  await turn();
  for (let i = 0; i < 40 && !ended; i++) { t.mock.timers.tick(50); await turn(); }
  await forever;
  assert.ok(ended?.isTimeout && /hard maximum/.test(ended.message), String(ended));
  const took = Date.now() - t0; // mocked milliseconds
  assert.ok(took >= 400 && took <= 450, `ended after ${took} (mocked) ms, the hard maximum is 400`);
  assert.ok(progressSeen >= 7, `progress kept it alive past the 120 ms timeout (${progressSeen} notifications)`);
});

test('wire errors keep code and data; handler failures never leak a stack', async () => {
  const { client, server } = await pair();
  server.onRequest('wire', () => { throw new WireError(-32002, 'Resource not found', { uri: 'x://y' }); });
  server.onRequest('boom', () => { throw new Error('internal detail'); });
  await assert.rejects(client.request('wire', {}), (e: RequestError) => {
    assert.ok(e.cause instanceof WireError);
    assert.equal(e.cause.code, -32002);
    assert.deepEqual(e.cause.data, { uri: 'x://y' });
    return true;
  });
  const traced: any[] = [];
  server.onDidTrace(t => { if (t.direction === 'send') traced.push(t.message); });
  await assert.rejects(client.request('boom', {}), (e: RequestError) => e.cause instanceof WireError && e.cause.code === -32603);
  assert.equal(JSON.stringify(traced).includes(' at '), false, 'no stack trace on the wire');
  await assert.rejects(client.request('nope', {}), (e: RequestError) => (e.cause as WireError).code === -32601);
});

test('ping is answered; unknown ids and invalid messages are warned about, not fatal', async () => {
  const { client, server, b } = await pair();
  assert.deepEqual(await server.request('ping', undefined), {});
  const warnings: string[] = [];
  client.onDidWarn(w => warnings.push(w));
  b.send({ jsonrpc: '2.0', id: 999, result: {} });
  b.send({ nonsense: true } as any);
  await waitFor(() => warnings.length >= 2 ? warnings : undefined);
  assert.match(warnings[0]!, /unknown request id 999/);
  assert.deepEqual(await client.request('ping', undefined), {});
});

test('a response answered twice settles once', async () => {
  const [a, b] = InMemoryTransport.createPair();
  const client = new JsonRpcConnection(a, { name: 'srv' });
  await a.start(); await b.start();
  b.onDidReceiveMessage((m: any) => {
    if (m.method === 'dup') { b.send({ jsonrpc: '2.0', id: m.id, result: { n: 1 } }); b.send({ jsonrpc: '2.0', id: m.id, result: { n: 2 } }); }
  });
  const warnings: string[] = [];
  client.onDidWarn(w => warnings.push(w));
  assert.deepEqual(await client.request('dup', {}), { n: 1 });
  await waitFor(() => warnings.length ? warnings : undefined);
});

test('closing the transport rejects every pending request with the cause', async () => {
  const { client, server, b } = await pair();
  server.onRequest('hang', () => new Promise(() => {}));
  const ps = [client.request('hang', {}), client.request('hang', {})];
  await new Promise(r => setTimeout(r, 10));
  await b.close();
  for (const p of ps) await assert.rejects(p, (e: RequestError) => e.cause instanceof LocalError && e.cause.code === 'closed' && /srv › hang/.test(e.message));
  await assert.rejects(client.request('after', {}), /srv › after/);
});

async function waitFor<T>(fn: () => T | undefined, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise(r => setImmediate(r));
  }
}

test('a pending call does not time out while the server waits on us (a user answering), up to the hard maximum', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { client, server } = await pair({ timeout: 100, max: 2000 });
  let answer!: () => void;
  client.onRequest('elicitation/create', () => new Promise(res => { answer = () => res({ action: 'accept' }); }));
  server.onRequest('tools/call', async () => {
    const r = await server.request('elicitation/create', { message: 'name?' });
    return { asked: r };
  });
  let outcome: unknown;
  const call = client.request('tools/call', {}).then(r => { outcome = r; }, e => { outcome = e; });
  await turn();
  assert.equal(typeof answer, 'function', 'the server asked us');
  // The "user" takes 3× the timeout to answer (mocked time).
  for (let i = 0; i < 3; i++) { t.mock.timers.tick(100); await turn(); }
  assert.equal(outcome, undefined, `the call ended while the user was answering: ${outcome}`);
  answer();
  await call;
  assert.deepEqual(outcome, { asked: { action: 'accept' } });
});

test("a server's request carries the origins of our requests it may belong to: the one pending, each of several, none", async () => {
  const { client, server } = await pair();
  const origins: unknown[][] = [];
  client.onRequest('sampling/createMessage', (_p, ctx) => { origins.push([...ctx.origins]); return {}; });
  // The server asks back while handling `work` (no relatedRequestId in memory: like stdio).
  const release: Array<() => void> = [];
  server.onRequest('work', async () => { await server.request('sampling/createMessage', {}); await new Promise<void>(r => release.push(r)); return {}; });
  server.onRequest('ask', async () => { await server.request('sampling/createMessage', {}); return {}; });
  const host = { who: 'host' };
  const first = client.request('work', {}, { origin: 'alice' });
  while (origins.length < 1) await new Promise(r => setImmediate(r));
  const second = client.request('work', {}, { origin: host });
  while (origins.length < 2) await new Promise(r => setImmediate(r));
  const third = client.request('ask', {});
  await third;
  for (const r of release) r();
  await Promise.all([first, second]);
  await server.request('sampling/createMessage', {});
  assert.deepEqual(origins, [['alice'], ['alice', host], ['alice', host, undefined], []]);
});
