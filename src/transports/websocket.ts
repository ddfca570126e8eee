// WebSocket transport (subprotocol `mcp`, one JSON-RPC message per text frame). Not a
// transport of the MCP spec: we keep it because servers built on the full-spec Rust
// library this product descends from offer it. A dropped socket ends the transport
// with the reason; the server manager then reconnects with its restart backoff, with a
// fresh handshake, because a new socket is a new session to the server.

import { createRequire } from 'node:module';
import { BUNDLED, requireBeside } from '../base/bundled.ts';
import { LocalError, errorMessage } from '../protocol/errors.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { serializeMessage } from '../protocol/jsonrpc.ts';
import type { IncomingHttpHeaders } from 'node:http';
import { authError, redact } from './httpRequest.ts';
import { MAX_AUTH_SENDS, hasAuthorization, type RequestAuth } from './requestAuth.ts';
import { TransportBase } from './base.ts';
import type { Transport } from './transport.ts';
import type WebSocketType from 'ws';

/**
 * `ws` is loaded on first use: most users never configure a WebSocket server. In the
 * bundles it lives in its own file (dist/ws.js, see esbuild.mjs), so the extension does
 * not carry it until needed; from sources it is the package itself.
 */
function loadWs(): typeof WebSocketType {
  return BUNDLED ? requireBeside<typeof WebSocketType>('ws.js') : createRequire(import.meta.url)('ws');
}

export interface WebSocketTransportOptions {
  url: string;
  headers?: Record<string, string>;
  maxMessageBytes?: number;
  /** Time allowed to open the socket. */
  connectTimeoutMs?: number;
  /** Credentials for the handshake (requestAuth.ts). */
  auth?: RequestAuth;
}

export class WebSocketTransport extends TransportBase implements Transport {
  private readonly opts: WebSocketTransportOptions;
  private socket: WebSocketType | undefined;
  private closing = false;


  constructor(options: WebSocketTransportOptions) {
    super();
    this.opts = options;
  }


  async start(): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.setState({ kind: 'starting' });
    const WebSocket = loadWs();
    const url = new URL(this.opts.url);
    const auth = this.opts.auth;
    try {
      for (let attempt = 1; ; attempt++) {
        const req = { method: 'GET' as const, url, interactive: true };
        const extra = auth ? await auth.headers(req) : {};
        const refused = await this.connect(WebSocket, { ...this.opts.headers, ...extra });
        if (!refused) return;
        if (refused.status !== 401 && refused.status !== 403) throw refused.error;
        // A 401/403 is an authorization problem, never a transport one (and never retried as such).
        if (!auth) throw authError('GET', url, refused.status);
        const verdict = await auth.challenge(req, { status: refused.status, headers: refused.headers, hadCredentials: hasAuthorization(extra) }, attempt);
        if (!verdict.retry) throw verdict.error;
        if (attempt >= MAX_AUTH_SENDS) throw authError('GET', url, refused.status);
      }
    } catch (err) {
      this.setState({ kind: 'stopped', error: { message: errorMessage(err) } });
      throw err;
    }
  }

  /** One handshake: resolves once open, or with the HTTP answer that refused the upgrade; rejects on other failures. */
  private connect(WebSocket: typeof WebSocketType, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; error: LocalError } | undefined> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.opts.url, ['mcp'], {
        headers,
        maxPayload: this.opts.maxMessageBytes ?? 512 * 1024 * 1024,
        handshakeTimeout: this.opts.connectTimeoutMs ?? 30_000,
        perMessageDeflate: false,
      });
      this.socket = ws;
      let opened = false;
      const current = () => this.socket === ws;
      ws.on('open', () => { opened = true; this.setState({ kind: 'running' }); resolve(undefined); });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => { if (body.length < 1000) body += c.toString(); });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ status, headers: res.headers, error: new LocalError('transport', `WebSocket ${redact(new URL(this.opts.url))}: HTTP ${status}${body ? `: ${body.trim().slice(0, 300)}` : ''}`) });
        });
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) { this.log('warning', 'ignored a binary frame'); return; }
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
        let value: unknown;
        try { value = JSON.parse(text); } catch (err) {
          this.log('warning', `skipped a frame that is not JSON (${(err as Error).message})`);
          return;
        }
        this._onDidReceiveMessage.fire(value);
      });
      ws.on('error', err => {
        if (!opened) {
          reject(new LocalError('transport', `WebSocket ${redact(new URL(this.opts.url))} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, err));
        } else {
          this.log('error', `WebSocket error: ${err.message}`);
        }
      });
      ws.on('close', (code, reason) => {
        // A handshake that was refused, or a socket replaced by a retry, ends nothing.
        if (!opened || !current()) return;
        if (this.closing) { this.setState({ kind: 'stopped' }); return; }
        const why = reason.toString() || (code === 1006 ? 'connection lost' : `code ${code}`);
        this.setState({ kind: 'stopped', error: { message: `the WebSocket closed: ${why}` } });
      });
    });
  }

  send(message: JsonRpcMessage): Promise<void> {
    const ws = this.socket;
    if (!ws || this._state.kind !== 'running') return Promise.reject(new LocalError('transport', 'the WebSocket is not open'));
    return new Promise((resolve, reject) => {
      ws.send(serializeMessage(message), err => err ? reject(new LocalError('transport', `WebSocket send failed: ${errorMessage(err)}`, err)) : resolve());
    });
  }

  async close(): Promise<void> {
    const ws = this.socket;
    if (!ws || this._state.kind === 'stopped') { this.setState({ kind: 'stopped' }); return; }
    this.closing = true;
    await new Promise<void>(resolve => {
      const t = setTimeout(() => { ws.terminate(); resolve(); }, 2000);
      ws.once('close', () => { clearTimeout(t); resolve(); });
      ws.close(1000, 'client closing');
    });
    this.setState({ kind: 'stopped' });
  }

  dispose(): void { void this.close(); }


}
