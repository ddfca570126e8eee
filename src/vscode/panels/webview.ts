// The extension side of a webview panel: its HTML (a Content-Security-Policy with a nonce,
// scripts and styles only from dist/webview), the typed postMessage channel, and the
// ready handshake (messages wait until the page has loaded and said so).

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PanelKind } from '../../webviews/protocol.ts';

/** The folder the browser bundle is built into (esbuild.mjs). */
export const WEBVIEW_DIR = 'dist/webview';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Hidden panels are rebuilt from their state (getState/setState), not kept alive.
    retainContextWhenHidden: false,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, WEBVIEW_DIR)],
  };
}

/** Text for HTML (element content or a quoted attribute). */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

/** The webview URL of a file of the page bundle (dist/webview). */
export function webviewAsset(webview: vscode.Webview, extensionUri: vscode.Uri, name: string): string {
  return webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, WEBVIEW_DIR, name)).toString();
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, panel: PanelKind, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webviewAsset(webview, extensionUri, name);
  // Images and audio of tool results come as data: URLs; nothing is fetched from the network.
  const csp = [
    `default-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `media-src data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('workbench.css')}">
<title>${escapeHtml(title)}</title>
</head>
<body data-panel="${panel}">
<main id="app" aria-busy="true"></main>
<script nonce="${nonce}" src="${asset('workbench.js')}"></script>
</body>
</html>`;
}

/**
 * A panel's typed channel. Until the page says `ready` (and while it is hidden: a hidden
 * page is unloaded) messages are dropped, because the page's next `ready` gets an init
 * built from the current state; what happens while that init is being built is sent
 * after it.
 */
export class PanelChannel<In extends { type: string }, Out extends { type: string }> implements vscode.Disposable {
  private readonly webview: vscode.Webview;
  /** undefined: the page is live; an array: an init is being built; null: nobody listens. */
  private buffer: Out[] | undefined | null = null;
  private readonly subscription: { dispose(): void };
  private disposed = false;

  constructor(panel: vscode.WebviewPanel, onReady: () => Out | Promise<Out>, onMessage: (message: In) => void, onError: (err: unknown) => void) {
    this.webview = panel.webview;
    const received = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
      const message = raw as In;
      if (message.type === 'ready') {
        const buffer: Out[] = [];
        this.buffer = buffer;
        try {
          const init = await onReady();
          if (this.disposed || this.buffer !== buffer) return;
          this.buffer = undefined;
          void this.webview.postMessage(init);
          for (const m of buffer) void this.webview.postMessage(m);
        } catch (err) {
          // No init, so nobody listens: posts are dropped (not piled up) until the next ready.
          if (this.buffer === buffer) this.buffer = null;
          onError(err);
        }
        return;
      }
      try {
        onMessage(message);
      } catch (err) {
        onError(err);
      }
    });
    // A hidden page is unloaded: nothing reaches it until it says ready again.
    const viewState = panel.onDidChangeViewState(e => { if (!e.webviewPanel.visible) this.buffer = null; });
    this.subscription = { dispose: () => { received.dispose(); viewState.dispose(); } };
  }

  post(message: Out): void {
    if (this.disposed || this.buffer === null) return;
    if (this.buffer) this.buffer.push(message);
    else void this.webview.postMessage(message);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
  }
}
