// An MCP App in a webview panel (issue 12): one panel per server and UI resource, beside the
// editor. The page (src/webviews/browser/appHost.ts) is the sandbox proxy holding the app's
// srcdoc frame; here are its HTML and policy, the bridge session (src/host/apps/bridge.ts),
// and what needs VS Code: consent for links, the chat, the display mode, the clipboard.
//
// Each load (a new call, Reload) gets a fresh session: the old one is torn down first
// (ui/resource-teardown, answered or timed out). Our Close tears down before the tab goes;
// the tab's own × cannot wait (VS Code has no before-close event), so then the session
// just ends with the webview.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { AppSession, HOST_DISPLAY_MODES, type DisplayMode, type HostContext } from '../../host/apps/bridge.ts';
import type { AppResources } from '../../host/apps/resources.ts';
import type { ManagedServer } from '../../host/types.ts';
import type { UiResource } from '../../protocol/apps.ts';
import type { CallToolResult, ContentBlock, JsonObject } from '../../protocol/types.ts';
import { allowAttribute, appCsp, pageCsp, ungrantablePermissions } from '../../webviews/apps/csp.ts';
import { prepareAppHtml } from '../../webviews/apps/appHtml.ts';
import { VIOLATION_PREAMBLE, type AppInit, type FromAppPage, type PageContext, type ToAppPage } from '../../webviews/apps/messages.ts';
import type { HostServices } from '../services.ts';
import { errorCause } from '../util.ts';
import { WEBVIEW_DIR, escapeHtml, webviewAsset } from './webview.ts';

export const APP_VIEW_TYPE = 'mcpHost.app';
const LIMITS = { messagesPerSecond: 200, burst: 500, maxMessageBytes: 4 * 1024 * 1024, logEntries: 500 };

export interface AppPanelDeps {
  services: HostServices;
  extensionUri: vscode.Uri;
  resources: AppResources;
  hostVersion: string;
}

/** The call an app shows: its arguments, then how it ended. */
interface AppCall {
  args: Record<string, unknown>;
  startedAt: number;
  end?: { kind: 'result'; result: CallToolResult; at: number } | { kind: 'cancelled'; reason: string; at: number };
}

const nonce = () => randomBytes(18).toString('base64');

export class AppPanel implements vscode.Disposable {
  readonly serverId: string;
  readonly uri: string;
  private readonly deps: AppPanelDeps;
  private readonly panel: vscode.WebviewPanel;
  private toolName: string | undefined;
  private call: AppCall | undefined;
  private session: AppSession | undefined;
  /** The session being torn down: its answer to ui/resource-teardown must still reach it. */
  private ending: AppSession | undefined;
  private resource: UiResource | undefined;
  private pagePolicy = '';
  private appNonce = nonce();
  private pageReady = false;
  private pageContext: PageContext | undefined;
  private displayMode: DisplayMode = 'inline';
  private maximized = false;
  private loading: Promise<void> | undefined;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  /** The app's latest ui/update-model-context, kept for whoever asks (and shown in the log). */
  modelContext: { content?: ContentBlock[]; structuredContent?: JsonObject } | undefined;

  constructor(deps: AppPanelDeps, server: ManagedServer, uri: string, toolName: string | undefined) {
    this.deps = deps;
    this.serverId = server.definition.id;
    this.uri = uri;
    this.toolName = toolName;
    this.panel = vscode.window.createWebviewPanel(APP_VIEW_TYPE, this.title(server), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      // An app has live state (timers, charts, its own data): hidden is not unloaded.
      retainContextWhenHidden: true,
      enableFindWidget: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, WEBVIEW_DIR)],
    });
    this.panel.iconPath = new vscode.ThemeIcon('window');
    this.subscriptions.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
      server.onDidChangeState(s => {
        if (s.kind !== 'running' && this.session) void this.end(`${server.definition.name} is ${s.kind === 'stopped' ? 'stopped' : 'restarting'}; reload the app once it runs again.`);
      }),
    );
  }

  private server(): ManagedServer | undefined {
    return this.deps.services.manager.get(this.serverId);
  }

  private title(server: ManagedServer): string {
    return `${this.toolName ?? this.uri.replace(/^ui:\/\//, '')} (app) — ${server.definition.name}`;
  }

  reveal(): void { this.panel.reveal(undefined, true); }

  /** A call of the app's tool started: the app (re)loads and gets its arguments, then its end. */
  callStarted(toolName: string, args: Record<string, unknown>): { result(r: CallToolResult): void; cancelled(reason: string): void } {
    this.toolName = toolName;
    const call: AppCall = { args, startedAt: Date.now() };
    this.call = call;
    const server = this.server();
    if (server) this.panel.title = this.title(server);
    void this.load();
    this.reveal();
    return {
      result: r => {
        if (this.call !== call) return;
        call.end = { kind: 'result', result: r, at: Date.now() };
        if (this.session?.initialized) this.post({ type: 'log', kind: 'info', text: `The tool returned after ${call.end.at - call.startedAt} ms; the app was up already.` });
        this.session?.toolResult(r);
      },
      cancelled: reason => { if (this.call === call) { call.end = { kind: 'cancelled', reason, at: Date.now() }; this.session?.toolCancelled(reason); } },
    };
  }

  /** Reads the resource (cached) and (re)builds the page; an open session is torn down first. */
  load(fresh = false): Promise<void> {
    const run = async () => {
      const server = this.server();
      if (!server) { this.post({ type: 'closed', reason: 'The server is no longer configured.' }); return; }
      if (this.session) await this.end('reload', false);
      if (fresh) this.deps.resources.forget(server, this.uri);
      let resource: UiResource;
      try {
        resource = await this.deps.resources.load(server, this.uri);
      } catch (err) {
        this.showError(`${server.definition.name}: could not read the app ${this.uri}: ${errorCause(err)}`);
        return;
      }
      if (this.disposed) return;
      this.resource = resource;
      if (resource.html === undefined) {
        this.showError(`${server.definition.name}: the app ${this.uri} cannot be shown. ${resource.warnings.join(' ')}`);
        return;
      }
      // The page's policy depends only on the declared CSP: the same one reloads in place.
      const policy = JSON.stringify(resource.meta.csp);
      if (policy !== this.pagePolicy || !this.pageReady) {
        // A new page (its CSP cannot change in place); it says ready, then gets the app.
        this.pagePolicy = policy;
        this.pageReady = false;
        this.panel.webview.html = this.pageHtml(resource);
      } else {
        this.startSession();
      }
    };
    // Whatever goes wrong is shown in the panel, naming the server and the app: never a blank page.
    const guarded = () => run().catch(err => this.showError(`${this.server()?.definition.name ?? this.serverId}: the app ${this.uri} could not be shown: ${errorCause(err)}`));
    const next = (this.loading ?? Promise.resolve()).then(guarded, guarded);
    this.loading = next;
    return next;
  }

  private showError(text: string): void {
    this.log('error', text);
    if (!this.pageReady) {
      this.panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head><body style="font-family: var(--vscode-font-family); padding: 16px"><p id="app-error" role="alert">${escapeHtml(text)}</p></body></html>`;
    } else {
      this.post({ type: 'closed', reason: text });
    }
  }

  private pageHtml(resource: UiResource): string {
    const webview = this.panel.webview;
    const pageNonce = nonce();
    const asset = (name: string) => webviewAsset(webview, this.deps.extensionUri, name);
    const csp = pageCsp(resource.meta, { pageNonce, appNonce: this.appNonce, cspSource: webview.cspSource });
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('app.css')}">
<title>${escapeHtml(this.panel.title)}</title>
</head>
<body data-panel="app">
<header class="app-bar">
<h1 id="app-title"></h1><span id="app-uri"></span><span class="app-grow"></span>
<span id="app-status" role="status" aria-live="polite"></span>
<button id="app-debug" aria-pressed="false" title="Show the app's messages, CSP violations and policy">Debugger</button>
<button id="app-reload" title="Read the app again and restart it (F5)">Reload</button>
<button id="app-close" title="Tear the app down and close the panel">Close</button>
</header>
<div id="app-notice" class="app-notice" role="status" hidden></div>
<div id="app-frame-box"></div>
<div id="app-closed" hidden><p id="app-closed-text"></p><button id="app-reopen">Reload</button></div>
<section id="app-debugger" aria-label="App debugger" hidden>
<div class="app-debug-bar"><span id="app-counts"></span><span class="app-grow"></span><button id="app-copy-log">Copy Log</button></div>
<div class="app-debug-panes">
<div id="app-log" role="log" aria-label="Messages"></div>
<div class="app-side"><h2>Refused</h2><ul id="app-refusals"></ul><h2>CSP violations</h2><ul id="app-violations"></ul><h2>Policy</h2><dl id="app-policy"></dl></div>
</div>
</section>
<script nonce="${pageNonce}" src="${asset('app.js')}"></script>
</body>
</html>`;
  }

  private post(message: ToAppPage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private log(level: 'info' | 'warning' | 'error', text: string): void {
    this.deps.services.sessions.log(this.serverId, level, this.deps.services.redact(text));
  }

  private hostContext(server: ManagedServer): HostContext {
    const c = this.pageContext;
    const tool = this.toolName ? server.tools.find(t => t.name === this.toolName) : undefined;
    return {
      ...(tool ? { toolInfo: { tool: tool as unknown as JsonObject } } : {}),
      ...(c ? { theme: c.theme, styles: { variables: c.variables, ...(c.fonts ? { css: { fonts: c.fonts } } : {}) }, containerDimensions: { width: c.width, height: c.height } } : {}),
      displayMode: this.displayMode,
      availableDisplayModes: [...HOST_DISPLAY_MODES],
      locale: vscode.env.language,
      timeZone: c?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      ...(c?.userAgent ? { userAgent: c.userAgent } : {}),
      platform: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      ...(c ? { deviceCapabilities: { touch: !!c.touch, hover: !!c.hover } } : {}),
    };
  }

  /** Starts a session for the page that just said ready (or a reload in place). */
  private startSession(): void {
    const server = this.server();
    const resource = this.resource;
    if (!server || !resource?.html || this.disposed) return;
    // A page that said ready again (VS Code reloaded it) has lost the old app: its session just ends.
    this.session?.dispose();
    this.session = undefined;
    const { policy, refused } = appCsp(resource.meta, this.appNonce);
    const prepared = prepareAppHtml(resource.html, { nonce: this.appNonce, csp: policy, preamble: VIOLATION_PREAMBLE });
    const allow = allowAttribute(resource.meta.permissions);
    const granted = Object.fromEntries(resource.meta.permissions.filter(p => !ungrantablePermissions([p]).length).map(p => [p, {}]));
    const openedAt = Date.now();
    const session = new AppSession({
      server,
      ownerOf: name => this.deps.services.manager.servers.find(s => s !== server && s.state.kind === 'running' && s.tools.some(t => t.name === name))?.definition.name,
      hostInfo: { name: 'MCP Host', version: this.deps.hostVersion },
      hostContext: this.hostContext(server),
      sandbox: { csp: resource.meta.csp as unknown as JsonObject, permissions: granted as JsonObject },
      send: message => this.post({ type: 'toApp', message }),
      embedder: this.embedder(server),
    });
    this.session = session;
    session.onDidInitialize(() => {
      const end = this.call?.end;
      // How long an app takes to appear after its tool returned (0 when it was up first).
      const after = end ? ` ${Date.now() - end.at} ms after the tool returned` : '';
      this.post({ type: 'log', kind: 'info', text: `The app ${session.appInfo ? `${session.appInfo.name} ${session.appInfo.version} ` : ''}initialized ${Date.now() - openedAt} ms after its page got it${after}.` });
    });
    const call = this.call;
    if (call) {
      session.toolInput(call.args);
      if (call.end?.kind === 'result') session.toolResult(call.end.result);
      else if (call.end?.kind === 'cancelled') session.toolCancelled(call.end.reason);
    }
    const init: AppInit = {
      type: 'init', html: prepared.html, allow, serverName: server.definition.name, uri: this.uri,
      ...(this.toolName ? { toolName: this.toolName } : {}),
      policy: {
        declared: resource.meta.csp, applied: policy, refused,
        permissions: { declared: resource.meta.permissions, granted: allow, ungrantable: ungrantablePermissions(resource.meta.permissions) },
        warnings: resource.warnings,
      },
      ...(resource.meta.prefersBorder !== undefined ? { prefersBorder: resource.meta.prefersBorder } : {}),
      limits: LIMITS, displayMode: this.displayMode,
    };
    this.post(init);
  }

  private embedder(server: ManagedServer) {
    const name = server.definition.name;
    return {
      openLink: async (url: string) => {
        const choice = await vscode.window.showWarningMessage(`The app of ${name} wants to open a link.`, { modal: true, detail: url }, 'Open Link');
        if (choice !== 'Open Link') return false;
        return vscode.env.openExternal(vscode.Uri.parse(url, true));
      },
      message: async (content: ContentBlock[]) => {
        const text = content.map(b => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');
        this.post({ type: 'log', kind: 'info', text: `Message for the chat: ${text}` });
        try {
          await vscode.commands.executeCommand('workbench.action.chat.open', { query: text, isPartialQuery: true });
        } catch {
          // No chat here: shown and copyable. Not awaited: the app's request must not wait on a notification.
          void vscode.window.showInformationMessage(`The app of ${name} has a message for the chat: ${text.length > 200 ? text.slice(0, 200) + '…' : text}`, 'Copy')
            .then(pick => (pick === 'Copy' ? vscode.env.clipboard.writeText(text) : undefined));
        }
      },
      modelContext: (ctx: { content?: ContentBlock[]; structuredContent?: JsonObject }) => {
        this.modelContext = ctx;
        this.post({ type: 'log', kind: 'info', text: `Model context updated: ${JSON.stringify(ctx).slice(0, 500)}` });
      },
      displayMode: async (mode: DisplayMode) => {
        this.displayMode = mode;
        this.post({ type: 'displayMode', mode });
        if ((mode === 'fullscreen') !== this.maximized) {
          // The group maximized is the active one: make it the app's own first.
          this.panel.reveal(undefined, false);
          this.maximized = mode === 'fullscreen';
          await Promise.resolve(vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup')).catch(() => undefined);
        }
        return mode;
      },
      requestTeardown: () => { void this.close(); },
      log: (entry: { kind: string; text: string }) => {
        this.post({ type: 'log', kind: entry.kind, text: entry.text });
        if (entry.kind === 'refused' || entry.kind === 'warning') this.log('warning', entry.text);
      },
    };
  }

  private onMessage(raw: unknown): void {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const m = raw as FromAppPage;
    switch (m.type) {
      case 'ready':
        this.pageReady = true;
        this.pageContext = m.context;
        this.startSession();
        break;
      case 'fromApp': (this.session ?? this.ending)?.receive(m.message); break;
      case 'context': {
        this.pageContext = m.context;
        const server = this.server();
        if (server && this.session) {
          const c = this.hostContext(server);
          this.session.setHostContext({ theme: c.theme, styles: c.styles, containerDimensions: c.containerDimensions, deviceCapabilities: c.deviceCapabilities });
        }
        break;
      }
      case 'violation':
        if (m.violation?.blockedURI !== 'eval') this.log('warning', `The app ${this.uri}: the CSP blocked ${m.violation?.blockedURI || '(inline)'} (${m.violation?.directive}).`);
        break;
      case 'dropped': this.log('warning', `The app ${this.uri}: ${m.count} message(s) dropped: ${m.reason}.`); break;
      case 'reload': void this.load(true); break;
      case 'close': void this.close(); break;
      case 'copy': void vscode.env.clipboard.writeText(m.text).then(() => vscode.window.showInformationMessage(`MCP Host: copied ${m.what}.`)); break;
    }
  }

  /** Ends the session (teardown asked and awaited, bounded); the page shows why. */
  private async end(reason: string, show = true): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.ending = session;
    const started = Date.now();
    const outcome = await session.teardown(reason);
    if (this.ending === session) this.ending = undefined;
    const said = outcome === 'answered' ? `it answered ui/resource-teardown in ${Date.now() - started} ms`
      : outcome === 'timeout' ? 'it did not answer ui/resource-teardown in time'
      : outcome === 'not-initialized' ? 'it had not initialized' : 'the teardown failed';
    this.post({ type: 'log', kind: 'info', text: `The app was torn down (${reason}): ${said}.` });
    this.log('info', `${this.uri}: the app was torn down (${reason}): ${said}.`);
    if (show) this.post({ type: 'closed', reason });
  }

  /** Our Close: tear down, then the panel goes. */
  async close(): Promise<void> {
    await this.end('closed by the user', false);
    this.panel.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session?.dispose();
    this.ending?.dispose();
    this.session = undefined;
    this.ending = undefined;
    if (this.maximized) void Promise.resolve(vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup')).catch(() => undefined);
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
