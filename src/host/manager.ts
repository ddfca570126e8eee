// The server manager: definitions → managed servers. Starts them in parallel, keeps
// them in step with the configuration, forwards roots changes, and shuts everything
// down (escalating to kill) when disposed.

import { Disposable, Emitter, type Event } from '../base/event.ts';
import { ManagedServerImpl } from './server.ts';
import { sameLaunch, type ManagedServer, type ServerDefinition, type ServerManagerOptions } from './types.ts';

export class ServerManager {
  private options: ServerManagerOptions;
  private readonly map = new Map<string, ManagedServerImpl>();
  private readonly perServer = new Map<string, Disposable[]>();
  private readonly rootsSub: Disposable | undefined;
  private disposed = false;

  private readonly _onDidChangeServers = new Emitter<void>();
  /** Servers were added or removed. */
  readonly onDidChangeServers: Event<void> = this._onDidChangeServers.event;
  private readonly _onDidChangeServer = new Emitter<ManagedServer>();
  /** A server's state or lists changed. */
  readonly onDidChangeServer: Event<ManagedServer> = this._onDidChangeServer.event;

  constructor(options: ServerManagerOptions) {
    this.options = options;
    // Servers are told only of real changes: VS Code fires folder events that leave the
    // list as it was (a folder renamed back, a reordering that is undone).
    let lastRoots = options.roots ? JSON.stringify(options.roots.roots()) : '';
    this.rootsSub = options.roots?.onDidChangeRoots(() => {
      const now = JSON.stringify(options.roots!.roots());
      if (now === lastRoots) return;
      lastRoots = now;
      for (const s of this.map.values()) {
        const c = s.currentClient;
        if (c) try { c.rootsChanged(); } catch { /* it is going away */ }
      }
    });
  }

  get servers(): readonly ManagedServer[] { return [...this.map.values()]; }

  get(idOrName: string): ManagedServer | undefined {
    return this.map.get(idOrName) ?? [...this.map.values()].find(s => s.definition.name === idOrName);
  }

  /**
   * Replaces the set of definitions: new ones are added (and started when autoStart),
   * removed ones stopped and dropped, changed ones restarted from the new definition.
   */
  setDefinitions(defs: readonly ServerDefinition[], options: { autoStart: boolean }): void {
    if (this.disposed) return;
    const next = new Map(defs.map(d => [d.id, d]));
    for (const d of defs) this.options.redactor?.addDefinition(d);
    let changedSet = false;
    for (const [id, server] of this.map) {
      if (!next.has(id)) {
        this.map.delete(id);
        for (const d of this.perServer.get(id) ?? []) d.dispose();
        this.perServer.delete(id);
        void server.dispose();
        changedSet = true;
      }
    }
    for (const def of next.values()) {
      const existing = this.map.get(def.id);
      if (!existing) {
        const server = new ManagedServerImpl(def, this.options);
        this.map.set(def.id, server);
        this.perServer.set(def.id, [
          server.onDidChangeState(() => this._onDidChangeServer.fire(server)),
          server.onDidChangeLists(() => this._onDidChangeServer.fire(server)),
          server.tasks.onDidChange(() => this._onDidChangeServer.fire(server)),
        ]);
        changedSet = true;
        if (options.autoStart) void server.start();
      } else if (!sameLaunch(existing.definition, def)) {
        const wasActive = existing.state.kind === 'running' || existing.state.kind === 'starting' || existing.state.kind === 'error';
        existing.setDefinition(def);
        if (wasActive) void existing.restart();
        this._onDidChangeServer.fire(existing);
      } else {
        existing.setDefinition(def);
      }
    }
    if (changedSet) this._onDidChangeServers.fire();
  }

  /** The trace bounds changed (settings): every server's trace trims now, and new servers get them. */
  configureTrace(trace: { maxEntries?: number; maxBytes?: number }): void {
    this.options = { ...this.options, trace };
    for (const s of this.map.values()) s.trace.configure(trace);
  }

  /** Starts every server that is stopped (e.g. after trust was granted). */
  startAll(filter: (s: ManagedServer) => boolean = () => true): Promise<void> {
    return Promise.all(this.servers.filter(s => s.state.kind === 'stopped' && filter(s)).map(s => s.start())).then(() => undefined);
  }

  /** Stops every server (escalating to kill) and releases everything. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.rootsSub?.dispose();
    const all = [...this.map.values()];
    this.map.clear();
    for (const subs of this.perServer.values()) for (const d of subs) d.dispose();
    this.perServer.clear();
    await Promise.all(all.map(s => s.dispose()));
    this._onDidChangeServers.dispose();
    this._onDidChangeServer.dispose();
  }
}
