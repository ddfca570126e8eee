// The gateway (issue 13): every exposed, running managed server as one MCP server. It owns the
// catalogue and the client sessions; transports (stdio here, Streamable HTTP next) hand it a
// connection each. vscode-free: the CLI and the extension both embed it.

import { Emitter, type Disposable, type Event } from '../base/event.ts';
import type { ElicitationHandler, ManagedServer, RequestOrigins, RootsProvider, SamplingHandler, ServerRef } from '../host/types.ts';
import { WireError } from '../protocol/errors.ts';
import type { CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, Implementation, Root } from '../protocol/types.ts';
import type { Transport } from '../transports/transport.ts';
import { Catalog, type ServerSource } from './catalog.ts';
import { CallOrigin } from './origin.ts';
import { GatewaySession } from './session.ts';
import { StatelessGateway } from './stateless.ts';

export interface GatewayOptions {
  source: ServerSource;
  /** Whether a server is exposed (the allow-list; workspace servers only in a trusted workspace). */
  exposed: (server: ManagedServer) => boolean;
  serverInfo: Implementation;
  /** At most this many client sessions at once (default 64); more are refused. */
  maxSessions?: number;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Who answers a server's sampling, elicitation or roots when no gateway client does (MCP Host's own dialogs and folders). */
  fallback?: { sampling?: SamplingHandler; elicitation?: ElicitationHandler; roots?: RootsProvider };
  /**
   * Per server: "client" (default) — its sampling, elicitation and roots requests go to the
   * gateway client whose call it is serving, when that client declared the capability, else to
   * the fallback; "host" — always to the fallback (MCP Host's own dialogs), whoever called.
   */
  serverRequests?: (server: ServerRef) => ServerRequestPolicy;
}

export type ServerRequestPolicy = 'client' | 'host';

/** What the gateway can route a managed server's request to: a session, or a stateless client's call. */
export interface GatewayClient {
  readonly label: string;
  /**
   * Who it is, where one party makes many clients: a stateless client's calls are each a
   * client, of its principal. Absent: the client is its own party (a session).
   */
  readonly party?: unknown;
  /** What it declared it can answer (sampling, elicitation, roots…). */
  readonly clientCapabilities: Record<string, unknown>;
  request(method: string, params: Record<string, unknown>, signal: AbortSignal, relatedTo?: string | number): Promise<Record<string, unknown>>;
}

const partyOf = (c: GatewayClient): unknown => c.party ?? c;

const METHOD_OF = { sampling: 'sampling/createMessage', elicitation: 'elicitation/create', roots: 'roots/list' } as const;

/** One client of the gateway, as the Servers view shows it. */
export interface GatewaySessionInfo {
  /** "stdio", "session 3f2a1b9c…". */
  label: string;
  client?: { name: string; version: string };
  protocolVersion?: string;
  startedAt: number;
  lastActivity: number;
  requests: number;
  callsInFlight: number;
}

/**
 * A managed server's sampling, elicitation and roots go to the gateway client whose call
 * they belong to (CallOrigin), when it declared the capability; else to the fallback (MCP
 * Host's own answers); else they are refused, saying why. Where the request cannot be tied to
 * one caller (over stdio with calls of several callers in flight to that server, the
 * host's own among them), no client is guessed: the fallback answers, and the log says so.
 */
export class Gateway implements Disposable, SamplingHandler, ElicitationHandler {
  /** Stateless clients' calls in flight (they have no session); see attach(). */
  private readonly clients = new Set<GatewayClient>();
  readonly catalog: Catalog;
  private readonly opts: GatewayOptions;
  private readonly sessions = new Set<GatewaySession>();
  private nextLabel = 1;
  private _stateless: StatelessGateway | undefined;

  /** The 2026-07-28 side: stateless clients over HTTP (statelessHttp.ts) and stdio (serveStdio), made on first use. */
  get stateless(): StatelessGateway {
    if (!this._stateless) {
      this._stateless = new StatelessGateway({ gateway: this, serverInfo: this.opts.serverInfo, ...(this.opts.log ? { log: this.opts.log } : {}) });
      this._stateless.onDidChange(() => this._onDidChangeSessions.fire());
    }
    return this._stateless;
  }

  constructor(opts: GatewayOptions) {
    this.opts = opts;
    this.catalog = new Catalog({ source: opts.source, exposed: opts.exposed });
  }

  get sessionCount(): number { return this.sessions.size; }

  private readonly _onDidChangeSessions = new Emitter<void>();
  /** A client connected, initialized, disconnected, or started or ended a call. */
  readonly onDidChangeSessions: Event<void> = this._onDidChangeSessions.event;

  /** The clients now served, oldest first (for the Servers view and `mcp-host gateway --verbose`). */
  sessionInfos(): GatewaySessionInfo[] {
    return [...this.sessions].map(s => ({
      label: s.label,
      ...(s.clientInfo ? { client: { name: s.clientInfo.name, version: s.clientInfo.version } } : {}),
      ...(s.protocolVersion ? { protocolVersion: s.protocolVersion } : {}),
      startedAt: s.startedAt,
      lastActivity: s.lastActivity,
      requests: s.requests,
      callsInFlight: s.callsInFlight,
    })).concat(this._stateless?.infos() ?? []);
  }

  /** Serves one client on `transport`; resolves once it can talk. Throws when the session cap is reached. */
  async serve(transport: Transport, label = `client ${this.nextLabel++}`, hide?: (server: ManagedServer) => boolean): Promise<GatewaySession> {
    const max = this.opts.maxSessions ?? 64;
    if (this.sessions.size >= max) {
      await transport.close();
      throw new Error(`the gateway already serves ${this.sessions.size} clients (limit ${max}); ${label} is refused`);
    }
    const session = new GatewaySession({ catalog: this.catalog, transport, serverInfo: this.opts.serverInfo, label, log: this.opts.log, ...(hide ? { hide } : {}) });
    this.sessions.add(session);
    session.onDidChange(() => this._onDidChangeSessions.fire());
    session.onDidClose(() => {
      this.sessions.delete(session);
      this._onDidChangeSessions.fire();
      this.opts.log?.('info', `${label} disconnected`);
    });
    await session.start();
    this._onDidChangeSessions.fire();
    this.opts.log?.('info', `${label} connected`);
    return session;
  }

  /**
   * Ends the session with this label (the Servers view's End Session): its transport closes, its
   * calls are cancelled, and over HTTP its id is unknown afterwards (a client then starts anew).
   * False when no session has it (stateless clients have none to end).
   */
  endSession(label: string): boolean {
    for (const s of this.sessions) {
      if (s.label !== label) continue;
      this.opts.log?.('info', `${label}${s.clientInfo ? ` (${s.clientInfo.name})` : ''} ended by MCP Host`);
      s.dispose();
      return true;
    }
    return false;
  }

  /** A client that is not a session (a stateless call) takes part in routing while attached. */
  attach(client: GatewayClient): Disposable {
    this.clients.add(client);
    return { dispose: () => { this.clients.delete(client); } };
  }

  private clientFor(server: ServerRef, capability: 'sampling' | 'elicitation' | 'roots', origins: RequestOrigins | undefined): { client: GatewayClient; relatedTo: string | number } | undefined {
    if ((this.opts.serverRequests?.(server) ?? 'client') === 'host' || !origins?.length) return undefined;
    const calls = origins.filter((o): o is CallOrigin => o instanceof CallOrigin);
    // The host's own call (the tool panel, the palette): the host answers.
    if (!calls.length) return undefined;
    const party = partyOf(calls[0]!.client);
    if (calls.length < origins.length || calls.some(o => partyOf(o.client) !== party)) {
      const callers = new Set(origins.map(o => o instanceof CallOrigin ? o.client.label : 'MCP Host'));
      this.opts.log?.('info', `${server.name} asked for ${METHOD_OF[capability]} while calls of ${[...callers].join(', ')} were in flight to it, and did not say for which: MCP Host answers it, not a gateway client`);
      return undefined;
    }
    // One party's calls (a session's, or one principal's stateless calls): its latest is asked.
    // A client gone meanwhile (its session ended) is asked nothing.
    const { client, requestId } = calls.at(-1)!;
    if (!(this.sessions as Set<GatewayClient>).has(client) && !this.clients.has(client)) return undefined;
    if (client.clientCapabilities[capability] === undefined) return undefined;
    return { client, relatedTo: requestId };
  }

  createMessage(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal, origins?: RequestOrigins): Promise<CreateMessageResult> {
    const c = this.clientFor(server, 'sampling', origins);
    if (c) return c.client.request('sampling/createMessage', params as unknown as Record<string, unknown>, signal, c.relatedTo) as unknown as Promise<CreateMessageResult>;
    if (this.opts.fallback?.sampling) return this.opts.fallback.sampling.createMessage(server, params, signal, origins);
    return Promise.reject(new WireError(-1, `${server.name} asked for sampling, and no gateway client whose call it serves declared sampling`));
  }

  elicit(server: ServerRef, params: ElicitRequestParams, signal: AbortSignal, origins?: RequestOrigins): Promise<ElicitResult> {
    const c = this.clientFor(server, 'elicitation', origins);
    if (c) return c.client.request('elicitation/create', params as unknown as Record<string, unknown>, signal, c.relatedTo) as unknown as Promise<ElicitResult>;
    if (this.opts.fallback?.elicitation) return this.opts.fallback.elicitation.elicit(server, params, signal, origins);
    return Promise.reject(new WireError(-1, `${server.name} asked for input (elicitation), and no gateway client whose call it serves declared elicitation`));
  }

  /**
   * The roots for a server's roots/list: the calling client's, when it declared roots (each
   * checked: a file: URI and an optional name), else undefined (the host's own roots answer).
   */
  rootsFor(server: ServerRef, signal: AbortSignal, origins?: RequestOrigins): Promise<Root[]> | undefined {
    const c = this.clientFor(server, 'roots', origins);
    if (!c) return this.opts.fallback?.roots?.rootsFor?.(server, signal, origins);
    return c.client.request('roots/list', {}, signal, c.relatedTo).then(r => {
      const list = Array.isArray(r.roots) ? r.roots : [];
      return list.filter((x): x is Root => typeof x === 'object' && x !== null && typeof (x as Root).uri === 'string' && (x as Root).uri.startsWith('file:'))
        .map(x => ({ uri: x.uri, ...(typeof x.name === 'string' ? { name: x.name } : {}) }));
    });
  }

  dispose(): void {
    for (const s of [...this.sessions]) s.dispose();
    this.sessions.clear();
    this._stateless?.dispose();
    this.catalog.dispose();
    this._onDidChangeSessions.dispose();
  }
}
