// An in-process Streamable HTTP server for the transport's tests, on loopback: it counts
// its TCP connections (open, peak, accepted), its sessions and what each was told
// (initialize, resources/subscribe, logging/setLevel, lists), and it can be made awkward
// on purpose: POST answers on SSE streams it never closes, sessions it forgets, a GET
// stream that fails, 401s. Everything waits on events, never on time.

import { EventEmitter } from 'node:events';
import * as http from 'node:http';

export type Msg = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: any; result?: any; error?: any };

export interface FixtureSession {
  id: string;
  subscribes: string[];
  levels: string[];
  lists: string[];
  getStreams: Set<http.ServerResponse>;
}

export interface FixtureOptions {
  /** Answer requests on an SSE stream, ended after the answer (as the SDK does). */
  sse?: boolean;
  /** Answer requests on an SSE stream left open after the answer (default: JSON bodies). */
  keepStreamsOpen?: boolean;
  /** Before the answer, on the same stream: a notification and a `ping` request to us. */
  chatty?: boolean;
}

export class HttpFixture {
  readonly server: http.Server;
  base = '';
  readonly opts: FixtureOptions;
  /** TCP connections: now, the most at once, in all. */
  open = 0;
  peak = 0;
  accepted = 0;
  initializeCalls = 0;
  readonly sessions = new Map<string, FixtureSession>();
  readonly forgotten = new Set<string>();
  /** GET: 'stream' (an SSE stream kept open), 'none' (405), or a status to fail with. */
  getMode: 'stream' | 'none' | number = 'none';
  getCount = 0;
  /** Answer POST initialize with this status instead (500: a server that cannot start a session). */
  initializeStatus: number | undefined;
  postStatus: number | undefined;
  /** Fires 'close' (a connection ended), 'initialize', 'subscribe', 'setLevel', 'get', 'list', 'answer'. */
  readonly events = new EventEmitter();
  private readonly parked = new Map<string, string>();
  private readonly openResponses = new Set<http.ServerResponse>();
  private nextSession = 0;

  constructor(options: FixtureOptions = {}) {
    this.opts = options;
    this.events.setMaxListeners(0);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', socket => {
      this.open++;
      this.accepted++;
      if (this.open > this.peak) this.peak = this.open;
      socket.on('close', () => { this.open--; this.events.emit('close'); });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  get url(): string { return `${this.base}/mcp`; }

  /** Forgets every session (HTTP 404 from now on) and ends their GET streams. */
  expireAll(): void {
    for (const s of this.sessions.values()) {
      for (const r of s.getStreams) r.end();
      this.forgotten.add(s.id);
    }
    this.sessions.clear();
  }

  /** Resolves once `check()` holds, re-checked on every event of the fixture. */
  until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const names = ['close', 'initialize', 'subscribe', 'setLevel', 'get', 'list', 'answer'];
      const on = () => { if (check()) { done(); resolve(); } };
      const timer = setTimeout(() => { done(); reject(new Error(`fixture: ${what} did not happen in ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); for (const n of names) this.events.off(n, on); };
      for (const n of names) this.events.on(n, on);
    });
  }

  /** Sends a notification on every open GET stream. */
  notifyAll(method: string, params: Record<string, unknown>): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      for (const r of s.getStreams) { r.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method, params })}\n\n`); n++; }
    }
    return n;
  }

  async close(): Promise<void> {
    for (const r of this.openResponses) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>(r => this.server.close(() => r()));
  }

  private result(m: Msg, session: FixtureSession | undefined): unknown {
    switch (m.method) {
      case 'initialize':
        return { protocolVersion: '2025-11-25', capabilities: { tools: {}, resources: { subscribe: true }, logging: {} }, serverInfo: { name: 'http-fixture', version: '1' } };
      case 'tools/list': session?.lists.push('tools'); this.events.emit('list'); return { tools: [{ name: 'echo', inputSchema: { type: 'object' } }, { name: 'cut', inputSchema: { type: 'object' } }] };
      case 'resources/list': session?.lists.push('resources'); this.events.emit('list'); return { resources: [{ uri: 'test://a', name: 'a' }] };
      case 'resources/templates/list': return { resourceTemplates: [] };
      case 'resources/subscribe': session?.subscribes.push(m.params.uri); this.events.emit('subscribe'); return {};
      case 'resources/unsubscribe': return {};
      case 'logging/setLevel': session?.levels.push(m.params.level); this.events.emit('setLevel'); return {};
      case 'tools/call': return { content: [{ type: 'text', text: `called ${m.params?.name} ${JSON.stringify(m.params?.arguments ?? {})}` }] };
      default: return {};
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sid = req.headers['mcp-session-id'] as string | undefined;
    const session = sid ? this.sessions.get(sid) : undefined;
    if (req.method === 'DELETE') { if (sid) this.sessions.delete(sid); res.writeHead(200).end(); return; }
    if (req.method === 'GET') return this.handleGet(req, res, sid, session);
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      const m = JSON.parse(body) as Msg;
      if (this.postStatus) { res.writeHead(this.postStatus).end(); return; }
      if (m.method === 'initialize') {
        this.initializeCalls++;
        if (this.initializeStatus) { res.writeHead(this.initializeStatus, { 'content-type': 'text/plain' }).end('cannot start a session'); this.events.emit('initialize'); return; }
        const id = `s${++this.nextSession}`;
        this.sessions.set(id, { id, subscribes: [], levels: [], lists: [], getStreams: new Set() });
        this.events.emit('initialize');
        return this.answer(res, m, this.result(m, undefined), { 'mcp-session-id': id });
      }
      if (!session) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown session"}'); return; }
      if (m.id === undefined || m.method === undefined) { res.writeHead(202).end(); return; }
      if (m.method === 'tools/call' && m.params?.name === 'cut') {
        // A priming event with an id, then the stream breaks before the answer; the
        // answer waits for a GET with Last-Event-ID.
        const evId = `ev-${sid}-${m.id}`;
        this.parked.set(evId, JSON.stringify({ jsonrpc: '2.0', id: m.id, result: this.result(m, session) }));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`id: ${evId}\nretry: 1\ndata: \n\n`);
        return;
      }
      this.answer(res, m, this.result(m, session));
    });
  }

  private answer(res: http.ServerResponse, m: Msg, result: unknown, headers: Record<string, string> = {}): void {
    const reply = JSON.stringify({ jsonrpc: '2.0', id: m.id, result });
    if (!this.opts.sse && !this.opts.keepStreamsOpen && !this.opts.chatty) {
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(reply);
      this.events.emit('answer');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    if (this.opts.chatty && m.method !== 'initialize') {
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: `about ${m.id}` } })}\n\n`);
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: `srv-${m.id}`, method: 'ping' })}\n\n`);
    }
    res.write(`id: a-${m.id}\ndata: ${reply}\n\n`);
    this.events.emit('answer');
    if (this.opts.keepStreamsOpen) this.keepOpen(res);
    else res.end();
  }

  private keepOpen(res: http.ServerResponse): void {
    this.openResponses.add(res);
    res.on('close', () => this.openResponses.delete(res));
  }

  private handleGet(req: http.IncomingMessage, res: http.ServerResponse, sid: string | undefined, session: FixtureSession | undefined): void {
    const last = req.headers['last-event-id'] as string | undefined;
    if (last && this.parked.has(last)) {
      const reply = this.parked.get(last)!;
      this.parked.delete(last);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: ${last}-2\ndata: ${reply}\n\n`);
      this.events.emit('answer');
      if (this.opts.keepStreamsOpen) this.keepOpen(res); else res.end();
      return;
    }
    this.getCount++;
    if (sid && !session) res.writeHead(404).end();
    else if (this.getMode === 'none') res.writeHead(405).end();
    else if (typeof this.getMode === 'number') res.writeHead(this.getMode, { 'content-type': 'text/plain' }).end('the event stream is unavailable');
    else {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      session?.getStreams.add(res);
      this.keepOpen(res);
      res.on('close', () => session?.getStreams.delete(res));
    }
    this.events.emit('get');
  }
}
