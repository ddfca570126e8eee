// A deliberately awkward Streamable HTTP server, in-process on loopback: streams cut
// mid-response (resumed with Last-Event-ID after `retry`), 500s, a 5 MB SSE event,
// sessions that expire (404 → a new session, transparently), a server that only
// speaks legacy SSE (fallback), and one that closes a stream for good.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { McpClient } from '../../src/protocol/client.ts';
import type { RequestError } from '../../src/protocol/errors.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';

type Msg = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: any };
const clientInfo = { name: 'quirks-test', version: '1' };

describe('Streamable HTTP against an awkward server', () => {
  let server: http.Server;
  let base: string;
  let sessionCounter = 0;
  const sessions = new Set<string>();
  const log: string[] = [];
  /** Responses kept for resumption: event id → SSE payload. */
  const parked = new Map<string, string>();

  const result = (m: Msg) => {
    if (m.method === 'initialize') return { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'quirks', version: '1' } };
    if (m.method === 'tools/list') return { tools: ['echo', 'cut', 'boom', 'huge', 'cut-forever'].map(name => ({ name, inputSchema: { type: 'object' } })) };
    if (m.method === 'tools/call') return { content: [{ type: 'text', text: `called ${m.params.name}` }] };
    return {};
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const sid = req.headers['mcp-session-id'] as string | undefined;
      log.push(`${req.method} ${req.url} sid=${sid ?? '-'} last=${req.headers['last-event-id'] ?? '-'} v=${req.headers['mcp-protocol-version'] ?? '-'}`);
      if (req.url === '/legacy-only/mcp') {
        if (req.method === 'POST') { res.writeHead(405).end(); return; }
      }
      if (req.url?.startsWith('/legacy-only')) return legacy(req, res);
      if (req.method === 'DELETE') { if (sid) sessions.delete(sid); res.writeHead(200).end(); return; }
      if (req.method === 'GET') {
        const last = req.headers['last-event-id'] as string | undefined;
        if (last && parked.has(last)) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`id: ${last}-2\ndata: ${parked.get(last)}\n\n`);
          parked.delete(last);
          return;
        }
        res.writeHead(405).end();
        return;
      }
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        const m = JSON.parse(body) as Msg;
        if (m.method !== 'initialize' && (!sid || !sessions.has(sid))) { res.writeHead(404).end('{"error":"unknown session"}'); return; }
        if (m.id === undefined) { res.writeHead(202).end(); return; }
        const name = m.params?.name;
        if (m.method === 'initialize') {
          const id = `s${++sessionCounter}`;
          sessions.add(id);
          res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': id });
          res.end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: result(m) }));
          return;
        }
        if (name === 'never') { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.flushHeaders(); return; }
        if (name === 'boom') { res.writeHead(500, { 'content-type': 'text/plain' }).end('database on fire'); return; }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (name === 'cut' || name === 'cut-forever') {
          // A priming event with an id and a retry, then the stream closes before the answer.
          const evId = `ev-${m.id}`;
          if (name === 'cut') parked.set(evId, JSON.stringify({ jsonrpc: '2.0', id: m.id, result: result(m) }));
          res.end(`id: ${evId}\nretry: 150\ndata: \n\n`);
          return;
        }
        if (name === 'huge') {
          const text = 'z'.repeat(5 * 1024 * 1024);
          res.end(`id: h1\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text }] } })}\n\n`);
          return;
        }
        res.end(`data: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: result(m) })}\n\n`);
      });
    });
    const legacyStreams = new Map<string, http.ServerResponse>();
    function legacy(req: http.IncomingMessage, res: http.ServerResponse) {
      if (req.method === 'GET') {
        const id = `L${++sessionCounter}`;
        legacyStreams.set(id, res);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: endpoint\ndata: /legacy-only/messages?sessionId=${id}\n\n`);
        return;
      }
      const id = new URL(req.url!, 'http://x').searchParams.get('sessionId')!;
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        const m = JSON.parse(body) as Msg;
        res.writeHead(202).end('Accepted');
        if (m.id !== undefined) legacyStreams.get(id)?.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: result(m) })}\n\n`);
      });
    }
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }));

  async function connect(path = '/mcp', mode: 'auto' | 'sse' = 'auto') {
    const t = new StreamableHttpTransport({ url: base + path, mode, reconnect: { initialDelayMs: 50, maxRetries: 3 } });
    const logs: string[] = [];
    t.onDidLog(l => logs.push(l.message));
    const c = await McpClient.create(t, { name: 'quirks', clientInfo, capabilities: {}, requestTimeoutMs: 10_000 });
    await c.listTools();
    return { c, t, logs };
  }

  test('session id and protocol version headers; DELETE on close', async () => {
    const { c, t } = await connect();
    const sid = t.currentSessionId!;
    assert.match(sid, /^s\d+$/);
    await c.callTool('echo', {});
    assert.ok(log.some(l => l.startsWith('POST /mcp') && l.includes(`sid=${sid}`) && l.includes('v=2025-11-25')));
    await c.close();
    assert.ok(log.some(l => l.startsWith(`DELETE /mcp sid=${sid}`)));
    assert.equal(sessions.has(sid), false);
  });

  test('a stream cut before the answer resumes with Last-Event-ID after the server\'s retry', async () => {
    const { c, logs } = await connect();
    const t0 = Date.now();
    const r = await c.callTool('cut', {});
    assert.deepEqual(r.content, [{ type: 'text', text: 'called cut' }]);
    assert.ok(Date.now() - t0 >= 140, 'waited for retry: 150');
    assert.ok(log.some(l => /^GET \/mcp .* last=ev-\d+/.test(l)));
    assert.ok(logs.some(l => /resuming from event ev-/.test(l)));
    await c.close();
  });

  test('a stream that cannot be resumed fails the call with a clear error, not a cancellation', async () => {
    const { c } = await connect();
    await assert.rejects(c.callTool('cut-forever', {}), (e: RequestError) => !e.isCancellation && /quirks › tools\/call: resuming the stream failed: HTTP 405/.test(e.message));
    await c.close();
  });

  test('HTTP 500 names the status and what the body said', async () => {
    const { c } = await connect();
    await assert.rejects(c.callTool('boom', {}), (e: RequestError) => /^quirks › tools\/call: HTTP 500 from POST http:\/\/127\.0\.0\.1:\d+\/mcp: database on fire$/.test(e.message));
    await c.close();
  });

  test('a 5 MB SSE event arrives whole', async () => {
    const { c } = await connect();
    const r = await c.callTool('huge', {});
    assert.equal((r.content[0] as { text: string }).text.length, 5 * 1024 * 1024);
    await c.close();
  });

  test('a 404 on the session starts a new one transparently and says so', async () => {
    const { c, t, logs } = await connect();
    const old = t.currentSessionId!;
    sessions.delete(old); // the server forgets us
    const r = await c.callTool('echo', {});
    assert.deepEqual(r.content, [{ type: 'text', text: 'called echo' }]);
    assert.notEqual(t.currentSessionId, old);
    assert.ok(logs.some(l => l.includes(`session ${old} expired`)));
    await c.close();
  });

  test('falls back to legacy HTTP+SSE when POST initialize gets 405', async () => {
    const { c, t, logs } = await connect('/legacy-only/mcp');
    assert.equal(t.activeMode, 'sse');
    assert.ok(logs.some(l => /trying the legacy HTTP\+SSE transport/.test(l)));
    assert.deepEqual((await c.callTool('echo', {})).content, [{ type: 'text', text: 'called echo' }]);
    await c.close();
  });

  test('requests that time out or are cancelled release their sockets (the server never answers them)', async () => {
    const { c } = await connect();
    for (let batch = 0; batch < 7; batch++) {
      await Promise.all(Array.from({ length: 10 }, () => c.callTool('never', {}, { timeoutMs: 40 }).catch(e => e)));
    }
    const ctrl = new AbortController();
    const cancelled = c.callTool('never', {}, { signal: ctrl.signal }).catch(e => e);
    ctrl.abort();
    await cancelled;
    // 71 abandoned streams: with them holding sockets, a 64-socket pool would never serve this.
    assert.deepEqual((await c.callTool('echo', {}, { timeoutMs: 5000 })).content, [{ type: 'text', text: 'called echo' }]);
    await c.close();
  });

  test('connection refused says which URL and why', async () => {
    const t = new StreamableHttpTransport({ url: 'http://127.0.0.1:9/mcp' });
    await assert.rejects(McpClient.create(t, { name: 'down', clientInfo, capabilities: {} }),
      (e: Error) => /^down › initialize: POST http:\/\/127\.0\.0\.1:9\/mcp failed: ECONNREFUSED — is the server running/.test(e.message));
  });
});
