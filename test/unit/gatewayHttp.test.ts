// The gateway over Streamable HTTP (issue 13), fronting server-everything and server-memory,
// driven by the official SDK clients 1.x and 2.x; and its security: no or a wrong token, a
// foreign Origin, a rebinding Host, another principal's session, the caps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { Event } from '../../src/base/event.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { HttpGatewayServer, type HttpGatewayOptions } from '../../src/gateway/http.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { EVERYTHING, repo, stdioDef, waitForState } from './helpers.ts';

const MEMORY = path.join(repo, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
const TOKENS: Record<string, string> = { 'token-alice': 'alice', 'token-bob': 'bob', 'token-carol': 'carol' };
const authenticate = (h: string | undefined) => {
  const m = /^Bearer (.+)$/.exec(h ?? '');
  const principal = m ? TOKENS[m[1]!] : undefined;
  return principal ? { principal } : undefined;
};

/** One raw HTTP request, headers as given (Host included). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname, method: opts.method ?? 'POST', headers: opts.headers }, res => {
      let body = '';
      res.on('data', c => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const hdr = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra });

describe('the HTTP gateway', () => {
  let manager: ServerManager;
  let gateway: Gateway;
  const servers: HttpGatewayServer[] = [];
  let url: string;

  async function start(extra: Partial<HttpGatewayOptions> = {}): Promise<HttpGatewayServer> {
    const s = new HttpGatewayServer({ gateway, authenticate, ...extra });
    await s.listen();
    servers.push(s);
    return s;
  }

  /** Resolves once `n` of the gateway's sessions have a call in flight to a managed server (an event, not a poll). */
  async function callsInFlight(n: number): Promise<void> {
    const enough = () => gateway.sessionInfos().filter(i => i.callsInFlight > 0).length >= n;
    if (!enough()) await Event.toPromise(gateway.onDidChangeSessions, enough, AbortSignal.timeout(60_000));
  }

  before(async () => {
    manager = new ServerManager({});
    manager.setDefinitions([
      stdioDef('everything', process.execPath, [EVERYTHING, 'stdio']),
      stdioDef('memory', process.execPath, [MEMORY], { env: { MEMORY_FILE_PATH: path.join(tmpdir(), `mcph-gw-${process.pid}.jsonl`) } }),
    ], { autoStart: true });
    await waitForState(manager.get('everything')!, 'running');
    await waitForState(manager.get('memory')!, 'running');
    gateway = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
    url = (await start()).url;
  });

  after(async () => {
    for (const s of servers) await s.close(500);
    gateway.dispose();
    await manager.dispose();
  });

  test('the SDK 1.x client: namespaced tools, a call, progress over SSE, a cancel that reaches the server', async () => {
    const client = new Client({ name: 'sdk1', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: 'Bearer token-alice' } } }));
    try {
      const names = (await client.listTools()).tools.map(t => t.name);
      assert.ok(names.includes('everything__echo') && names.includes('memory__read_graph'), names.join(', '));
      const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'over http' } });
      assert.match(JSON.stringify(echo.content), /over http/);
      const seen: number[] = [];
      await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: p => seen.push(p.progress) });
      assert.ok(seen.length >= 1 && seen.every((v, i) => v === i + 1), `progress ${seen.join(', ')}`);
      const server = manager.get('everything')!;
      server.traceTraffic = true;
      const cancelled = Event.toPromise(server.onDidLog, l => l.source === 'traffic' && /→ .*notifications\/cancelled/.test(l.message), AbortSignal.timeout(30_000));
      const ctrl = new AbortController();
      await assert.rejects(client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 30, steps: 30 } }, undefined, { signal: ctrl.signal, onprogress: () => ctrl.abort() }));
      await cancelled;
      server.traceTraffic = false;
    } finally {
      await client.close();
    }
  });

  test('the SDK 2.x client connects and calls through it', async () => {
    const { Client: Client2, StreamableHTTPClientTransport: T2 } = await import('@modelcontextprotocol/client');
    const client = new Client2({ name: 'sdk2', version: '2' });
    await client.connect(new T2(new URL(url), { requestInit: { headers: { Authorization: 'Bearer token-bob' } } }));
    try {
      const sum = await client.callTool({ name: 'everything__get-sum', arguments: { a: 20, b: 22 } });
      assert.match(JSON.stringify(sum.content), /42/);
    } finally {
      await client.close();
    }
  });

  test('no token and a wrong token: 401 with WWW-Authenticate; failures past the bound: 429', async () => {
    const none = await raw(url, { headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: INIT });
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assert.match(none.body, /a bearer token is required/);
    const wrong = await raw(url, { headers: hdr('nope'), body: INIT });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /the token is not valid/);
    // A gateway whose bound does not refill: exactly `burst` 401s, then 429s.
    const strict = await start({ authRate: { burst: 3, perSecond: 0 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await raw(strict.url, { headers: hdr('nope'), body: INIT })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  });

  test('a foreign Origin and a rebinding Host are refused with 403 before the token is looked at', async () => {
    const origin = await raw(url, { headers: hdr('token-alice', { origin: 'https://evil.example' }), body: INIT });
    assert.equal(origin.status, 403);
    assert.match(JSON.parse(origin.body).error.message, /Origin "https:\/\/evil.example" is not allowed/);
    const port = new URL(url).port;
    const host = await raw(url, { headers: hdr('token-alice', { host: `evil.example:${port}` }), body: INIT });
    assert.equal(host.status, 403);
    assert.match(host.body, /DNS rebinding/);
    // Its own origin is not foreign (the conformance suite's DNS-rebinding scenario sends it).
    assert.equal((await raw(url, { headers: hdr('token-alice', { origin: `http://127.0.0.1:${port}` }), body: INIT })).status, 200);
    const allowed = await start({ allowedOrigins: ['http://localhost:5173'] });
    const pre = await raw(allowed.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', host: `127.0.0.1:${new URL(allowed.url).port}`, 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.match(String(pre.headers['access-control-allow-headers']), /mcp-session-id/);
  });

  test("one principal cannot use another's session; one session cannot cancel another's request", async () => {
    const a = await raw(url, { headers: hdr('token-alice'), body: INIT });
    const sid = String(a.headers['mcp-session-id']);
    assert.match(sid, /^[0-9a-f-]{36}$/);
    const stolen = await raw(url, { headers: hdr('token-bob', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(stolen.status, 404);
    // Alice calls a slow tool; Bob's own session cancels "request 7": Alice's call is untouched.
    await raw(url, { headers: hdr('token-alice', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const b = await raw(url, { headers: hdr('token-bob'), body: INIT });
    const bsid = String(b.headers['mcp-session-id']);
    const slow = raw(url, { headers: hdr('token-alice', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 2 } } }) });
    const cancel = await raw(url, { headers: hdr('token-bob', { 'mcp-session-id': bsid }), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7 } }) });
    assert.equal(cancel.status, 202);
    const done = await slow;
    assert.equal(done.status, 200);
    assert.match(done.body, /"id":7,"result":.*Long running operation completed/s);
  });

  test('the session caps: an idle session makes room; when all are busy, 429 per client and 503 in all, each saying so', async () => {
    const capped = await start({ maxSessions: 2, maxSessionsPerPrincipal: 1 });
    const first = await raw(capped.url, { headers: hdr('token-alice'), body: INIT });
    assert.equal(first.status, 200);
    // The first is idle (no stream, nothing unanswered): a second of the same client replaces it.
    const second = await raw(capped.url, { headers: hdr('token-alice'), body: INIT });
    assert.equal(second.status, 200);
    assert.equal((await raw(capped.url, { headers: hdr('token-alice', { 'mcp-session-id': String(first.headers['mcp-session-id']) }), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).status, 404, 'the evicted one is gone');
    // Busy: a slow call in flight keeps it; the next of that client is refused.
    const sid = String(second.headers['mcp-session-id']);
    await raw(capped.url, { headers: hdr('token-alice', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    // A call that lasts until the session ends (DELETE at the end): busy for as long as the test needs, however slow the machine.
    const longCall = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'everything__trigger-long-running-operation', arguments: { duration: 600, steps: 1 } } });
    const slow = raw(capped.url, { headers: hdr('token-alice', { 'mcp-session-id': sid }), body: longCall(3) });
    await callsInFlight(1);
    const refused = await raw(capped.url, { headers: hdr('token-alice'), body: INIT });
    assert.equal(refused.status, 429);
    assert.match(JSON.parse(refused.body).error.message, /already has 1 sessions, the limit per client, all busy/);
    const bob = await raw(capped.url, { headers: hdr('token-bob'), body: INIT });
    assert.equal(bob.status, 200);
    const bsid = String(bob.headers['mcp-session-id']);
    await raw(capped.url, { headers: hdr('token-bob', { 'mcp-session-id': bsid }), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const slowBob = raw(capped.url, { headers: hdr('token-bob', { 'mcp-session-id': bsid }), body: longCall(4) });
    await callsInFlight(2);
    const full = await raw(capped.url, { headers: { ...hdr('token-carol-unknown'), authorization: 'Bearer token-carol' }, body: INIT });
    assert.equal(full.status, 503);
    assert.match(JSON.parse(full.body).error.message, /has 2 sessions, its limit, all busy/);
    assert.equal(capped.sessionCount, 2);
    // Ending the sessions cancels their calls and ends their streams.
    for (const [token, id] of [['token-alice', sid], ['token-bob', bsid]] as const) assert.equal((await raw(capped.url, { method: 'DELETE', headers: hdr(token, { 'mcp-session-id': id }) })).status, 200);
    await Promise.all([slow, slowBob]);
  });

  test('an idle session ends by itself', async () => {
    const idle = await start({ idleTimeoutMs: 100 });
    assert.equal((await raw(idle.url, { headers: hdr('token-alice'), body: INIT })).status, 200);
    assert.equal(idle.sessionCount, 1);
    for (let i = 0; i < 200 && idle.sessionCount; i++) await new Promise(r => setTimeout(r, 100));
    assert.equal(idle.sessionCount, 0);
  });

  test('DELETE ends a session; its id is unknown afterwards', async () => {
    const a = await raw(url, { headers: hdr('token-alice'), body: INIT });
    const sid = String(a.headers['mcp-session-id']);
    assert.equal((await raw(url, { method: 'DELETE', headers: hdr('token-alice', { 'mcp-session-id': sid }) })).status, 200);
    assert.equal((await raw(url, { headers: hdr('token-alice', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).status, 404);
  });

  test('TLS with the user\'s certificate: the SDK 1.x client talks HTTPS; a plain-HTTP request on the TLS port gets nothing', async () => {
    const tlsDir = path.join(repo, 'test/fixtures/tls');
    const cert = readFileSync(path.join(tlsDir, 'cert.pem'));
    const s = await start({ tls: { cert, key: readFileSync(path.join(tlsDir, 'key.pem')) } });
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    // The client trusts exactly this certificate (no global switch-off of verification).
    const agent = new Agent({ connect: { ca: cert } });
    const client = new Client({ name: 'sdk1-tls', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(s.url), {
      requestInit: { headers: { Authorization: 'Bearer token-alice' } },
      fetch: (input, init) => undiciFetch(input as string, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    }));
    try {
      const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'over tls' } });
      assert.match(JSON.stringify(echo.content), /over tls/);
    } finally {
      await client.close();
      await agent.close();
    }
    await assert.rejects(raw(s.url.replace('https:', 'http:'), { headers: hdr('token-alice'), body: INIT }), /socket hang up|ECONNRESET|parse/i);
  });

  test('a session can be given a view without some servers (VS Code\'s chat without those it runs itself): not listed, not callable', async () => {
    const s = await start({ hideFor: req => (req.headers['x-mcp-host-view'] === 'vscode' ? (srv => srv.definition.name === 'memory') : undefined) });
    const list = async (view: Record<string, string>) => {
      // JSON answers only (no event stream), so a slow call is still one JSON body.
      const extra = { ...view, accept: 'application/json' };
      const init = await raw(s.url, { headers: hdr('token-alice', extra), body: INIT });
      const sid = String(init.headers['mcp-session-id']);
      const more = { ...extra, 'mcp-session-id': sid };
      await raw(s.url, { headers: hdr('token-alice', more), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      const tools = JSON.parse((await raw(s.url, { headers: hdr('token-alice', more), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).body).result.tools.map((t: { name: string }) => t.name);
      const call = JSON.parse((await raw(s.url, { headers: hdr('token-alice', more), body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'memory__read_graph', arguments: {} } }) })).body);
      return { tools: tools as string[], call };
    };
    const vscodeView = await list({ 'x-mcp-host-view': 'vscode' });
    assert.ok(vscodeView.tools.some(n => n.startsWith('everything__')) && !vscodeView.tools.some(n => n.startsWith('memory__')), vscodeView.tools.join(', '));
    assert.match(vscodeView.call.error?.message ?? '', /Unknown tool/);
    const full = await list({});
    assert.ok(full.tools.some(n => n.startsWith('memory__')));
    assert.ok(full.call.result, JSON.stringify(full.call));
  });

  test('End Session (the Servers view): the session is gone, its id unknown (404); an unknown label ends nothing', async () => {
    const init = await raw(url, { headers: hdr('token-carol'), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'to-be-ended', version: '1' } } }) });
    const sid = String(init.headers['mcp-session-id']);
    const info = gateway.sessionInfos().find(i => i.client?.name === 'to-be-ended');
    assert.ok(info, 'the session is listed by its client');
    assert.equal(gateway.endSession('session nobody…'), false);
    assert.equal(gateway.endSession(info.label), true);
    assert.ok(!gateway.sessionInfos().some(i => i.client?.name === 'to-be-ended'));
    const after = await raw(url, { headers: hdr('token-carol', { 'mcp-session-id': sid }), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(after.status, 404);
  });
});
