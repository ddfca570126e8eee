// Multi round-trip requests (MRTR, 2026-07-28) on the gateway's side. A stateless client's
// tools/call, prompts/get or resources/read runs on a managed server that may ask for
// sampling, elicitation or roots meanwhile; a stateless client cannot be asked (there is no
// server→client request). So while its call runs, the call is a GatewayClient of the
// gateway: the server's requests land here, stay pending, and the client's request is
// answered `input_required` with them as `inputRequests` and an opaque, unguessable
// `requestState`. The client answers by sending the request again with `inputResponses` and
// that state; the answers go to the pending server requests and the call goes on, to its
// result or to another round. The managed server's call is one call throughout.
//
// Bounded: at most `maxPending` calls wait for their client at once, each at most `ttlMs`
// (then the server's requests are refused with a sentence and its call is cancelled). A
// state is good for one retry, by the same principal, for the same method, name and
// arguments; anything else is "unknown or expired".

import { createHash, randomBytes } from 'node:crypto';
import type { Disposable } from '../base/event.ts';
import { ErrorCode, LocalError, WireError } from '../protocol/errors.ts';
import type { ProgressNotificationParams } from '../protocol/types.ts';
import type { Gateway, GatewayClient } from './gateway.ts';
import { isObject, type RunOptions } from './handlers.ts';
import { CallOrigin } from './origin.ts';

export interface ExchangeLimits {
  /** Calls waiting for their client's input at once (default 256); past it, the server's request is refused. */
  maxPending: number;
  /** How long a call waits for its client to come back with the input (default 5 min). */
  ttlMs: number;
}

export const DEFAULT_EXCHANGE_LIMITS: ExchangeLimits = { maxPending: 256, ttlMs: 5 * 60_000 };

/** Who asks, and what their request names (the requestState is bound to all of it). */
export interface ExchangeOrigin {
  principal: string;
  /** "stateless client claude-code 1.2 (token)": for logs and the server's errors. */
  label: string;
  method: string;
  params: Record<string, unknown>;
  clientCapabilities: Record<string, unknown>;
}

/** The client request being answered now (the first, or a retry). */
export interface ExchangeCall {
  signal: AbortSignal;
  onProgress?: (p: ProgressNotificationParams) => void;
}

interface Ask {
  method: string;
  params: Record<string, unknown> | undefined;
  answer(value: Record<string, unknown>): void;
  refuse(err: WireError): void;
}

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown };

let exchanges = 0;

/** What a request's state is bound to: method, name and a digest of its arguments. */
function bindingOf(method: string, params: Record<string, unknown>): string {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : '';
  const args = createHash('sha256').update(JSON.stringify(params.arguments ?? null)).digest('base64url');
  return `${method}\u0000${name}\u0000${args}`;
}

/** "300 s", "50 ms". */
const duration = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

const SHORT: Record<string, string> = { 'sampling/createMessage': 'sampling', 'elicitation/create': 'elicitation', 'roots/list': 'roots' };

/** One client call that may take rounds: a GatewayClient while it runs. */
class Exchange implements GatewayClient {
  readonly label: string;
  readonly principal: string;
  private readonly method: string;
  private params: Record<string, unknown> | undefined;
  private _binding: string | undefined;
  readonly id = `stateless-${++exchanges}`;
  clientCapabilities: Record<string, unknown>;
  /** Its principal: a stateless client's calls are one party's (see Gateway's routing). */
  get party(): string { return this.principal; }
  readonly ctrl = new AbortController();
  readonly asks = new Map<string, Ask>();
  outcome: Outcome | undefined;
  /** Its current requestState while it waits for the client; undefined while a request of the client is being answered. */
  token: string | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  progress: ((p: ProgressNotificationParams) => void) | undefined;
  attached: Disposable | undefined;
  private nextKey = 1;
  private wake: (() => void) | undefined;

  constructor(origin: ExchangeOrigin) {
    this.label = origin.label;
    this.principal = origin.principal;
    this.method = origin.method;
    this.params = origin.params;
    this.clientCapabilities = origin.clientCapabilities;
  }

  /** What its requestState is bound to; the arguments' digest is made only for a call that waits (the params are let go). */
  binding(): string {
    if (this._binding === undefined) { this._binding = bindingOf(this.method, this.params!); this.params = undefined; }
    return this._binding;
  }

  /** Resolves at the next change: a server request came or went, the call ended. */
  changed(): Promise<void> {
    return new Promise(resolve => { this.wake = resolve; });
  }

  poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The managed server asks (Gateway.createMessage, elicit, rootsFor): pending until the client answers. */
  request(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (this.outcome || this.ctrl.signal.aborted) return Promise.reject(new WireError(ErrorCode.InternalError, `${this.label} has no call in flight any more`));
    const elicitation = this.clientCapabilities.elicitation;
    if (method === 'elicitation/create' && params.mode === 'url' && !(isObject(elicitation) && elicitation.url !== undefined)) {
      return Promise.reject(new WireError(ErrorCode.InvalidRequest, `${this.label} declared form elicitation only; it cannot open a URL`));
    }
    const key = `${SHORT[method] ?? 'input'}-${this.nextKey++}`;
    // 2026-07-28's input requests have no elicitationId (URL completion is learned by retrying) and no task.
    const { elicitationId: _e, task: _t, ...rest } = params;
    const sent = method === 'roots/list' && Object.keys(rest).length === 0 ? undefined : rest;
    return new Promise((resolve, reject) => {
      const done = () => { signal.removeEventListener('abort', onAbort); this.asks.delete(key); this.poke(); };
      const onAbort = () => { done(); reject(new LocalError('cancelled', 'cancelled by the server')); };
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
      this.asks.set(key, {
        method, params: sent,
        answer: v => { done(); resolve(v); },
        refuse: e => { done(); reject(e); },
      });
      this.poke();
    });
  }

  refuseAll(why: string): void {
    for (const ask of [...this.asks.values()]) ask.refuse(new WireError(ErrorCode.InternalError, why));
  }

  settle(o: Outcome): void {
    if (this.outcome) return;
    this.outcome = o;
    this.attached?.dispose();
    this.attached = undefined;
    this.refuseAll(`${this.label}'s call has ended`);
    this.poke();
  }
}

export class InputExchanges implements Disposable {
  private readonly gateway: Gateway;
  private readonly limits: ExchangeLimits;
  private readonly log: ((level: 'info' | 'warning', message: string) => void) | undefined;
  /** Waiting for their client, by requestState. */
  private readonly parked = new Map<string, Exchange>();
  /** Every exchange not yet ended (parked or being answered). */
  private readonly live = new Set<Exchange>();

  constructor(gateway: Gateway, limits: Partial<ExchangeLimits> = {}, log?: (level: 'info' | 'warning', message: string) => void) {
    this.gateway = gateway;
    this.limits = { ...DEFAULT_EXCHANGE_LIMITS, ...limits };
    this.log = log;
  }

  /** Calls waiting for their client's input now. */
  get pendingCount(): number { return this.parked.size; }

  /** Starts a call for a client that can be asked; resolves with the result or an input_required. */
  start(origin: ExchangeOrigin, run: (o: RunOptions) => Promise<unknown>, call: ExchangeCall): Promise<Record<string, unknown>> {
    const x = new Exchange(origin);
    this.live.add(x);
    x.attached = this.gateway.attach(x);
    run({ signal: x.ctrl.signal, origin: new CallOrigin(x, x.id), onProgress: p => x.progress?.(p) }).then(
      value => x.settle({ ok: true, value: value as Record<string, unknown> }),
      error => x.settle({ ok: false, error }),
    );
    return this.drive(x, call);
  }

  /** A retry: the client's answers go to the waiting server requests, and the call goes on. */
  resume(state: string, origin: ExchangeOrigin, responses: unknown, call: ExchangeCall): Promise<Record<string, unknown>> {
    const x = this.parked.get(state);
    if (!x || x.principal !== origin.principal || x.binding() !== bindingOf(origin.method, origin.params)) {
      return Promise.reject(new WireError(ErrorCode.InvalidParams,
        `requestState is unknown or expired: this gateway did not issue it for this ${origin.method}, it was already used, or its ${duration(this.limits.ttlMs)} ran out. `
        + 'Send the request again without requestState and inputResponses to start over.'));
    }
    this.unpark(x);
    x.clientCapabilities = origin.clientCapabilities;
    if (isObject(responses)) {
      for (const [key, value] of Object.entries(responses)) {
        const ask = x.asks.get(key);
        if (ask && isObject(value)) ask.answer(value);
      }
    }
    return this.drive(x, call);
  }

  /** Ends every call of `principal` (a stdio client that went). */
  forget(principal: string): void {
    for (const x of [...this.live]) if (x.principal === principal) this.end(x, `${x.label} went away`);
  }

  private unpark(x: Exchange): void {
    if (x.token !== undefined) this.parked.delete(x.token);
    x.token = undefined;
    clearTimeout(x.timer);
    x.timer = undefined;
  }

  /** Cancels the managed server's call and refuses what it still asks. */
  private end(x: Exchange, why: string): void {
    this.unpark(x);
    this.live.delete(x);
    if (!x.outcome) {
      x.refuseAll(why);
      x.ctrl.abort(new LocalError('cancelled', why));
      x.settle({ ok: false, error: new LocalError('cancelled', why) });
    }
  }

  /** Answers the client's current request: the result once the call ends, or input_required when the server asks. */
  private async drive(x: Exchange, call: ExchangeCall): Promise<Record<string, unknown>> {
    x.progress = call.onProgress;
    const onAbort = () => this.end(x, `${x.label} cancelled its request`);
    if (call.signal.aborted) onAbort();
    call.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (x.outcome) {
          this.live.delete(x);
          if (x.outcome.ok) return x.outcome.value;
          throw x.outcome.error;
        }
        if (x.asks.size) {
          // Requests the server sends together (an elicitation beside roots) go in one round.
          await new Promise<void>(resolve => setImmediate(resolve));
          if (x.outcome || !x.asks.size) continue;
          if (this.parked.size >= this.limits.maxPending) {
            const n = this.parked.size;
            this.log?.('warning', `${x.label}: ${n} ${n === 1 ? 'call waits' : 'calls wait'} for their clients' input already (limit ${this.limits.maxPending}); refused what the server asked`);
            x.refuseAll(`the gateway already holds ${n} ${n === 1 ? 'request' : 'requests'} waiting for their clients' input, its limit; ${x.label} cannot be asked now`);
            continue;
          }
          return this.park(x);
        }
        await x.changed();
      }
    } finally {
      call.signal.removeEventListener('abort', onAbort);
      if (x.progress === call.onProgress) x.progress = undefined;
    }
  }

  private park(x: Exchange): Record<string, unknown> {
    const token = randomBytes(32).toString('base64url');
    x.binding();
    x.token = token;
    this.parked.set(token, x);
    x.timer = setTimeout(() => {
      const d = duration(this.limits.ttlMs);
      this.log?.('info', `${x.label} did not come back with the input within ${d}; its call is cancelled`);
      this.end(x, `${x.label} did not answer within ${d} (the gateway keeps a request's input state that long)`);
    }, this.limits.ttlMs);
    x.timer.unref?.();
    const inputRequests: Record<string, unknown> = {};
    for (const [key, ask] of x.asks) inputRequests[key] = ask.params === undefined ? { method: ask.method } : { method: ask.method, params: ask.params };
    return { resultType: 'input_required', inputRequests, requestState: token };
  }

  dispose(): void {
    for (const x of [...this.live]) this.end(x, 'the gateway stopped');
  }
}
