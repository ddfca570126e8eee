// The gateway over Streamable HTTP (issue 13): `POST/GET/DELETE /mcp` on 127.0.0.1.
// Every request is checked before anything else, in this order:
//   Host (DNS rebinding: only the loopback names of our own port) → 403;
//   Origin (a browser page: only the allow-list) → 403;
//   the bearer token → 401 (WWW-Authenticate: Bearer), failures rate-bounded → 429.
// Sessions: `Mcp-Session-Id` minted on initialize; a global cap and a per-principal cap
// (503 / 429 with a JSON-RPC error that says which); an idle timeout; DELETE ends one.
// CORS for allowed origins (credentials, preflight cache, the MCP headers). A shutdown ends
// the streams and waits a bounded time for answers in flight.

import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ErrorCode } from '../protocol/errors.ts';
import { SUPPORTED_PROTOCOL_VERSIONS } from '../protocol/types.ts';
import type { ManagedServer } from '../host/types.ts';
import type { Gateway } from './gateway.ts';
import { HEARTBEAT_MS, HttpSessionTransport, type HttpSessionLimits } from './httpSession.ts';
import { handleStatelessPost, isStatelessPost } from './statelessHttp.ts';

export interface HttpGatewayOptions {
  gateway: Gateway;
  /** 0 (default): any free port. Always 127.0.0.1. */
  port?: number;
  /** HTTPS with the user's certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The principal a request's Authorization header proves, or undefined (401). May be async (JWT with a key set to fetch). */
  authenticate: (authorization: string | undefined) => { principal: string } | undefined | Promise<{ principal: string } | undefined>;
  /** Origins a browser client may call from (exact, e.g. "http://localhost:5173"); none by default. */
  allowedOrigins?: readonly string[];
  maxSessions?: number;
  maxSessionsPerPrincipal?: number;
  idleTimeoutMs?: number;
  maxBodyBytes?: number;
  limits?: Partial<HttpSessionLimits>;
  /** Failed authentications answered 401 at once and per second; past them, 429 (defaults 20 and 5). */
  authRate?: { burst: number; perSecond: number };
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Servers a new session does not see, from its initialize request (VS Code's chat, by a header its definition sends). */
  hideFor?: (req: IncomingMessage) => ((server: ManagedServer) => boolean) | undefined;
}

/** `authenticate` for one static token: the whole header compared in constant time; principal "token". */
export function bearerToken(token: string): HttpGatewayOptions['authenticate'] {
  const expected = Buffer.from(`Bearer ${token}`);
  return header => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected) ? { principal: 'token' } : undefined;
  };
}

const DEFAULTS = { maxSessions: 64, maxSessionsPerPrincipal: 16, idleTimeoutMs: 30 * 60_000, maxBodyBytes: 4 * 1024 * 1024 };
const CORS_HEADERS = 'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id, mcp-method, mcp-name';
const AUTH_RATE = { burst: 20, perSecond: 5 };

function jsonError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) { res.end(); return; }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

/** The body as text, or undefined past `max` bytes (the rest is not read). One chunk is not copied. */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) { req.removeAllListeners('data'); req.resume(); resolve(undefined); return; }
      chunks.push(c);
    });
    req.once('end', () => resolve(size > max ? undefined : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    req.once('error', reject);
  });
}

export class HttpGatewayServer {
  private readonly opts: HttpGatewayOptions;
  private server: Server | undefined;
  private port = 0;
  private readonly sessions = new Map<string, HttpSessionTransport>();
  private readonly sockets = new Set<Socket>();
  private sweep: ReturnType<typeof setInterval> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private authTokens: number;
  private authAt = Date.now();
  /** Refused authentications, for the log and the tests. */
  authFailures = 0;

  constructor(opts: HttpGatewayOptions) {
    this.opts = opts;
    this.authTokens = (opts.authRate ?? AUTH_RATE).burst;
  }

  get url(): string { return `${this.scheme}://127.0.0.1:${this.port}/mcp`; }
  private get scheme(): 'http' | 'https' { return this.opts.tls ? 'https' : 'http'; }
  get sessionCount(): number { return this.sessions.size; }

  async listen(): Promise<string> {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => { this.handle(req, res).catch(err => { this.opts.log?.('error', `gateway HTTP: ${String(err)}`); jsonError(res, 500, ErrorCode.InternalError, 'internal error'); }); };
    const server: Server = this.opts.tls ? createTlsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, onRequest) : createServer(onRequest);
    // Every connection, plain or TLS (the raw socket), so a shutdown can end them.
    server.on('connection', s => { this.sockets.add(s); s.once('close', () => this.sockets.delete(s)); });
    if (this.opts.tls) server.on('tlsClientError', (err: Error) => this.opts.log?.('warning', `a TLS connection failed: ${err.message}`));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve()); });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    const names = ['127.0.0.1', 'localhost', '[::1]'].map(h => `${h}:${this.port}`);
    this.ownHosts = new Set(names);
    this.ownOrigins = new Set(names.map(n => `${this.scheme}://${n}`));
    const idle = this.opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const s of [...this.sessions.values()]) if (s.openStreams === 0 && now - s.lastActivity > idle) this.end(s, 'idle');
    }, Math.min(60_000, Math.max(1_000, idle / 4)));
    this.sweep.unref();
    this.heartbeat = setInterval(() => { for (const s of this.sessions.values()) s.heartbeat(); }, HEARTBEAT_MS);
    this.heartbeat.unref();
    return this.url;
  }

  private end(s: HttpSessionTransport, why: string): void {
    this.sessions.delete(s.id);
    void s.close();
    this.opts.log?.('info', `session ${s.id.slice(0, 8)}… ended (${why})`);
  }

  /**
   * Ends one idle session that `which` picks — one with nothing open first, else one that only
   * listens on its GET stream; the least recently active of them. False when all are busy.
   */
  private evict(which: (s: HttpSessionTransport) => boolean, why: string): boolean {
    const idle = [...this.sessions.values()].filter(s => which(s) && !s.busy)
      .sort((a, b) => Number(a.listening) - Number(b.listening) || a.lastActivity - b.lastActivity)[0];
    if (!idle) return false;
    this.opts.log?.('warning', `session ${idle.id.slice(0, 8)}… ended to make room: ${why} and it was the least recently used idle one`);
    this.end(idle, 'evicted');
    return true;
  }

  /** Our own `host:port` names and loopback origins, set once the port is known. */
  private ownHosts = new Set<string>();
  private ownOrigins = new Set<string>();

  private hostAllowed(host: string | undefined): boolean {
    return host !== undefined && (this.ownHosts.has(host) || this.ownHosts.has(host.toLowerCase()));
  }

  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    // The gateway's own origins (a page it served, a client that says where it talks to) and the allow-list.
    if (!this.ownOrigins.has(origin.toLowerCase()) && !(this.opts.allowedOrigins ?? []).includes(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-expose-headers', 'mcp-session-id, mcp-protocol-version');
    return true;
  }

  private authFailed(): boolean {
    const now = Date.now();
    const rate = this.opts.authRate ?? AUTH_RATE;
    this.authTokens = Math.min(rate.burst, this.authTokens + ((now - this.authAt) * rate.perSecond) / 1000);
    this.authAt = now;
    this.authFailures++;
    if (this.authTokens < 1) return false;
    this.authTokens -= 1;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hostAllowed(req.headers.host)) return jsonError(res, 403, ErrorCode.InvalidRequest, `Forbidden: Host ${JSON.stringify(req.headers.host ?? '')} is not this gateway (DNS rebinding protection)`);
    if (!this.cors(req, res)) return jsonError(res, 403, ErrorCode.InvalidRequest, `Forbidden: Origin ${JSON.stringify(req.headers.origin)} is not allowed`);
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': CORS_HEADERS, 'access-control-max-age': '600' }).end();
      return;
    }
    const proof = this.opts.authenticate(req.headers.authorization);
    const who = proof instanceof Promise ? await proof : proof;
    if (!who) {
      const counted = this.authFailed();
      if (!counted) return jsonError(res, 429, ErrorCode.InvalidRequest, 'Too many failed authentications; wait and try again', { 'retry-after': '1' });
      return jsonError(res, 401, ErrorCode.InvalidRequest, req.headers.authorization ? 'Unauthorized: the token is not valid' : 'Unauthorized: a bearer token is required', { 'www-authenticate': 'Bearer realm="mcp-host-gateway"' });
    }
    if (pathname !== '/mcp') return jsonError(res, 404, ErrorCode.InvalidRequest, `Not found: the gateway serves /mcp`);
    const version = req.headers['mcp-protocol-version'];
    // A POST without a session is judged once its body is read (a stateless 2026-07-28 client gets -32022 there).
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version) && (req.method !== 'POST' || req.headers['mcp-session-id'] !== undefined)) {
      return jsonError(res, 400, ErrorCode.InvalidRequest, `Unsupported MCP-Protocol-Version ${JSON.stringify(version)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    }
    const sid = req.headers['mcp-session-id'];
    const session = typeof sid === 'string' ? this.sessions.get(sid) : undefined;
    // One principal's session is nobody else's: a foreign id is as unknown as a made-up one.
    if (typeof sid === 'string' && (!session || session.principal !== who.principal)) return jsonError(res, 404, ErrorCode.InvalidRequest, 'Session not found: start a new one with initialize');
    switch (req.method) {
      case 'POST': return this.post(req, res, session, who.principal);
      case 'GET': {
        if (!session) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Bad request: GET needs an Mcp-Session-Id');
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) return jsonError(res, 406, ErrorCode.InvalidRequest, 'Not acceptable: GET opens an event stream (Accept: text/event-stream)');
        const last = req.headers['last-event-id'];
        session.open(res, typeof last === 'string' ? last : undefined);
        return;
      }
      case 'DELETE':
        if (!session) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Bad request: DELETE needs an Mcp-Session-Id');
        this.end(session, 'the client ended it');
        res.writeHead(200).end();
        return;
      default:
        res.writeHead(405, { allow: 'GET, POST, DELETE, OPTIONS' }).end();
    }
  }

  private async post(req: IncomingMessage, res: ServerResponse, session: HttpSessionTransport | undefined, principal: string): Promise<void> {
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return jsonError(res, 415, ErrorCode.InvalidRequest, 'Unsupported media type: POST a JSON-RPC message as application/json');
    const max = this.opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
    const text = await readBody(req, max);
    if (text === undefined) return jsonError(res, 413, ErrorCode.InvalidRequest, `Payload too large: at most ${max} bytes`);
    let body: unknown;
    try { body = JSON.parse(text); } catch { return jsonError(res, 400, ErrorCode.ParseError, 'Parse error: the body is not JSON'); }
    if (!session && isStatelessPost(req.headers, body)) return handleStatelessPost(this.opts.gateway.stateless, req, res, body, principal, this.opts.hideFor?.(req));
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return jsonError(res, 400, ErrorCode.InvalidRequest, `Unsupported MCP-Protocol-Version ${JSON.stringify(version)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.length) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Invalid request: an empty batch');
    const init = messages.find(m => (m as { method?: unknown })?.method === 'initialize');
    const accept = String(req.headers.accept ?? '');
    const mode = accept.includes('text/event-stream') ? 'sse' : 'json';
    if (init) {
      if (session) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Bad request: initialize starts a session; send it without Mcp-Session-Id');
      if (messages.length > 1) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Bad request: initialize must be sent alone');
      // At a cap, an idle session (nothing unanswered; a bare listener last) makes room: many
      // clients never send DELETE. Only when all are busy is the new one refused.
      const per = this.opts.maxSessionsPerPrincipal ?? DEFAULTS.maxSessionsPerPrincipal;
      if ([...this.sessions.values()].filter(s => s.principal === principal).length >= per && !this.evict(s => s.principal === principal, `the client reached its ${per} sessions`)) {
        this.opts.log?.('warning', `refused a new session: this client has ${per} sessions, all busy`);
        return jsonError(res, 429, ErrorCode.InternalError, `This client already has ${per} sessions, the limit per client, all busy; end one (DELETE) first`);
      }
      const cap = this.opts.maxSessions ?? DEFAULTS.maxSessions;
      if (this.sessions.size >= cap && !this.evict(() => true, `the gateway reached its ${cap} sessions`)) {
        this.opts.log?.('warning', `refused a new session: the gateway has ${cap} sessions, all busy`);
        return jsonError(res, 503, ErrorCode.InternalError, `The gateway has ${this.sessions.size} sessions, its limit, all busy; end one (DELETE) or try later`);
      }
      const id = randomUUID();
      const s = new HttpSessionTransport(id, principal, { replayEvents: 256, maxQueue: 1000, ...this.opts.limits }, n => this.opts.log?.('warning', `session ${id.slice(0, 8)}…: ${n} message(s) dropped, no stream was open and the queue is full`));
      this.sessions.set(id, s);
      try {
        const gs = await this.opts.gateway.serve(s, `session ${id.slice(0, 8)}…`, this.opts.hideFor?.(req));
        gs.onDidClose(() => { if (this.sessions.get(id) === s) this.sessions.delete(id); });
      } catch (err) {
        this.sessions.delete(id);
        return jsonError(res, 503, ErrorCode.InternalError, String((err as Error).message ?? err));
      }
      res.setHeader('mcp-session-id', id);
      s.post(messages, res, mode);
      return;
    }
    if (!session) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Bad request: no Mcp-Session-Id (initialize first)');
    session.post(messages, res, mode);
  }

  /** Stops listening, ends every session, and waits at most `graceMs` for answers in flight. */
  async close(graceMs = 2_000): Promise<void> {
    clearInterval(this.sweep);
    clearInterval(this.heartbeat);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>(resolve => server.close(() => resolve()));
    for (const s of [...this.sessions.values()]) this.end(s, 'the gateway stopped');
    this.opts.gateway.stateless.closeStreams();
    const timer = setTimeout(() => { for (const s of this.sockets) s.destroy(); }, graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
}
