// The tool panel's extension side: one panel per server and tool, reused while open. It
// runs the call (progress, Cancel), turns the result into the panel's view model, keeps
// the history, and does what the page cannot: the clipboard, documents, Read Resource.

import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '../../protocol/types.ts';
import type { ManagedServer } from '../../host/types.ts';
import { cliCommandFor } from '../../host/cliCommand.ts';
import type { CallOutcome, ToolFromWebview, ToolPanelState, ToolProgress, ToolToWebview, HistorySummary } from '../../webviews/protocol.ts';
import { describeResult, forTransfer } from '../../webviews/result/model.ts';
import { hasRedacted, redactArgs, withoutRedacted, type HistoryEntry, type ToolHistory } from '../../webviews/result/history.ts';
import { showToolResult } from '../results.ts';
import type { HostServices } from '../services.ts';
import { errorCause, isCancellation } from '../util.ts';
import { PanelChannel, webviewHtml, webviewOptions } from './webview.ts';

export const TOOL_VIEW_TYPE = 'mcpHost.tool';

export interface ToolPanelDeps {
  readonly services: HostServices;
  readonly extensionUri: vscode.Uri;
  readonly history: ToolHistory;
  /** The one redaction function (src/host/redaction.ts): what is kept or copied goes through it. */
  readonly redact: (text: string) => string;
  /** Calls kept per tool (setting mcpHost.history.maxPerTool); 0 keeps none. */
  readonly historySize: () => number;
  /** A call of a tool with an MCP App started: its app opens beside (undefined: the tool has none). */
  readonly appCall?: (server: ManagedServer, tool: string, args: Record<string, unknown>) => AppCallHandle | undefined;
}

/** How a caller tells an open app how its call ended. */
export interface AppCallHandle { result(r: CallToolResult): void; cancelled(reason: string): void }

/** Every string in `value` through `redact` (a JSON value: a copy with the same shape). */
function redactDeep<T>(value: T, redact: (text: string) => string): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redact(v);
    if (!v || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map(x => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: walk(x, depth + 1), writable: true, enumerable: true, configurable: true });
    return out;
  };
  return walk(value, 0) as T;
}

interface Running { callId: number; startedAt: number; abort: AbortController; progress?: ToolProgress }

let nextCallId = 1;

function summary(e: HistoryEntry): HistorySummary {
  return { id: e.id, at: e.at, durationMs: e.durationMs, args: e.args, outcome: e.outcome, error: e.error };
}

export class ToolPanel implements vscode.Disposable {
  readonly serverId: string;
  readonly toolName: string;
  private readonly panel: vscode.WebviewPanel;
  private readonly deps: ToolPanelDeps;
  private readonly channel: PanelChannel<ToolFromWebview, ToolToWebview>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private args: Record<string, unknown> | undefined;
  private running: Running | undefined;
  private outcome: CallOutcome | undefined;
  /** The last result in full, for Open as Document. */
  private lastResult: CallToolResult | undefined;
  private disposed = false;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  constructor(panel: vscode.WebviewPanel, deps: ToolPanelDeps, serverId: string, toolName: string, args?: Record<string, unknown>) {
    this.panel = panel;
    this.deps = deps;
    this.serverId = serverId;
    this.toolName = toolName;
    this.args = args;
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = new vscode.ThemeIcon('tools');
    this.channel = new PanelChannel<ToolFromWebview, ToolToWebview>(
      panel,
      () => this.init(),
      m => this.onMessage(m),
      err => this.log('error', `tool panel: ${errorCause(err)}`),
    );
    this.updateTitle();
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'tool', panel.title);
    this.subscriptions.push(
      this.channel,
      panel.onDidDispose(() => this.dispose()),
      deps.services.manager.onDidChangeServers(() => this.watchServer()),
    );
    this.watchServer();
  }

  static create(deps: ToolPanelDeps, server: ManagedServer, toolName: string, args?: Record<string, unknown>): ToolPanel {
    const panel = vscode.window.createWebviewPanel(TOOL_VIEW_TYPE, toolName, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    return new ToolPanel(panel, deps, server.definition.id, toolName, args);
  }

  static restore(deps: ToolPanelDeps, panel: vscode.WebviewPanel, state: ToolPanelState): ToolPanel {
    return new ToolPanel(panel, deps, state.serverId, state.tool, state.args);
  }

  reveal(args?: Record<string, unknown>): void {
    this.panel.reveal(undefined, false);
    if (args) { this.args = args; this.channel.post({ type: 'setArgs', args }); }
  }

  private server(): ManagedServer | undefined {
    return this.deps.services.manager.servers.find(s => s.definition.id === this.serverId);
  }

  /** The tool as last listed: a restored panel or a server that restarts keeps its schema. */
  private knownTool: Tool | undefined;

  private tool(): Tool | undefined {
    const t = this.server()?.tools.find(x => x.name === this.toolName);
    if (t) this.knownTool = t;
    return t;
  }

  /** The schema secrets are known by, even while the server is away. */
  private secretArgs(args: Record<string, unknown>): Record<string, unknown> {
    return redactDeep(redactArgs((this.tool() ?? this.knownTool)?.inputSchema, args), this.deps.redact);
  }

  private serverSubscriptions: vscode.Disposable[] = [];
  private watchedServer: ManagedServer | undefined;

  /** Follows the server (it may be replaced when its definition changes) and its tool list. */
  private watchServer(): void {
    const server = this.server();
    if (server === this.watchedServer) return;
    for (const d of this.serverSubscriptions.splice(0)) d.dispose();
    this.watchedServer = server;
    if (server) {
      const update = () => {
        this.updateTitle();
        this.channel.post({ type: 'server', serverName: server.definition.name, serverRunning: server.state.kind === 'running', tool: this.tool() });
      };
      this.serverSubscriptions.push(server.onDidChangeState(update), server.onDidChangeLists(update));
    }
    this.updateTitle();
    this.channel.post({ type: 'server', serverName: server?.definition.name ?? this.serverId, serverRunning: server?.state.kind === 'running', tool: this.tool() });
  }

  private updateTitle(): void {
    const tool = this.tool();
    const serverName = this.server()?.definition.name ?? this.serverId;
    this.panel.title = `${tool?.title ?? tool?.annotations?.title ?? this.toolName} — ${serverName}`;
  }

  private init(): ToolToWebview {
    const server = this.server();
    const tool = this.tool() ?? { name: this.toolName, inputSchema: { type: 'object' } };
    return {
      type: 'init',
      panel: 'tool',
      serverId: this.serverId,
      serverName: server?.definition.name ?? this.serverId,
      serverRunning: server?.state.kind === 'running',
      tool,
      args: this.args,
      history: this.historySummaries(),
      running: this.running && { callId: this.running.callId, startedAt: this.running.startedAt, progress: this.running.progress },
      outcome: this.outcome,
    };
  }

  private historySummaries(): HistorySummary[] {
    return this.deps.history.list(this.serverId, this.toolName).map(summary);
  }

  private onMessage(m: ToolFromWebview): void {
    switch (m.type) {
      case 'run': void this.run(m.args, m.asTask); break;
      case 'cancel': this.running?.abort.abort(); break;
      case 'argsChanged': this.args = m.args; break;
      case 'copy': this.attempt('copying', vscode.env.clipboard.writeText(m.text).then(() => { vscode.window.setStatusBarMessage(`MCP Host: ${m.what} copied`, 3000); })); break;
      case 'copyCommand': this.attempt('copying the command line', this.copyCommand(m.args)); break;
      case 'openAsDocument': this.attempt('opening the result', this.openAsDocument()); break;
      case 'openResource': this.attempt(`reading ${m.uri}`, vscode.commands.executeCommand('mcpHost.readResource', this.serverId, m.uri)); break;
      case 'useEntry': this.useEntry(m.id, m.run); break;
      case 'showEntry': this.showEntry(m.id); break;
      case 'removeEntry': void this.deps.history.remove(m.id).then(() => this.postHistory()); break;
      case 'clearHistory': void this.deps.history.clear(this.serverId, this.toolName).then(() => this.postHistory()); break;
    }
  }

  /** What a click starts and nobody awaits: a failure is said and logged, never lost. */
  private attempt(what: string, work: PromiseLike<unknown>): void {
    Promise.resolve(work).then(undefined, err => {
      const message = `${this.server()?.definition.name ?? this.serverId} › ${this.toolName}: ${what} failed: ${errorCause(err)}`;
      this.log('error', message);
      void vscode.window.showErrorMessage(message);
    });
  }

  private postHistory(): void {
    this.channel.post({ type: 'history', history: this.historySummaries() });
  }

  /** Runs the tool once; a second Run while one is under way is refused by the page. */
  async run(args: Record<string, unknown>, asTask?: boolean): Promise<CallToolResult | undefined> {
    const server = this.server();
    if (this.running) return undefined;
    // Refused before anything is sent or kept: nothing to record in the history.
    const refusal = !server ? 'the server is no longer configured'
      : server.state.kind !== 'running' ? `${server.definition.name} is not running`
      : hasRedacted(args) ? `an argument still holds the mask ${'••••'} of a secret: type it in again` : undefined;
    if (refusal) {
      this.channel.post({ type: 'outcome', callId: 0, outcome: { kind: 'failed', message: `${server?.definition.name ?? this.serverId} › ${this.toolName}: ${refusal}.`, durationMs: 0, at: Date.now() } });
      return undefined;
    }
    const callId = nextCallId++;
    const startedAt = Date.now();
    const running: Running = { callId, startedAt, abort: new AbortController() };
    this.running = running;
    this.args = args;
    this.channel.post({ type: 'started', callId, startedAt });
    const tool = this.tool();
    const finish = async (outcome: CallOutcome, record?: { outcome: HistoryEntry['outcome']; result?: CallToolResult; error?: string }) => {
      this.running = undefined;
      this.outcome = outcome;
      if (record && server && this.deps.historySize() > 0) {
        try {
          // Kept in workspace storage: secrets (by the schema and by the redactor) never are.
          const entry = await this.deps.history.add({
            serverId: this.serverId, serverName: server.definition.name, tool: this.toolName, at: startedAt,
            durationMs: Date.now() - startedAt, args: this.secretArgs(args),
            outcome: record.outcome,
            result: record.result && redactDeep(record.result, this.deps.redact),
            error: record.error && this.deps.redact(record.error),
          });
          if (outcome.kind === 'result') outcome.historyId = entry.id;
        } catch (err) {
          // The outcome is shown all the same; only its place in the history is lost.
          this.log('error', `${server.definition.name} › ${this.toolName}: the call could not be kept in the history: ${errorCause(err)}`);
        }
      }
      this.channel.post({ type: 'outcome', callId, outcome });
      this.postHistory();
    };
    const app = this.deps.appCall?.(server!, this.toolName, args);
    try {
      const result = await server!.callTool(this.toolName, args, {
        signal: running.abort.signal,
        asTask,
        // A result that breaks the output schema is shown with what is wrong, not refused.
        checkOutput: false,
        onProgress: p => {
          running.progress = { progress: p.progress, total: p.total, message: p.message };
          this.channel.post({ type: 'progress', callId, progress: running.progress });
        },
      });
      this.lastResult = result;
      app?.result(result);
      const durationMs = Date.now() - startedAt;
      await finish({ kind: 'result', view: forTransfer(describeResult(result, tool)), durationMs, at: startedAt }, { outcome: result.isError ? 'error' : 'ok', result });
      return result;
    } catch (err) {
      app?.cancelled(running.abort.signal.aborted || isCancellation(err) ? 'cancelled by the user' : `the call failed: ${this.deps.redact(errorCause(err))}`);
      if (running.abort.signal.aborted || isCancellation(err)) {
        await finish({ kind: 'cancelled', at: startedAt }, { outcome: 'cancelled' });
        return undefined;
      }
      const message = this.deps.redact(`${server!.definition.name} › ${this.toolName} failed: ${errorCause(err)}`);
      this.log('error', message);
      await finish({ kind: 'failed', message, durationMs: Date.now() - startedAt, at: startedAt }, { outcome: 'failed', error: errorCause(err) });
      return undefined;
    }
  }

  private useEntry(id: string, run: boolean): void {
    const entry = this.deps.history.list(this.serverId, this.toolName).find(e => e.id === id);
    if (!entry) return;
    // The form gets the kept arguments without their masks: a secret field shows empty.
    const args = withoutRedacted(entry.args);
    this.args = args;
    this.channel.post({ type: 'setArgs', args });
    if (!run) return;
    // A secret was masked before the call was kept, and a long value cut: neither is the
    // value to send again. The form has the rest; the person fills in what is missing.
    if (hasRedacted(entry.args) || entry.argsTrimmed) {
      void vscode.window.showInformationMessage(`MCP Host: this call of ${this.toolName} had ${entry.argsTrimmed ? 'arguments too long to keep' : 'a secret argument, which is not kept'}: fill the form in and press Run.`);
      return;
    }
    void this.run(entry.args);
  }

  private showEntry(id: string): void {
    const entry = this.deps.history.list(this.serverId, this.toolName).find(e => e.id === id);
    if (!entry) return;
    this.args = withoutRedacted(entry.args);
    this.channel.post({ type: 'setArgs', args: this.args });
    const outcome: CallOutcome = entry.result
      ? { kind: 'result', view: forTransfer(describeResult(entry.result, this.tool())), durationMs: entry.durationMs ?? 0, at: entry.at, historyId: entry.id }
      : entry.outcome === 'cancelled' ? { kind: 'cancelled', at: entry.at }
      : { kind: 'failed', message: entry.error ?? 'failed', durationMs: entry.durationMs ?? 0, at: entry.at };
    this.outcome = outcome;
    if (entry.result) this.lastResult = entry.result;
    this.channel.post({ type: 'outcome', callId: 0, outcome });
  }

  private async copyCommand(args: Record<string, unknown>): Promise<void> {
    const server = this.server();
    const command = cliCommandFor({ name: server?.definition.name ?? this.serverId }, 'tools/call', { name: this.toolName, arguments: this.secretArgs(args) });
    if (!command) throw new Error('this call has no mcp-host command line (a name or value the shell cannot carry)');
    await vscode.env.clipboard.writeText(command);
    vscode.window.setStatusBarMessage('MCP Host: command line copied', 3000);
  }

  private async openAsDocument(): Promise<void> {
    if (!this.lastResult) return;
    await showToolResult(this.deps.services.docs, this.toolName, this.lastResult);
  }

  private log(level: 'error' | 'info', message: string): void {
    this.deps.services.sessions.log(this.serverId, level, message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.running?.abort.abort();
    for (const d of this.serverSubscriptions.splice(0)) d.dispose();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
