// Streamable HTTP (spec 2025-11-25), with the legacy HTTP+SSE transport (2024-11-05)
// as a fallback or by choice. Each message is a POST; the answer is JSON, 202, or an
// SSE stream that may carry the server's requests and notifications before the
// response. We close that stream once it has answered: a server may keep it open, and
// each open stream holds one of the pool's sockets. A stream that broke before its
// answer is resumed with Last-Event-ID after the server's `retry`. The GET stream for
// server-initiated messages reconnects with backoff for as long as the transport runs,
// and says so (a notice on the running state) while it is down. Sessions belong to the
// connection layer: a 404 on ours is reported (`onDidExpireSession`, sends rejected with
// 'session-expired'), and the client runs the new handshake. 401/403 are an
// authorization problem ('auth'), never retried.

import type { IncomingMessage } from 'node:http';
import type { EventSourceMessage } from 'eventsource-parser';
import { Emitter, type Event } from '../base/event.ts';
import { LocalError, errorMessage } from '../protocol/errors.ts';
import type { JsonRpcMessage, RequestId } from '../protocol/jsonrpc.ts';
import { serializeMessage } from '../protocol/jsonrpc.ts';
import {
  authError, bodyExcerpt, consumeSse, createAgent, delay, isAuthStatus, isEventStream, isJson, readBody, redact, releaseResponse, type Agent,
} from './httpRequest.ts';
import { TransportBase } from './base.ts';
import { LegacySseChannel } from './legacySse.ts';
import { sendAuthorized, wasAuthorized, type RequestAuth } from './requestAuth.ts';
import { tagRelated, type SendContext, type Transport, type TransportStartOptions } from './transport.ts';

export interface HttpTransportOptions {
  url: string;
  headers?: Record<string, string>;
  /** 'auto': Streamable HTTP, falling back to legacy SSE when initialize gets 400/404/405. */
  mode?: 'auto' | 'streamable' | 'sse';
  /**
   * Backoff for resuming a broken response stream and for reconnecting the GET stream.
   * `maxRetries`: resumptions before a call fails; for the GET stream, the failed
   * reconnections after which the state says notifications are being lost (it keeps
   * reconnecting, at least every `maxDelayMs`, while the transport runs).
   */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxRetries?: number };
  maxMessageBytes?: number;
  /** Credentials for every request (requestAuth.ts); without it a 401/403 fails with code 'auth'. */
  auth?: RequestAuth;
}

const DEFAULT_MAX_MESSAGE = 512 * 1024 * 1024;
/**
 * Failures of the GET stream in a row before the server is shown as losing notifications:
 * one failure is a blip (the next attempt follows within a second), two are an outage.
 */
const GET_NOTICE_AFTER = 2;
/** A server's `retry:` below this is raised to it: a GET loop must not spin. */
const MIN_RETRY_MS = 50;

export class StreamableHttpTransport extends TransportBase implements Transport {
  private readonly url: URL;
  private readonly opts: HttpTransportOptions;
  private readonly agent: Agent;
  private readonly abort = new AbortController();
  /** Aborted by kill(): the DELETE of a graceful close is not waited for. */
  private readonly killed = new AbortController();
  private mode: 'streamable' | 'sse' | undefined;
  private sessionId: string | undefined;
  /** The server forgot our session; until a new initialize answers, sends are refused. */
  private sessionExpired = false;
  private protocolVersion: string | undefined;
  /** The current session's GET-stream loop. */
  private getStream: AbortController | undefined;
  private legacy: LegacySseChannel | undefined;
  private closing: Promise<void> | undefined;
  /**
   * In-flight POSTs by request id. A server may never answer a request we cancelled
   * (the SDK's does not), and its open stream would hold a pooled socket for the life of
   * the session: our `notifications/cancelled` for that id aborts it.
   */
  private readonly inflight = new Map<RequestId, AbortController>();
  /** Requests whose sign-in is under way (isWaitingOnUser), and since when. */
  private readonly signingIn = new Map<RequestId, number>();
  private waitedMs = 0;
  private readonly _onDidExpireSession = new Emitter<void>();
  readonly onDidExpireSession: Event<void> = this._onDidExpireSession.event;

  constructor(options: HttpTransportOptions) {
    super();
    this.opts = options;
    this.url = new URL(options.url);
    this.agent = createAgent(this.url);
  }

  /** Which transport is in use once connected. */
  get activeMode(): 'streamable' | 'sse' | undefined { return this.mode; }
  get currentSessionId(): string | undefined { return this.sessionId; }

  async start(options?: TransportStartOptions): Promise<void> {
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.setState({ kind: 'starting' });
    if (this.opts.mode === 'sse') {
      try {
        await this.openLegacy(options?.signal);
      } catch (err) {
        // Nothing of a failed start stays open: the event stream and the pool go now.
        this.abort.abort(err);
        this.agent.destroy();
        this.setState({ kind: 'stopped', error: { message: errorMessage(err) } });
        throw err;
      }
    }
    this.setState({ kind: 'running' });
  }

  setProtocolVersion(version: string): void { this.protocolVersion = version; }

  send(message: JsonRpcMessage, context?: SendContext): Promise<void> {
    if (this._state.kind !== 'running') return Promise.reject(new LocalError('transport', 'the transport is not connected'));
    if ('method' in message && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (id !== undefined) this.inflight.get(id)?.abort(new LocalError('cancelled', 'request cancelled'));
    }
    if (this.mode === 'sse') return this.legacy!.post(message, this.abort.signal);
    const isRequest = 'id' in message && 'method' in message;
    if (this.sessionExpired && !(isRequest && message.method === 'initialize')) {
      return Promise.reject(new LocalError('session-expired', 'the server ended the session; a new one must be established first'));
    }
    if (!isRequest) return this.post(message, undefined, this.abort.signal, context);
    const ctrl = new AbortController();
    this.inflight.set(message.id, ctrl);
    return this.post(message, message.id, AbortSignal.any([this.abort.signal, ctrl.signal]), context).finally(() => this.inflight.delete(message.id));
  }

  isWaitingOnUser(id: RequestId): boolean { return this.signingIn.has(id); }
  get userWaitMs(): number {
    const now = Date.now();
    let ongoing = 0;
    for (const since of this.signingIn.values()) ongoing = Math.max(ongoing, now - since);
    return this.waitedMs + ongoing;
  }

  private markSigningIn(id: RequestId, active: boolean): void {
    if (active) { this.signingIn.set(id, Date.now()); return; }
    const since = this.signingIn.get(id);
    this.signingIn.delete(id);
    if (since !== undefined) this.waitedMs += Date.now() - since;
  }

  abortRequest(id: RequestId): void {
    this.inflight.get(id)?.abort(new LocalError('cancelled', 'request cancelled'));
  }

  /** Ends the session (DELETE, best effort) and releases every socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const session = this.sessionId;
      const wasRunning = this._state.kind !== 'stopped';
      this.abort.abort(new LocalError('cancelled', 'transport closed'));
      this.getStream = undefined;
      this.setState({ kind: 'stopped' });
      if (wasRunning && session && this.mode === 'streamable' && !this.killed.signal.aborted) {
        // Tell the server the session is over; a 405 means it does not support that.
        try {
          const res = await sendAuthorized({
            method: 'DELETE', url: this.url, headers: this.baseHeaders(session), agent: this.agent,
            signal: AbortSignal.any([AbortSignal.timeout(2000), this.killed.signal]),
          }, this.opts.auth, false);
          res.resume();
        } catch { /* best effort */ }
      }
      this.agent.destroy();
    })();
    return this.closing;
  }

  /** A close that does not wait for the server (a second Stop). */
  kill(): Promise<void> {
    this.killed.abort();
    this.agent.destroy();
    return this.close();
  }

  dispose(): void { void this.close(); }

  // ---- Streamable HTTP ----

  private baseHeaders(session: string | undefined): Record<string, string> {
    const h: Record<string, string> = { ...this.opts.headers };
    if (session) h['mcp-session-id'] = session;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  /** One POST; `requestId` when the message is a request (its answer closes the stream). */
  private async post(message: JsonRpcMessage, requestId: RequestId | undefined, signal: AbortSignal, context?: SendContext): Promise<void> {
    const isInit = requestId !== undefined && (message as { method?: string }).method === 'initialize';
    const session = isInit ? undefined : this.sessionId;
    const base = this.baseHeaders(session);
    if (isInit) delete base['mcp-protocol-version'];
    const headers: Record<string, string> = {
      ...base,
      ...context?.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const res = await sendAuthorized({ method: 'POST', url: this.url, headers, body: serializeMessage(message), agent: this.agent, signal }, this.opts.auth, true,
      requestId === undefined ? undefined : active => this.markSigningIn(requestId, active));
    const status = res.statusCode ?? 0;

    if (isInit && status === 404 && wasAuthorized(res)) {
      // Not a sign of a legacy server: the credentials may be for another resource.
      const excerpt = await bodyExcerpt(res);
      throw new LocalError('transport', `HTTP 404 from POST ${redact(this.url)} with credentials${excerpt ? `: ${excerpt}` : ''} (is the URL right, and the token for this server?)`);
    }
    if (isInit && this.mode === undefined && (status === 400 || status === 404 || status === 405) && (this.opts.mode ?? 'auto') === 'auto') {
      const body = await readBody(res, 1024 * 1024).catch(() => undefined);
      const text = body?.toString('utf8') ?? '';
      // A modern-only server refuses `initialize` with a version error that lists what it
      // speaks: that is the connection's answer to read, not a sign of a legacy server.
      const answer = jsonRpcErrorFor(text, requestId!);
      if (answer) { this.deliverOne(answer, requestId); return; }
      const excerpt = oneLine(text);
      this.log('info', `POST initialize got HTTP ${status}; trying the legacy HTTP+SSE transport`);
      try {
        await this.openLegacy(undefined);
      } catch (err) {
        // Neither transport: the POST's answer is what the user needs to see.
        if (err instanceof LocalError && (err.code === 'auth' || err.code === 'cancelled')) throw err;
        this.log('debug', `legacy HTTP+SSE: ${errorMessage(err)}`);
        throw new LocalError('transport', `HTTP ${status} from POST ${redact(this.url)}${excerpt ? `: ${excerpt}` : ''} (and the server offers no legacy HTTP+SSE transport either)`, err);
      }
      return this.legacy!.post(message, this.abort.signal);
    }
    if (isAuthStatus(status)) {
      res.resume();
      throw authError('POST', this.url, status);
    }
    if (status === 404 && session !== undefined) {
      res.resume();
      this.expire(session, 'POST');
      throw new LocalError('session-expired', `the server ended the session (HTTP 404 from POST ${redact(this.url)})`);
    }
    if (status >= 400) {
      // A 2026-07-28 server answers a refused request with 400/404 and a JSON-RPC error for
      // it (an unsupported version, a header mismatch, an unknown method): that answer is
      // the connection's to read. Any other error body is the transport's failure.
      const body = isJson(res) ? await readBody(res, 1024 * 1024).catch(() => undefined) : undefined;
      const text = body?.toString('utf8') ?? '';
      const answer = requestId !== undefined ? jsonRpcErrorFor(text, requestId) : undefined;
      if (answer) { this.deliverOne(answer, requestId); return; }
      const excerpt = body ? oneLine(text) : await bodyExcerpt(res);
      throw new LocalError('transport', `HTTP ${status} from POST ${redact(this.url)}${excerpt ? `: ${excerpt}` : ''}`);
    }
    if (isInit) {
      this.mode ??= 'streamable';
      const sid = res.headers['mcp-session-id'];
      this.sessionId = typeof sid === 'string' && sid ? sid : undefined;
      this.sessionExpired = false;
    }
    if (status === 202 || status === 204) { res.resume(); return; }
    if (isEventStream(res)) {
      if (requestId !== undefined) await this.readPostStream(res, requestId, signal);
      else {
        // A notification or a response carries no request: nothing is due on a stream for
        // it (the spec asks for 202), and one kept open would hold a socket.
        releaseResponse(res);
        this.log('debug', 'ignored an event stream the server opened in answer to a message that is not a request');
      }
    } else if (isJson(res)) {
      const body = await readBody(res, this.maxMessageBytes);
      if (body.length) this.deliverText(body.toString('utf8'), undefined);
    } else {
      res.resume();
      if (requestId !== undefined) throw new LocalError('transport', `unexpected content type "${res.headers['content-type'] ?? 'none'}" from POST ${redact(this.url)}`);
    }
    if (isInit) this.startGetStream();
  }

  /**
   * Reads the SSE answer to a POST until it has answered (then closes it), resuming with
   * Last-Event-ID when it breaks before that. Everything on it is tagged with the request.
   */
  private async readPostStream(res: IncomingMessage, requestId: RequestId, signal: AbortSignal): Promise<void> {
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    let answered = false;
    const onEvent = (e: EventSourceMessage) => {
      if (e.id) lastEventId = e.id;
      if (e.data && this.deliverText(e.data, requestId)) answered = true;
      return answered;
    };
    const onRetry = (ms: number) => { retryMs = ms; };
    const policy = this.reconnectPolicy();
    let how = await consumeSse(res, { onEvent, onRetry }, this.maxMessageBytes);
    for (let attempt = 1; !answered; attempt++) {
      if (how === 'oversize') throw this.oversize();
      if (signal.aborted) return;
      if (lastEventId === undefined || attempt > policy.maxRetries) {
        throw new LocalError('transport', `the server closed the response stream before answering${lastEventId === undefined ? ' (no event id to resume from)' : ` (gave up after ${policy.maxRetries} resumptions)`}`);
      }
      const wait = Math.max(retryMs ?? Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs), MIN_RETRY_MS);
      this.log('info', `response stream ${how === 'end' ? 'ended' : 'broke'} before the answer; resuming from event ${lastEventId} in ${wait} ms`);
      await delay(wait, signal);
      const resumed = await sendAuthorized({
        method: 'GET', url: this.url, agent: this.agent, signal,
        headers: { ...this.baseHeaders(this.sessionId), accept: 'text/event-stream', 'last-event-id': lastEventId },
      }, this.opts.auth, true);
      if (isAuthStatus(resumed.statusCode)) { resumed.resume(); throw authError('GET', this.url, resumed.statusCode!); }
      if (resumed.statusCode !== 200 || !isEventStream(resumed)) {
        const excerpt = await bodyExcerpt(resumed);
        throw new LocalError('transport', `resuming the stream failed: HTTP ${resumed.statusCode}${excerpt ? `: ${excerpt}` : ''}`);
      }
      how = await consumeSse(resumed, { onEvent, onRetry }, this.maxMessageBytes);
    }
  }

  /** (Re)starts the GET stream of the current session; the previous one's loop ends. */
  private startGetStream(): void {
    this.getStream?.abort();
    this.getStream = undefined;
    if (this.mode !== 'streamable' || this.abort.signal.aborted) return;
    const ctrl = new AbortController();
    this.getStream = ctrl;
    void this.runGetStream(AbortSignal.any([this.abort.signal, ctrl.signal]), this.sessionId);
  }

  /**
   * The optional GET stream for server-initiated messages. 405 (or a 404 before it ever
   * worked) means the server has none. Otherwise it reconnects with capped backoff until
   * `signal` ends it (close, a new session): each failure waits at least MIN_RETRY_MS,
   * so the loop is bounded in time. After GET_NOTICE_AFTER failures in a row the running
   * state carries a notice, cleared when the stream is back. 401/403 end it with a notice; a
   * 404 once it worked means the session expired.
   */
  private async runGetStream(signal: AbortSignal, session: string | undefined): Promise<void> {
    const policy = this.reconnectPolicy();
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    let failures = 0;
    let worked = false;
    let cause = '';
    const where = `GET ${redact(this.url)}`;
    try {
      while (!signal.aborted) {
        let res: IncomingMessage | undefined;
        try {
          const headers: Record<string, string> = { ...this.baseHeaders(session), accept: 'text/event-stream' };
          if (lastEventId) headers['last-event-id'] = lastEventId;
          res = await sendAuthorized({ method: 'GET', url: this.url, headers, agent: this.agent, signal }, this.opts.auth, false);
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof LocalError && err.code === 'auth') {
            // The authorizer said no (sign-in needed, refused): retrying will not change that.
            this.log('warning', `${err.message}; server-initiated messages will not be received`);
            this.setNotice(`${err.message}; notifications from the server are not received`);
            return;
          }
          cause = errorMessage(err);
        }
        if (res) {
          const status = res.statusCode ?? 0;
          if (status === 405 || (status === 404 && (!worked || session === undefined))) {
            res.resume();
            this.log('debug', `the server offers no GET stream (HTTP ${status})`);
            return;
          }
          if (status === 404) { res.resume(); this.expire(session!, 'GET'); return; }
          if (isAuthStatus(status)) {
            res.resume();
            const err = authError('GET', this.url, status);
            this.log('warning', `${err.message}; server-initiated messages will not be received`);
            this.setNotice(`${err.message}; notifications from the server are not received`);
            return;
          }
          if (status === 200 && isEventStream(res)) {
            worked = true;
            if (failures >= GET_NOTICE_AFTER) this.log('info', `the GET stream is back after ${failures} failed attempts`);
            failures = 0;
            this.setNotice(undefined);
            const how = await consumeSse(res, {
              onEvent: e => { if (e.id) lastEventId = e.id; if (e.data) this.deliverText(e.data, undefined); },
              onRetry: ms => { retryMs = ms; },
            }, this.maxMessageBytes);
            if (signal.aborted) return;
            cause = how === 'oversize' ? this.oversize().message : how === 'end' ? 'the server closed it' : 'the connection broke';
          } else {
            const excerpt = await bodyExcerpt(res);
            cause = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
          }
        }
        if (signal.aborted) return;
        failures++;
        const wait = Math.max(retryMs ?? Math.min(policy.initialDelayMs * 2 ** Math.min(failures - 1, 30), policy.maxDelayMs), MIN_RETRY_MS);
        if (failures === GET_NOTICE_AFTER) {
          this.log('warning', `the GET stream failed ${failures} times in a row (${cause}); notifications from the server are being lost; still reconnecting`);
          this.setNotice(`the server's event stream (${where}) is down: ${cause}. Notifications from the server are being lost; reconnecting.`);
        } else {
          this.log('debug', `GET stream: ${cause}; reconnecting in ${wait} ms`);
        }
        await delay(wait, signal);
      }
    } catch {
      // aborted while waiting
    }
  }

  /** The server forgot `session`: say so once, refuse sends until a new handshake. */
  private expire(session: string, via: 'POST' | 'GET'): void {
    // A 404 for a session already replaced (a request sent before the new handshake) changes nothing.
    if (this.sessionId !== session || this.abort.signal.aborted) return;
    this.log('warning', `session ${session} expired (HTTP 404 on ${via}); a new session must be established`);
    this.sessionId = undefined;
    this.sessionExpired = true;
    this.getStream?.abort();
    this.getStream = undefined;
    this._onDidExpireSession.fire();
  }

  // ---- legacy HTTP+SSE (2024-11-05) ----

  /** Opens the legacy event stream; resolves once its `endpoint` event came (or `startSignal` ends the wait). */
  private async openLegacy(startSignal: AbortSignal | undefined): Promise<void> {
    const channel = new LegacySseChannel({
      url: this.url, headers: this.opts.headers ?? {}, agent: this.agent, maxMessageBytes: this.maxMessageBytes, auth: this.opts.auth,
      deliver: text => { this.deliverText(text, undefined); },
      onEnd: how => {
        if (!this.abort.signal.aborted && this._state.kind !== 'stopped') {
          this.setState({ kind: 'stopped', error: { message: `legacy SSE: the event stream ${how}` } });
        }
      },
    });
    await channel.open(this.abort.signal, startSignal);
    this.legacy = channel;
    this.mode = 'sse';
  }

  // ---- common ----

  private get maxMessageBytes(): number { return this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE; }

  private oversize(): LocalError {
    return new LocalError('transport', `an SSE event from ${redact(this.url)} is larger than the ${(this.maxMessageBytes / 1048576).toFixed(0)} MiB limit`);
  }

  /**
   * Parses and delivers what an event or a body holds; with `related`, tags each message
   * with that request and says whether one of them is its answer.
   */
  private deliverText(text: string, related: RequestId | undefined): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.log('warning', `skipped a message that is not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
      return false;
    }
    if (!Array.isArray(value)) return this.deliverOne(value, related);
    let answered = false;
    for (const m of value) if (this.deliverOne(m, related)) answered = true;
    return answered;
  }

  private deliverOne(m: unknown, related: RequestId | undefined): boolean {
    if (related === undefined) { this._onDidReceiveMessage.fire(m); return false; }
    tagRelated(m, related);
    const answers = !!m && typeof m === 'object' && (m as { id?: unknown }).id === related && !('method' in m);
    this._onDidReceiveMessage.fire(m);
    return answers;
  }

  private reconnectPolicy(): { initialDelayMs: number; maxDelayMs: number; maxRetries: number } {
    const r = this.opts.reconnect ?? {};
    return { initialDelayMs: r.initialDelayMs ?? 1000, maxDelayMs: r.maxDelayMs ?? 30_000, maxRetries: r.maxRetries ?? 5 };
  }
}

/** The JSON-RPC error response for `id` in an HTTP error body, if that is what it is. */
function jsonRpcErrorFor(text: string, id: RequestId): Record<string, unknown> | undefined {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return undefined; }
  const o = v as { jsonrpc?: unknown; id?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  if (!o || typeof o !== 'object' || o.jsonrpc !== '2.0' || o.id !== id) return undefined;
  if (!o.error || typeof o.error.code !== 'number' || typeof o.error.message !== 'string') return undefined;
  return o as Record<string, unknown>;
}

function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}
