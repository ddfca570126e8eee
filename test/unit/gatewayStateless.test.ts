// The gateway for stateless 2026-07-28 clients (issue 13): the official SDK 2.x client over
// Streamable HTTP (stdio: gatewayStatelessStdio.test.ts), against a Gateway fronting
// server-everything, the basic fixture and a 2.4 stateless fixture: discover, namespaced lists,
// calls with progress, cancellation, the servers' sampling, elicitation and roots answered
// through input_required rounds, subscriptions/listen; the envelope and header checks; the
// bounds of the rounds' state (a lifetime, a count, one use).
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Emitter, Event } from '../../src/base/event.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { StatelessGateway, type StatelessGatewayOptions } from '../../src/gateway/stateless.ts';
import { decodeHeaderValue, handleStatelessPost, isStatelessPost } from '../../src/gateway/statelessHttp.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { node } from './cliHarness.ts';
import { EVERYTHING, fixture, stdioDef, waitForState } from './helpers.ts';

const PV = '2026-07-28';
const CLIENT_INFO = { name: 'raw', version: '1' };
const meta = (extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': PV, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': CLIENT_INFO, ...extra,
});
const text = (r: { content: unknown }) => (r.content as Array<{ type: string; text?: string }>).map(c => (c.type === 'text' ? c.text : '')).join('');

/** One raw POST; the response as it came. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; type: string; json: any; raw: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, res => {
      let raw = '';
      res.on('data', c => { raw += c; });
      res.on('end', () => {
        const type = String(res.headers['content-type'] ?? '');
        // An event stream's last data line is the answer.
        const last = type.startsWith('text/event-stream') ? raw.split('\n').filter(l => l.startsWith('data: ')).at(-1)?.slice(6) : raw;
        let json: unknown;
        try { json = last ? JSON.parse(last) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode!, type, json, raw });
      });
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** The standard headers of a well-formed 2026-07-28 POST of `method`. */
const std = (method: string, name?: string) => ({ 'mcp-protocol-version': PV, 'mcp-method': method, ...(name !== undefined ? { 'mcp-name': name } : {}) });

/** The tiny HTTP server that stands where http.ts will call handleStatelessPost: a principal per bearer token. */
async function serve(stateless: StatelessGateway): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const principal = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? 'anonymous';
    let parsed: unknown;
    try { parsed = JSON.parse(body); } catch { res.writeHead(400).end(); return; }
    // As http.ts's hideFor: a header the client sends on every request names servers it does not see.
    const hidden = req.headers['x-hide'];
    await handleStatelessPost(stateless, req, res, parsed, principal, typeof hidden === 'string' ? s => s.definition.name === hidden : undefined);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`, server };
}

/** A ServerManager whose servers' sampling, elicitation and roots go through the gateway, as the CLI wires it. */
function managed() {
  let ref: Gateway | undefined;
  const manager = new ServerManager({
    sampling: { createMessage: (s, p, signal, o) => ref!.createMessage(s, p, signal, o) },
    elicitation: { elicit: (s, p, signal, o) => ref!.elicit(s, p, signal, o) },
    roots: { roots: () => [{ uri: 'file:///host', name: 'host' }], onDidChangeRoots: new Emitter<void>().event, rootsFor: (s, signal, o) => ref!.rootsFor(s, signal, o) },
  });
  manager.setDefinitions([
    stdioDef('everything', node, [EVERYTHING, 'stdio']),
    stdioDef('basic', node, [fixture('basic.mjs')]),
    // A stateless 2026-07-28 server on the SDK 2.4 (x-mcp-header tools; its own input rounds).
    stdioDef('modern', node, [fixture('stateless.mjs'), 'stdio']),
  ], { autoStart: true });
  // server-everything asks for the roots once, 350 ms after it starts: a call in flight then
  // would get that question as an input round. Tests that count rounds wait for it first.
  const everythingSynced = Event.toPromise(manager.get('everything')!.onDidLog, l => l.source === 'server' && /Roots updated/.test(l.message), AbortSignal.timeout(60_000));
  const gateway = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
  ref = gateway;
  return { manager, gateway, everythingSynced };
}

describe('stateless 2026-07-28 clients over Streamable HTTP', () => {
  let manager: ServerManager;
  let gateway: Gateway;
  let stateless: StatelessGateway;
  let url: string;
  const servers: Server[] = [];
  const extra: StatelessGateway[] = [];
  const sdkClients: Client[] = [];
  const asked: string[] = [];

  async function sdk(token = 'alice'): Promise<Client> {
    const client = new Client({ name: 'sdk2', version: '2.4' }, {
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
      versionNegotiation: { mode: 'auto' },
    });
    client.setRequestHandler('sampling/createMessage', async req => {
      asked.push(`sampling: ${JSON.stringify(req.params.messages)}`);
      return { model: 'sdk2-model', role: 'assistant', content: { type: 'text', text: 'an answer from the SDK 2.x client' } };
    });
    client.setRequestHandler('elicitation/create', async req => {
      asked.push(`elicitation: ${req.params.message}`);
      return { action: 'accept', content: { name: 'Ann', age: 33 } };
    });
    client.setRequestHandler('roots/list', async () => {
      asked.push('roots');
      return { roots: [{ uri: 'file:///sdk2/project', name: 'sdk2' }] };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    sdkClients.push(client);
    return client;
  }

  async function another(opts: Partial<StatelessGatewayOptions>): Promise<{ stateless: StatelessGateway; url: string }> {
    const s = new StatelessGateway({ gateway, serverInfo: { name: 'mcp-host-gateway', version: 'test' }, ...opts });
    extra.push(s);
    const h = await serve(s);
    servers.push(h.server);
    return { stateless: s, url: h.url };
  }

  before(async () => {
    let synced: Promise<unknown>;
    ({ manager, gateway, everythingSynced: synced } = managed());
    await waitForState(manager.get('everything')!, 'running');
    await synced;
    await waitForState(manager.get('basic')!, 'running');
    await waitForState(manager.get('modern')!, 'running');
    stateless = new StatelessGateway({ gateway, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
    const h = await serve(stateless);
    servers.push(h.server);
    url = h.url;
  });

  after(async () => {
    for (const c of sdkClients) await c.close().catch(() => {});
    for (const s of [stateless, ...extra]) s.dispose();
    for (const s of servers) { s.closeAllConnections(); s.close(); }
    gateway.dispose();
    await manager.dispose();
  });

  test('server/discover: both revisions, the capabilities, serverInfo in _meta, resultType and cache hints', async () => {
    const r = await post(url, { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta() } }, std('server/discover'));
    assert.equal(r.status, 200);
    const result = r.json.result;
    assert.deepEqual(result.supportedVersions.slice(0, 2), ['2026-07-28', '2025-11-25']);
    assert.equal(result.resultType, 'complete');
    assert.deepEqual(result._meta['io.modelcontextprotocol/serverInfo'], { name: 'mcp-host-gateway', version: 'test' });
    assert.equal(result.serverInfo, undefined, 'the identity is in _meta, not the body');
    assert.ok(result.capabilities.tools.listChanged && result.capabilities.resources.subscribe);
    assert.equal(result.ttlMs, 0);
    assert.equal(result.cacheScope, 'private');
    assert.match(result.instructions, /everything/);
    // The SDK 2.x client probes it and speaks 2026-07-28.
    const client = await sdk();
    assert.equal(client.getServerVersion()?.name, 'mcp-host-gateway');
    assert.equal(client.getNegotiatedProtocolVersion(), PV);
  });

  test('the SDK 2.x client lists the namespaced tools, calls one, and gets progress before the result', async () => {
    const client = await sdk();
    const { tools } = await client.listTools();
    const names = tools.map(t => t.name);
    for (const n of ['everything__echo', 'everything__trigger-long-running-operation', 'basic__sample', 'basic__elicit']) assert.ok(names.includes(n), `${n} among ${names.join(', ')}`);
    assert.match(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'stateless' } })), /Echo: stateless/);
    const seen: number[] = [];
    const r = await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, { onprogress: p => seen.push(p.progress) });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.match(text(r), /completed/);
    const { resources } = await client.listResources();
    assert.ok(resources.length && resources.every(x => x.uri.startsWith('mcp-gateway://')));
    const read = await client.readResource({ uri: resources[0]!.uri });
    assert.equal(read.contents[0]!.uri, resources[0]!.uri);
    const got = await client.getPrompt({ name: 'basic__greet', arguments: { name: 'Bo' } });
    assert.match(JSON.stringify(got.messages), /greet Bo/);
    const done = await client.complete({ ref: { type: 'ref/prompt', name: 'basic__greet' }, argument: { name: 'name', value: 'al' } });
    assert.deepEqual(done.completion.values, ['alice', 'albert']);
  });

  test("the request's log level: the server's log messages from that level up come on its stream, none without one", async () => {
    const body = (level?: string) => ({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'basic__echo', arguments: { message: 'logged' }, _meta: meta(level ? { 'io.modelcontextprotocol/logLevel': level } : {}) } });
    const withLevel = await post(url, body('info'), std('tools/call', 'basic__echo'));
    assert.equal(withLevel.type, 'text/event-stream');
    const events = withLevel.raw.split('\n').filter(l => l.startsWith('data: ')).map(l => JSON.parse(l.slice(6)));
    assert.deepEqual(events[0], { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'basic', data: '[basic] echo: logged' } });
    assert.equal(events.at(-1).result.content[0].text, 'logged');
    const above = await post(url, body('error'), std('tools/call', 'basic__echo'));
    assert.equal(above.type, 'application/json', 'nothing at error level or above: one JSON answer');
    const none = await post(url, body(), std('tools/call', 'basic__echo'));
    assert.equal(none.type, 'application/json');
  });

  test("closing the request cancels the managed server's call", async () => {
    const client = await sdk();
    const server = manager.get('everything')!;
    server.traceTraffic = true;
    const cancelled = Event.toPromise(server.onDidLog, l => l.source === 'traffic' && /→ .*notifications\/cancelled/.test(l.message), AbortSignal.timeout(60_000));
    const ctrl = new AbortController();
    await assert.rejects(client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 30, steps: 30 } }, { signal: ctrl.signal, onprogress: () => ctrl.abort() }));
    await cancelled;
    server.traceTraffic = false;
    assert.match(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'still here' } })), /still here/);
  });

  test("server-everything's sampling request is answered by the SDK client's handler through an input_required round", async () => {
    const client = await sdk();
    asked.length = 0;
    const r = await client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'What is MCP?', maxTokens: 20 } });
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /^sampling: .*What is MCP\?/);
    assert.match(text(r), /an answer from the SDK 2\.x client/);
  });

  test('an elicitation and the roots go the same way; each answer reaches the server', async () => {
    const client = await sdk();
    asked.length = 0;
    assert.deepEqual(JSON.parse(text(await client.callTool({ name: 'basic__elicit', arguments: {} }))), { action: 'accept', content: { name: 'Ann', age: 33 } });
    assert.deepEqual(JSON.parse(text(await client.callTool({ name: 'basic__roots', arguments: {} }))), [{ uri: 'file:///sdk2/project', name: 'sdk2' }]);
    assert.deepEqual(asked, ['elicitation: Tell us about yourself', 'roots']);
  });

  test("a stateless managed server's own input rounds chain through the gateway's: one round per question, then its result", async () => {
    const client = await sdk();
    assert.equal(manager.get('modern')!.protocolGeneration, 'stateless');
    asked.length = 0;
    const r = JSON.parse(text(await client.callTool({ name: 'modern__ask', arguments: {} })));
    assert.deepEqual(r.elicitation, { action: 'accept', content: { name: 'Ann', age: 33 } });
    assert.deepEqual(r.roots, [{ uri: 'file:///sdk2/project', name: 'sdk2' }]);
    assert.match(JSON.stringify(r.sampling), /an answer from the SDK 2\.x client/);
    assert.deepEqual(asked.map(a => a.split(':')[0]), ['elicitation', 'roots', 'sampling']);
    // prompts/get takes rounds too.
    const got = await client.getPrompt({ name: 'modern__interview', arguments: { name: 'Bo' } });
    assert.ok(got.messages.length > 0);
    assert.equal(asked.at(-1), 'elicitation: How formal?');
  });

  test("x-mcp-header: the SDK client's Mcp-Param-* headers are checked against the arguments; a missing or different one is -32020", async () => {
    const client = await sdk();
    const names = (await client.listTools()).tools.map(t => t.name);
    assert.ok(names.includes('modern__headers'));
    assert.ok(!names.includes('modern__bad-header'), 'the SDK client drops a tool whose declarations are invalid');
    const r = JSON.parse(text(await client.callTool({ name: 'modern__headers', arguments: { region: 'eu-west', priority: 5, verbose: true, target: { tenant: 'Zoë' } } })));
    assert.deepEqual(r.arguments, { region: 'eu-west', priority: 5, verbose: true, target: { tenant: 'Zoë' } });
    const call = (headers: Record<string, string>) => post(url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'modern__headers', arguments: { region: 'eu', priority: 42 }, _meta: meta() } }, { ...std('tools/call', 'modern__headers'), ...headers });
    const missing = await call({ 'mcp-param-region': 'eu' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.code, -32020);
    assert.match(missing.json.error.message, /the body carries priority=42 but the Mcp-Param-Priority header is absent/);
    const differ = await call({ 'mcp-param-region': 'us', 'mcp-param-priority': '42' });
    assert.match(differ.json.error.message, /Mcp-Param-Region header decodes to "us" but the body carries region="eu"/);
    // Base64 and a numerically equal integer are the same value.
    const ok = await call({ 'mcp-param-region': `=?base64?${Buffer.from('eu').toString('base64')}?=`, 'mcp-param-priority': '42.0' });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(text(ok.json.result)).arguments, { region: 'eu', priority: 42 });
  });

  test('the rounds on the wire: keyed inputRequests, an opaque state good for one retry by the same client', async () => {
    const call = (extraParams: Record<string, unknown>, token = 'alice', name = 'basic__sample') => post(url, {
      jsonrpc: '2.0', id: 7, method: 'tools/call',
      params: { name, arguments: { prompt: 'hello' }, ...extraParams, _meta: meta({ 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } }) },
    }, { ...std('tools/call', name), authorization: `Bearer ${token}` });
    const first = await call({});
    assert.equal(first.json.result.resultType, 'input_required');
    const [key, ...more] = Object.keys(first.json.result.inputRequests);
    assert.equal(more.length, 0);
    assert.equal(first.json.result.inputRequests[key!].method, 'sampling/createMessage');
    assert.match(JSON.stringify(first.json.result.inputRequests[key!].params.messages), /hello/);
    const state = first.json.result.requestState;
    assert.match(state, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    // Another principal, another tool: the state is not theirs.
    for (const r of [await call({ requestState: state, inputResponses: {} }, 'bob'), await call({ requestState: state, inputResponses: {} }, 'alice', 'basic__echo')]) {
      assert.equal(r.status, 200);
      assert.equal(r.json.error.code, -32602);
      assert.match(r.json.error.message, /requestState is unknown or expired/);
    }
    // An answer without the key asked for: asked again, with a new state.
    const again = await call({ requestState: state, inputResponses: { nothing: {} } });
    assert.equal(again.json.result.resultType, 'input_required');
    assert.deepEqual(Object.keys(again.json.result.inputRequests), [key]);
    assert.notEqual(again.json.result.requestState, state);
    const final = await call({ requestState: again.json.result.requestState, inputResponses: { [key!]: { role: 'assistant', model: 'raw', content: { type: 'text', text: 'raw answer' } } } });
    assert.equal(final.json.result.resultType, 'complete');
    assert.match(text(final.json.result), /raw answer/);
    // Used: unknown now.
    const reused = await call({ requestState: again.json.result.requestState, inputResponses: {} });
    assert.match(reused.json.error.message, /requestState is unknown or expired/);
  });

  test("a state past its lifetime: the server's request is refused with a sentence and its call cancelled", async () => {
    const short = await another({ limits: { ttlMs: 50 } });
    const server = manager.get('basic')!;
    server.traceTraffic = true;
    const refused = Event.toPromise(server.onDidLog, l => l.source === 'traffic' && /→ .*did not answer within 50 ms/.test(l.message), AbortSignal.timeout(60_000));
    const body = (extraParams: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'basic__sample', arguments: { prompt: 'late' }, ...extraParams, _meta: meta({ 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } }) } });
    const first = await post(short.url, body(), std('tools/call', 'basic__sample'));
    assert.equal(first.json.result.resultType, 'input_required');
    await refused;
    server.traceTraffic = false;
    const late = await post(short.url, body({ requestState: first.json.result.requestState, inputResponses: {} }), std('tools/call', 'basic__sample'));
    assert.match(late.json.error.message, /unknown or expired/);
    assert.equal(short.stateless.pendingInputs, 0);
  });

  test('at most N calls wait for input: past it the server is told the gateway holds too many, and the call ends', async () => {
    const one = await another({ limits: { maxPending: 1 } });
    const body = (extraParams: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'basic__sample', arguments: { prompt: 'p' }, ...extraParams, _meta: meta({ 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } }) } });
    const first = await post(one.url, body(), std('tools/call', 'basic__sample'));
    assert.equal(first.json.result.resultType, 'input_required');
    const second = await post(one.url, body(), std('tools/call', 'basic__sample'));
    assert.equal(second.json.result.resultType, 'complete');
    assert.equal(second.json.result.isError, true);
    assert.match(text(second.json.result), /already holds 1 request waiting for their clients' input, its limit/);
    const key = Object.keys(first.json.result.inputRequests)[0]!;
    const done = await post(one.url, body({ requestState: first.json.result.requestState, inputResponses: { [key]: { role: 'assistant', model: 'm', content: { type: 'text', text: 'finally' } } } }), std('tools/call', 'basic__sample'));
    assert.match(text(done.json.result), /finally/);
  });

  test("two principals' calls in flight to one stdio server: its request goes to neither (stdio cannot say whose it is)", async () => {
    const body = (extraParams: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'basic__sample', arguments: { prompt: 'p' }, ...extraParams, _meta: meta({ 'io.modelcontextprotocol/clientCapabilities': { sampling: {} } }) } });
    const first = await post(url, body(), std('tools/call', 'basic__sample'));
    assert.equal(first.json.result.resultType, 'input_required', 'alone, the call asks its own client');
    // Another principal's call while the first still waits: the server's sampling may be for either.
    const other = await post(url, body(), { ...std('tools/call', 'basic__sample'), authorization: 'Bearer bob' });
    assert.equal(other.json.result.resultType, 'complete');
    assert.match(text(other.json.result), /no gateway client whose call it serves declared sampling/);
    const key = Object.keys(first.json.result.inputRequests)[0]!;
    const done = await post(url, body({ requestState: first.json.result.requestState, inputResponses: { [key]: { role: 'assistant', model: 'm', content: { type: 'text', text: 'for the first' } } } }), std('tools/call', 'basic__sample'));
    assert.match(text(done.json.result), /for the first/);
  });

  test('the envelope and the headers: -32020, -32602, -32022, 404, each a 400 that says what is wrong', async () => {
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } };
    const noHeader = await post(url, list, { 'mcp-method': 'tools/list' });
    assert.equal(noHeader.status, 400);
    assert.equal(noHeader.json.error.code, -32020);
    assert.match(noHeader.json.error.message, /MCP-Protocol-Version header is missing/);
    const noMeta = await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, std('tools/list'));
    assert.equal(noMeta.status, 400);
    assert.equal(noMeta.json.error.code, -32602);
    assert.match(noMeta.json.error.message, /missing _meta keys: io\.modelcontextprotocol\/protocolVersion, io\.modelcontextprotocol\/clientCapabilities/);
    const differ = await post(url, { ...list, params: { _meta: meta({ 'io.modelcontextprotocol/protocolVersion': '2027-01-01' }) } }, std('tools/list'));
    assert.equal(differ.status, 400);
    assert.equal(differ.json.error.code, -32020);
    const old = await post(url, { ...list, params: { _meta: meta({ 'io.modelcontextprotocol/protocolVersion': '1900-01-01' }) } }, { ...std('tools/list'), 'mcp-protocol-version': '1900-01-01' });
    assert.equal(old.status, 400);
    assert.equal(old.json.error.code, -32022);
    assert.deepEqual(old.json.error.data.requested, '1900-01-01');
    assert.ok(old.json.error.data.supported.includes('2026-07-28') && old.json.error.data.supported.includes('2025-11-25'));
    const method = await post(url, list, std('prompts/list'));
    assert.equal(method.status, 400);
    assert.equal(method.json.error.code, -32020);
    assert.match(method.json.error.message, /Mcp-Method header says "prompts\/list" but the body's method is "tools\/list"/);
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything__echo', arguments: { message: 'x' }, _meta: meta() } };
    const noName = await post(url, call, std('tools/call'));
    assert.equal(noName.json.error.code, -32020);
    assert.match(noName.json.error.message, /required Mcp-Name header is absent/);
    const wrongName = await post(url, call, std('tools/call', 'everything__get-sum'));
    assert.equal(wrongName.json.error.code, -32020);
    // The base64 sentinel is decoded before comparing.
    const encoded = await post(url, call, std('tools/call', `=?base64?${Buffer.from('everything__echo').toString('base64')}?=`));
    assert.equal(encoded.status, 200);
    assert.match(text(encoded.json.result), /Echo: x/);
    const ping = await post(url, { jsonrpc: '2.0', id: 3, method: 'ping', params: { _meta: meta() } }, std('ping'));
    assert.equal(ping.status, 404);
    assert.equal(ping.json.error.code, -32601);
    const badLevel = await post(url, { ...list, params: { _meta: meta({ 'io.modelcontextprotocol/logLevel': 'loud' }) } }, std('tools/list'));
    assert.equal(badLevel.json.error.code, -32602);
    // A tool error is in-band: HTTP 200.
    const unknown = await post(url, { ...call, params: { ...call.params, name: 'nobody__nothing' } }, std('tools/call', 'nobody__nothing'));
    assert.equal(unknown.status, 200);
    assert.match(unknown.json.error.message, /Unknown tool: "nobody__nothing"/);
    // A notification is accepted and ignored; a response is refused.
    assert.equal((await post(url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: meta() } }, std('notifications/cancelled'))).status, 202);
    assert.equal((await post(url, { jsonrpc: '2.0', id: 1, result: {} }, std('x'))).status, 400);
  });

  test('servers hidden from a client (hideFor): not in its lists, not callable, not in its instructions', async () => {
    const hide = { 'x-hide': 'basic' };
    const tools = await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } }, { ...std('tools/list'), ...hide });
    const names = tools.json.result.tools.map((t: { name: string }) => t.name);
    assert.ok(names.includes('everything__echo') && !names.some((n: string) => n.startsWith('basic__')), names.join(', '));
    const call = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'basic__echo', arguments: { message: 'x' }, _meta: meta() } }, { ...std('tools/call', 'basic__echo'), ...hide });
    assert.match(call.json.error.message, /Unknown tool: "basic__echo"/);
    const discover = await post(url, { jsonrpc: '2.0', id: 3, method: 'server/discover', params: { _meta: meta() } }, { ...std('server/discover'), ...hide });
    assert.doesNotMatch(discover.json.result.instructions, /basic/);
  });

  test('what http.ts routes here, and the header sentinel', () => {
    assert.equal(isStatelessPost({ 'mcp-protocol-version': PV }, { jsonrpc: '2.0', id: 1, method: 'tools/list' }), true);
    assert.equal(isStatelessPost({ 'mcp-protocol-version': '1900-01-01' }, { jsonrpc: '2.0', id: 1, method: 'tools/list' }), true);
    assert.equal(isStatelessPost({}, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } }), true);
    assert.equal(isStatelessPost({ 'mcp-protocol-version': '2025-11-25' }, { jsonrpc: '2.0', id: 1, method: 'tools/list' }), false);
    assert.equal(isStatelessPost({ 'mcp-protocol-version': PV }, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }), false);
    assert.equal(isStatelessPost({ 'mcp-protocol-version': PV, 'mcp-session-id': 'x' }, { jsonrpc: '2.0', id: 1, method: 'tools/list' }), false);
    assert.equal(decodeHeaderValue('=?base64?SGVsbG8sIOS4lueVjA==?='), 'Hello, 世界');
    assert.equal(decodeHeaderValue('plain'), 'plain');
    assert.equal(decodeHeaderValue('=?base64?/w==?='), undefined, 'not UTF-8');
  });

  test('subscriptions/listen: acknowledged, then list_changed when a server stops and resources/updated for the URIs it names', async () => {
    const client = await sdk();
    const { resources } = await client.listResources();
    const watched = resources.find(r => r.uri.startsWith('mcp-gateway://everything/'))!.uri;
    const listChanged = new Promise<void>(resolve => client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
    const updated = new Promise<string>(resolve => client.setNotificationHandler('notifications/resources/updated', n => resolve(n.params.uri)));
    const sub = await client.listen({ toolsListChanged: true, resourceSubscriptions: [watched, 'mcp-gateway://nobody/x'] });
    assert.deepEqual(sub.honoredFilter, { toolsListChanged: true, resourceSubscriptions: [watched] });
    // server-everything sends updates of subscribed resources every 5 s once asked to.
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    assert.equal(await updated, watched);
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await manager.get('basic')!.stop();
    await listChanged;
    assert.ok(!(await client.listTools()).tools.some(t => t.name.startsWith('basic__')));
    // The gateway ends its streams gracefully when it stops.
    stateless.closeStreams();
    assert.equal(await sub.closed, 'graceful');
    await manager.get('basic')!.start();
  });
});
