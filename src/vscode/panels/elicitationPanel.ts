// An elicitation form in a panel: all fields at once, Accept / Decline / Cancel. Closing
// the panel is a cancel; a request the server cancelled closes the panel.

import * as vscode from 'vscode';
import type { ElicitFormParams, ElicitResult } from '../../protocol/types.ts';
import type { ServerRef } from '../../host/types.ts';
import type { ElicitationFromWebview, ElicitationToWebview } from '../../webviews/protocol.ts';
import { PanelChannel, webviewHtml, webviewOptions } from './webview.ts';

export const ELICITATION_VIEW_TYPE = 'mcpHost.elicitation';

type Content = NonNullable<ElicitResult['content']>;

/** Keeps only what the schema asked for, so a page cannot send anything else. */
function onlyRequested(params: ElicitFormParams, content: Record<string, unknown>): Content {
  const out: Content = {};
  for (const key of Object.keys(params.requestedSchema?.properties ?? {})) {
    const v = content[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (Array.isArray(v) && v.every(x => typeof x === 'string')) out[key] = v as string[];
  }
  return out;
}

let nextRequestId = 1;

export function elicitInPanel(extensionUri: vscode.Uri, server: ServerRef, params: ElicitFormParams, signal: AbortSignal, log: (message: string) => void): Promise<ElicitResult> {
  return new Promise<ElicitResult>(resolve => {
    if (signal.aborted) { resolve({ action: 'cancel' }); return; }
    const requestId = nextRequestId++;
    const panel = vscode.window.createWebviewPanel(ELICITATION_VIEW_TYPE, `${server.name} asks`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(extensionUri));
    panel.iconPath = new vscode.ThemeIcon('question');
    let settled = false;
    let closed: string | undefined;
    const finish = (result: ElicitResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
      cleanup();
    };
    const channel = new PanelChannel<ElicitationFromWebview, ElicitationToWebview>(
      panel,
      () => ({ type: 'init', panel: 'elicitation', requestId, serverName: server.name, message: params.message, schema: (params.requestedSchema ?? { type: 'object', properties: {} }) as Record<string, unknown>, closed }),
      m => {
        if (m.type !== 'answer') return;
        if (m.action === 'accept') finish({ action: 'accept', content: onlyRequested(params, m.content) });
        else finish({ action: m.action });
      },
      err => { log(`the elicitation panel failed: ${err instanceof Error ? err.message : String(err)}`); finish({ action: 'cancel' }); },
    );
    // The server withdrew the request: the panel says so and stays until the person closes it
    // (it may hold what they typed); the answer is a cancel.
    const onAbort = () => {
      if (settled) return;
      settled = true;
      resolve({ action: 'cancel' });
      signal.removeEventListener('abort', onAbort);
      closed = `${server.name} withdrew the request; nothing was sent.`;
      channel.post({ type: 'closed', reason: closed });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const subscriptions = [
      channel,
      panel.onDidDispose(() => { finish({ action: 'cancel' }); cleanup(); }),
    ];
    function cleanup(): void {
      signal.removeEventListener('abort', onAbort);
      for (const d of subscriptions.splice(0)) d.dispose();
      panel.dispose();
    }
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'elicitation', panel.title);
  });
}
