// The gateway (issue 13): every exposed, running managed server as one MCP server. It owns the
// catalogue and the client sessions; transports (stdio here, Streamable HTTP next) hand it a
// connection each. vscode-free: the CLI and the extension both embed it.

import type { Disposable } from '../base/event.ts';
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

  /** Serves one client on `transport`; resolves once it can talk. Throws when the session cap is reached. */
  async serve(transport: Transport, label = `client ${this.nextLabel++}`): Promise<GatewaySession> {
    const max = this.opts.maxSessions ?? 64;
    if (this.sessions.size >= max) {
      await transport.close();
      throw new Error(`the gateway already serves ${this.sessions.size} clients (limit ${max}); ${label} is refused`);
    }
    const session = new GatewaySession({ catalog: this.catalog, transport, serverInfo: this.opts.serverInfo, label, log: this.opts.log });
    this.sessions.add(session);
    session.onDidClose(() => {
      this.sessions.delete(session);
      this.opts.log?.('info', `${label} disconnected`);
    });
    await session.start();
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
  }
}
