// One client of the gateway (issue 13): our JSON-RPC connection in the other direction, over
// any transport (stdio now; a Streamable HTTP session later). It answers the 2025-11-25 server
// side of MCP from the catalogue: lists namespaced, calls routed to the owning server with
// progress and cancellation passed through both ways, resource reads and subscriptions mapped,
// completion routed; list changes and resource updates fanned out to the client.

import { DisposableStore, Emitter, type Disposable, type Event } from '../base/event.ts';
import { JsonRpcConnection } from '../protocol/connection.ts';
import { ErrorCode, WireError } from '../protocol/errors.ts';
import { LATEST_PROTOCOL_VERSION, LOGGING_LEVELS, SUPPORTED_PROTOCOL_VERSIONS, type Implementation, type LoggingLevel } from '../protocol/types.ts';
import type { Transport } from '../transports/transport.ts';
import type { ManagedServer } from '../host/types.ts';
import type { Catalog } from './catalog.ts';
import { CallOrigin } from './origin.ts';
import { GATEWAY_CAPABILITIES, completion, gatewayInstructions, isObject, mcpLevelOf, passOn, progressParams, progressTokenOf, promptGet, resourceRead, toolCall } from './handlers.ts';

/** Requests of one client handled at once; more are answered with an error at once. */
export const MAX_CLIENT_REQUESTS = 64;

/** Resource subscriptions one client may hold. */
export const MAX_SUBSCRIPTIONS = 1000;

export interface GatewaySessionOptions {
  catalog: Catalog;
  transport: Transport;
  serverInfo: Implementation;
  /** A name for this client in errors and logs ("stdio", "session 3f2a…"). */
  label: string;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Servers this client does not see (VS Code's own chat: the ones it runs itself from .vscode/mcp.json). */
  hide?: (server: ManagedServer) => boolean;
}

export class GatewaySession implements Disposable {
  private readonly opts: GatewaySessionOptions;
  private readonly conn: JsonRpcConnection;
  private readonly store = new DisposableStore();
  /** Exposed URIs this client subscribed to. */
  private readonly subscribed = new Set<string>();
  private initialized = false;
  /** The level this client asked for with logging/setLevel; until it does, no server log is sent. */
  private logLevel: LoggingLevel | undefined;
  clientInfo: Implementation | undefined;
  protocolVersion: string | undefined;
  /** What the client declared in initialize (sampling, elicitation, roots…). */
  clientCapabilities: Record<string, unknown> = {};
  /** This client's requests in flight, per managed server id: the server's own requests meanwhile are for it. */
  readonly inFlight = new Map<string, Set<string | number>>();
  /** When it connected and last sent a request, and how many it sent (for the Servers view). */
  readonly startedAt = Date.now();
  lastActivity = Date.now();
  requests = 0;
  private readonly _onDidClose = new Emitter<void>();
  readonly onDidClose: Event<void> = this._onDidClose.event;
  private readonly _onDidChange = new Emitter<void>();
  /** It initialized, or a request of its started or ended. */
  readonly onDidChange: Event<void> = this._onDidChange.event;

  constructor(opts: GatewaySessionOptions) {
    this.opts = opts;
    this.conn = new JsonRpcConnection(opts.transport, { name: `gateway client ${opts.label}`, maxIncomingRequests: MAX_CLIENT_REQUESTS });
    this.store.add(this.conn.onDidWarn(w => opts.log?.('warning', `${opts.label}: ${w}`)));
    this.store.add(this.conn.onDidClose(() => this.dispose()));
    this.register();
    const catalog = opts.catalog;
    this.store.add(catalog.onDidChange(kind => {
      if (this.initialized) this.conn.notify(`notifications/${kind}/list_changed`);
    }));
    // A subscribed resource of any exposed server changed: the client hears its exposed URI.
    this.store.add(this.watchUpdates());
  }

  start(): Promise<void> { return this.opts.transport.start(); }

  get label(): string { return this.opts.label; }

  /** Its requests to managed servers now in flight. */
  get callsInFlight(): number {
    let n = 0;
    for (const set of this.inFlight.values()) n += set.size;
    return n;
  }

  private watchUpdates(): Disposable {
    let subs: Disposable[] = [];
    const attach = () => {
      for (const d of subs) d.dispose();
      subs = [];
      for (const { server, slug } of this.opts.catalog.servers) {
        subs.push(server.onDidUpdateResource(uri => {
          const exposed = this.opts.catalog.exposedUri(server, uri);
          if (exposed && this.subscribed.has(exposed)) this.conn.notify('notifications/resources/updated', { uri: exposed });
        }));
        // The servers' own log messages, to a client that asked for them (logging/setLevel), from its level up.
        subs.push(server.onDidLog(entry => {
          if (this.logLevel === undefined || entry.source !== 'server' || !this.initialized) return;
          const level = mcpLevelOf(entry);
          if (LOGGING_LEVELS.indexOf(level) < LOGGING_LEVELS.indexOf(this.logLevel)) return;
          this.conn.notify('notifications/message', { level, logger: slug, data: entry.message });
        }));
      }
    };
    attach();
    const d = this.opts.catalog.onDidChange(() => attach());
    return { dispose: () => { d.dispose(); for (const x of subs) x.dispose(); } };
  }

  private visible(server: ManagedServer | undefined): boolean {
    return !!server && !this.opts.hide?.(server);
  }

  /** The catalogue's lists as this client sees them (all of them, unless some servers are hidden from it). */
  private seen<T>(list: readonly T[], owner: (item: T) => ManagedServer | undefined): readonly T[] {
    return this.opts.hide ? list.filter(i => this.visible(owner(i))) : list;
  }

  /** Runs `call` as this client's request `requestId` to `serverId`, with its origin (so the server's requests meanwhile come here). */
  private async routed<T>(serverId: string, requestId: string | number, call: (origin: CallOrigin) => Promise<T>): Promise<T> {
    let set = this.inFlight.get(serverId);
    if (!set) { set = new Set(); this.inFlight.set(serverId, set); }
    set.add(requestId);
    this._onDidChange.fire();
    try {
      return await call(new CallOrigin(this, requestId));
    } catch (err) {
      return passOn(err);
    } finally {
      set.delete(requestId);
      if (!set.size) this.inFlight.delete(serverId);
      this._onDidChange.fire();
    }
  }

  /** A request to this client (a managed server's sampling or elicitation), on the stream of `relatedTo`. */
  request(method: string, params: Record<string, unknown>, signal: AbortSignal, relatedTo?: string | number): Promise<Record<string, unknown>> {
    return this.conn.request(method, params, { signal, ...(relatedTo !== undefined ? { context: { relatedRequestId: relatedTo } } : {}) });
  }

  private register(): void {
    const on = (method: string, h: Parameters<JsonRpcConnection['onRequest']>[1]) => this.store.add(this.conn.onRequest(method, (params, ctx) => {
      this.lastActivity = Date.now();
      this.requests++;
      return h(params, ctx);
    }));
    const { catalog } = this.opts;

    on('initialize', params => {
      const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined;
      this.protocolVersion = asked && SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION;
      if (isObject(params.clientInfo) && typeof params.clientInfo.name === 'string') this.clientInfo = params.clientInfo as unknown as Implementation;
      if (isObject(params.capabilities)) this.clientCapabilities = params.capabilities;
      return {
        protocolVersion: this.protocolVersion,
        capabilities: { ...GATEWAY_CAPABILITIES, logging: {} },
        serverInfo: this.opts.serverInfo,
        instructions: gatewayInstructions(catalog, s => this.visible(s)),
      };
    });
    this.store.add(this.conn.onNotification('notifications/initialized', () => { this.initialized = true; this._onDidChange.fire(); }));
    on('logging/setLevel', params => {
      const level = params.level as LoggingLevel;
      if (!LOGGING_LEVELS.includes(level)) throw new WireError(ErrorCode.InvalidParams, `logging/setLevel: ${JSON.stringify(level)} is not a log level (${LOGGING_LEVELS.join(', ')})`);
      this.logLevel = level;
      return {};
    });

    on('tools/list', () => {
      const tools = this.seen(catalog.tools, t => catalog.tool(t.name)?.server);
      this.opts.log?.('info', `${this.opts.label}${this.clientInfo ? ` (${this.clientInfo.name})` : ''} listed ${tools.length} tools`);
      return { tools };
    });
    const visible = (s: ManagedServer) => this.visible(s);
    on('tools/call', async (params, ctx) => {
      const target = toolCall(catalog, params, visible);
      const token = progressTokenOf(params);
      return this.routed(target.serverId, ctx.requestId, origin => target.run({
        signal: ctx.signal, origin,
        ...(token !== undefined ? { onProgress: p => this.conn.notify('notifications/progress', progressParams(p, token), { relatedRequestId: ctx.requestId }) } : {}),
      }));
    });

    on('prompts/list', () => ({ prompts: this.seen(catalog.prompts, p => catalog.prompt(p.name)?.server) }));
    on('prompts/get', async (params, ctx) => {
      const target = promptGet(catalog, params, visible);
      return this.routed(target.serverId, ctx.requestId, origin => target.run({ signal: ctx.signal, origin }));
    });

    on('resources/list', () => ({ resources: this.seen(catalog.resources, r => catalog.resource(r.uri)?.server) }));
    on('resources/templates/list', () => ({ resourceTemplates: this.seen(catalog.resourceTemplates, t => catalog.templateServer(t.uriTemplate)) }));
    on('resources/read', async (params, ctx) => {
      const target = resourceRead(catalog, params, visible);
      return this.routed(target.serverId, ctx.requestId, origin => target.run({ signal: ctx.signal, origin }));
    });
    on('resources/subscribe', async params => {
      const uri = typeof params.uri === 'string' ? params.uri : '';
      const target = catalog.resource(uri);
      if (!target || !this.visible(target.server)) throw new WireError(ErrorCode.ResourceNotFound, `Resource not found: ${JSON.stringify(uri)}`, { uri });
      if (!this.subscribed.has(uri) && this.subscribed.size >= MAX_SUBSCRIPTIONS) throw new WireError(ErrorCode.InvalidRequest, `Too many subscriptions: at most ${MAX_SUBSCRIPTIONS} per client`);
      try { await target.server.subscribe(target.uri); } catch (err) { return passOn(err); }
      this.subscribed.add(uri);
      return {};
    });
    on('resources/unsubscribe', params => {
      // The managed server keeps its own subscription: another client (or the host's own view) may hold it.
      if (typeof params.uri === 'string') this.subscribed.delete(params.uri);
      return {};
    });

    on('completion/complete', (params, ctx) => completion(catalog, params, visible).run({ signal: ctx.signal }));
  }

  dispose(): void {
    if (this.store.isDisposed) return;
    this.store.dispose();
    this.conn.dispose();
    void this.opts.transport.close();
    this._onDidClose.fire();
    this._onDidClose.dispose();
    this._onDidChange.dispose();
  }
}
