// The gateway for stateless 2026-07-28 clients (issue 13), over Streamable HTTP
// (statelessHttp.ts) and stdio (stdioServer.ts), from the same catalogue and with the same
// routing as its 2025-11-25 sessions (handlers.ts). There is no session: each request's
// `_meta` — protocol version, client capabilities, client info, log level — is all the
// gateway knows of its client. A managed server's sampling, elicitation and roots while it
// serves such a call come back to the client as `input_required` rounds (mrtr.ts); list
// changes and resource updates go on `subscriptions/listen` streams.

import { Emitter, type Disposable, type Event } from '../base/event.ts';
import type { ManagedServer } from '../host/types.ts';
import { ErrorCode, WireError } from '../protocol/errors.ts';
import type { RequestId } from '../protocol/jsonrpc.ts';
import { META } from '../protocol/metaKeys.ts';
import {
  LOGGING_LEVELS, MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS, type Implementation, type LoggingLevel, type ProgressNotificationParams,
} from '../protocol/types.ts';
import type { ListKind } from './catalog.ts';
import type { Gateway, GatewaySessionInfo } from './gateway.ts';
import {
  GATEWAY_CAPABILITIES, completion, gatewayInstructions, isObject, mcpLevelOf, progressParams, progressTokenOf, promptGet, resourceRead, toolCall, type Routed, type Visible,
} from './handlers.ts';
import { InputExchanges, type ExchangeLimits } from './mrtr.ts';

/** The `_meta` keys of 2026-07-28 (one list for the client side and this one). */
export { META };

/** Every version the gateway speaks: the stateless ones per request, the others through initialize. */
export const GATEWAY_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];

/** The methods of 2026-07-28 the gateway answers. */
export const STATELESS_METHODS: ReadonlySet<string> = new Set([
  'server/discover', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/templates/list',
  'resources/read', 'completion/complete', 'subscriptions/listen',
]);

/** Where a request's `_meta` says what it is; the rest of the gateway trusts these. */
export interface ClientContext {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo?: Implementation;
  logLevel?: LoggingLevel;
}

/** A refusal before the request is handled; over HTTP it has its own status (400, 404, 429, 503). */
export class StatelessRefusal extends WireError {
  readonly status: number;
  constructor(status: number, code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.status = status;
  }
}

/**
 * The client context in a request's `_meta`: missing or malformed keys are invalid params
 * (400 over HTTP). The version is checked apart (checkVersion), after HTTP compares it
 * with its header.
 */
export function readEnvelope(params: unknown): ClientContext {
  const meta = isObject(params) && isObject(params._meta) ? params._meta : undefined;
  const missing = [META.protocolVersion, META.clientCapabilities].filter(k => meta?.[k] === undefined);
  if (missing.length) throw new StatelessRefusal(400, ErrorCode.InvalidParams, `Invalid params: missing _meta keys: ${missing.join(', ')} (2026-07-28 requests carry the client's version and capabilities in params._meta)`);
  const version = meta![META.protocolVersion];
  if (typeof version !== 'string') throw new StatelessRefusal(400, ErrorCode.InvalidParams, `Invalid params: _meta ${META.protocolVersion} must be a string`);
  const caps = meta![META.clientCapabilities];
  if (!isObject(caps)) throw new StatelessRefusal(400, ErrorCode.InvalidParams, `Invalid params: _meta ${META.clientCapabilities} must be an object`);
  const ctx: ClientContext = { protocolVersion: version, clientCapabilities: caps };
  const info = meta![META.clientInfo];
  if (info !== undefined) {
    if (!isObject(info) || typeof info.name !== 'string' || typeof info.version !== 'string') throw new StatelessRefusal(400, ErrorCode.InvalidParams, `Invalid params: _meta ${META.clientInfo} must have a name and a version`);
    ctx.clientInfo = info as unknown as Implementation;
  }
  const level = meta![META.logLevel];
  if (level !== undefined) {
    if (!LOGGING_LEVELS.includes(level as LoggingLevel)) throw new StatelessRefusal(400, ErrorCode.InvalidParams, `Invalid params: _meta ${META.logLevel} ${JSON.stringify(level)} is not a log level (${LOGGING_LEVELS.join(', ')})`);
    ctx.logLevel = level as LoggingLevel;
  }
  return ctx;
}

/** A version the gateway does not speak statelessly: -32022 with what it does speak. */
export function checkVersion(ctx: ClientContext): void {
  if (MODERN_PROTOCOL_VERSIONS.includes(ctx.protocolVersion)) return;
  throw new StatelessRefusal(400, ErrorCode.UnsupportedProtocolVersion,
    `Unsupported protocol version: ${ctx.protocolVersion}. Without a session the gateway speaks ${MODERN_PROTOCOL_VERSIONS.join(', ')}; `
    + `${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} start with initialize`,
    { supported: [...GATEWAY_VERSIONS], requested: ctx.protocolVersion });
}

/** One request of a stateless client, as a transport hands it over. */
export interface StatelessRequest {
  id: RequestId;
  method: string;
  params: Record<string, unknown>;
  /** Who sent it (the HTTP principal; a stdio connection of its own). */
  principal: string;
  /** Aborted when the client cancels (HTTP: closes the stream; stdio: notifications/cancelled) or goes. */
  signal: AbortSignal;
  /** A notification that belongs to this request: its progress, or a listen stream's notifications. */
  notify(method: string, params: Record<string, unknown>): void;
  /** Servers this client does not see (http.ts's hideFor: VS Code's chat, by a header it sends on every request). */
  hide?: (server: ManagedServer) => boolean;
}

/** Returned for a request that gets no response (a listen stream the client closed). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

export interface StatelessLimits extends ExchangeLimits {
  /** Requests handled at once, all clients (default 256) and per principal (default 64); past them 503 / 429. */
  maxInFlight: number;
  maxInFlightPerPrincipal: number;
  /** Open listen streams, all clients (default 256) and per principal (default 32). */
  maxListens: number;
  maxListensPerPrincipal: number;
  /** URIs one listen stream may watch (default 1000). */
  maxResourceSubscriptions: number;
}

export interface StatelessGatewayOptions {
  gateway: Gateway;
  serverInfo: Implementation;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  limits?: Partial<StatelessLimits>;
  /**
   * Cache hints on discover, the lists and reads. Default ttlMs 0 and "private": the lists
   * follow the managed servers, which start and stop when they will, and what they hold may
   * be the signed-in user's.
   */
  cache?: { ttlMs: number; scope: 'public' | 'private' };
}

const DEFAULT_LIMITS: Omit<StatelessLimits, keyof ExchangeLimits> = {
  maxInFlight: 256, maxInFlightPerPrincipal: 64, maxListens: 256, maxListensPerPrincipal: 32, maxResourceSubscriptions: 1000,
};

/** A client seen lately, for the Servers view. */
interface Seen { info: GatewaySessionInfo; key: string; principal: string }
const MAX_SEEN = 64;
const SEEN_FOR_MS = 10 * 60_000;

export class StatelessGateway implements Disposable {
  readonly gateway: Gateway;
  private readonly opts: StatelessGatewayOptions;
  private readonly limits: StatelessLimits;
  private readonly exchanges: InputExchanges;
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;
  private readonly listens = new Map<string, number>();
  private listenTotal = 0;
  /** Ends every open listen stream gracefully (a shutdown). */
  private readonly endListens = new Set<() => void>();
  private readonly seen = new Map<string, Seen>();
  private disposed = false;
  private readonly _onDidChange = new Emitter<void>();
  /** A stateless client's call started or ended (for the Servers view). */
  readonly onDidChange: Event<void> = this._onDidChange.event;

  constructor(opts: StatelessGatewayOptions) {
    this.gateway = opts.gateway;
    this.opts = opts;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits } as StatelessLimits;
    this.exchanges = new InputExchanges(opts.gateway, opts.limits, opts.log);
  }

  /** Calls waiting for their client to come back with input (MRTR). */
  get pendingInputs(): number { return this.exchanges.pendingCount; }
  /** Open subscriptions/listen streams. */
  get openListens(): number { return this.listenTotal; }

  /** The stateless clients seen in the last minutes, as the Servers view lists sessions. */
  infos(): GatewaySessionInfo[] {
    const now = Date.now();
    for (const [k, s] of this.seen) if (s.info.callsInFlight === 0 && now - s.info.lastActivity > SEEN_FOR_MS) this.seen.delete(k);
    return [...this.seen.values()].map(s => ({ ...s.info }));
  }

  /** Handles one request whose envelope is valid (readEnvelope, checkVersion). */
  async handle(req: StatelessRequest, ctx: ClientContext): Promise<Record<string, unknown> | typeof NO_RESPONSE> {
    if (this.disposed) throw new StatelessRefusal(503, ErrorCode.InternalError, 'The gateway is stopping');
    if (!STATELESS_METHODS.has(req.method)) throw new StatelessRefusal(404, ErrorCode.MethodNotFound, `Method not found: ${req.method} (2026-07-28)`);
    const listen = req.method === 'subscriptions/listen';
    const counts = listen ? this.listens : this.inFlight;
    const mine = counts.get(req.principal) ?? 0;
    const [perPrincipal, total] = listen ? [this.limits.maxListensPerPrincipal, this.limits.maxListens] : [this.limits.maxInFlightPerPrincipal, this.limits.maxInFlight];
    const what = listen ? 'listen streams' : 'requests in flight';
    if (mine >= perPrincipal) throw new StatelessRefusal(429, ErrorCode.InternalError, `Too many ${what}: this client has ${mine}, the limit per client; wait for one to end`);
    if ((listen ? this.listenTotal : this.inFlightTotal) >= total) throw new StatelessRefusal(503, ErrorCode.InternalError, `Too many ${what}: the gateway has ${total}, its limit; try again later`);
    counts.set(req.principal, mine + 1);
    if (listen) this.listenTotal++; else this.inFlightTotal++;
    const seen = this.note(req.principal, ctx, !listen);
    try {
      return listen ? await this.listen(req) : this.complete(await this.dispatch(req, ctx));
    } finally {
      const left = (counts.get(req.principal) ?? 1) - 1;
      if (left) counts.set(req.principal, left); else counts.delete(req.principal);
      if (listen) this.listenTotal--; else this.inFlightTotal--;
      if (!listen) { seen.info.callsInFlight--; this._onDidChange.fire(); }
    }
  }

  /** Every result: resultType (complete unless set) and the gateway's identity. */
  private complete(result: Record<string, unknown>): Record<string, unknown> {
    const meta = isObject(result._meta) ? result._meta : {};
    return { ...result, resultType: typeof result.resultType === 'string' ? result.resultType : 'complete', _meta: { ...meta, [META.serverInfo]: this.opts.serverInfo } };
  }

  private cacheHints(): { ttlMs: number; cacheScope: 'public' | 'private' } {
    return { ttlMs: this.opts.cache?.ttlMs ?? 0, cacheScope: this.opts.cache?.scope ?? 'private' };
  }

  private async dispatch(req: StatelessRequest, ctx: ClientContext): Promise<Record<string, unknown>> {
    const catalog = this.gateway.catalog;
    const p = req.params;
    const hide = req.hide;
    const visible: Visible = hide ? s => !hide(s) : () => true;
    /** The catalogue's lists as this client sees them (all of them, unless some servers are hidden from it). */
    const seen = <T>(list: readonly T[], owner: (item: T) => ManagedServer | undefined): readonly T[] => (hide ? list.filter(i => { const o = owner(i); return !!o && visible(o); }) : list);
    switch (req.method) {
      case 'server/discover':
        return {
          supportedVersions: [...GATEWAY_VERSIONS],
          capabilities: GATEWAY_CAPABILITIES,
          instructions: gatewayInstructions(catalog, visible),
          ...this.cacheHints(),
        };
      case 'tools/list': {
        const tools = seen(catalog.tools, t => catalog.tool(t.name)?.server);
        this.opts.log?.('info', `${this.labelOf(req.principal, ctx)} listed ${tools.length} tools`);
        return { tools, ...this.cacheHints() };
      }
      case 'prompts/list': return { prompts: seen(catalog.prompts, x => catalog.prompt(x.name)?.server), ...this.cacheHints() };
      case 'resources/list': return { resources: seen(catalog.resources, r => catalog.resource(r.uri)?.server), ...this.cacheHints() };
      case 'resources/templates/list': return { resourceTemplates: seen(catalog.resourceTemplates, t => catalog.templateServer(t.uriTemplate)), ...this.cacheHints() };
      case 'tools/call': return this.routed(req, ctx, () => toolCall(catalog, p, visible));
      case 'prompts/get': return this.routed(req, ctx, () => promptGet(catalog, p, visible));
      case 'resources/read': {
        const r = await this.routed(req, ctx, () => resourceRead(catalog, p, visible, ErrorCode.InvalidParams));
        // An input round carries no cache hints; the final contents do.
        return r.resultType === 'input_required' ? r : { ...r, ...this.cacheHints() };
      }
      case 'completion/complete': {
        // No input rounds here (the spec allows them on calls, prompts and reads only): the server's requests go to the host.
        const target = completion(catalog, p, visible);
        return await target.run({ signal: req.signal }) as unknown as Record<string, unknown>;
      }
    }
    throw new StatelessRefusal(404, ErrorCode.MethodNotFound, `Method not found: ${req.method}`);
  }

  /**
   * A call to a managed server: progress passed on under the client's token, and the server's
   * log messages from the request's log level up; a client that can answer sampling,
   * elicitation or roots gets them as input rounds; a retry (with requestState) goes on with
   * the call it belongs to.
   */
  private async routed<T>(req: StatelessRequest, ctx: ClientContext, lookup: () => Routed<T>): Promise<Record<string, unknown>> {
    const state = req.params.requestState;
    if (state !== undefined && typeof state !== 'string') throw new WireError(ErrorCode.InvalidParams, 'requestState must be the string the gateway sent');
    let target: Routed<T> | undefined;
    try { target = lookup(); } catch (err) {
      // A retry still gets its call's own outcome (its server may have stopped meanwhile).
      if (state === undefined) throw err;
    }
    const token = progressTokenOf(req.params);
    const onProgress = token === undefined ? undefined : (p: ProgressNotificationParams) => req.notify('notifications/progress', progressParams(p, token));
    const call = { signal: req.signal, ...(onProgress ? { onProgress } : {}) };
    const logs = target && ctx.logLevel ? this.forwardLogs(target.server, ctx.logLevel, req) : undefined;
    try {
      const origin = { principal: req.principal, label: this.labelOf(req.principal, ctx), method: req.method, params: req.params, clientCapabilities: ctx.clientCapabilities };
      if (state !== undefined) return await this.exchanges.resume(state, origin, req.params.inputResponses, call);
      const caps = ctx.clientCapabilities;
      const t = target!;
      // Nothing it could be asked: the server's requests (if any) go to MCP Host's own answers.
      if (caps.sampling === undefined && caps.elicitation === undefined && caps.roots === undefined) return await t.run(call) as Record<string, unknown>;
      return await this.exchanges.start(origin, o => t.run(o), call);
    } finally {
      logs?.dispose();
    }
  }

  /** The server's own log messages while it serves this request, from `level` up (2026-07-28: the level is per request). */
  private forwardLogs(server: ManagedServer, level: LoggingLevel, req: StatelessRequest): Disposable {
    const slug = this.gateway.catalog.servers.find(s => s.server === server)?.slug ?? server.definition.name;
    const min = LOGGING_LEVELS.indexOf(level);
    return server.onDidLog(entry => {
      if (entry.source !== 'server') return;
      const l = mcpLevelOf(entry);
      if (LOGGING_LEVELS.indexOf(l) >= min) req.notify('notifications/message', { level: l, logger: slug, data: entry.message });
    });
  }

  /** A listen stream: the acknowledgement, then list changes and updates of the URIs it names, until it ends. */
  private async listen(req: StatelessRequest): Promise<Record<string, unknown> | typeof NO_RESPONSE> {
    const catalog = this.gateway.catalog;
    const asked = isObject(req.params.notifications) ? req.params.notifications : {};
    const honored: Record<string, unknown> = {};
    for (const k of ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const) if (asked[k] === true) honored[k] = true;
    const uris = new Set<string>();
    if (Array.isArray(asked.resourceSubscriptions)) {
      const wanted = [...new Set(asked.resourceSubscriptions.filter((u): u is string => typeof u === 'string'))];
      if (wanted.length > this.limits.maxResourceSubscriptions) {
        throw new WireError(ErrorCode.InvalidParams, `Too many resource subscriptions: ${wanted.length}, at most ${this.limits.maxResourceSubscriptions} per listen stream`);
      }
      // The managed server keeps its own subscription: another client (or the host's own view) may hold it.
      await Promise.all(wanted.map(async uri => {
        const target = catalog.resource(uri);
        if (!target || req.hide?.(target.server)) return;
        try { await target.server.subscribe(target.uri); uris.add(uri); } catch { /* not subscribable: left out of the acknowledgement */ }
      }));
      if (uris.size) honored.resourceSubscriptions = wanted.filter(u => uris.has(u));
    }
    const meta = { [META.subscriptionId]: req.id };
    if (req.signal.aborted) return NO_RESPONSE;
    req.notify('notifications/subscriptions/acknowledged', { notifications: honored, _meta: meta });
    const subs: Disposable[] = [];
    const watch = () => {
      for (const d of subs.splice(1)) d.dispose();
      if (!uris.size) return;
      for (const { server } of catalog.servers) {
        subs.push(server.onDidUpdateResource(uri => {
          const exposed = catalog.exposedUri(server, uri);
          if (exposed && uris.has(exposed)) req.notify('notifications/resources/updated', { uri: exposed, _meta: meta });
        }));
      }
    };
    const key: Record<ListKind, string> = { tools: 'toolsListChanged', prompts: 'promptsListChanged', resources: 'resourcesListChanged' };
    subs.push(catalog.onDidChange(kind => {
      if (honored[key[kind]]) req.notify(`notifications/${kind}/list_changed`, { _meta: meta });
      watch();
    }));
    watch();
    let end!: () => void;
    const graceful = new Promise<boolean>(resolve => {
      end = () => resolve(true);
      req.signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    this.endListens.add(end);
    try {
      return (await graceful) ? { resultType: 'complete', _meta: meta } : NO_RESPONSE;
    } finally {
      this.endListens.delete(end);
      for (const d of subs) d.dispose();
    }
  }

  /** Ends every open listen stream with its graceful result (before the HTTP server stops). */
  closeStreams(): void {
    for (const end of [...this.endListens]) end();
  }

  /** Ends what a client that went (a stdio connection) left: its calls waiting for input. */
  forget(principal: string): void {
    this.exchanges.forget(principal);
    for (const [k, s] of this.seen) if (s.principal === principal && s.info.callsInFlight === 0) this.seen.delete(k);
    this._onDidChange.fire();
  }

  private labelOf(principal: string, ctx: ClientContext): string {
    return `stateless client${ctx.clientInfo ? ` ${ctx.clientInfo.name} ${ctx.clientInfo.version}` : ''} (${principal})`;
  }

  private note(principal: string, ctx: ClientContext, call: boolean): Seen {
    const key = `${principal}\u0000${ctx.clientInfo?.name ?? ''}\u0000${ctx.clientInfo?.version ?? ''}`;
    let s = this.seen.get(key);
    const now = Date.now();
    if (!s) {
      s = {
        key, principal,
        info: { label: this.labelOf(principal, ctx), ...(ctx.clientInfo ? { client: { name: ctx.clientInfo.name, version: ctx.clientInfo.version } } : {}), protocolVersion: ctx.protocolVersion, startedAt: now, lastActivity: now, requests: 0, callsInFlight: 0 },
      };
      if (this.seen.size >= MAX_SEEN) {
        const oldest = [...this.seen.values()].filter(x => x.info.callsInFlight === 0).sort((a, b) => a.info.lastActivity - b.info.lastActivity)[0];
        if (oldest) this.seen.delete(oldest.key);
      }
    }
    // Most recent last (a Map keeps insertion order).
    this.seen.delete(key);
    this.seen.set(key, s);
    s.info.lastActivity = now;
    s.info.requests++;
    if (call) { s.info.callsInFlight++; this._onDidChange.fire(); }
    return s;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closeStreams();
    this.exchanges.dispose();
    this._onDidChange.dispose();
  }
}
