// The MCP client: typed methods over a connection, pagination followed to the end,
// capability checks before each feature, structured content validated against the
// tool's output schema. `McpClient.create()` does the handshake and cleans up if it fails.

import { createRequire } from 'node:module';
import type { Validator } from '@cfworker/json-schema';
import { BUNDLED, requireBeside } from '../base/bundled.ts';
import { Disposable, Emitter, type Event } from '../base/event.ts';
import type { Transport } from '../transports/transport.ts';
import { JsonRpcConnection, type NotificationHandler, type RequestCallOptions, type RequestHandler } from './connection.ts';
import { VIA_INPUT, type InputBroker } from './inputBroker.ts';
import { ResultCache, cacheKey, type CacheHints } from './resultCache.ts';
import { LocalError, RequestError, errorMessage } from './errors.ts';
import { StatefulGeneration, type ProtocolGeneration, type SessionInit } from './generation.ts';
import { negotiate, type ProtocolChoice } from './negotiation.ts';
import { StatelessGeneration } from './stateless.ts';
import { parse } from './schemas.ts';
import { createTaskRuntime } from './taskRuntimes.ts';
import type { TaskClient, TaskRuntime } from './tasks.ts';
import type {
  CallToolResult, ClientCapabilities, CompleteResult, CompletionReference, GetPromptResult, Implementation,
  InitializeResult, LoggingLevel, Prompt, ReadResourceResult, RequestOptions, Resource, ResourceTemplate,
  ServerCapabilities, Tool,
} from './types.ts';

export interface McpClientOptions {
  /** The server's name, in every error message. */
  name: string;
  clientInfo: Implementation;
  /** Declared to the server; what the broker can answer (roots, sampling, elicitation) is added. */
  capabilities?: ClientCapabilities;
  /** Answers the server's needs — roots, sampling, elicitation — in either generation. */
  broker?: InputBroker;
  /** A generation to use as is (tests, embedders that know the server); otherwise `protocol` decides. */
  generation?: ProtocolGeneration;
  /**
   * Negotiate the protocol generation: probe `server/discover`, fall back to `initialize`
   * (see negotiation.ts). Without it (and without `generation`) the client speaks
   * 2025-11-25 as it always did.
   */
  protocol?: ProtocolChoice;
  requestTimeoutMs?: number;
  maxRequestTimeoutMs?: number;
  /** Handshake deadline (default: the request timeout). */
  initializeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the connection before the handshake (to watch its traffic and notifications). */
  onConnection?: (conn: JsonRpcConnection) => void;
}

const MAX_PAGES = 10_000;
/** The handshake's deadline when the options name none (the connection's request default). */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;

type Capability = 'tools' | 'resources' | 'prompts' | 'logging' | 'completions';

export class McpClient implements Disposable, TaskClient {
  readonly connection: JsonRpcConnection;
  readonly transport: Transport;
  readonly generation: ProtocolGeneration;
  private init: InitializeResult;
  private readonly validators = new WeakMap<Tool, Validator>();
  private readonly toolsByName = new Map<string, Tool>();
  /** What a new handshake sends (no signal: it lives as long as the client). */
  private readonly sessionInit: SessionInit;
  /** Sessions the server can forget (HTTP): requests are retried once on a new one. */
  private readonly renewable: boolean;
  /** Handshakes since the first; a failed request knows which session it was sent in. */
  private epoch = 0;
  private renewing: Promise<void> | undefined;
  private expirySubscription: Disposable = Disposable.None;
  /** Results the server said stay fresh for a while (2026-07-28 `ttlMs`). */
  readonly cache: ResultCache;
  private readonly listedAt = new Map<string, number>();
  private attachment: Disposable = Disposable.None;
  private _broker: InputBroker | undefined;
  private _tasks: TaskRuntime | undefined;
  private readonly _onDidReconnect = new Emitter<InitializeResult>();
  /**
   * The server forgot our session and a new one is established (the handshake ran again).
   * What the old session held, subscriptions and the log level, is the listener's to restore.
   */
  readonly onDidReconnect: Event<InitializeResult> = this._onDidReconnect.event;

  private constructor(transport: Transport, connection: JsonRpcConnection, generation: ProtocolGeneration, init: InitializeResult, sessionInit: SessionInit, cache: ResultCache) {
    this.cache = cache;
    this.transport = transport;
    this.connection = connection;
    this.generation = generation;
    this.init = init;
    this.sessionInit = sessionInit;
    this.renewable = transport.onDidExpireSession !== undefined;
  }

  /** Starts the transport, runs the handshake, and returns a ready client; on failure everything is closed. */
  static async create(transport: Transport, options: McpClientOptions): Promise<McpClient> {
    const connection = new JsonRpcConnection(transport, {
      name: options.name,
      requestTimeoutMs: options.requestTimeoutMs,
      maxRequestTimeoutMs: options.maxRequestTimeoutMs,
    });
    let attachment: Disposable = Disposable.None;
    // Before the handshake: a server may ask for roots as soon as it is initialized.
    const attach = (g: ProtocolGeneration) => { attachment.dispose(); attachment = g.attach(connection, options.broker); };
    try {
      // The cache hears a change notification before anyone who lists again because of it
      // (the host's relist would otherwise be served the stale cached page).
      const cache = new ResultCache();
      watchForStaleness(connection, cache);
      options.onConnection?.(connection);
      // The start is part of the handshake: bounded by its deadline and ended by a Stop
      // (a legacy SSE server may never send its endpoint event).
      await startTransport(transport, options.signal, options.initializeTimeoutMs ?? options.requestTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
      const sessionInit: SessionInit = {
        clientInfo: options.clientInfo,
        capabilities: { ...options.capabilities, ...options.broker?.capabilities },
        timeoutMs: options.initializeTimeoutMs ?? options.requestTimeoutMs,
      };
      let generation: ProtocolGeneration;
      let init: InitializeResult;
      if (options.generation || !options.protocol) {
        generation = options.generation ?? new StatefulGeneration();
        attach(generation);
        init = await generation.connect(connection, { ...sessionInit, signal: options.signal });
      } else {
        ({ generation, init } = await negotiate(connection, { ...sessionInit, signal: options.signal }, options.protocol, attach));
      }
      transport.setProtocolVersion?.(init.protocolVersion);
      const client = new McpClient(transport, connection, generation, init, sessionInit, cache);
      client.attachment = attachment;
      client._broker = options.broker;
      if (transport.onDidExpireSession && generation.id === 'stateful') client.expirySubscription = transport.onDidExpireSession(() => void client.renew(client.epoch));
      if (generation instanceof StatelessGeneration) generation.startListening(connection);
      return client;
    } catch (err) {
      attachment.dispose();
      connection.close(new LocalError('closed', 'the handshake failed'));
      await transport.close().catch(() => {});
      if (err instanceof RequestError) throw err;
      const local = err instanceof LocalError ? err : new LocalError('transport', errorMessage(err), err);
      throw new RequestError(options.name, 'initialize', local);
    }
  }

  get name(): string { return this.connection.name; }
  /** What the server said of itself in the current session's handshake. */
  get initializeResult(): InitializeResult { return this.init; }
  get serverInfo(): Implementation { return this.initializeResult.serverInfo; }
  get capabilities(): ServerCapabilities { return this.initializeResult.capabilities; }
  get protocolVersion(): string { return this.initializeResult.protocolVersion; }
  get instructions(): string | undefined { return this.initializeResult.instructions; }
  get onDidClose(): Event<LocalError> { return this.connection.onDidClose; }
  /** What answers the server's roots, sampling and elicitation requests (tasks.ts hands it a 2026 task's input requests). */
  get broker(): InputBroker | undefined { return this._broker; }

  /** Tasks on this connection, as its revision has them (tasks.ts; callToolAsTask runs a call as one). */
  get tasks(): TaskRuntime {
    return this._tasks ??= createTaskRuntime(this.generation.id, {
      name: this.name,
      capabilities: () => this.capabilities,
      request: (method, params, options) => this.request(method, params, options),
      onNotification: (method, handler) => this.connection.onNotification(method, handler),
      broker: this._broker,
    });
  }

  onRequest(method: string, handler: RequestHandler): Disposable { return this.connection.onRequest(method, handler); }
  onNotification(method: string, handler: NotificationHandler): Disposable { return this.connection.onNotification(method, handler); }
  notify(method: string, params?: Record<string, unknown>): void { this.connection.notify(method, params); }

  has(cap: Capability): boolean { return this.capabilities[cap] !== undefined; }

  ping(options?: RequestOptions): Promise<void> {
    if (!this.generation.canPing) return Promise.reject(new RequestError(this.name, 'ping', new LocalError('unsupported', `protocol ${this.protocolVersion} has no ping`)));
    return this.request('ping', undefined, { ...options, parse: parse.empty }).then(() => undefined);
  }

  async listTools(options?: RequestOptions): Promise<Tool[]> {
    this.require('tools', 'tools/list');
    const tools = await this.paginate('tools/list', 'tools', parse.listTools, options);
    this.toolsByName.clear();
    for (const t of tools) this.toolsByName.set(t.name, t);
    return tools;
  }

  /** `checkOutput: false` hands back a result whatever its structuredContent (a UI that shows the mismatch). */
  callTool(name: string, args: Record<string, unknown> = {}, options?: RequestOptions & { checkOutput?: boolean }): Promise<CallToolResult> {
    if (!this.has('tools')) return Promise.reject(this.unsupported('tools/call', 'tools'));
    const call = this.request('tools/call', { name, arguments: args }, { ...options, parse: parse.callTool });
    // The hot path hands back the request's own promise: no extra promise and tick per call.
    const tool = this.toolsByName.get(name);
    if (!tool?.outputSchema || options?.checkOutput === false) return call;
    return call.then(result => this.checkToolResult(name, result));
  }

  /** Checks a final result of the tool against its output schema (a task's result, too); throws when it does not match. */
  checkToolResult(name: string, result: CallToolResult): CallToolResult {
    const tool = this.toolsByName.get(name);
    if (tool?.outputSchema && !result.isError) this.checkStructured(tool, result);
    return result;
  }

  async listResources(options?: RequestOptions): Promise<Resource[]> {
    this.require('resources', 'resources/list');
    return this.paginate('resources/list', 'resources', parse.listResources, options);
  }

  async listResourceTemplates(options?: RequestOptions): Promise<ResourceTemplate[]> {
    this.require('resources', 'resources/templates/list');
    return this.paginate('resources/templates/list', 'resourceTemplates', parse.listResourceTemplates, options);
  }

  async readResource(uri: string, options?: RequestOptions): Promise<ReadResourceResult> {
    this.require('resources', 'resources/read');
    const params = { uri };
    return this.cached('resources/read', params, () => this.request('resources/read', params, { ...options, parse: parse.readResource }));
  }

  /**
   * A request no typed method covers (an extension's, e.g. `skills/list`), sent through
   * the generation like every other: the same `_meta`, headers, input rounds and session
   * renewal. `parse` validates the result at the edge.
   */
  requestRaw<R = Record<string, unknown>>(method: string, params: Record<string, unknown> | undefined, options: RequestOptions & { parse?: (raw: Record<string, unknown>) => R } = {}): Promise<R> {
    return this.request(method, params, options);
  }

  /** When the list `method` (tools/list, …) was last fetched from the server: its oldest page, when pages came from the cache. */
  listAge(method: string): number | undefined {
    return this.listedAt.get(method);
  }

  /**
   * Serves a fresh cached result, or fetches and keeps it when the server says for how
   * long it stays fresh. `onAge` gets when the result used was received.
   */
  private async cached<R extends object>(method: string, params: { cursor?: string; uri?: string } | undefined, fetch: () => Promise<R>, onAge?: (receivedAt: number) => void): Promise<R> {
    const key = cacheKey(method, params);
    const hit = this.cache.fresh<R>(key);
    if (hit) { onAge?.(hit.receivedAt); return hit.value; }
    const generation = this.cache.generation(method);
    const value = await fetch();
    const receivedAt = Date.now();
    onAge?.(receivedAt);
    // A result that took input rounds (MRTR) is never kept: it answered what the user said then.
    if (!(value as { [VIA_INPUT]?: boolean })[VIA_INPUT]) this.cache.store(method, key, value, value as CacheHints, generation, receivedAt);
    return value;
  }

  async subscribe(uri: string, options?: RequestOptions): Promise<void> {
    if (!this.capabilities.resources?.subscribe) throw this.unsupported('resources/subscribe', 'resource subscriptions');
    await this.withRenewal(() => this.generation.subscribe(this.connection, uri, options));
  }

  async unsubscribe(uri: string, options?: RequestOptions): Promise<void> {
    if (!this.capabilities.resources?.subscribe) throw this.unsupported('resources/unsubscribe', 'resource subscriptions');
    await this.withRenewal(() => this.generation.unsubscribe(this.connection, uri, options));
  }

  /** Tells the server the roots changed, as the generation does that. */
  rootsChanged(): void {
    this.generation.rootsChanged(this.connection);
  }

  async listPrompts(options?: RequestOptions): Promise<Prompt[]> {
    this.require('prompts', 'prompts/list');
    return this.paginate('prompts/list', 'prompts', parse.listPrompts, options);
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options?: RequestOptions): Promise<GetPromptResult> {
    this.require('prompts', 'prompts/get');
    return this.request('prompts/get', { name, arguments: args }, { ...options, parse: parse.getPrompt });
  }

  async complete(ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: RequestOptions): Promise<CompleteResult> {
    this.require('completions', 'completion/complete');
    const params: Record<string, unknown> = { ref, argument };
    if (context && Object.keys(context).length) params.context = { arguments: context };
    return this.request('completion/complete', params, { ...options, parse: parse.complete });
  }

  async setLoggingLevel(level: LoggingLevel, options?: RequestOptions): Promise<void> {
    this.require('logging', 'logging/setLevel');
    await this.withRenewal(() => this.generation.setLogLevel(this.connection, level, options));
  }

  private closing: Promise<void> | undefined;

  /** Ends the session and the transport (escalating for stdio); repeated calls share one shutdown. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.expirySubscription.dispose();
      this.attachment.dispose();
      this.connection.close(new LocalError('closed', 'the client closed the connection'));
      this._onDidReconnect.dispose();
      await this.transport.close();
    })();
    return this.closing;
  }

  dispose(): void { void this.close(); }

  // ---- internals ----

  /**
   * One request through the generation. Where the server can forget the session, a
   * request it refused for that reason is sent once more, in the new session.
   */
  private request<R>(method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R> {
    return this.withRenewal(() => this.generation.request(this.connection, method, params, options));
  }

  /** Runs `send`; where the server can forget the session, once more in a new one if it did. */
  private withRenewal<R>(send: () => Promise<R>): Promise<R> {
    const call = send();
    // The hot path hands back the connection's own promise: no extra promise per call.
    if (!this.renewable) return call;
    const epoch = this.epoch;
    return call.catch(async err => {
      if (!(err instanceof RequestError && err.cause instanceof LocalError && err.cause.code === 'session-expired')) throw err;
      await this.renew(epoch);
      return send();
    });
  }

  /**
   * Runs the handshake again once per expired session, however many requests found out
   * (single-flight); a request sent before the last renewal just goes again. If the new
   * handshake fails, the connection closes with that cause (the server is as good as
   * gone; its manager decides about restarting) and the retried requests fail with it.
   */
  private renew(epoch: number): Promise<void> {
    if (epoch !== this.epoch || this.connection.isClosed) return Promise.resolve();
    this.renewing ??= (async () => {
      let init: InitializeResult;
      try {
        init = await this.generation.connect(this.connection, this.sessionInit);
      } catch (err) {
        const cause = err instanceof RequestError ? err.cause.message : errorMessage(err);
        this.connection.close(new LocalError('closed', `the server ended the session, and a new one could not be established: ${cause}`, err));
        return;
      }
      this.transport.setProtocolVersion?.(init.protocolVersion);
      this.init = init;
      this.epoch++;
      this._onDidReconnect.fire(init);
    })().finally(() => { this.renewing = undefined; });
    return this.renewing;
  }

  private require(cap: Capability, method: string): void {
    if (!this.has(cap)) throw this.unsupported(method, cap);
  }

  private unsupported(method: string, what: string): RequestError {
    return new RequestError(this.name, method, new LocalError('unsupported', `the server does not offer ${what}`));
  }

  private async paginate<K extends string, I>(
    method: string, key: K,
    parser: (raw: Record<string, unknown>) => { [P in K]: I[] } & { nextCursor?: string },
    options?: RequestOptions,
  ): Promise<I[]> {
    const all: I[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    let oldest = Infinity;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = cursor === undefined ? undefined : { cursor };
      // Each page has its own clock (2026-07-28 caching): a fresh one costs no round trip.
      const res = await this.cached(method, params, () => this.request(method, params, { ...options, parse: parser }), at => { oldest = Math.min(oldest, at); });
      if (cursor === undefined) this.listedAt.set(method, Number.isFinite(oldest) ? oldest : Date.now());
      for (const item of res[key]) all.push(item);
      cursor = res.nextCursor;
      if (cursor === undefined || cursor === null) {
        if (Number.isFinite(oldest)) this.listedAt.set(method, oldest);
        return all;
      }
      if (seen.has(cursor)) throw new RequestError(this.name, method, new LocalError('invalid-message', `the server repeated cursor ${JSON.stringify(cursor)}; stopping pagination`));
      seen.add(cursor);
    }
    throw new RequestError(this.name, method, new LocalError('invalid-message', `more than ${MAX_PAGES} pages`));
  }

  private checkStructured(tool: Tool, result: CallToolResult): void {
    if (result.structuredContent === undefined) {
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `tool "${tool.name}" declares an output schema but returned no structuredContent`));
    }
    let r: ReturnType<Validator['validate']>;
    try {
      let v = this.validators.get(tool);
      if (!v) {
        v = new (validatorClass())(tool.outputSchema as object, '2020-12', false);
        this.validators.set(tool, v);
      }
      r = v.validate(result.structuredContent);
    } catch (err) {
      // A schema or a value the validator cannot walk (a recursive $ref over deep data).
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `structuredContent of "${tool.name}" could not be checked against its output schema: ${errorMessage(err)}`, err));
    }
    if (!r.valid) {
      const first = r.errors.filter(e => e.keyword !== 'properties').slice(0, 3).map(e => `${e.instanceLocation}: ${e.error}`).join('; ');
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `structuredContent of "${tool.name}" does not match its output schema: ${first || r.errors[0]?.error}`));
    }
  }
}

/**
 * Starts the transport within the handshake's deadline; an abort of `outer` (a Stop) ends
 * the wait as well. The transport gets the signal and, if it honours it, rejects in its
 * own words (naming what it waited for); one that does not is no longer waited for.
 */
async function startTransport(transport: Transport, outer: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new LocalError('timeout', `timed out after ${timeoutMs} ms`)), timeoutMs);
  const onOuter = () => ctrl.abort(outer!.reason instanceof LocalError ? outer!.reason : new LocalError('cancelled', 'cancelled'));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      transport.start({ signal: ctrl.signal }).then(resolve, reject);
      // After a macrotask, so that a transport's own rejection (a promise chain) wins.
      const onAbort = () => setImmediate(() => {
        const r = ctrl.signal.reason as LocalError;
        reject(new LocalError(r.code, `the transport did not start: ${r.message}`, r));
      });
      if (ctrl.signal.aborted) onAbort();
      else ctrl.signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/**
 * A change notification makes what it names stale at once, whichever way it came (a
 * 2025-11-25 notification, or one on a 2026-07-28 listen stream: both reach the
 * connection's notification handlers).
 */
function watchForStaleness(conn: JsonRpcConnection, cache: ResultCache): void {
  conn.onNotification('notifications/tools/list_changed', () => cache.invalidate('tools/list'));
  conn.onNotification('notifications/prompts/list_changed', () => cache.invalidate('prompts/list'));
  conn.onNotification('notifications/resources/list_changed', () => { cache.invalidate('resources/list'); cache.invalidate('resources/templates/list'); });
  conn.onNotification('notifications/resources/updated', p => { if (typeof p.uri === 'string') cache.invalidate('resources/read', p.uri); });
}

/**
 * The JSON Schema validator, loaded the first time a tool with an output schema answers:
 * most servers declare none, and the extension bundle has a budget. In the bundles it is
 * dist/jsonschema.js (esbuild.mjs); from sources, the package. Synchronous either way.
 */
let ValidatorClass: typeof Validator | undefined;
function validatorClass(): typeof Validator {
  type Mod = { Validator: typeof Validator };
  return ValidatorClass ??= (BUNDLED ? requireBeside<Mod>('jsonschema.js') : createRequire(import.meta.url)('@cfworker/json-schema') as Mod).Validator;
}
