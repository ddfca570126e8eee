// The sampling review panel: the user sees the request, may change the model and edit the
// request, sends it, may edit the completion, and returns it — or denies. The spec's
// human in the loop, both ways.

import * as vscode from 'vscode';
import type { CreateMessageRequestParams, CreateMessageResult } from '../../protocol/types.ts';
import type { ServerRef } from '../../host/types.ts';
import type { ModelChoice, SamplingFromWebview, SamplingToWebview } from '../../webviews/protocol.ts';
import { errorCause } from '../util.ts';
import { PanelChannel, webviewHtml, webviewOptions } from './webview.ts';

export const SAMPLING_VIEW_TYPE = 'mcpHost.sampling';

/** What the panel needs of the model side (sampling.ts LanguageModelProvider). */
export interface SamplingBackend {
  models(): Promise<ModelChoice[]>;
  preferredModel(params: CreateMessageRequestParams, models: ModelChoice[]): string | undefined;
  generate(params: CreateMessageRequestParams, modelId: string, signal: AbortSignal, requester: string): Promise<{ result: CreateMessageResult; inputTokens?: number; outputTokens?: number }>;
  setAlwaysAllowed(server: ServerRef, value: boolean): Promise<void>;
}

export type ReviewOutcome =
  | { decision: 'returned'; result: CreateMessageResult; edited: boolean; inputTokens?: number; outputTokens?: number; modelId: string; requestEdited: boolean }
  | { decision: 'denied' }
  | { decision: 'cancelled' };

let nextRequestId = 1;

export function reviewSamplingInPanel(extensionUri: vscode.Uri, backend: SamplingBackend, server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<ReviewOutcome> {
  return new Promise<ReviewOutcome>(resolve => {
    if (signal.aborted) { resolve({ decision: 'cancelled' }); return; }
    const requestId = nextRequestId++;
    const panel = vscode.window.createWebviewPanel(SAMPLING_VIEW_TYPE, `${server.name}: sampling`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    panel.iconPath = new vscode.ThemeIcon('sparkle');
    let settled = false;
    let generation: AbortController | undefined;
    let last: { result: CreateMessageResult; inputTokens?: number; outputTokens?: number; modelId: string; request: CreateMessageRequestParams } | undefined;
    const finish = (outcome: ReviewOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      cleanup();
    };
    const channel = new PanelChannel<SamplingFromWebview, SamplingToWebview>(
      panel.webview,
      async () => {
        const models = await backend.models();
        const completion = last && { result: last.result, inputTokens: last.inputTokens, outputTokens: last.outputTokens };
        return { type: 'init', panel: 'sampling', requestId, serverName: server.name, request: params, models, modelId: backend.preferredModel(params, models), completion };
      },
      m => {
        switch (m.type) {
          case 'generate': void generate(m.request, m.modelId); break;
          case 'return': {
            if (!last) return;
            const edited = JSON.stringify(m.result.content) !== JSON.stringify(last.result.content);
            // Only the content is the user's to change; role and model stay what the model said.
            const result: CreateMessageResult = { ...last.result, content: m.result.content };
            finish({ decision: 'returned', result, edited, inputTokens: last.inputTokens, outputTokens: last.outputTokens, modelId: last.modelId, requestEdited: JSON.stringify(last.request) !== JSON.stringify(params) });
            break;
          }
          case 'deny': finish({ decision: 'denied' }); break;
          case 'alwaysAllow': void backend.setAlwaysAllowed(server, m.value); break;
        }
      },
      () => finish({ decision: 'cancelled' }),
    );
    async function generate(request: CreateMessageRequestParams, modelId: string): Promise<void> {
      generation?.abort();
      const ac = new AbortController();
      generation = ac;
      const onAbort = () => ac.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      channel.post({ type: 'generating' });
      try {
        // The server's own fields it did not let the user edit are kept as sent.
        const edited: CreateMessageRequestParams = { ...params, systemPrompt: request.systemPrompt, messages: request.messages, maxTokens: request.maxTokens };
        const out = await backend.generate(edited, modelId, ac.signal, server.name);
        if (ac.signal.aborted) return;
        last = { ...out, modelId, request: edited };
        channel.post({ type: 'completion', result: out.result, inputTokens: out.inputTokens, outputTokens: out.outputTokens });
      } catch (err) {
        if (!ac.signal.aborted) channel.post({ type: 'failed', message: `The model failed: ${errorCause(err)}` });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    const onAbort = () => finish({ decision: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    const subscriptions = [
      channel,
      panel.onDidDispose(() => finish({ decision: 'cancelled' })),
      panel.onDidChangeViewState(e => { if (!e.webviewPanel.visible) channel.pageHidden(); }),
    ];
    function cleanup(): void {
      generation?.abort();
      signal.removeEventListener('abort', onAbort);
      for (const d of subscriptions.splice(0)) d.dispose();
      panel.dispose();
    }
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'sampling', panel.title);
  });
}
