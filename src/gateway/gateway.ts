// The gateway (issue 13): every exposed, running managed server as one MCP server. It owns the
// catalogue and the client sessions; transports (stdio here, Streamable HTTP next) hand it a
// connection each. vscode-free: the CLI and the extension both embed it.

import type { Disposable } from '../base/event.ts';
import type { ManagedServer } from '../host/types.ts';
import type { Implementation } from '../protocol/types.ts';
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
}

export class Gateway implements Disposable {
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

  dispose(): void {
    for (const s of [...this.sessions]) s.dispose();
    this.sessions.clear();
    this.catalog.dispose();
  }
}
