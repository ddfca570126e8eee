// Per-server lifetimes in the extension: while a server exists it has an output channel,
// listeners and live resources; when it goes (removed from the config) all of it goes.

import type * as vscode from 'vscode';
import { DisposableStore } from '../base/event.ts';
import type { LogLevel, ManagedServer } from '../host/types.ts';
import type { ServerManager } from '../host/manager.ts';
import { ServerOutput } from './output.ts';
import type { ResourceWatches } from './resourceWatch.ts';

interface Session {
  server: ManagedServer;
  output: ServerOutput;
  store: DisposableStore;
}

export class ServerSessions implements vscode.Disposable {
  private readonly manager: ServerManager;
  private readonly redact: (text: string) => string;
  private readonly watches: ResourceWatches;
  private readonly sessions = new Map<string, Session>();
  private readonly listener: { dispose(): void };

  constructor(manager: ServerManager, redact: (text: string) => string, watches: ResourceWatches) {
    this.manager = manager;
    this.redact = redact;
    this.watches = watches;
    this.listener = manager.onDidChangeServers(() => this.sync());
    this.sync();
  }

  private sync(): void {
    const current = new Map(this.manager.servers.map(s => [s.definition.id, s]));
    for (const [id, session] of this.sessions) {
      // A server object replaced under the same id is a new lifetime as well.
      if (current.get(id) !== session.server) this.end(id, session);
    }
    for (const [id, server] of current) if (!this.sessions.has(id)) this.sessions.set(id, this.begin(server));
  }

  private begin(server: ManagedServer): Session {
    const store = new DisposableStore();
    const output = store.add(new ServerOutput(server, this.redact));
    let wasRunning = server.state.kind === 'running';
    store.add(server.onDidChangeState(state => {
      const running = state.kind === 'running';
      if (running && !wasRunning) this.watches.resubscribe(server);
      wasRunning = running;
    }));
    store.add(server.onDidUpdateResource(uri => void this.watches.onDidUpdate(server, uri)));
    return { server, output, store };
  }

  private end(id: string, session: Session): void {
    this.sessions.delete(id);
    this.watches.forgetServer(id);
    session.store.dispose();
  }

  output(serverId: string): ServerOutput | undefined {
    return this.sessions.get(serverId)?.output;
  }

  log(serverId: string, level: LogLevel, message: string): void {
    this.sessions.get(serverId)?.output.log(level, message);
  }

  dispose(): void {
    this.listener.dispose();
    for (const [id, session] of [...this.sessions]) this.end(id, session);
  }
}
