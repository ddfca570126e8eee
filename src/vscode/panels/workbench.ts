// The workbench: every panel of MCP Host (tool panels, elicitation forms, the sampling
// review, the protocol trace). It is dist/workbench.js, loaded by the extension the first
// time a panel opens (src/vscode/workbenchLoader.ts): most sessions never open one, and
// the extension bundle has a budget.

import * as vscode from 'vscode';
import type { CreateMessageRequestParams, ElicitFormParams, ElicitResult } from '../../protocol/types.ts';
import type { ManagedServer, ServerRef } from '../../host/types.ts';
import type { ToolPanelState, TracePanelState } from '../../webviews/protocol.ts';
import { ToolHistory } from '../../webviews/result/history.ts';
import type { HostServices } from '../services.ts';
import { elicitInPanel } from './elicitationPanel.ts';
import { reviewSamplingInPanel, type ReviewOutcome, type SamplingBackend } from './samplingPanel.ts';
import { toolUi } from '../../protocol/apps.ts';
import { lazyModule } from '../lazyModule.ts';
import { errorCause } from '../util.ts';
import type { AppPanels } from './apps.ts';
import { openAppCommand, type OpenAppPickers } from './openApp.ts';
import { ToolPanel, type AppCallHandle } from './toolPanel.ts';
import { TracePanel } from './tracePanel.ts';

export { ELICITATION_VIEW_TYPE } from './elicitationPanel.ts';
export { SAMPLING_VIEW_TYPE } from './samplingPanel.ts';
export { TOOL_VIEW_TYPE } from './toolPanel.ts';
export { TRACE_VIEW_TYPE } from './tracePanel.ts';
export type { ReviewOutcome, SamplingBackend };

/** The MCP App panels: their own bundle, dist/apps.js (paths relative to src/vscode). */
const loadApps = lazyModule<typeof import('./apps.ts')>('apps', './panels/apps.ts');

export class Workbench implements vscode.Disposable {
  private readonly services: HostServices;
  private readonly extensionUri: vscode.Uri;
  private readonly history: ToolHistory;
  private readonly tools = new Map<string, ToolPanel>();
  private trace: TracePanel | undefined;
  private appPanels: Promise<AppPanels> | undefined;
  private readonly hostVersion: string;

  constructor(services: HostServices, context: vscode.ExtensionContext) {
    this.services = services;
    this.extensionUri = context.extensionUri;
    this.hostVersion = String((context.extension?.packageJSON as { version?: unknown } | undefined)?.version ?? '0.0.0');
    this.history = new ToolHistory(context.workspaceState, { maxPerTool: Math.max(1, historySize()) });
  }

  private deps() {
    return {
      services: this.services, extensionUri: this.extensionUri, history: this.history, redact: this.services.redact, historySize,
      appCall: (server: ManagedServer, tool: string, args: Record<string, unknown>) => this.appCall(server, tool, args),
    };
  }

  private apps(): Promise<AppPanels> {
    this.appPanels ??= loadApps().then(m => m.createAppPanels(this.services, this.extensionUri, this.hostVersion));
    return this.appPanels;
  }

  /** Opens (or reveals) the app at `uri` of `server` without a call (Open App); `tool` names its tool. */
  openApp(server: ManagedServer, uri: string, tool?: string): void {
    this.apps().then(a => a.open(server, uri, tool), err => this.appFailed(server, err));
  }

  /** Open App from the palette or the tree (the extension gives its pickers). */
  openAppCommand(pickers: OpenAppPickers, arg?: unknown, name?: unknown): Promise<void> {
    return openAppCommand(this.services.manager, pickers, (server, uri, tool) => this.openApp(server, uri, tool), arg, name);
  }

  /** A call of `tool` started: when the tool has an app, it opens beside and follows the call. */
  appCall(server: ManagedServer, tool: string, args: Record<string, unknown>): AppCallHandle | undefined {
    const t = server.tools.find(x => x.name === tool);
    const uri = t && toolUi(t).resourceUri;
    if (!uri) return undefined;
    const handle = this.apps().then(a => a.callStarted(server, uri, tool, args), err => { this.appFailed(server, err); return undefined; });
    return {
      result: r => void handle.then(h => h?.result(r)),
      cancelled: reason => void handle.then(h => h?.cancelled(reason)),
    };
  }

  private appFailed(server: ManagedServer, err: unknown): void {
    const message = `${server.definition.name}: the app panel could not be loaded: ${errorCause(err)}`;
    this.services.sessions.log(server.definition.id, 'error', message);
    void vscode.window.showErrorMessage(`MCP Host: ${message}`);
  }

  private key(serverId: string, tool: string): string {
    return `${serverId}\u0000${tool}`;
  }

  private track(panel: ToolPanel): ToolPanel {
    const key = this.key(panel.serverId, panel.toolName);
    // A second panel of the same tool (restored beside an open one) goes; the open one and
    // its call stay.
    if (this.tools.has(key)) { panel.dispose(); return this.tools.get(key)!; }
    this.tools.set(key, panel);
    panel.onDidDispose(() => { if (this.tools.get(key) === panel) this.tools.delete(key); });
    return panel;
  }

  /** Opens (or reveals) the panel of one tool; `args` fill its form. */
  openTool(server: ManagedServer, tool: string, args?: Record<string, unknown>): ToolPanel {
    const open = this.tools.get(this.key(server.definition.id, tool));
    if (open) { open.reveal(args); return open; }
    return this.track(ToolPanel.create(this.deps(), server, tool, args));
  }

  restoreTool(panel: vscode.WebviewPanel, state: ToolPanelState | undefined): void {
    if (!state || state.panel !== 'tool' || typeof state.serverId !== 'string' || typeof state.tool !== 'string') { panel.dispose(); return; }
    this.track(ToolPanel.restore(this.deps(), panel, state));
  }

  elicit(server: ServerRef, params: ElicitFormParams, signal: AbortSignal): Promise<ElicitResult> {
    return elicitInPanel(this.extensionUri, server, params, signal, message => this.services.sessions.log(server.id, 'error', message));
  }

  reviewSampling(backend: SamplingBackend, server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<ReviewOutcome> {
    return reviewSamplingInPanel(this.extensionUri, backend, server, params, signal);
  }

  openTrace(serverId: string): void {
    if (this.trace) { this.trace.show(serverId); return; }
    this.trace = TracePanel.create(this.extensionUri, this.services, serverId);
    this.watchTrace(this.trace);
  }

  restoreTrace(panel: vscode.WebviewPanel, state: TracePanelState | undefined): void {
    if (this.trace) { panel.dispose(); return; }
    this.trace = TracePanel.restore(this.extensionUri, this.services, panel, state);
    this.watchTrace(this.trace);
  }

  private watchTrace(panel: TracePanel): void {
    panel.onDidDispose(() => { if (this.trace === panel) this.trace = undefined; });
  }

  dispose(): void {
    void this.appPanels?.then(a => a.dispose(), () => undefined);
    for (const p of [...this.tools.values()]) p.dispose();
    this.tools.clear();
    this.trace?.dispose();
  }
}

/** Calls kept per tool and workspace (mcpHost.history.maxPerTool); 0 keeps none. */
function historySize(): number {
  return vscode.workspace.getConfiguration('mcpHost').get<number>('history.maxPerTool', 50);
}

export function createWorkbench(services: HostServices, context: vscode.ExtensionContext): Workbench {
  return new Workbench(services, context);
}
