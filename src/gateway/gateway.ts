// The gateway (issue 13): every exposed, running managed server as one MCP server. It owns the
// catalogue and the client sessions; transports (stdio here, Streamable HTTP next) hand it a
// connection each. vscode-free: the CLI and the extension both embed it.

import { Emitter, type Disposable, type Event } from '../base/event.ts';
import type { ElicitationHandler, ManagedServer, SamplingHandler, ServerRef } from '../host/types.ts';
import { WireError } from '../protocol/errors.ts';
import type { CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, Implementation } from '../protocol/types.ts';
import type { Transport } from '../transports/transport.ts';
import { Catalog, type ServerSource } from './catalog.ts';
import { GatewaySession } from './session.ts';

export interface GatewayOptions {
  source: ServerSource;
  /** Whether a server is exposed (the allow-list; workspace servers only in a trusted workspace). */
  exposed: (server: ManagedServer) => boolean;
  serverInfo: Implementation;
  /** At most this many client sessions at once (default 64); more are refused. */
  maxSessions?: number;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Who answers a server's sampling or elicitation when no gateway client can (MCP Host's own dialogs). */
  fallback?: { sampling?: SamplingHandler; elicitation?: ElicitationHandler };
}

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
 * A managed server's sampling and elicitation go to the gateway client that caused them: the
 * one with a request in flight to that server (the latest, when several) that declared the
 * capability in its initialize; else to the fallback; else they are refused, saying why.
 */
export class Gateway implements Disposable, SamplingHandler, ElicitationHandler {
  readonly catalog: Catalog;
  private readonly opts: GatewayOptions;
  private readonly sessions = new Set<GatewaySession>();
  private nextLabel = 1;

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
    }));
  }

  /** Serves one client on `transport`; resolves once it can talk. Throws when the session cap is reached. */
  async serve(transport: Transport, label = `client ${this.nextLabel++}`): Promise<GatewaySession> {
    const max = this.opts.maxSessions ?? 64;
    if (this.sessions.size >= max) {
      await transport.close();
      throw new Error(`the gateway already serves ${this.sessions.size} clients (limit ${max}); ${label} is refused`);
    }
    const session = new GatewaySession({ catalog: this.catalog, transport, serverInfo: this.opts.serverInfo, label, log: this.opts.log });
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

  private clientFor(serverId: string, capability: 'sampling' | 'elicitation'): { session: GatewaySession; relatedTo: string | number } | undefined {
    let found: { session: GatewaySession; relatedTo: string | number } | undefined;
    for (const session of this.sessions) {
      const calls = session.inFlight.get(serverId);
      if (calls?.size && session.clientCapabilities[capability] !== undefined) found = { session, relatedTo: [...calls].at(-1)! };
    }
    return found;
  }

  createMessage(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<CreateMessageResult> {
    const c = this.clientFor(server.id, 'sampling');
    if (c) return c.session.request('sampling/createMessage', params as unknown as Record<string, unknown>, signal, c.relatedTo) as unknown as Promise<CreateMessageResult>;
    if (this.opts.fallback?.sampling) return this.opts.fallback.sampling.createMessage(server, params, signal);
    return Promise.reject(new WireError(-1, `${server.name} asked for sampling, and no gateway client with a call in flight to it declared sampling`));
  }

  elicit(server: ServerRef, params: ElicitRequestParams, signal: AbortSignal): Promise<ElicitResult> {
    const c = this.clientFor(server.id, 'elicitation');
    if (c) return c.session.request('elicitation/create', params as unknown as Record<string, unknown>, signal, c.relatedTo) as unknown as Promise<ElicitResult>;
    if (this.opts.fallback?.elicitation) return this.opts.fallback.elicitation.elicit(server, params, signal);
    return Promise.reject(new WireError(-1, `${server.name} asked for input (elicitation), and no gateway client with a call in flight to it declared elicitation`));
  }

  dispose(): void {
    for (const s of [...this.sessions]) s.dispose();
    this.sessions.clear();
    this.catalog.dispose();
    this._onDidChangeSessions.dispose();
  }
}
