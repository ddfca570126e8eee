// The sampling review panel: the user sees the request, may change the model and edit the
// request, sends it, may edit the completion, and returns it — or denies. The spec's
// human in the loop, both ways. The state lives here (the page is unloaded when hidden):
// whether a generation runs, the last completion, what went wrong, the tokens spent.

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
  alwaysAllowed(server: ServerRef): boolean;
  setAlwaysAllowed(server: ServerRef, value: boolean): Promise<void>;
  log(server: ServerRef, message: string): void;
}

/** Tokens spent on the request, over every generation (Generate Again included). */
export interface Spent { inputTokens?: number; outputTokens?: number; generations: number; model?: string }

export type ReviewOutcome =
  | { decision: 'returned'; result: CreateMessageResult; edited: boolean; modelId: string; requestEdited: boolean; spent: Spent }
  | { decision: 'denied'; spent: Spent }
  | { decision: 'cancelled'; byServer: boolean; spent: Spent };

let nextRequestId = 1;

const add = (a: number | undefined, b: number | undefined) => a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);

export function reviewSamplingInPanel(extensionUri: vscode.Uri, backend: SamplingBackend, server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<ReviewOutcome> {
  return new Promise<ReviewOutcome>(resolve => {
    if (signal.aborted) { resolve({ decision: 'cancelled', byServer: true, spent: { generations: 0 } }); return; }
    const requestId = nextRequestId++;
    const panel = vscode.window.createWebviewPanel(SAMPLING_VIEW_TYPE, `${server.name}: sampling`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    panel.iconPath = new vscode.ThemeIcon('sparkle');
    let settled = false;
    let generation: AbortController | undefined;
    let last: { result: CreateMessageResult; inputTokens?: number; outputTokens?: number; modelId: string; request: CreateMessageRequestParams } | undefined;
    let problem: string | undefined;
    let closed: string | undefined;
    const spent: Spent = { generations: 0 };
    const settle = (outcome: ReviewOutcome) => {
      if (settled) return false;
      settled = true;
      generation?.abort();
      resolve(outcome);
      return true;
    };
    const finish = (outcome: ReviewOutcome) => { if (settle(outcome)) cleanup(); };
    const channel = new PanelChannel<SamplingFromWebview, SamplingToWebview>(
      panel,
      async () => {
        const models = await backend.models();
        const completion = last && !generation ? { result: last.result, inputTokens: last.inputTokens, outputTokens: last.outputTokens } : undefined;
        return {
          type: 'init', panel: 'sampling', requestId, serverName: server.name, request: params, models,
          modelId: last?.modelId ?? backend.preferredModel(params, models), completion,
          generating: !!generation, problem, closed, alwaysAllowed: backend.alwaysAllowed(server),
        };
      },
      m => {
        if (settled) return;
        switch (m.type) {
          case 'generate': void generate(m.request, m.modelId); break;
          case 'return': {
            if (!last || generation) return;
            const edited = JSON.stringify(m.result.content) !== JSON.stringify(last.result.content);
            // Only the content is the user's to change; role and model stay what the model said.
            const result: CreateMessageResult = { ...last.result, content: m.result.content };
            finish({ decision: 'returned', result, edited, modelId: last.modelId, requestEdited: JSON.stringify(last.request) !== JSON.stringify(params), spent });
            break;
          }
          case 'deny': finish({ decision: 'denied', spent }); break;
          case 'alwaysAllow': void backend.setAlwaysAllowed(server, m.value).then(undefined, err => backend.log(server, `"Always allow" could not be saved: ${errorCause(err)}`)); break;
        }
      },
      err => { backend.log(server, `the sampling review failed: ${errorCause(err)}`); finish({ decision: 'cancelled', byServer: false, spent }); },
    );
    async function generate(request: CreateMessageRequestParams, modelId: string): Promise<void> {
      generation?.abort();
      const ac = new AbortController();
      generation = ac;
      problem = undefined;
      channel.post({ type: 'generating' });
      try {
        // The server's own fields the user did not edit are kept as sent.
        const edited: CreateMessageRequestParams = { ...params, systemPrompt: request.systemPrompt, messages: request.messages, maxTokens: request.maxTokens };
        const out = await backend.generate(edited, modelId, ac.signal, server.name);
        spent.generations++;
        spent.inputTokens = add(spent.inputTokens, out.inputTokens);
        spent.outputTokens = add(spent.outputTokens, out.outputTokens);
        spent.model = out.result.model;
        if (ac.signal.aborted || generation !== ac) return;
        generation = undefined;
        last = { ...out, modelId, request: edited };
        channel.post({ type: 'completion', result: out.result, inputTokens: out.inputTokens, outputTokens: out.outputTokens });
      } catch (err) {
        if (ac.signal.aborted || generation !== ac) return;
        generation = undefined;
        problem = `The model failed: ${errorCause(err)}`;
        backend.log(server, `sampling: ${problem}`);
        channel.post({ type: 'failed', message: problem });
      }
    }
    // The server withdrew the request: the panel says so and stays until the person closes
    // it; a generation under way stops.
    const onAbort = () => {
      if (!settle({ decision: 'cancelled', byServer: true, spent })) return;
      signal.removeEventListener('abort', onAbort);
      closed = `${server.name} withdrew the request; nothing was sent back.`;
      channel.post({ type: 'closed', reason: closed });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const subscriptions = [
      channel,
      panel.onDidDispose(() => { finish({ decision: 'cancelled', byServer: false, spent }); cleanup(); }),
    ];
    function cleanup(): void {
      signal.removeEventListener('abort', onAbort);
      for (const d of subscriptions.splice(0)) d.dispose();
      panel.dispose();
    }
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'sampling', panel.title);
  });
}
