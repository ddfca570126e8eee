// Live resources: a resource opened from a server that supports subscriptions is
// subscribed while one of its documents is open, and its documents update in place when
// the server says it changed.

import * as vscode from 'vscode';
import type { ManagedServer } from '../host/types.ts';
import type { ServerManager } from '../host/manager.ts';
import { resourceDocument } from './results.ts';
import type { DocumentStore } from './documents.ts';
import { errorCause } from './util.ts';

interface Watch {
  serverId: string;
  uri: string;
  docs: vscode.Uri[];
  /** A read after an update is in flight; `again`: another update came meanwhile. */
  reading?: boolean;
  again?: boolean;
}

type Log = (serverId: string, level: 'info' | 'warning' | 'error', message: string) => void;

export class ResourceWatches implements vscode.Disposable {
  private readonly manager: ServerManager;
  private readonly docs: DocumentStore;
  private readonly log: Log;
  private readonly watches = new Map<string, Watch>();
  private readonly listeners: vscode.Disposable[] = [];

  constructor(manager: ServerManager, docs: DocumentStore, log: Log) {
    this.manager = manager;
    this.docs = docs;
    this.log = log;
    this.listeners.push(vscode.window.tabGroups.onDidChangeTabs(e => { if (e.closed.length) this.dropClosed(); }));
  }

  private static key(serverId: string, uri: string): string {
    return `${serverId}\u0000${uri}`;
  }

  /** Keeps `docs` in sync with the resource while they are open. */
  watch(server: ManagedServer, uri: string, docs: vscode.Uri[]): void {
    if (!server.capabilities?.resources?.subscribe || !docs.length) return;
    const key = ResourceWatches.key(server.definition.id, uri);
    const existing = this.watches.get(key);
    if (existing) { existing.docs.push(...docs); return; }
    this.watches.set(key, { serverId: server.definition.id, uri, docs: [...docs] });
    this.subscribe(server, uri);
  }

  private subscribe(server: ManagedServer, uri: string): void {
    server.subscribe(uri).then(undefined, err => this.log(server.definition.id, 'warning', `resources/subscribe ${uri} failed: ${errorCause(err)}`));
  }

  /** A new connection has no subscriptions: subscribe again to what is still watched. */
  resubscribe(server: ManagedServer): void {
    if (!server.capabilities?.resources?.subscribe) return;
    for (const w of this.watches.values()) if (w.serverId === server.definition.id) this.subscribe(server, w.uri);
  }

  /**
   * The server said `uri` changed: read it again into its open documents. One read at a
   * time per resource; updates that arrive meanwhile cause one more read after it.
   */
  async onDidUpdate(server: ManagedServer, uri: string): Promise<void> {
    const watch = this.watches.get(ResourceWatches.key(server.definition.id, uri));
    if (!watch) return;
    if (watch.reading) { watch.again = true; return; }
    watch.reading = true;
    try {
      do {
        watch.again = false;
        try {
          const result = await server.readResource(uri);
          const content = result.contents.find(c => c.uri === uri) ?? result.contents[0];
          if (!content) continue;
          const { data } = resourceDocument(content);
          watch.docs = watch.docs.filter(doc => this.docs.update(doc, data));
          if (!watch.docs.length) { this.unwatch(watch); return; }
        } catch (err) {
          this.log(server.definition.id, 'warning', `Reading updated resource ${uri} failed: ${errorCause(err)}`);
        }
      } while (watch.again && this.watches.get(ResourceWatches.key(server.definition.id, uri)) === watch);
    } finally {
      watch.reading = false;
    }
  }

  /** Forgets every watch of a server that went away (its subscriptions went with it). */
  forgetServer(serverId: string): void {
    for (const [key, w] of this.watches) if (w.serverId === serverId) this.watches.delete(key);
  }

  private dropClosed(): void {
    const open = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) open.add(input.uri.toString());
      }
    }
    for (const w of [...this.watches.values()]) {
      w.docs = w.docs.filter(d => open.has(d.toString()));
      if (!w.docs.length) this.unwatch(w);
    }
  }

  private unwatch(w: Watch): void {
    this.watches.delete(ResourceWatches.key(w.serverId, w.uri));
    const server = this.manager.get(w.serverId);
    if (server?.state.kind === 'running') {
      server.unsubscribe(w.uri).then(undefined, err => this.log(w.serverId, 'warning', `resources/unsubscribe ${w.uri} failed: ${errorCause(err)}`));
    }
  }

  dispose(): void {
    for (const l of this.listeners.splice(0)) l.dispose();
    this.watches.clear();
  }
}
