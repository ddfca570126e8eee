// The stateless generation (MCP 2026-07-28): no handshake and no session. Every request
// carries the protocol version, the client's capabilities and identity (and the log level
// it wants) in `_meta`; over HTTP the same things go in headers beside it. A result may
// be `input_required`: the server needs roots, a sampling completion or an elicitation
// first — the input broker answers each, and the request is sent again with a new id,
// the `inputResponses` and the server's `requestState` untouched, for a bounded number of
// rounds. Resource updates and list changes come on one `subscriptions/listen` stream
// (listen.ts). There is no ping and no server→client request.

import { Disposable } from '../base/event.ts';
import type { JsonRpcConnection, RequestCallOptions } from './connection.ts';
import { ErrorCode, LocalError, RequestError, WireError, errorMessage } from './errors.ts';
import type { ProtocolGeneration, SessionInit } from './generation.ts';
import { VIA_INPUT, type InputBroker, type InputRequest } from './inputBroker.ts';
import { markConstant } from './jsonrpc.ts';
import { ListenStream } from './listen.ts';
import { TASKS_EXTENSION_CAPABILITY } from './tasksExtension.ts';
import { paramHeaders, scanHeaderDeclarations, standardHeaders, type HeaderParam } from './mcpHeaders.ts';
import { parse } from './schemas.ts';
import { META } from './metaKeys.ts';
import {
  MODERN_PROTOCOL_VERSIONS, type Implementation, type InitializeResult, type LoggingLevel, type RequestOptions, type ServerCapabilities, type Tool,
} from './types.ts';

export { META };

export interface StatelessOptions {
  /** The revision to speak (default the newest modern one). */
  version?: string;
  /** Over HTTP: headers beside each request, cancel by closing the stream, tools with invalid header declarations dropped. */
  http?: boolean;
  /** Input rounds (MRTR) a request may take before it fails (default 10). */
  maxInputRounds?: number;
  /** Open one `subscriptions/listen` stream for list changes and resource updates (a long-lived host; not a one-shot CLI). */
  listen?: boolean;
  /** Protocol problems worth a line in the server's log (dropped tools, a listen stream that broke). */
  onWarn?: (message: string) => void;
  /** The listen stream is down (a sentence for the user's view) or back (undefined). */
  onNotice?: (notice: string | undefined) => void;
}

const DEFAULT_MAX_ROUNDS = 10;
/** A round that carries only `requestState` (the server shed load): wait this long before asking again. */
const STATE_ONLY_PAUSE_MS = 250;

/** The parser's verdict for a result that is not final yet. */
class InputRequired {
  readonly raw: { inputRequests?: Record<string, InputRequest>; requestState?: string };
  constructor(raw: InputRequired['raw']) { this.raw = raw; }
}

/** Thrown by connect() when the server is not a modern one: the caller falls back to `initialize`. */
export class LegacyServerError extends Error {
  override readonly cause: unknown;
  constructor(why: string, cause?: unknown) {
    super(why);
    this.name = 'LegacyServerError';
    this.cause = cause;
  }
}

export class StatelessGeneration implements ProtocolGeneration {
  readonly id = 'stateless';
  readonly canPing = false;
  private version: string;
  private readonly opts: StatelessOptions;
  private broker: InputBroker | undefined;
  private baseMeta: Readonly<Record<string, unknown>> = {};
  private logLevel: LoggingLevel | undefined;
  /** `x-mcp-header` declarations of the listed tools, and the tools refused for invalid ones. */
  private readonly headerParams = new Map<string, HeaderParam[]>();
  private readonly refusedTools = new Map<string, string>();
  private listen: ListenStream | undefined;
  private serverCapabilities: ServerCapabilities = {};

  constructor(options: StatelessOptions = {}) {
    this.opts = options;
    this.version = options.version ?? MODERN_PROTOCOL_VERSIONS[0]!;
  }

  get protocolVersion(): string { return this.version; }

  /**
   * `server/discover`. A DiscoverResult naming a modern version we speak, or an
   * UnsupportedProtocolVersion error listing one (answered by retrying once with it),
   * is a modern server; anything else is not (LegacyServerError), and the caller uses
   * `initialize` instead.
   */
  async connect(conn: JsonRpcConnection, init: SessionInit): Promise<InitializeResult> {
    this.setIdentity(init.clientInfo, init.capabilities);
    let corrected = false;
    for (;;) {
      let result;
      try {
        result = await conn.request('server/discover', { _meta: this.meta() }, {
          parse: parse.discover, signal: init.signal, timeoutMs: init.timeoutMs, context: this.context('server/discover', undefined),
        });
      } catch (err) {
        const supported = unsupportedVersionList(err);
        if (supported) {
          const pick = supported.find(v => MODERN_PROTOCOL_VERSIONS.includes(v));
          // The spec: choose from what the error lists and try again (once, even when it
          // lists the version we sent — a server may refuse a first request whatever it says).
          if (pick && !corrected) { corrected = true; this.version = pick; this.setIdentity(init.clientInfo, init.capabilities); continue; }
          if (!pick) throw new LegacyServerError(`the server speaks only ${supported.join(', ')}`, err);
        }
        if (err instanceof RequestError && err.cause instanceof LocalError && (err.cause.code === 'auth' || err.cause.code === 'cancelled' || err.cause.code === 'closed')) throw err;
        throw new LegacyServerError(`server/discover failed: ${err instanceof RequestError ? err.cause.message : errorMessage(err)}`, err);
      }
      const mutual = result.supportedVersions.find(v => MODERN_PROTOCOL_VERSIONS.includes(v));
      if (!mutual) throw new LegacyServerError(`the server lists versions ${result.supportedVersions.join(', ') || '(none)'}, none of them stateless ones this host speaks`);
      if (mutual !== this.version) { this.version = mutual; this.setIdentity(init.clientInfo, init.capabilities); }
      this.serverCapabilities = result.capabilities;
      const info = (result._meta?.[META.serverInfo] ?? result.serverInfo) as Implementation | undefined;
      return {
        protocolVersion: this.version,
        capabilities: result.capabilities,
        serverInfo: info && typeof info.name === 'string' ? info : { name: 'unknown server', version: '?' },
        ...(result.instructions !== undefined ? { instructions: result.instructions } : {}),
      };
    }
  }

  attach(conn: JsonRpcConnection, broker: InputBroker | undefined): Disposable {
    this.broker = broker;
    // Listen once the server is known (connect sets its capabilities); a stream per client.
    return Disposable.create(() => { this.listen?.dispose(); this.listen = undefined; void conn; });
  }

  /** Starts the listen stream for what the server can announce (a long-lived client; see StatelessOptions.listen). */
  startListening(conn: JsonRpcConnection): void {
    if (!this.opts.listen || this.listen) return;
    this.listen = new ListenStream(conn, {
      capabilities: () => this.serverCapabilities,
      send: (method, params, options) => conn.request(method, { ...params, _meta: this.meta() }, { ...options, context: this.context(method, undefined), cancelBy: this.opts.http ? 'abort' : 'notify' }),
      onWarn: this.opts.onWarn,
      onNotice: this.opts.onNotice,
    });
    this.listen.update();
  }

  request<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R> {
    if (method === 'tools/call') {
      const refused = this.refusedTools.get(String(params?.name));
      if (refused) return Promise.reject(new RequestError(conn.name, method, new LocalError('invalid-message', `tool "${String(params?.name)}" is not offered: ${refused}`)));
    }
    // The hot path hands back the request's own promise (as the stateful generation does):
    // an input_required result continues inside the parse, and only HTTP can need recovery.
    const call = this.send(conn, method, params, options, first => this.rounds(conn, method, params, options, first)) as Promise<R>;
    return this.opts.http && method === 'tools/call' ? call.catch(err => this.recover(conn, method, params, options, err)) : call;
  }

  async setLogLevel(_conn: JsonRpcConnection, level: LoggingLevel): Promise<void> {
    this.logLevel = level;
  }

  async subscribe(conn: JsonRpcConnection, uri: string): Promise<void> {
    this.startListening(conn);
    this.listen?.subscribe(uri);
  }

  async unsubscribe(_conn: JsonRpcConnection, uri: string): Promise<void> {
    this.listen?.unsubscribe(uri);
  }

  rootsChanged(): void { /* stateless servers ask for roots with each request that needs them */ }

  // ---- internals ----

  private setIdentity(clientInfo: Implementation, capabilities: SessionInit['capabilities']): void {
    // 2026-07-28 has no roots.listChanged (roots are asked each time) and declares only real objects.
    const caps: Record<string, unknown> = { ...capabilities };
    if (caps.roots) caps.roots = {};
    delete caps.tasks;
    // We follow tasks the 2026-07-28 way (tasksExtension.ts): say so on every request.
    caps.extensions = { ...(caps.extensions as Record<string, unknown> | undefined), ...TASKS_EXTENSION_CAPABILITY.extensions };
    // The same on every request: serialized once (jsonrpc.ts serializeMessage).
    this.baseMeta = markConstant({
      [META.protocolVersion]: this.version,
      [META.clientCapabilities]: caps,
      [META.clientInfo]: clientInfo,
    });
  }

  private meta(extra?: unknown): Record<string, unknown> {
    // Shared when there is nothing to add: messages are serialized, never changed (the
    // connection copies `_meta` to add a progress token).
    if (!this.logLevel && !(extra && typeof extra === 'object')) return this.baseMeta;
    const m: Record<string, unknown> = extra && typeof extra === 'object' ? { ...(extra as Record<string, unknown>), ...this.baseMeta } : { ...this.baseMeta };
    if (this.logLevel) m[META.logLevel] = this.logLevel;
    return m;
  }

  private context(method: string, params: Record<string, unknown> | undefined): { headers: Record<string, string> } | undefined {
    if (!this.opts.http) return undefined;
    const headers = standardHeaders(this.version, method, params);
    if (method === 'tools/call' && typeof params?.name === 'string') {
      const decl = this.headerParams.get(params.name);
      if (decl?.length) Object.assign(headers, paramHeaders(decl, params.arguments as Record<string, unknown> | undefined));
    }
    return { headers };
  }

  /**
   * One request as this generation sends it; resolves with the parsed final result, or on
   * input_required with what `onInput` makes of it (without it, the InputRequired itself).
   */
  private send<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>, onInput?: (first: InputRequired) => Promise<R>): Promise<R | InputRequired> {
    const withMeta = { ...params, _meta: this.meta(params?._meta) };
    const finalParse = options.parse;
    // Result types an extension handles (the tasks extension's "task" for tools/call) go to its parser.
    const extra = (options as { resultTypes?: readonly string[] }).resultTypes;
    const read = (raw: Record<string, unknown>): R | InputRequired | Promise<R> => {
      const type = raw.resultType;
      if (type === 'input_required') {
        const first = new InputRequired(parse.inputRequired(raw));
        return onInput ? onInput(first) : first;
      }
      // Absent (an earlier revision's habit) is complete; anything else we do not speak.
      if (type !== undefined && type !== 'complete' && !(typeof type === 'string' && extra?.includes(type))) throw new Error(`unknown resultType ${JSON.stringify(type)}`);
      const value = finalParse ? finalParse(raw) : raw as R;
      if (method === 'tools/list') this.noteTools(value as { tools?: Tool[] });
      return value;
    };
    // A promise from the parse (the rounds) is adopted by the request's own promise.
    return conn.request(method, withMeta, {
      ...options, parse: read as (raw: Record<string, unknown>) => R | InputRequired, context: this.context(method, params), cancelBy: this.opts.http ? 'abort' : 'notify',
    });
  }

  /** Answers input requests through the broker and asks again, until the result is final. */
  private async rounds<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>, first: InputRequired): Promise<R> {
    const max = this.opts.maxInputRounds ?? DEFAULT_MAX_ROUNDS;
    const name = typeof params?.name === 'string' ? params.name : typeof params?.uri === 'string' ? params.uri : undefined;
    const fail = (why: string, cause?: unknown) => new RequestError(conn.name, method, new LocalError('invalid-message', why, cause));
    let current = first;
    for (let round = 1; ; round++) {
      if (round > max) throw fail(`the server still asked for input after ${max} rounds`);
      const requests = current.raw.inputRequests ?? {};
      const keys = Object.keys(requests);
      const signal = options.signal ?? new AbortController().signal;
      options.onProgress?.({ progressToken: 'input', progress: round, message: keys.length ? `the server is waiting for input (${keys.map(k => describeInput(requests[k]!)).join(', ')})` : 'the server asked to be asked again' });
      const responses: Record<string, unknown> = {};
      if (keys.length) {
        if (!this.broker) throw fail(`the server asked for ${keys.map(k => requests[k]!.method).join(', ')}, which this client cannot answer`);
        // One at a time, in the server's order: each may be a dialog, and a person answers
        // one dialog at a time (a sampling approval over an open form is confusing). The
        // first that fails ends the request.
        const ctrl = new AbortController();
        const both = AbortSignal.any([signal, ctrl.signal]);
        try {
          for (const key of keys) {
            responses[key] = await this.broker!.answer(requests[key]!, { signal: both, key, relatedTo: { method, ...(name !== undefined ? { name } : {}) }, origins: [options.origin] });
          }
        } catch (err) {
          ctrl.abort();
          if (signal.aborted) throw new RequestError(conn.name, method, new LocalError('cancelled', 'cancelled'));
          if (err instanceof WireError || (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number')) {
            const w = err as { code: number; message: string; data?: unknown };
            throw new RequestError(conn.name, method, new WireError(w.code, w.message, w.data));
          }
          throw fail(`answering the server's input request failed: ${errorMessage(err)}`, err);
        }
      } else {
        await pause(STATE_ONLY_PAUSE_MS, signal).catch(() => { throw new RequestError(conn.name, method, new LocalError('cancelled', 'cancelled')); });
      }
      // The original params, our answers, and the state exactly as the server sent it.
      const retry: Record<string, unknown> = { ...params, inputResponses: responses };
      if (current.raw.requestState !== undefined) retry.requestState = current.raw.requestState;
      const next = await this.send(conn, method, retry, options);
      if (!(next instanceof InputRequired)) {
        if (next && typeof next === 'object') Object.defineProperty(next, VIA_INPUT, { value: true, enumerable: false });
        return next as R;
      }
      current = next;
    }
  }

  /** A header mismatch on tools/call: the declarations changed; list again and retry once. */
  private async recover<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>, err: unknown): Promise<R> {
    if (method !== 'tools/call' || !(err instanceof RequestError) || !(err.cause instanceof WireError) || err.cause.code !== ErrorCode.HeaderMismatch) throw err;
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await this.send(conn, 'tools/list', cursor === undefined ? undefined : { cursor }, { parse: parse.listTools, signal: options.signal }) as { nextCursor?: string };
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    const again = await this.send(conn, method, params, options);
    return again instanceof InputRequired ? this.rounds(conn, method, params, options, again) : again;
  }

  /** Records each listed tool's header declarations; over HTTP drops those that are invalid. */
  private noteTools(value: { tools?: Tool[] }): void {
    if (!Array.isArray(value?.tools)) return;
    const kept: Tool[] = [];
    for (const t of value.tools) {
      const scan = scanHeaderDeclarations(t.inputSchema);
      if (scan.ok) {
        this.headerParams.set(t.name, scan.params);
        this.refusedTools.delete(t.name);
        kept.push(t);
      } else if (this.opts.http) {
        this.refusedTools.set(t.name, scan.reason);
        this.headerParams.delete(t.name);
        this.opts.onWarn?.(`tool "${t.name}" is not offered: ${scan.reason}`);
      } else {
        kept.push(t); // over stdio the headers mean nothing; the tool is fine
      }
    }
    if (kept.length !== value.tools.length) value.tools = kept;
  }
}

function unsupportedVersionList(err: unknown): string[] | undefined {
  if (!(err instanceof RequestError) || !(err.cause instanceof WireError) || err.cause.code !== ErrorCode.UnsupportedProtocolVersion) return undefined;
  const supported = (err.cause.data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(supported) && supported.every(v => typeof v === 'string') ? supported as string[] : undefined;
}

function describeInput(r: InputRequest): string {
  switch (r.method) {
    case 'elicitation/create': return (r.params as { mode?: string } | undefined)?.mode === 'url' ? 'a URL to open' : 'a form';
    case 'sampling/createMessage': return 'a model completion';
    case 'roots/list': return 'the roots';
    default: return r.method;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export { unsupportedVersionList };
export type { RequestOptions };
