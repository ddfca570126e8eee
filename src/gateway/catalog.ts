// The gateway's catalogue (issue 13): the tools, prompts, resources and templates of every
// exposed running server as one namespaced set (naming.ts), rebuilt when a server's lists or
// state change, and the way back from an exposed name to the server that owns it. App-only
// tools (MCP Apps visibility without "model") are not offered: the gateway faces models.

import { Emitter, type Disposable, type Event } from '../base/event.ts';
import type { ManagedServer } from '../host/types.ts';
import { isModelVisible } from '../protocol/apps.ts';
import type { Prompt, Resource, ResourceTemplate, Tool } from '../protocol/types.ts';
import { buildNameTable, exposedTemplate, exposedUri, originalUri, serverSlugs, type Origin } from './naming.ts';

/** The servers the gateway may show (the manager, filtered by the exposure policy). */
export interface ServerSource {
  readonly servers: readonly ManagedServer[];
  readonly onDidChangeServers: Event<void>;
  readonly onDidChangeServer: Event<ManagedServer>;
}

export interface CatalogOptions {
  source: ServerSource;
  /** Whether a server is exposed (the allow-list, workspace trust); asked on each rebuild. */
  exposed: (server: ManagedServer) => boolean;
}

export type ListKind = 'tools' | 'prompts' | 'resources';

export class Catalog implements Disposable {
  private readonly opts: CatalogOptions;
  private readonly subscriptions: Disposable[] = [];
  private slugs = new Map<string, string>();
  private bySlug = new Map<string, ManagedServer>();
  /** The exposed running servers of the last rebuild, by definition id (a rebuild follows every state change). */
  private byId = new Map<string, ManagedServer>();
  private toolOrigin = new Map<string, Origin>();
  private promptOrigin = new Map<string, Origin>();
  private _tools: Tool[] = [];
  private _prompts: Prompt[] = [];
  private _resources: Resource[] = [];
  private _templates: ResourceTemplate[] = [];
  private signature = { tools: '', prompts: '', resources: '' };
  private readonly _onDidChange = new Emitter<ListKind>();
  /** One of the lists changed (what `notifications/*\/list_changed` says to every session). */
  readonly onDidChange: Event<ListKind> = this._onDidChange.event;

  constructor(opts: CatalogOptions) {
    this.opts = opts;
    this.subscriptions.push(opts.source.onDidChangeServers(() => this.rebuild()), opts.source.onDidChangeServer(() => this.rebuild()));
    this.rebuild();
  }

  get tools(): readonly Tool[] { return this._tools; }
  get prompts(): readonly Prompt[] { return this._prompts; }
  get resources(): readonly Resource[] { return this._resources; }
  get resourceTemplates(): readonly ResourceTemplate[] { return this._templates; }

  /** The exposed servers that are running, with their slugs. */
  get servers(): { server: ManagedServer; slug: string }[] {
    return [...this.bySlug].map(([slug, server]) => ({ server, slug }));
  }

  private live(): ManagedServer[] {
    return this.opts.source.servers.filter(s => s.state.kind === 'running' && this.opts.exposed(s));
  }

  /** Recomputes everything; fires for each list whose exposed form changed. */
  rebuild(): void {
    const servers = this.live();
    this.slugs = serverSlugs(servers.map(s => ({ id: s.definition.id, name: s.definition.name })));
    this.bySlug = new Map(servers.map(s => [this.slugs.get(s.definition.id)!, s]));
    this.byId = new Map(servers.map(s => [s.definition.id, s]));
    const tools = servers.map(s => ({ s, items: s.tools.filter(isModelVisible) }));
    const toolTable = buildNameTable(tools.map(({ s, items }) => ({ serverId: s.definition.id, slug: this.slugs.get(s.definition.id)!, names: items.map(t => t.name) })));
    const toolByKey = new Map(tools.flatMap(({ s, items }) => items.map(t => [`${s.definition.id}\u0000${t.name}`, t] as const)));
    this.toolOrigin = toolTable.origin;
    this._tools = toolTable.names.map(n => ({ ...toolByKey.get(`${n.serverId}\u0000${n.original}`)!, name: n.exposed }));
    const promptTable = buildNameTable(servers.map(s => ({ serverId: s.definition.id, slug: this.slugs.get(s.definition.id)!, names: s.prompts.map(p => p.name) })));
    const promptByKey = new Map(servers.flatMap(s => s.prompts.map(p => [`${s.definition.id}\u0000${p.name}`, p] as const)));
    this.promptOrigin = promptTable.origin;
    this._prompts = promptTable.names.map(n => ({ ...promptByKey.get(`${n.serverId}\u0000${n.original}`)!, name: n.exposed }));
    this._resources = servers.flatMap(s => s.resources.map(r => ({ ...r, uri: exposedUri(this.slugs.get(s.definition.id)!, r.uri) })));
    this._templates = servers.flatMap(s => s.resourceTemplates.map(t => ({ ...t, uriTemplate: exposedTemplate(this.slugs.get(s.definition.id)!, t.uriTemplate) })));
    const next = {
      tools: JSON.stringify(this._tools),
      prompts: JSON.stringify(this._prompts),
      resources: JSON.stringify([this._resources, this._templates]),
    };
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      if (next[kind] !== this.signature[kind]) {
        const first = this.signature[kind] === '';
        this.signature[kind] = next[kind];
        if (!first) this._onDidChange.fire(kind);
      }
    }
  }

  /** The server and original name behind an exposed tool name. */
  tool(name: string): { server: ManagedServer; name: string } | undefined {
    return this.origin(this.toolOrigin.get(name));
  }

  prompt(name: string): { server: ManagedServer; name: string } | undefined {
    return this.origin(this.promptOrigin.get(name));
  }

  private origin(o: Origin | undefined): { server: ManagedServer; name: string } | undefined {
    const server = o && this.byId.get(o.serverId);
    return server && server.state.kind === 'running' ? { server, name: o!.name } : undefined;
  }

  /** The server and its own URI behind an exposed resource URI. */
  resource(uri: string): { server: ManagedServer; uri: string } | undefined {
    const o = originalUri(uri);
    const server = o && this.bySlug.get(o.slug);
    return server && server.state.kind === 'running' ? { server, uri: o!.uri } : undefined;
  }

  /** The exposed form of a server's own URI (for update notifications). */
  exposedUri(server: ManagedServer, uri: string): string | undefined {
    const slug = this.slugs.get(server.definition.id);
    return slug === undefined ? undefined : exposedUri(slug, uri);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this._onDidChange.dispose();
  }
}
