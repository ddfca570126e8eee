// The JSON-RPC connection: ids, the pending map, a timeout on every request (extended
// by progress up to a hard maximum), cancellation both ways, progress routing, ping.
// Generation-agnostic: the MCP strategies (stateful 2025-11-25, stateless 2026-07-28)
// sit on top of it in client.ts and decide what goes into each request.

import { Disposable, Emitter, type Event } from '../base/event.ts';
import { RELATED_REQUEST, type SendContext, type Transport, type TransportState } from '../transports/transport.ts';
import { ErrorCode, LocalError, RequestError, WireError, errorMessage, toWireError } from './errors.ts';
import { classify, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse, type RequestId } from './jsonrpc.ts';
import type { ProgressNotificationParams, ProgressToken, RequestOptions } from './types.ts';

export interface ConnectionOptions {
  /** The server's name, used in every error message. */
  name: string;
  requestTimeoutMs?: number;
  maxRequestTimeoutMs?: number;
  /** Requests from the server handled at once; more are answered with an error at once (default 64). */
  maxIncomingRequests?: number;
}

export interface IncomingRequestContext {
  /** Aborted when the peer sends `notifications/cancelled` for this request, or the connection closes. */
  signal: AbortSignal;
  requestId: RequestId;
  /**
   * The `origin` (RequestOptions) of each of our requests this one may belong to (see
   * Incoming.related), once each: one entry when the transport names the request or only one
   * was pending, several when stdio leaves it open, none when nothing of ours was pending.
   * An entry is undefined for a request made without one.
   */
  origins: readonly unknown[];
}
export type RequestHandler = (params: Record<string, unknown>, ctx: IncomingRequestContext) => Promise<unknown> | unknown;
export type NotificationHandler = (params: Record<string, unknown>) => void;

export interface TrafficEntry { direction: 'send' | 'receive'; message: JsonRpcMessage | unknown }

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  parse: ((raw: Record<string, unknown>) => unknown) | undefined;
  /** When it times out (ms since epoch); progress moves it, never past hardDeadline. */
  deadline: number;
  timeoutMs: number;
  hardDeadline: number;
  progressToken: ProgressToken | undefined;
  onProgress: ((p: ProgressNotificationParams) => void) | undefined;
  cleanup: (() => void) | undefined;
  cancelBy: 'notify' | 'abort';
  origin: unknown;
}

export interface RequestCallOptions<R> extends RequestOptions {
  /** Validates and narrows the raw result; throwing makes the request fail as invalid. */
  parse?: (raw: Record<string, unknown>) => R;
  /** Said beside the message (HTTP headers the generation derives from it). */
  context?: SendContext;
  /**
   * How a cancel reaches the server: `notify` (default) sends `notifications/cancelled`;
   * `abort` only asks the transport to drop the request (2026-07-28 over HTTP, where
   * closing the response stream is the cancel and client notifications do not exist).
   */
  cancelBy?: 'notify' | 'abort';
  /** An id of the caller's (a string, so it cannot meet the connection's numbers); must be unused. */
  id?: string;
  /** Called with the id the request was sent with. */
  onSent?: (id: RequestId) => void;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_INCOMING = 64;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Incoming {
  ctrl: AbortController;
  /**
   * Our requests this one may belong to, whose timeouts it extends while it is pending:
   * the one the transport says (HTTP: it came on that request's response stream), else
   * the only one pending, else every one pending when it arrived (stdio says nothing;
   * a request sent later cannot be its cause).
   */
  related: RequestId | ReadonlySet<RequestId> | undefined;
}

export class JsonRpcConnection implements Disposable {
  private readonly transport: Transport;
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly maxTimeoutMs: number;
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly byProgressToken = new Map<ProgressToken, RequestId>();
  private readonly incoming = new Map<RequestId, Incoming>();
  private readonly maxIncoming: number;
  private readonly requestHandlers = new Map<string, RequestHandler>();
  /** Several listeners per method (the client's cache and the host's lists both listen); copy-on-write. */
  private readonly notificationHandlers = new Map<string, readonly NotificationHandler[]>();
  private readonly subscriptions: Disposable[] = [];
  private closedError: LocalError | undefined;
  // One timer for all deadlines, not one per request: a Timeout object per call is
  // measurable garbage at tens of thousands of calls per second.
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private sweepAt = Infinity;

  private readonly _onDidClose = new Emitter<LocalError>();
  /** The connection ended; every pending request has been rejected with this cause. */
  readonly onDidClose: Event<LocalError> = this._onDidClose.event;
  private readonly _onDidTrace = new Emitter<TrafficEntry>();
  /** Every message in and out; subscribe only when tracing, it costs a listener call per message. */
  readonly onDidTrace: Event<TrafficEntry> = this._onDidTrace.event;
  private readonly _onDidWarn = new Emitter<string>();
  /** Protocol problems the peer caused that did not end the connection (unknown ids, invalid messages). */
  readonly onDidWarn: Event<string> = this._onDidWarn.event;

  constructor(transport: Transport, options: ConnectionOptions) {
    this.transport = transport;
    this.name = options.name;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxTimeoutMs = Math.max(options.maxRequestTimeoutMs ?? DEFAULT_MAX_TIMEOUT_MS, this.timeoutMs);
    this.maxIncoming = options.maxIncomingRequests ?? DEFAULT_MAX_INCOMING;
    this.subscriptions.push(
      transport.onDidReceiveMessage(m => this.handleMessage(m)),
      transport.onDidChangeState(s => this.handleTransportState(s)),
    );
    this.requestHandlers.set('ping', () => ({}));
  }

  get isClosed(): boolean { return this.closedError !== undefined; }
  get pendingCount(): number { return this.pending.size; }

  onRequest(method: string, handler: RequestHandler): Disposable {
    this.requestHandlers.set(method, handler);
    return Disposable.create(() => { if (this.requestHandlers.get(method) === handler) this.requestHandlers.delete(method); });
  }

  onNotification(method: string, handler: NotificationHandler): Disposable {
    this.notificationHandlers.set(method, [...this.notificationHandlers.get(method) ?? [], handler]);
    return Disposable.create(() => {
      const left = (this.notificationHandlers.get(method) ?? []).filter(h => h !== handler);
      if (left.length) this.notificationHandlers.set(method, left); else this.notificationHandlers.delete(method);
    });
  }

  request<R = Record<string, unknown>>(method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R> = {}): Promise<R> {
    if (this.closedError) return Promise.reject(new RequestError(this.name, method, this.closedError));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new RequestError(this.name, method, cancelledError(signal)));

    if (options.id !== undefined && this.pending.has(options.id)) {
      return Promise.reject(new RequestError(this.name, method, new LocalError('invalid-message', `request id ${JSON.stringify(options.id)} is in use`)));
    }
    const id: RequestId = options.id ?? this.nextId++;
    let progressToken: ProgressToken | undefined;
    if (options.onProgress) {
      progressToken = id;
      // Copy: the caller's params object is not ours to change.
      const meta = { ...((params?._meta as Record<string, unknown> | undefined) ?? {}), progressToken };
      params = { ...params, _meta: meta };
    }
    const message: JsonRpcRequest = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;

    return new Promise<R>((resolve, reject) => {
      const now = Date.now();
      const p: Pending = {
        method, resolve: resolve as (v: unknown) => void, reject, parse: options.parse as Pending['parse'],
        deadline: now + timeoutMs, timeoutMs, hardDeadline: now + Math.max(this.maxTimeoutMs, timeoutMs),
        progressToken, onProgress: options.onProgress, cleanup: undefined, cancelBy: options.cancelBy ?? 'notify',
        origin: options.origin,
      };
      this.pending.set(id, p);
      if (progressToken !== undefined) this.byProgressToken.set(progressToken, id);
      this.armSweep(p.deadline);
      if (signal) {
        const onAbort = () => {
          const err = cancelledError(signal);
          this.cancelPending(id, err, err.message === 'cancelled' ? 'cancelled by the user' : err.message);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        p.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      try {
        this.send(message, options.context)?.catch(err => this.failSend(id, method, err));
      } catch (err) {
        this.failSend(id, method, err);
      }
      options.onSent?.(id);
    });
  }

  notify(method: string, params?: Record<string, unknown>, context?: SendContext): void {
    if (this.closedError) return;
    this.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }, context)
      ?.catch(err => this._onDidWarn.fire(`could not send ${method}: ${errorMessage(err)}`));
  }

  /** Rejects everything pending and stops dispatching; does not close the transport. */
  close(reason: LocalError = new LocalError('closed', 'connection closed')): void {
    if (this.closedError) return;
    this.closedError = reason;
    for (const id of [...this.pending.keys()]) {
      const p = this.pending.get(id)!;
      this.settle(id, new RequestError(this.name, p.method, reason));
    }
    for (const { ctrl } of this.incoming.values()) ctrl.abort(reason);
    this.incoming.clear();
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions.length = 0;
    this._onDidClose.fire(reason);
  }

  dispose(): void {
    this.close();
    this._onDidClose.dispose();
    this._onDidTrace.dispose();
    this._onDidWarn.dispose();
  }

  // ---- internals ----

  private send(message: JsonRpcMessage, context?: SendContext): void | Promise<void> {
    if (this._onDidTrace.hasListeners) this._onDidTrace.fire({ direction: 'send', message });
    return this.transport.send(message, context);
  }

  private settle(id: RequestId, error: unknown, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.progressToken !== undefined) this.byProgressToken.delete(p.progressToken);
    if (this.pending.size === 0 && this.sweepTimer) {
      clearTimeout(this.sweepTimer);
      this.sweepTimer = undefined;
      this.sweepAt = Infinity;
    }
    p.cleanup?.();
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
  }

  private failSend(id: RequestId, method: string, err: unknown): void {
    this.settle(id, new RequestError(this.name, method, err instanceof LocalError ? err : new LocalError('transport', `could not send: ${errorMessage(err)}`, err)));
  }

  private cancelPending(id: RequestId, cause: LocalError, reason: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.settle(id, new RequestError(this.name, p.method, cause));
    // `initialize` must not be cancelled (spec); the caller tears the connection down instead.
    if (p.method === 'initialize' || this.closedError) return;
    if (p.cancelBy === 'abort') { this.transport.abortRequest?.(id); return; }
    try { this.notify('notifications/cancelled', { requestId: id, reason }); } catch { /* transport gone; nothing to tell */ }
  }

  private expire(id: RequestId): void {
    const p = this.pending.get(id);
    if (!p) return;
    const elapsedNote = p.hardDeadline <= Date.now() ? ` (hard maximum ${this.maxTimeoutMs} ms reached)` : '';
    this.cancelPending(id, new LocalError('timeout', `timed out after ${p.timeoutMs} ms${elapsedNote}`), 'timeout');
  }

  private armSweep(deadline: number): void {
    // A request without a deadline (a subscription stream) needs no timer at all.
    if (!Number.isFinite(deadline)) return;
    if (this.sweepTimer && deadline >= this.sweepAt) return;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepAt = deadline;
    // setTimeout takes at most 2^31-1 ms and fires at once for anything larger: a far
    // deadline wakes the sweep early, which re-arms it.
    this.sweepTimer = setTimeout(() => this.sweep(), Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
    const now = Date.now();
    // While the server waits on us (a user filling an elicitation form, approving a
    // sampling request), the call that led to it is not stalled: extend it, up to its
    // hard maximum. Other calls keep their deadlines.
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now && p.hardDeadline > now && this.waitedOnFor(id)) p.deadline = Math.min(now + p.timeoutMs, p.hardDeadline);
      if (p.deadline <= now) this.expire(id);
      else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity && this.pending.size > 0) this.armSweep(next);
  }

  /** Whether a request of the server's that belongs to our request `id` is still being answered. */
  /** How long our requests have waited on the person (a sign-in in the browser), in all. */
  get userWaitMs(): number { return this.transport.userWaitMs ?? 0; }

  private waitedOnFor(id: RequestId): boolean {
    if (this.transport.isWaitingOnUser?.(id)) return true;
    for (const { related } of this.incoming.values()) {
      if (related === id) return true;
      if (typeof related === 'object' && related.has(id)) return true;
    }
    return false;
  }

  private relatedTo(raw: JsonRpcRequest): Incoming['related'] {
    const tagged = (raw as unknown as { [RELATED_REQUEST]?: RequestId })[RELATED_REQUEST];
    if (tagged !== undefined) return tagged;
    if (this.pending.size === 0) return undefined;
    if (this.pending.size === 1) return this.pending.keys().next().value;
    return new Set(this.pending.keys());
  }

  private originsOf(related: Incoming['related']): unknown[] {
    if (related === undefined) return [];
    if (typeof related !== 'object') return this.pending.has(related) ? [this.pending.get(related)!.origin] : [];
    const out = new Set<unknown>();
    for (const id of related) { const p = this.pending.get(id); if (p) out.add(p.origin); }
    return [...out];
  }

  private handleTransportState(s: TransportState): void {
    if (s.kind !== 'stopped') return;
    let detail = s.error ? s.error.message : 'the server closed the connection';
    // The last stderr line usually says why (a missing key, a stack trace's first line).
    const last = s.error?.stderrTail?.trim().split('\n').pop();
    if (last) detail += ` (stderr: ${last.length > 300 ? `${last.slice(0, 300)}…` : last})`;
    this.close(new LocalError('closed', detail, s.error));
  }

  private handleMessage(raw: unknown): void {
    if (this.closedError) return;
    if (this._onDidTrace.hasListeners) this._onDidTrace.fire({ direction: 'receive', message: raw });
    const c = classify(raw);
    switch (c.kind) {
      case 'response': return this.handleResponse(c.msg);
      case 'request': return this.handleRequest(c.msg);
      case 'notification': return this.handleNotification(c.msg.method, c.msg.params ?? {});
      case 'invalid': {
        this._onDidWarn.fire(`ignored an invalid message: ${c.reason}`);
        const o = raw as { id?: unknown; method?: unknown } | null;
        const id = o?.id;
        if (typeof id !== 'string' && typeof id !== 'number') return;
        if (typeof o?.method === 'string') {
          // A request we cannot read still deserves an answer.
          this.sendSafe({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: c.reason } });
        } else {
          // A malformed answer to one of ours (never answered back): fail that request now,
          // not at its timeout.
          const p = this.pending.get(id);
          if (p) this.settle(id, new RequestError(this.name, p.method, new LocalError('invalid-message', `invalid response: ${c.reason}`)));
        }
      }
    }
  }

  private handleResponse(msg: JsonRpcResponse): void {
    const id = msg.id;
    const p = id === null ? undefined : this.pending.get(id);
    if (!p || id === null) {
      this._onDidWarn.fire(`ignored a response to unknown request id ${JSON.stringify(id)}`);
      return;
    }
    if ('error' in msg) {
      this.settle(id, new RequestError(this.name, p.method, new WireError(msg.error.code, msg.error.message, msg.error.data)));
      return;
    }
    let value: unknown = msg.result;
    if (p.parse) {
      try {
        value = p.parse(msg.result);
      } catch (err) {
        this.settle(id, new RequestError(this.name, p.method, new LocalError('invalid-message', `invalid result: ${errorMessage(err)}`, err)));
        return;
      }
    }
    this.settle(id, undefined, value);
  }

  private handleRequest(msg: JsonRpcRequest): void {
    const handler = this.requestHandlers.get(msg.method);
    if (!handler) {
      this.sendSafe({ jsonrpc: '2.0', id: msg.id, error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${msg.method}` } });
      return;
    }
    if (this.incoming.size >= this.maxIncoming) {
      // A server that floods us with requests gets an answer, not unbounded memory.
      this._onDidWarn.fire(`refused ${msg.method}: the server has ${this.incoming.size} requests waiting on us already (limit ${this.maxIncoming})`);
      this.sendSafe({ jsonrpc: '2.0', id: msg.id, error: { code: ErrorCode.InternalError, message: `Too many concurrent requests: ${this.maxIncoming} are already being handled` } });
      return;
    }
    if (this.incoming.has(msg.id)) {
      this.sendSafe({ jsonrpc: '2.0', id: msg.id, error: { code: ErrorCode.InvalidRequest, message: `Request id ${JSON.stringify(msg.id)} is already in use` } });
      return;
    }
    const ctrl = new AbortController();
    const entry: Incoming = { ctrl, related: this.relatedTo(msg) };
    this.incoming.set(msg.id, entry);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(handler(msg.params ?? {}, { signal: ctrl.signal, requestId: msg.id, origins: this.originsOf(entry.related) }));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      value => {
        if (this.incoming.get(msg.id) !== entry) return; // cancelled or closed: no answer is expected
        this.incoming.delete(msg.id);
        this.sendSafe({ jsonrpc: '2.0', id: msg.id, result: (value ?? {}) as Record<string, unknown> });
      },
      err => {
        if (this.incoming.get(msg.id) !== entry) return;
        this.incoming.delete(msg.id);
        this.sendSafe({ jsonrpc: '2.0', id: msg.id, error: toWireError(err).toJSON() });
      },
    );
  }

  private handleNotification(method: string, params: Record<string, unknown>): void {
    if (method === 'notifications/cancelled') {
      const id = params.requestId as RequestId | undefined;
      const entry = id === undefined ? undefined : this.incoming.get(id);
      if (entry) {
        this.incoming.delete(id!);
        entry.ctrl.abort(new LocalError('cancelled', typeof params.reason === 'string' ? `cancelled by the server: ${params.reason}` : 'cancelled by the server'));
      }
      return;
    }
    if (method === 'notifications/progress') {
      this.handleProgress(params as unknown as ProgressNotificationParams);
      return;
    }
    const handlers = this.notificationHandlers.get(method);
    if (!handlers) return;
    for (let i = 0; i < handlers.length; i++) {
      try {
        handlers[i]!(params);
      } catch (err) {
        this._onDidWarn.fire(`handler of ${method} failed: ${errorMessage(err)}`);
      }
    }
  }

  private handleProgress(params: ProgressNotificationParams): void {
    const id = this.byProgressToken.get(params.progressToken);
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return;
    // Progress proves the server is working: restart the timeout, but never past the hard maximum.
    p.deadline = Math.min(Date.now() + p.timeoutMs, p.hardDeadline);
    try {
      p.onProgress?.(params);
    } catch (err) {
      this._onDidWarn.fire(`progress listener failed: ${errorMessage(err)}`);
    }
  }

  private sendSafe(message: JsonRpcMessage): void {
    const warn = (err: unknown) => this._onDidWarn.fire(`could not send ${'id' in message ? `response ${message.id}` : 'message'}: ${errorMessage(err)}`);
    try { this.send(message)?.catch(warn); } catch (err) { warn(err); }
  }
}

function cancelledError(signal: AbortSignal): LocalError {
  const reason = signal.reason;
  if (reason instanceof LocalError) return reason;
  const text = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
  return new LocalError('cancelled', text === 'cancelled' ? 'cancelled' : `cancelled: ${text}`);
}
