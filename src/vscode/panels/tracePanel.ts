// The protocol trace panel: one panel, any server. While it is open the server's trace
// records (ProtocolTrace.retain); rows reach the page in batches; one message's whole
// text only when asked. Replay re-sends one of our requests through the live client.

import * as vscode from 'vscode';
import type { ManagedServer } from '../../host/types.ts';
import type { TraceEntry } from '../../host/trace.ts';
import { cliCommandFor } from '../../host/cliCommand.ts';
import type { TraceFromWebview, TracePanelState, TraceRow, TraceToWebview } from '../../webviews/protocol.ts';
import type { HostServices } from '../services.ts';
import { errorCause } from '../util.ts';
import { PanelChannel, webviewHtml, webviewOptions } from './webview.ts';

export const TRACE_VIEW_TYPE = 'mcpHost.trace';
const PREVIEW_CHARS = 300;
/** Rows wait this long to be sent together: a busy server would otherwise post per message. */
const BATCH_MS = 60;
/** Methods a replay must not repeat: the handshake belongs to the connection. */
const NOT_REPLAYABLE = new Set(['initialize', 'server/discover']);

function toRow(e: TraceEntry): TraceRow {
  return {
    seq: e.seq, time: e.time, session: e.session, direction: e.direction, kind: e.kind, method: e.method, id: e.id,
    size: e.size, pairedSeq: e.pairedSeq, durationMs: e.durationMs, isError: e.isError,
    preview: e.text.length > PREVIEW_CHARS ? `${e.text.slice(0, PREVIEW_CHARS)}…` : e.text,
  };
}

function parseRequest(e: TraceEntry): { method: string; params: Record<string, unknown> | undefined } | undefined {
  if (e.kind !== 'request' || e.direction !== 'send' || e.truncated || !e.method || NOT_REPLAYABLE.has(e.method)) return undefined;
  try {
    const m = JSON.parse(e.text) as { method?: unknown; params?: unknown };
    if (typeof m.method !== 'string') return undefined;
    const params = m.params && typeof m.params === 'object' ? { ...(m.params as Record<string, unknown>) } : undefined;
    // The replay is a request of its own: a fresh progress token, not the old call's.
    if (params?.['_meta'] && typeof params['_meta'] === 'object') {
      const { progressToken: _old, ...meta } = params['_meta'] as Record<string, unknown>;
      params['_meta'] = meta;
      if (!Object.keys(meta).length) delete params['_meta'];
    }
    // A redacted value is not the value: replaying it would send the mask.
    if (/••••|\[redacted\]|\*\*\*\*/.test(e.text)) return undefined;
    return { method: m.method, params };
  } catch {
    return undefined;
  }
}

export class TracePanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly services: HostServices;
  private readonly channel: PanelChannel<TraceFromWebview, TraceToWebview>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private serverSubscriptions: vscode.Disposable[] = [];
  private serverId: string;
  private pending: TraceRow[] = [];
  private pendingUpdates = new Map<number, TraceRow>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  private disposed = false;
  /** Replays under way end with the panel. */
  private readonly replays = new AbortController();

  constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, services: HostServices, serverId: string) {
    this.panel = panel;
    this.services = services;
    this.serverId = serverId;
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = new vscode.ThemeIcon('pulse');
    this.channel = new PanelChannel<TraceFromWebview, TraceToWebview>(panel, () => this.init(), m => this.onMessage(m), err => this.log(`trace panel: ${errorCause(err)}`));
    this.subscriptions.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
      services.manager.onDidChangeServers(() => {
        // A panel restored before any server existed takes the first that comes.
        if (!this.serverId && services.manager.servers[0]) this.serverId = services.manager.servers[0].definition.id;
        // A new list of servers (or a replaced server, whose trace starts anew): a fresh init.
        this.watch(true);
      }),
    );
    this.watch();
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'trace', panel.title);
  }

  static create(extensionUri: vscode.Uri, services: HostServices, serverId: string): TracePanel {
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, 'Protocol Trace', vscode.ViewColumn.Active, webviewOptions(extensionUri));
    return new TracePanel(panel, extensionUri, services, serverId);
  }

  static restore(extensionUri: vscode.Uri, services: HostServices, panel: vscode.WebviewPanel, state: TracePanelState | undefined): TracePanel {
    const id = state?.serverId ?? services.manager.servers[0]?.definition.id ?? '';
    return new TracePanel(panel, extensionUri, services, id);
  }

  show(serverId: string | undefined): void {
    this.panel.reveal(undefined, false);
    if (serverId && serverId !== this.serverId) this.select(serverId);
  }

  private server(): ManagedServer | undefined {
    return this.services.manager.servers.find(s => s.definition.id === this.serverId);
  }

  private watched: ManagedServer | undefined;

  /**
   * Records the chosen server while open. A replaced server (its definition changed) has a
   * trace of its own, numbered anew: the page starts over with it. `reinit`: the list of
   * servers changed, which the page shows too.
   */
  private watch(reinit = false): void {
    const server = this.server();
    if (server === this.watched) {
      if (reinit) void this.init().then(init => this.channel.post(init));
      return;
    }
    const replaced = this.watched !== undefined || reinit;
    for (const d of this.serverSubscriptions.splice(0)) d.dispose();
    this.watched = server;
    this.panel.title = `Protocol Trace — ${server?.definition.name ?? this.serverId}`;
    if (!server) return;
    const trace = server.trace;
    this.serverSubscriptions.push(
      trace.retain(),
      trace.onDidRecord(e => { this.pending.push(toRow(e)); this.schedule(); }),
      trace.onDidUpdate(e => { this.pendingUpdates.set(e.seq, toRow(e)); this.schedule(); }),
      trace.onDidClear(() => { this.pending = []; this.pendingUpdates.clear(); this.channel.post({ type: 'cleared' }); }),
    );
    if (replaced) void this.init().then(init => this.channel.post(init));
  }

  private select(serverId: string): void {
    this.serverId = serverId;
    this.watch(true);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending.length) this.channel.post({ type: 'rows', rows: this.pending.splice(0) });
      if (this.pendingUpdates.size) { this.channel.post({ type: 'updated', rows: [...this.pendingUpdates.values()] }); this.pendingUpdates.clear(); }
    }, BATCH_MS);
  }

  private async init(): Promise<TraceToWebview> {
    const server = this.server();
    this.pending = [];
    this.pendingUpdates.clear();
    return {
      type: 'init',
      panel: 'trace',
      servers: this.services.manager.servers.map(s => ({ id: s.definition.id, name: s.definition.name })),
      serverId: this.serverId,
      rows: server ? server.trace.entries.map(toRow) : [],
      limits: { maxEntries: server?.trace.limits.maxEntries ?? 2000, maxBytes: server?.trace.limits.maxBytes ?? 16 * 1024 * 1024 },
    };
  }

  private onMessage(m: TraceFromWebview): void {
    const server = this.server();
    switch (m.type) {
      case 'selectServer': this.select(m.serverId); break;
      case 'showDetails': {
        const e = server?.trace.find(m.seq);
        if (!e || !server) return;
        const req = parseRequest(e);
        const cli = e.kind === 'request' && e.method ? cliCommandFor({ name: server.definition.name }, e.method, safeParams(e.text)) : undefined;
        this.channel.post({ type: 'details', seq: e.seq, text: e.text, truncated: !!e.truncated, cli, replayable: !!req });
        break;
      }
      case 'replay': void this.replay(m.seq); break;
      case 'search': {
        // The whole text of every message kept (the page has only previews); bounded by the ring.
        const needle = m.text.toLowerCase();
        const seqs = needle ? (server?.trace.entries ?? []).filter(e => e.text.toLowerCase().includes(needle) || (e.method ?? '').toLowerCase().includes(needle)).map(e => e.seq) : [];
        this.channel.post({ type: 'matches', text: m.text, seqs });
        break;
      }
      case 'copy': void vscode.env.clipboard.writeText(m.text).then(() => vscode.window.setStatusBarMessage(`MCP Host: ${m.what} copied`, 3000)); break;
      case 'export': void this.export(); break;
      case 'clear': server?.trace.clear(); break;
    }
  }

  private async replay(seq: number): Promise<void> {
    const server = this.server();
    const e = server?.trace.find(seq);
    const req = e && parseRequest(e);
    const client = server?.currentClient;
    if (!server || !req) { this.channel.post({ type: 'replayed', seq, ok: false, message: 'This message cannot be replayed.' }); return; }
    if (!client || server.state.kind !== 'running') { this.channel.post({ type: 'replayed', seq, ok: false, message: `${server.definition.name} is not running.` }); return; }
    try {
      await client.requestRaw(req.method, req.params, { signal: this.replays.signal });
      this.channel.post({ type: 'replayed', seq, ok: true, message: `Replayed ${req.method}: the new request and its response are at the end of the list.` });
    } catch (err) {
      this.channel.post({ type: 'replayed', seq, ok: false, message: `${server.definition.name} › ${req.method} failed: ${errorCause(err)}` });
    }
  }

  private async export(): Promise<void> {
    const server = this.server();
    if (!server) return;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${server.definition.name.replace(/[^\w.-]+/g, '_')}-trace-${stamp}.jsonl`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { 'JSON Lines': ['jsonl'] }, title: 'Export Protocol Trace' });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(server.trace.toJsonLines()));
    } catch (err) {
      const message = `MCP Host: the protocol trace of ${server.definition.name} could not be written to ${target.fsPath}: ${errorCause(err)}`;
      this.log(message);
      void vscode.window.showErrorMessage(message);
      return;
    }
    void vscode.window.showInformationMessage(`MCP Host: exported ${server.trace.entries.length} messages of ${server.definition.name} to ${target.fsPath}.`);
  }

  private log(message: string): void {
    this.services.log.error(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.replays.abort();
    for (const d of this.serverSubscriptions.splice(0)) d.dispose();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}

function safeParams(text: string): unknown {
  try { return (JSON.parse(text) as { params?: unknown }).params; } catch { return undefined; }
}
