// Streamable HTTP (spec 2025-11-25), with the legacy HTTP+SSE transport (2024-11-05)
// as a fallback or by choice. Each message is a POST; the answer is JSON, 202, or an
// SSE stream that may carry the server's requests and notifications before the
// response. A broken stream is resumed with Last-Event-ID after the server's `retry`;
// a 404 on a session starts a new one transparently. The transport only moves
// messages: it looks at one thing in them, the `initialize` request, which it keeps
// so that it can re-establish an expired session on its own.

import type { IncomingMessage } from 'node:http';
import type { EventSourceMessage } from 'eventsource-parser';
import { LocalError, errorMessage } from '../protocol/errors.ts';
import type { JsonRpcMessage, JsonRpcRequest } from '../protocol/jsonrpc.ts';
import {
  bodyExcerpt, consumeSse, createAgent, delay, isEventStream, isJson, readBody, redact, send, type Agent,
} from './httpRequest.ts';
import { TransportBase } from './base.ts';
import type { Transport } from './transport.ts';

export interface HttpTransportOptions {
  url: string;
  headers?: Record<string, string>;
  /** 'auto': Streamable HTTP, falling back to legacy SSE when initialize gets 400/404/405. */
  mode?: 'auto' | 'streamable' | 'sse';
  /** Resumption and GET-stream reconnection. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxRetries?: number };
  maxMessageBytes?: number;
}

const DEFAULT_MAX_MESSAGE = 512 * 1024 * 1024;

export class StreamableHttpTransport extends TransportBase implements Transport {
  private readonly url: URL;
  private readonly opts: HttpTransportOptions;
  private readonly agent: Agent;
  private readonly abort = new AbortController();
  private mode: 'streamable' | 'sse' | undefined;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private initializeMessage: JsonRpcRequest | undefined;
  private getStreamOpen = false;
  private legacyEndpoint: URL | undefined;
  private reinitializing: Promise<void> | undefined;
  /**
   * In-flight POSTs by request id. A server may never answer a request we cancelled
   * (the SDK's does not), and its open stream would hold a pooled socket for the life of
   * the session: our `notifications/cancelled` for that id aborts it.
   */
  private readonly inflight = new Map<string | number, AbortController>();


  constructor(options: HttpTransportOptions) {
    super();
    this.opts = options;
    this.url = new URL(options.url);
    this.agent = createAgent(this.url);
  }

  /** Which transport is in use once connected. */
  get activeMode(): 'streamable' | 'sse' | undefined { return this.mode; }
  get currentSessionId(): string | undefined { return this.sessionId; }

  async start(): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.setState({ kind: 'starting' });
    if (this.opts.mode === 'sse') {
      try {
        await this.openLegacy();
      } catch (err) {
        this.setState({ kind: 'stopped', error: { message: errorMessage(err) } });
        throw err;
      }
    }
    this.setState({ kind: 'running' });
  }

  setProtocolVersion(version: string): void { this.protocolVersion = version; }

  send(message: JsonRpcMessage): Promise<void> {
    if (this._state.kind !== 'running') return Promise.reject(new LocalError('transport', 'the transport is not connected'));
    if ('method' in message && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: string | number } | undefined)?.requestId;
      if (id !== undefined) this.inflight.get(id)?.abort(new LocalError('cancelled', 'request cancelled'));
    }
    if (this.mode === 'sse') return this.postLegacy(message);
    if (!('id' in message) || 'result' in message || 'error' in message) return this.post(message, this.abort.signal);
    const ctrl = new AbortController();
    this.inflight.set(message.id, ctrl);
    return this.post(message, AbortSignal.any([this.abort.signal, ctrl.signal])).finally(() => this.inflight.delete(message.id));
  }

  async close(): Promise<void> {
    if (this._state.kind === 'stopped') return;
    const session = this.sessionId;
    this.abort.abort(new LocalError('cancelled', 'transport closed'));
    this.setState({ kind: 'stopped' });
    if (session && this.mode === 'streamable') {
      // Tell the server the session is over; a 405 means it does not support that.
      try {
        const res = await send({ method: 'DELETE', url: this.url, headers: this.baseHeaders(session), agent: this.agent, signal: AbortSignal.timeout(2000) });
        res.resume();
      } catch { /* best effort */ }
    }
    this.agent.destroy();
  }

  dispose(): void { void this.close(); }

  // ---- Streamable HTTP ----

  private baseHeaders(session = this.sessionId): Record<string, string> {
    const h: Record<string, string> = { ...this.opts.headers };
    if (session) h['mcp-session-id'] = session;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  private async post(message: JsonRpcMessage, signal: AbortSignal, retried = false): Promise<void> {
    const isInit = 'method' in message && message.method === 'initialize' && 'id' in message;
    if (isInit) this.initializeMessage = message as JsonRpcRequest;
    const headers: Record<string, string> = {
      ...this.baseHeaders(),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (isInit) delete headers['mcp-protocol-version'];
    const res = await send({ method: 'POST', url: this.url, headers, body: JSON.stringify(message), agent: this.agent, signal });

    if (isInit && this.mode === undefined && (res.statusCode === 400 || res.statusCode === 404 || res.statusCode === 405) && (this.opts.mode ?? 'auto') === 'auto') {
      res.resume();
      this.log('info', `POST initialize got HTTP ${res.statusCode}; trying the legacy HTTP+SSE transport`);
      await this.openLegacy();
      return this.postLegacy(message);
    }
    if (res.statusCode === 404 && this.sessionId && !isInit && !retried) {
      res.resume();
      this.log('warning', `session ${this.sessionId} expired (HTTP 404); starting a new session`);
      await this.reestablish();
      return this.post(message, signal, true);
    }
    if ((res.statusCode ?? 0) >= 400) {
      const excerpt = await bodyExcerpt(res);
      throw new LocalError('transport', `HTTP ${res.statusCode} from POST ${redact(this.url)}${excerpt ? `: ${excerpt}` : ''}`);
    }
    if (isInit) {
      this.mode ??= 'streamable';
      const sid = res.headers['mcp-session-id'];
      if (typeof sid === 'string' && sid) this.sessionId = sid;
    }
    if (res.statusCode === 202 || res.statusCode === 204) { res.resume(); return; }
    const requestId = 'id' in message && !('result' in message) && !('error' in message) ? message.id : undefined;
    if (isEventStream(res)) {
      await this.readPostStream(res, requestId, signal);
    } else if (isJson(res)) {
      const body = await readBody(res, this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
      if (body.length) this.deliverText(body.toString('utf8'));
    } else {
      res.resume();
      if (requestId !== undefined) throw new LocalError('transport', `unexpected content type "${res.headers['content-type'] ?? 'none'}" from POST ${redact(this.url)}`);
    }
    if (isInit && !this.getStreamOpen) void this.runGetStream();
  }

  /** Reads the SSE answer to a POST; resumes with Last-Event-ID when it breaks before the response. */
  private async readPostStream(res: IncomingMessage, requestId: string | number | undefined, signal: AbortSignal): Promise<void> {
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    let answered = requestId === undefined;
    const onEvent = (e: EventSourceMessage) => {
      if (e.id) lastEventId = e.id;
      if (!e.data) return; // priming event
      const msg = this.deliverText(e.data);
      if (msg && requestId !== undefined && (msg as { id?: unknown }).id === requestId && !('method' in (msg as object))) answered = true;
    };
    const policy = this.reconnectPolicy();
    let how = await consumeSse(res, { onEvent, onRetry: ms => { retryMs = ms; } }, this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
    for (let attempt = 1; !answered; attempt++) {
      if (how === 'oversize') throw new LocalError('transport', `an SSE event from ${redact(this.url)} is larger than the ${((this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE) / 1048576).toFixed(0)} MiB limit`);
      if (signal.aborted) return;
      if (lastEventId === undefined || attempt > policy.maxRetries) {
        throw new LocalError('transport', `the server closed the response stream before answering${lastEventId === undefined ? ' (no event id to resume from)' : ` (gave up after ${policy.maxRetries} resumptions)`}`);
      }
      const wait = retryMs ?? Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      this.log('info', `response stream ${how === 'end' ? 'ended' : 'broke'} before the answer; resuming from event ${lastEventId} in ${wait} ms`);
      await delay(wait, signal);
      const resumed = await send({
        method: 'GET', url: this.url, agent: this.agent, signal,
        headers: { ...this.baseHeaders(), accept: 'text/event-stream', 'last-event-id': lastEventId },
      });
      if (resumed.statusCode !== 200 || !isEventStream(resumed)) {
        const excerpt = await bodyExcerpt(resumed);
        throw new LocalError('transport', `resuming the stream failed: HTTP ${resumed.statusCode}${excerpt ? `: ${excerpt}` : ''}`);
      }
      how = await consumeSse(resumed, { onEvent, onRetry: ms => { retryMs = ms; } }, this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
    }
  }

  /** The optional GET stream for server-initiated messages; 405 means the server has none. */
  private async runGetStream(): Promise<void> {
    this.getStreamOpen = true;
    const policy = this.reconnectPolicy();
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    let failures = 0;
    try {
      while (!this.abort.signal.aborted && this.mode === 'streamable') {
        let res: IncomingMessage;
        try {
          const headers: Record<string, string> = { ...this.baseHeaders(), accept: 'text/event-stream' };
          if (lastEventId) headers['last-event-id'] = lastEventId;
          res = await send({ method: 'GET', url: this.url, headers, agent: this.agent, signal: this.abort.signal });
        } catch (err) {
          if (this.abort.signal.aborted) return;
          res = undefined as never;
          this.log('debug', `GET stream: ${errorMessage(err)}`);
        }
        if (res) {
          if (res.statusCode === 405 || res.statusCode === 404 && !this.sessionId) { res.resume(); this.log('debug', 'the server offers no GET stream'); return; }
          if (res.statusCode === 200 && isEventStream(res)) {
            failures = 0;
            await consumeSse(res, {
              onEvent: e => { if (e.id) lastEventId = e.id; if (e.data) this.deliverText(e.data); },
              onRetry: ms => { retryMs = ms; },
            }, this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
          } else {
            res.resume();
            this.log('debug', `GET stream: HTTP ${res.statusCode}`);
          }
        }
        if (this.abort.signal.aborted) return;
        failures++;
        if (failures > policy.maxRetries) { this.log('warning', `the GET stream failed ${failures} times; giving up on server-initiated messages`); return; }
        await delay(retryMs ?? Math.min(policy.initialDelayMs * 2 ** (failures - 1), policy.maxDelayMs), this.abort.signal);
      }
    } catch {
      // aborted while waiting
    } finally {
      this.getStreamOpen = false;
    }
  }

  /** Replays the handshake after the server forgot our session (HTTP 404). */
  private reestablish(): Promise<void> {
    this.reinitializing ??= (async () => {
      const init = this.initializeMessage;
      this.sessionId = undefined;
      if (!init) throw new LocalError('transport', 'the session expired and there is no handshake to replay');
      const replay: JsonRpcRequest = { ...init, id: `mcp-host-reinitialize-${Date.now()}` };
      const res = await send({
        method: 'POST', url: this.url, agent: this.agent, signal: this.abort.signal, body: JSON.stringify(replay),
        headers: { ...this.opts.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      if ((res.statusCode ?? 0) >= 400) throw new LocalError('transport', `re-initializing after the session expired failed: HTTP ${res.statusCode} ${await bodyExcerpt(res)}`);
      const sid = res.headers['mcp-session-id'];
      this.sessionId = typeof sid === 'string' && sid ? sid : undefined;
      // The answer is ours, not the connection's: read it and drop it.
      if (isEventStream(res)) await consumeSse(res, { onEvent: () => {} }, 16 * 1024 * 1024); else res.resume();
      const note = await send({
        method: 'POST', url: this.url, agent: this.agent, signal: this.abort.signal,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        headers: { ...this.baseHeaders(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      note.resume();
      this.log('info', `new session ${this.sessionId ?? '(stateless)'} established`);
      if (!this.getStreamOpen) void this.runGetStream();
    })().finally(() => { this.reinitializing = undefined; });
    return this.reinitializing;
  }

  // ---- legacy HTTP+SSE (2024-11-05) ----

  private openLegacy(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => { if (!settled) { settled = true; reject(err); } };
      void (async () => {
        const res = await send({ method: 'GET', url: this.url, agent: this.agent, signal: this.abort.signal, headers: { ...this.opts.headers, accept: 'text/event-stream' } });
        if (res.statusCode !== 200 || !isEventStream(res)) {
          const excerpt = await bodyExcerpt(res);
          throw new LocalError('transport', `legacy SSE: GET ${redact(this.url)} answered HTTP ${res.statusCode}${excerpt ? `: ${excerpt}` : ''}`);
        }
        const how = await consumeSse(res, {
          onEvent: e => {
            if (e.event === 'endpoint') {
              try {
                this.legacyEndpoint = new URL(e.data.trim(), this.url);
              } catch {
                fail(new LocalError('transport', `legacy SSE: invalid endpoint "${e.data}"`));
                return;
              }
              if (this.legacyEndpoint.origin !== this.url.origin) {
                fail(new LocalError('transport', `legacy SSE: the endpoint ${this.legacyEndpoint.origin} is not on the server's origin`));
                return;
              }
              this.mode = 'sse';
              if (!settled) { settled = true; resolve(); }
            } else if (e.data) {
              this.deliverText(e.data);
            }
          },
        }, this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE);
        if (!settled) throw new LocalError('transport', 'legacy SSE: the stream ended before the endpoint event');
        if (!this.abort.signal.aborted && this._state.kind !== 'stopped') {
          this.setState({ kind: 'stopped', error: { message: `legacy SSE: the event stream ${how === 'end' ? 'ended' : 'broke'}` } });
        }
      })().catch(fail);
    });
  }

  private async postLegacy(message: JsonRpcMessage): Promise<void> {
    const endpoint = this.legacyEndpoint;
    if (!endpoint) throw new LocalError('transport', 'legacy SSE: no endpoint yet');
    const res = await send({
      method: 'POST', url: endpoint, agent: this.agent, signal: this.abort.signal, body: JSON.stringify(message),
      headers: { ...this.opts.headers, 'content-type': 'application/json' },
    });
    if ((res.statusCode ?? 0) >= 400) {
      const excerpt = await bodyExcerpt(res);
      throw new LocalError('transport', `HTTP ${res.statusCode} from POST ${redact(endpoint)}${excerpt ? `: ${excerpt}` : ''}`);
    }
    res.resume();
  }

  // ---- common ----

  private deliverText(text: string): unknown {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.log('warning', `skipped a message that is not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
      return undefined;
    }
    if (Array.isArray(value)) { for (const m of value) this._onDidReceiveMessage.fire(m); return undefined; }
    this._onDidReceiveMessage.fire(value);
    return value;
  }

  private reconnectPolicy(): { initialDelayMs: number; maxDelayMs: number; maxRetries: number } {
    const r = this.opts.reconnect ?? {};
    return { initialDelayMs: r.initialDelayMs ?? 1000, maxDelayMs: r.maxDelayMs ?? 30_000, maxRetries: r.maxRetries ?? 5 };
  }


}
