// Every HTTP request a transport makes asks one RequestAuth for its credentials, and a
// 401/403 goes to it: the Streamable HTTP POSTs, GET stream and DELETE, the legacy SSE
// stream and its POSTs, the WebSocket handshake. A loopback server here refuses anything
// without `Authorization: Bearer good`.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { McpClient } from '../../src/protocol/client.ts';
import { LocalError, RequestError } from '../../src/protocol/errors.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { MAX_AUTH_SENDS, type AuthRequest, type AuthResponse, type AuthVerdict, type RequestAuth } from '../../src/transports/requestAuth.ts';
import { WebSocketTransport } from '../../src/transports/websocket.ts';

const clientInfo = { name: 'auth-seam-test', version: '1' };
const CHALLENGE = 'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource/mcp", scope="mcp"';

/** Hands out `good` once challenged; records every question it is asked. */
class FakeAuth implements RequestAuth {
  token: string | undefined;
  readonly asked: { method: string; path: string; interactive: boolean }[] = [];
  readonly challenges: { method: string; path: string; status: number; www: string | undefined; had: boolean; attempt: number }[] = [];
  private readonly answer: (res: AuthResponse, attempt: number) => AuthVerdict | 'grant';
  constructor(answer: (res: AuthResponse, attempt: number) => AuthVerdict | 'grant' = () => 'grant') { this.answer = answer; }
  async headers(req: AuthRequest): Promise<Record<string, string>> {
    this.asked.push({ method: req.method, path: req.url.pathname, interactive: req.interactive });
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
  async challenge(req: AuthRequest, res: AuthResponse, attempt: number): Promise<AuthVerdict> {
    this.challenges.push({ method: req.method, path: req.url.pathname, status: res.status, www: res.headers['www-authenticate'] as string | undefined, had: res.hadCredentials, attempt });
    const a = this.answer(res, attempt);
    if (a !== 'grant') return a;
    this.token = 'good';
    return { retry: true };
  }
}

describe('RequestAuth at every HTTP request site', () => {
  let server: http.Server;
  let wss: WebSocketServer;
  let base: string;
  const seen: string[] = [];
  const legacyStreams = new Map<string, http.ServerResponse>();
  const getStreams: http.ServerResponse[] = [];
  /** Resolved when a GET stream with the token arrives (the transport opens it after initialize). */
  let gotAuthorizedGet: () => void = () => {};

  before(async () => {
    server = http.createServer((req, res) => {
      const ok = req.headers.authorization === 'Bearer good';
      seen.push(`${req.method} ${req.url?.split('?')[0]} ${ok ? 'auth' : 'none'}`);
      if (!ok) { res.writeHead(401, { 'www-authenticate': CHALLENGE }).end(); return; }
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/legacy' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: endpoint\ndata: /legacy/messages?sessionId=L1\n\n');
        legacyStreams.set('L1', res);
        return;
      }
      if (req.method === 'GET') {
        gotAuthorizedGet();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': open\n\n');
        getStreams.push(res);
        return;
      }
      if (req.method === 'DELETE') { res.writeHead(200).end(); return; }
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        const m = JSON.parse(body);
        if (url.pathname === '/gone') { res.writeHead(404).end('no such thing'); return; }
        const result = m.method === 'initialize'
          ? { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'guarded', version: '1' } }
          : m.method === 'tools/list' ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] } : {};
        if (url.pathname === '/legacy/messages') {
          res.writeHead(202).end();
          if (m.id !== undefined) legacyStreams.get(url.searchParams.get('sessionId')!)?.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result })}\n\n`);
          return;
        }
        if (m.id === undefined) { res.writeHead(202).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json', ...(m.method === 'initialize' ? { 'mcp-session-id': 'S1' } : {}) });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
      });
    });
    wss = new WebSocketServer({
      noServer: true,
      handleProtocols: p => p.has('mcp') ? 'mcp' : false,
    });
    server.on('upgrade', (req, socket, head) => {
      const ok = req.headers.authorization === 'Bearer good';
      seen.push(`UPGRADE ${req.url} ${ok ? 'auth' : 'none'}`);
      if (!ok) {
        socket.end(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${CHALLENGE}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, ws => {
        ws.on('message', data => {
          const m = JSON.parse(String(data));
          if (m.id === undefined) return;
          const result = m.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'ws', version: '1' } } : { tools: [] };
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
        });
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    for (const s of [...legacyStreams.values(), ...getStreams]) s.destroy();
    wss.close();
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  test('Streamable HTTP: the first 401 is challenged once, then every POST, the GET stream and the DELETE carry the token', async () => {
    seen.length = 0;
    const auth = new FakeAuth();
    const getArrived = new Promise<void>(r => { gotAuthorizedGet = r; });
    const transport = new StreamableHttpTransport({ url: `${base}/mcp`, auth });
    const client = await McpClient.create(transport, { name: 'guarded', clientInfo, capabilities: {} });
    assert.equal((await client.listTools())[0]!.name, 'echo');
    // The GET stream opens after initialize: wait for the server to see it (with the token).
    await getArrived;
    await client.close();
    assert.deepEqual(auth.challenges, [{ method: 'POST', path: '/mcp', status: 401, www: CHALLENGE, had: false, attempt: 1 }]);
    assert.deepEqual(seen.filter(s => s.endsWith('none')), ['POST /mcp none'], 'only the first request went without the token');
    for (const want of ['POST /mcp auth', 'GET /mcp auth', 'DELETE /mcp auth']) assert.ok(seen.includes(want), `${want} in ${seen.join(', ')}`);
    // Nobody waits in person on the GET stream or the DELETE: the authorizer is told so.
    assert.ok(auth.asked.some(a => a.method === 'GET' && !a.interactive));
    assert.ok(auth.asked.some(a => a.method === 'DELETE' && !a.interactive));
    assert.ok(auth.asked.filter(a => a.method === 'POST').every(a => a.interactive));
  });

  test('legacy HTTP+SSE: the event stream and the POSTs to its endpoint ask too', async () => {
    seen.length = 0;
    const auth = new FakeAuth();
    const client = await McpClient.create(new StreamableHttpTransport({ url: `${base}/legacy`, mode: 'sse', auth }), { name: 'legacy', clientInfo, capabilities: {} });
    await client.listTools();
    await client.close();
    assert.deepEqual(auth.challenges.map(c => `${c.method} ${c.path}`), ['GET /legacy']);
    assert.deepEqual(seen.filter(s => s.endsWith('none')), ['GET /legacy none']);
    assert.ok(seen.includes('POST /legacy/messages auth'));
  });

  test('WebSocket: a refused handshake is challenged and opened again with the token', async () => {
    seen.length = 0;
    const auth = new FakeAuth();
    const client = await McpClient.create(new WebSocketTransport({ url: `${base.replace('http', 'ws')}/ws`, auth }), { name: 'ws', clientInfo, capabilities: {} });
    await client.close();
    assert.deepEqual(seen, ['UPGRADE /ws none', 'UPGRADE /ws auth']);
    assert.equal(auth.challenges[0]!.status, 401);
    assert.equal(auth.challenges[0]!.www, CHALLENGE);
  });

  test('WebSocket without an authorizer: a 401 is an auth error, not a transport one', async () => {
    await assert.rejects(McpClient.create(new WebSocketTransport({ url: `${base.replace('http', 'ws')}/ws` }), { name: 'ws', clientInfo, capabilities: {} }),
      (err: unknown) => err instanceof LocalError ? err.code === 'auth' : err instanceof RequestError && err.cause instanceof LocalError && err.cause.code === 'auth');
  });

  test('an authorizer that says no fails the request with its own error (code auth), sent once', async () => {
    seen.length = 0;
    const auth = new FakeAuth(() => ({ retry: false, error: new LocalError('auth', 'guarded needs you to sign in') }));
    await assert.rejects(McpClient.create(new StreamableHttpTransport({ url: `${base}/mcp`, auth }), { name: 'guarded', clientInfo, capabilities: {} }),
      (err: unknown) => {
        const cause = err instanceof RequestError ? err.cause : err;
        return cause instanceof LocalError && cause.code === 'auth' && /sign in/.test(cause.message);
      });
    assert.deepEqual(seen, ['POST /mcp none'], 'no fallback to legacy SSE after a refused sign-in');
  });

  test('an authorizer that keeps saying retry is stopped after MAX_AUTH_SENDS sends', async () => {
    seen.length = 0;
    const auth = new FakeAuth(() => ({ retry: true }));
    await assert.rejects(McpClient.create(new StreamableHttpTransport({ url: `${base}/mcp`, auth }), { name: 'guarded', clientInfo, capabilities: {} }),
      (err: unknown) => {
        const cause = err instanceof RequestError ? err.cause : err;
        return cause instanceof LocalError && cause.code === 'auth' && /still refused/.test(cause.message);
      });
    assert.equal(seen.length, MAX_AUTH_SENDS);
    assert.deepEqual(auth.challenges.map(c => c.attempt), Array.from({ length: MAX_AUTH_SENDS }, (_, i) => i + 1));
  });

  test('a 404 to an initialize that carried credentials is not taken for a legacy server', async () => {
    seen.length = 0;
    const auth = new FakeAuth();
    auth.token = 'good';
    await assert.rejects(McpClient.create(new StreamableHttpTransport({ url: `${base}/gone`, auth }), { name: 'gone', clientInfo, capabilities: {} }),
      (err: unknown) => /HTTP 404 from POST .*\/gone with credentials/.test(String((err as Error).message)));
    assert.deepEqual(seen, ['POST /gone auth'], 'no GET for a legacy event stream');
  });
});
