// The gateway's catalogue (issue 13): the tools, prompts, resources and templates of every
// exposed running server as one namespaced set (naming.ts), rebuilt when a server's lists or
// state change, and the way back from an exposed name to the server that owns it. App-only
// tools (MCP Apps visibility without "model") are not offered: the gateway faces models.
// With `prefix: false` (pass-through, naming.ts) it is one server's own lists, unchanged, and
// any name or URI maps to that server as it is.

import { Emitter, type Disposable, type Event } from '../base/event.ts';
import type { ManagedServer } from '../host/types.ts';
import { isModelVisible } from '../protocol/apps.ts';
import type { Prompt, Resource, ResourceTemplate, Tool } from '../protocol/types.ts';
import { buildNameTable, exposedTemplate, exposedUri, originalUri, passThroughServer, serverSlugs, type Origin } from './naming.ts';

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
  /**
   * false: pass-through naming for a gateway that fronts one server — its names and URIs
   * unchanged, unknown ones passed to it as they are; only one exposed server at a time
   * (naming.ts). Default true: `<server>__<name>` and `mcp-gateway://` URIs.
   */
  prefix?: boolean;
  /** Told when pass-through naming leaves an exposed running server out (another one has the names). */
  log?: (level: 'warning', message: string) => void;
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
  private _prefix: boolean;
  /** Pass-through: the id of the one server passed through (it keeps its place while it runs). */
  private pinned: string | undefined;
  private _leftOut: ManagedServer[] = [];
  private readonly _onDidChange = new Emitter<ListKind>();
  /** One of the lists changed (what `notifications/*\/list_changed` says to every session). */
  readonly onDidChange: Event<ListKind> = this._onDidChange.event;

  constructor(opts: CatalogOptions) {
    this.opts = opts;
    this._prefix = opts.prefix ?? true;
    this.subscriptions.push(opts.source.onDidChangeServers(() => this.rebuild()), opts.source.onDidChangeServer(() => this.rebuild()));
    this.rebuild();
  }

  get tools(): readonly Tool[] { return this._tools; }
  get prompts(): readonly Prompt[] { return this._prompts; }
  get resources(): readonly Resource[] { return this._resources; }
  get resourceTemplates(): readonly ResourceTemplate[] { return this._templates; }
  /** false: pass-through naming (one server's own names and URIs). */
  get prefix(): boolean { return this._prefix; }
  /** Pass-through: the exposed running servers left out because another one is passed through. */
  get leftOut(): readonly ManagedServer[] { return this._leftOut; }

  /**
   * Switches the naming (for embedders whose Gateway builds the catalogue); the lists are
   * rebuilt, and sessions hear list_changed for each that changed. Best before clients connect:
   * the names they hold change.
   */
  setPrefix(prefix: boolean): void {
    if (prefix === this._prefix) return;
    this._prefix = prefix;
    this.pinned = undefined;
    this.rebuild();
  }

  /** The exposed servers that are running, with their slugs. */
  get servers(): { server: ManagedServer; slug: string }[] {
    return [...this.bySlug].map(([slug, server]) => ({ server, slug }));
  }

  private live(): ManagedServer[] {
    return this.opts.source.servers.filter(s => s.state.kind === 'running' && this.opts.exposed(s));
  }

  /** Recomputes everything; fires for each list whose exposed form changed. */
  rebuild(): void {
    let servers = this.live();
    if (!this._prefix) servers = this.passThrough(servers);
    else { this.pinned = undefined; this._leftOut = []; }
    this.slugs = serverSlugs(servers.map(s => ({ id: s.definition.id, name: s.definition.name })));
    this.bySlug = new Map(servers.map(s => [this.slugs.get(s.definition.id)!, s]));
    this.byId = new Map(servers.map(s => [s.definition.id, s]));
    const tools = servers.map(s => ({ s, items: s.tools.filter(isModelVisible) }));
    if (!this._prefix) {
      // The one server's own lists, as they are; a known name is looked up like an unknown one.
      this.toolOrigin = new Map();
      this.promptOrigin = new Map();
      this._tools = tools.flatMap(({ items }) => items);
      this._prompts = servers.flatMap(s => s.prompts);
      this._resources = servers.flatMap(s => s.resources);
      this._templates = servers.flatMap(s => s.resourceTemplates);
      this.signal();
      return;
    }
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
    this.signal();
  }

  /** Pass-through: the one server of `servers` that is served (the others are left out, and said so once). */
  private passThrough(servers: ManagedServer[]): ManagedServer[] {
    const { chosen, leftOut } = passThroughServer(servers.map(s => s.definition.id), this.pinned);
    this.pinned = chosen;
    const before = this._leftOut.map(s => s.definition.id).join('\u0000');
    this._leftOut = servers.filter(s => leftOut.includes(s.definition.id));
    const kept = servers.find(s => s.definition.id === chosen);
    if (this._leftOut.length && this._leftOut.map(s => s.definition.id).join('\u0000') !== before) {
      const names = this._leftOut.map(s => `"${s.definition.name}"`).join(', ');
      this.opts.log?.('warning', `Pass-through naming serves one server, "${kept!.definition.name}"; ${names} ${this._leftOut.length === 1 ? 'is' : 'are'} left out: `
        + 'their tools, prompts and resources would share one set of names with it. Expose one server, or use prefixed names (<server>__<name>) to expose several.');
    }
    return kept ? [kept] : [];
  }

  /** Fires for each list whose exposed form changed since the last rebuild. */
  private signal(): void {
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

  /** The server and original name behind an exposed tool name (pass-through: any name, as it is). */
  tool(name: string): { server: ManagedServer; name: string } | undefined {
    return this.origin(this._prefix ? this.toolOrigin.get(name) : this.passedThrough(name));
  }

  prompt(name: string): { server: ManagedServer; name: string } | undefined {
    return this.origin(this._prefix ? this.promptOrigin.get(name) : this.passedThrough(name));
  }

  /** Pass-through: `name` (or a URI) of the one server passed through, if one runs. */
  private passedThrough(name: string): Origin | undefined {
    return this.pinned === undefined ? undefined : { serverId: this.pinned, name };
  }

  private origin(o: Origin | undefined): { server: ManagedServer; name: string } | undefined {
    const server = o && this.byId.get(o.serverId);
    return server && server.state.kind === 'running' ? { server, name: o!.name } : undefined;
  }

  /** The server and its own URI behind an exposed resource URI. */
  resource(uri: string): { server: ManagedServer; uri: string } | undefined {
    if (!this._prefix) {
      const o = this.origin(this.passedThrough(uri));
      return o && { server: o.server, uri: o.name };
    }
    const o = originalUri(uri);
    const server = o && this.bySlug.get(o.slug);
    return server && server.state.kind === 'running' ? { server, uri: o!.uri } : undefined;
  }

  /** The server behind an exposed URI template (as listed in resourceTemplates), in either naming. */
  templateServer(uriTemplate: string): ManagedServer | undefined {
    if (!this._prefix) return this.origin(this.passedThrough(uriTemplate))?.server;
    const o = originalUri(uriTemplate);
    const server = o && this.bySlug.get(o.slug);
    return server && server.state.kind === 'running' ? server : undefined;
  }

  /** The exposed form of a server's own URI (for update notifications). */
  exposedUri(server: ManagedServer, uri: string): string | undefined {
    if (!this._prefix) return server.definition.id === this.pinned ? uri : undefined;
    const slug = this.slugs.get(server.definition.id);
    return slug === undefined ? undefined : exposedUri(slug, uri);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this._onDidChange.dispose();
  }
}
