// The UI resources of MCP Apps, read with resources/read and kept per server while it runs:
// an app opened twice, or reloaded after a tool call, costs one read. Forgotten when the
// server stops or restarts (a new process may serve new HTML), when the server says the
// resource was updated, and on Reload. Reads in flight are shared; a failed read is not kept.

import type { Disposable } from '../../base/event.ts';
import { uiResourceMeta, type UiResource } from '../../protocol/apps.ts';
import { LocalError } from '../../protocol/errors.ts';
import type { ManagedServer } from '../types.ts';

export type AppResourceServer = Pick<ManagedServer, 'readResource' | 'resources' | 'onDidChangeState' | 'onDidUpdateResource'> & {
  readonly definition: { readonly name: string };
};

interface Entry { reads: Map<string, Promise<UiResource>>; subscriptions: Disposable[] }

export class AppResources implements Disposable {
  private readonly servers = new Map<AppResourceServer, Entry>();

  /** The app at `uri` on `server`: its HTML, the checked `_meta.ui` and what was wrong with it. */
  load(server: AppResourceServer, uri: string): Promise<UiResource> {
    const entry = this.entry(server);
    const cached = entry.reads.get(uri);
    if (cached) return cached;
    const read = this.read(server, uri);
    entry.reads.set(uri, read);
    read.catch(() => { if (entry.reads.get(uri) === read) entry.reads.delete(uri); });
    return read;
  }

  /** Whether `uri` is held (read or being read) for `server`. */
  has(server: AppResourceServer, uri: string): boolean {
    return this.servers.get(server)?.reads.has(uri) ?? false;
  }

  forget(server: AppResourceServer, uri?: string): void {
    const entry = this.servers.get(server);
    if (!entry) return;
    if (uri === undefined) entry.reads.clear(); else entry.reads.delete(uri);
  }

  private entry(server: AppResourceServer): Entry {
    let entry = this.servers.get(server);
    if (!entry) {
      const e: Entry = { reads: new Map(), subscriptions: [] };
      e.subscriptions.push(
        server.onDidChangeState(s => { if (s.kind !== 'running') e.reads.clear(); }),
        server.onDidUpdateResource(u => e.reads.delete(u)),
      );
      this.servers.set(server, e);
      entry = e;
    }
    return entry;
  }

  private async read(server: AppResourceServer, uri: string): Promise<UiResource> {
    const result = await server.readResource(uri);
    const contents = result.contents ?? [];
    const item = contents.find(c => c.uri === uri) ?? contents[0];
    if (!item) throw new LocalError('invalid-message', `${server.definition.name} returned no content for ${uri}; the app cannot be shown.`);
    const listing = server.resources.find(r => r.uri === uri);
    return uiResourceMeta(item, listing);
  }

  dispose(): void {
    for (const e of this.servers.values()) for (const d of e.subscriptions) d.dispose();
    this.servers.clear();
  }
}
