// The stateless generation (MCP 2026-07-28) against hand-written servers whose every
// message the test sees: version selection both ways, `_meta` on every request, multi
// round-trip requests through the input broker, resultType, the listen stream, caching.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uiClientCapability } from '../../src/protocol/apps.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { JsonRpcConnection } from '../../src/protocol/connection.ts';
import { ErrorCode, WireError } from '../../src/protocol/errors.ts';
import type { InputBroker, InputContext, InputRequest } from '../../src/protocol/inputBroker.ts';
import type { ProtocolChoice } from '../../src/protocol/negotiation.ts';
import type { ClientCapabilities } from '../../src/protocol/types.ts';
import { META } from '../../src/protocol/stateless.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';

const turn = () => new Promise<void>(r => setImmediate(r));
const clientInfo = { name: 'test-client', version: '1.0.0' };
const DISCOVER = { supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: {} }, resultType: 'complete', _meta: { [META.serverInfo]: { name: 'modern', version: '2.0' } } };
const INIT = { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'legacy', version: '1.0' } };

/** A server the test scripts, and every request it received. */
async function serverPair(opts: { protocol?: ProtocolChoice; broker?: InputBroker; capabilities?: ClientCapabilities } = {}) {
  const [a, b] = InMemoryTransport.createPair();
  const server = new JsonRpcConnection(b, { name: 'client' });
  const seen: Array<{ method: string; params: Record<string, unknown>; id?: unknown }> = [];
  b.onDidReceiveMessage(m => { const o = m as { method?: string; params?: Record<string, unknown>; id?: unknown }; if (o.method) seen.push({ method: o.method, params: o.params ?? {}, id: o.id }); });
  await b.start();
  const connect = () => McpClient.create(a, { name: 'srv', clientInfo, protocol: opts.protocol ?? {}, broker: opts.broker, requestTimeoutMs: 5000, ...(opts.capabilities ? { capabilities: opts.capabilities } : {}) });
  return { server, seen, connect };
}

function recordingBroker(answers: Record<string, Record<string, unknown>>) {
  const asked: Array<{ request: InputRequest; ctx: InputContext }> = [];
  const broker: InputBroker = {
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: { form: {}, url: {} } },
    async answer(request, ctx) { asked.push({ request, ctx }); return answers[request.method] ?? { action: 'cancel' }; },
  };
  return { broker, asked };
}

describe('version selection', () => {
  test('a server that answers server/discover is spoken to statelessly; every request carries the _meta', async () => {
    const { server, seen, connect } = await serverPair();
    server.onRequest('server/discover', () => DISCOVER);
    server.onRequest('tools/list', () => ({ tools: [{ name: 'echo', inputSchema: { type: 'object' } }], resultType: 'complete' }));
    const client = await connect();
    assert.equal(client.generation.id, 'stateless');
    assert.equal(client.protocolVersion, '2026-07-28');
    assert.deepEqual(client.serverInfo, { name: 'modern', version: '2.0' });
    await client.setLoggingLevel('warning').catch(() => {}); // no logging capability: refused locally
    const tools = await client.listTools();
    assert.deepEqual(tools.map(t => t.name), ['echo']);
    assert.deepEqual(seen.map(s => s.method), ['server/discover', 'tools/list'], 'no initialize, no initialized, no ping');
    for (const s of seen) {
      const meta = s.params._meta as Record<string, unknown>;
      assert.equal(meta[META.protocolVersion], '2026-07-28');
      assert.deepEqual(meta[META.clientInfo], clientInfo);
      assert.ok(meta[META.clientCapabilities] && typeof meta[META.clientCapabilities] === 'object');
    }
    await assert.rejects(client.ping(), /has no ping/);
    await client.close();
  });

  test("the embedder's extensions (MCP Apps) ride in every request's client capabilities, beside the tasks extension", async () => {
    const { server, seen, connect } = await serverPair({ capabilities: { extensions: uiClientCapability() } });
    server.onRequest('server/discover', () => DISCOVER);
    server.onRequest('tools/list', () => ({ tools: [], resultType: 'complete' }));
    const client = await connect();
    await client.listTools();
    const caps = (seen.find(s => s.method === 'tools/list')!.params._meta as Record<string, any>)[META.clientCapabilities];
    assert.deepEqual(caps.extensions['io.modelcontextprotocol/ui'], { mimeTypes: ['text/html;profile=mcp-app'] });
    assert.ok('io.modelcontextprotocol/tasks' in caps.extensions);
    await client.close();
  });

  test('a server that does not know server/discover gets initialize on the same connection', async () => {
    const { server, seen, connect } = await serverPair();
    server.onRequest('initialize', () => INIT);
    const client = await connect();
    assert.equal(client.generation.id, 'stateful');
    assert.deepEqual(seen.map(s => s.method), ['server/discover', 'initialize', 'notifications/initialized']);
    await client.close();
  });

  test('an empty result to server/discover is a legacy server too', async () => {
    const { server, connect } = await serverPair();
    server.onRequest('server/discover', () => ({}));
    server.onRequest('initialize', () => INIT);
    assert.equal((await connect()).generation.id, 'stateful');
  });

  test('UnsupportedProtocolVersion listing a version we speak: retried once with it', async () => {
    const { server, seen, connect } = await serverPair();
    let first = true;
    server.onRequest('server/discover', () => {
      if (first) { first = false; throw new WireError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: ['2026-07-28'], requested: '2026-07-28' }); }
      return DISCOVER;
    });
    const client = await connect();
    assert.equal(client.generation.id, 'stateless');
    assert.equal(seen.filter(s => s.method === 'server/discover').length, 2);
    await client.close();
  });

  test('remembered stateful: no probe; an initialize refused for its version switches to stateless', async () => {
    const { server, seen, connect } = await serverPair({ protocol: { remembered: 'stateful' } });
    server.onRequest('initialize', () => { throw new WireError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version: 2025-11-25', { supported: ['2026-07-28'], requested: '2025-11-25' }); });
    server.onRequest('server/discover', () => DISCOVER);
    const client = await connect();
    assert.equal(client.generation.id, 'stateless');
    assert.deepEqual(seen.map(s => s.method), ['initialize', 'server/discover']);
    await client.close();
  });

  test('pinned to 2026-07-28 with a legacy server: a clear error, no fallback', async () => {
    const { server, connect } = await serverPair({ protocol: { pin: '2026-07-28' } });
    server.onRequest('initialize', () => INIT);
    await assert.rejects(connect(), /pinned to protocol 2026-07-28, but server\/discover failed: Method not found/);
  });

  test('pinned to 2025-11-25: initialize only', async () => {
    const { server, seen, connect } = await serverPair({ protocol: { pin: '2025-11-25' } });
    server.onRequest('initialize', () => INIT);
    server.onRequest('server/discover', () => DISCOVER);
    assert.equal((await connect()).generation.id, 'stateful');
    assert.equal(seen[0]!.method, 'initialize');
  });
});

describe('results', () => {
  test('multi round-trip: each input request goes to the broker; the retry has a new id, the answers and the untouched requestState', async () => {
    const { broker, asked } = recordingBroker({ 'elicitation/create': { action: 'accept', content: { name: 'Ann' } }, 'roots/list': { roots: [{ uri: 'file:///w' }] } });
    const { server, seen, connect } = await serverPair({ broker });
    server.onRequest('server/discover', () => DISCOVER);
    const state = '{"round":1, "opaque": "x y"}';
    server.onRequest('tools/call', p => {
      if (!p.inputResponses) {
        return { resultType: 'input_required', requestState: state, inputRequests: {
          q: { method: 'elicitation/create', params: { mode: 'form', message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } },
          r: { method: 'roots/list' },
        } };
      }
      return { resultType: 'complete', content: [{ type: 'text', text: JSON.stringify(p.inputResponses) }] };
    });
    const client = await connect();
    const progress: string[] = [];
    const result = await client.callTool('ask', { x: 1 }, { onProgress: p => { if (p.message) progress.push(p.message); } });
    assert.deepEqual(JSON.parse((result.content[0] as { text: string }).text), { q: { action: 'accept', content: { name: 'Ann' } }, r: { roots: [{ uri: 'file:///w' }] } });
    const calls = seen.filter(s => s.method === 'tools/call');
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0]!.id, calls[1]!.id, 'a new id for the retry');
    assert.equal(calls[1]!.params.requestState, state, 'requestState byte-exact');
    assert.deepEqual(calls[1]!.params.arguments, { x: 1 }, 'the original params');
    assert.deepEqual(asked.map(a => [a.ctx.key, a.request.method, a.ctx.relatedTo?.method, a.ctx.relatedTo?.name]).sort(), [['q', 'elicitation/create', 'tools/call', 'ask'], ['r', 'roots/list', 'tools/call', 'ask']]);
    assert.ok(asked.every(a => a.ctx.requestId === undefined), 'an input request has no JSON-RPC id');
    assert.match(progress[0]!, /the server is waiting for input \((a form, the roots|the roots, a form)\)/);
    await client.close();
  });

  test('no requestState sent when the server gave none; inputResponses always there; rounds are bounded', async () => {
    const { broker } = recordingBroker({ 'elicitation/create': { action: 'decline' } });
    const { server, seen, connect } = await serverPair({ broker, protocol: { stateless: { maxInputRounds: 3 } } });
    server.onRequest('server/discover', () => DISCOVER);
    server.onRequest('tools/call', () => ({ resultType: 'input_required', inputRequests: { q: { method: 'elicitation/create', params: { message: 'again?', requestedSchema: { type: 'object', properties: {} } } } } }));
    const client = await connect();
    await assert.rejects(client.callTool('loop', {}), /srv › tools\/call: the server still asked for input after 3 rounds/);
    const retries = seen.filter(s => s.method === 'tools/call').slice(1);
    assert.equal(retries.length, 3);
    for (const r of retries) {
      assert.ok(!('requestState' in r.params));
      assert.deepEqual(r.params.inputResponses, { q: { action: 'decline' } });
    }
    await client.close();
  });

  test('a missing resultType is a complete result; an unknown one is an error naming it', async () => {
    const { server, seen, connect } = await serverPair();
    server.onRequest('server/discover', () => DISCOVER);
    server.onRequest('tools/call', p => p.name === 'old' ? { content: [{ type: 'text', text: 'ok' }] } : { resultType: 'pending', content: [] });
    const client = await connect();
    assert.deepEqual((await client.callTool('old', {})).content, [{ type: 'text', text: 'ok' }]);
    await assert.rejects(client.callTool('weird', {}), /unknown resultType "pending"/);
    assert.equal(seen.filter(s => s.method === 'tools/call').length, 2, 'no retry of a complete result');
    await client.close();
  });

  test('a fresh cached tools/list is served without a round trip; list_changed makes it stale', async () => {
    const { server, seen, connect } = await serverPair();
    server.onRequest('server/discover', () => DISCOVER);
    let n = 0;
    server.onRequest('tools/list', () => ({ tools: [{ name: `t${++n}`, inputSchema: { type: 'object' } }], ttlMs: 60_000, cacheScope: 'public', resultType: 'complete' }));
    const client = await connect();
    assert.deepEqual((await client.listTools()).map(t => t.name), ['t1']);
    assert.deepEqual((await client.listTools()).map(t => t.name), ['t1'], 'from the cache');
    assert.equal(seen.filter(s => s.method === 'tools/list').length, 1, 'one round trip');
    assert.ok(client.listAge('tools/list')! <= Date.now());
    server.notify('notifications/tools/list_changed');
    await turn();
    assert.deepEqual((await client.listTools()).map(t => t.name), ['t2']);
    await client.close();
  });
});

describe('subscriptions/listen', () => {
  test('one stream for what the server announces; notifications reach the handlers; a new filter replaces it; dispose cancels it', async () => {
    const [a, b] = InMemoryTransport.createPair();
    const server = new JsonRpcConnection(b, { name: 'client' });
    const seen: Array<Record<string, unknown>> = [];
    b.onDidReceiveMessage(m => seen.push(m as Record<string, unknown>));
    await b.start();
    server.onRequest('server/discover', () => DISCOVER);
    const listens: Array<{ id: unknown; filter: unknown; end: () => void }> = [];
    server.onRequest('subscriptions/listen', (p, ctx) => new Promise(resolve => {
      listens.push({ id: ctx.requestId, filter: p.notifications, end: () => resolve({ resultType: 'complete' }) });
      server.notify('notifications/subscriptions/acknowledged', { notifications: p.notifications, _meta: { [META.subscriptionId]: ctx.requestId } });
      ctx.signal.addEventListener('abort', () => resolve({}));
    }));
    const client = await McpClient.create(a, { name: 'srv', clientInfo, protocol: { stateless: { listen: true } } });
    while (listens.length < 1) await turn();
    assert.deepEqual(listens[0]!.filter, { toolsListChanged: true, resourcesListChanged: true });
    let changed = 0;
    client.onNotification('notifications/tools/list_changed', () => { changed++; });
    server.notify('notifications/tools/list_changed', { _meta: { [META.subscriptionId]: listens[0]!.id } });
    await turn();
    assert.equal(changed, 1);
    await client.subscribe('file:///a');
    while (listens.length < 2) await turn();
    assert.deepEqual(listens[1]!.filter, { toolsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['file:///a'] });
    await turn(); await turn();
    // The old stream was cancelled once the new one was acknowledged (stdio: notifications/cancelled).
    assert.ok(seen.some(m => m.method === 'notifications/cancelled' && (m.params as { requestId?: unknown }).requestId === listens[0]!.id), 'the first stream was cancelled');
    await client.close();
  });
});



describe('found in the real VS Code', () => {
  test('a list_changed reaches the cache before a listener that lists again (the host re-lists at once)', async () => {
    const [a, b] = InMemoryTransport.createPair();
    const server = new JsonRpcConnection(b, { name: 'client' });
    await b.start();
    server.onRequest('server/discover', () => DISCOVER);
    let n = 0;
    server.onRequest('tools/list', () => ({ tools: [{ name: `t${++n}`, inputSchema: { type: 'object' } }], ttlMs: 60_000, resultType: 'complete' }));
    const relisted: string[][] = [];
    let client!: McpClient;
    client = await McpClient.create(a, {
      name: 'srv', clientInfo, protocol: {},
      // Registered before the client's own cache listener, as the host's are.
      onConnection: conn => { conn.onNotification('notifications/tools/list_changed', () => { void client.listTools().then(t => relisted.push(t.map(x => x.name))); }); },
    });
    await client.listTools();
    server.notify('notifications/tools/list_changed');
    while (!relisted.length) await turn();
    assert.deepEqual(relisted[0], ['t2'], 'not the stale cached page');
    await client.close();
  });

  test('a 2026-07-28 URL elicitation (no elicitationId) reaches the host\'s handler through MRTR', async () => {
    const { HostInputBroker } = await import('../../src/host/inputBroker.ts');
    const asked: unknown[] = [];
    const broker = new HostInputBroker({ server: { id: 'user::s', name: 's', scope: 'user' }, elicitation: { elicit: async (_s, p) => { asked.push(p); return { action: 'accept' }; } } });
    const { server, connect } = await serverPair({ broker });
    server.onRequest('server/discover', () => DISCOVER);
    server.onRequest('tools/call', p => p.inputResponses
      ? { resultType: 'complete', content: [{ type: 'text', text: JSON.stringify(p.inputResponses) }] }
      : { resultType: 'input_required', inputRequests: { u: { method: 'elicitation/create', params: { mode: 'url', message: 'Open it', url: 'https://example.com/x' } } } });
    const client = await connect();
    const r = await client.callTool('ask-url', {});
    assert.deepEqual(JSON.parse((r.content[0] as { text: string }).text), { u: { action: 'accept' } });
    assert.equal((asked[0] as { url: string }).url, 'https://example.com/x');
    await client.close();
  });
});
