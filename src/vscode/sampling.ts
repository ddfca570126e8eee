// Sampling: a ModelProvider over VS Code's language models (vscode.lm), and the handler
// that asks the user before a server may use one.

import * as vscode from 'vscode';
import type { CreateMessageRequestParams, CreateMessageResult, ModelPreferences, SamplingContent, SamplingMessage } from '../protocol/types.ts';
import type { LogLevel, ModelProvider, SamplingHandler, ServerRef } from '../host/types.ts';
import { errorCause, truncate, wireError } from './util.ts';

/** MCP's code for "the user rejected the request". */
const USER_REJECTED = -1;
const INTERNAL_ERROR = -32603;

export class NoModelError extends Error {
  constructor() {
    super('No language model available in VS Code');
    this.name = 'NoModelError';
  }
}

function contentText(content: SamplingContent | SamplingContent[]): string {
  const parts = Array.isArray(content) ? content : [content];
  return parts.map(p => {
    switch (p.type) {
      case 'text': return (p as { text: string }).text;
      // vscode.lm takes no images or audio from us: say so rather than drop it silently.
      case 'image': return `[image (${(p as { mimeType?: string }).mimeType ?? 'unknown type'}) omitted: not supported]`;
      case 'audio': return `[audio (${(p as { mimeType?: string }).mimeType ?? 'unknown type'}) omitted: not supported]`;
      default: return `[${p.type}] ${JSON.stringify(p)}`;
    }
  }).join('\n');
}

function matches(model: vscode.LanguageModelChat, needle: string): boolean {
  const n = needle.toLowerCase();
  return [model.family, model.id, model.name].some(v => v?.toLowerCase().includes(n));
}

/** The model for a request: first hint that matches, then the setting, then the first. */
export function pickModel(models: readonly vscode.LanguageModelChat[], prefs: ModelPreferences | undefined, preferred: string | undefined): vscode.LanguageModelChat | undefined {
  for (const hint of prefs?.hints ?? []) {
    if (!hint.name) continue;
    const m = models.find(model => matches(model, hint.name!));
    if (m) return m;
  }
  if (preferred) {
    const m = models.find(model => matches(model, preferred));
    if (m) return m;
  }
  return models[0];
}

export function toChatMessages(params: CreateMessageRequestParams): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  // vscode.lm has no system role.
  if (params.systemPrompt) out.push(vscode.LanguageModelChatMessage.User(`System: ${params.systemPrompt}`));
  for (const m of params.messages) {
    const text = contentText(m.content);
    out.push(m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(text) : vscode.LanguageModelChatMessage.User(text));
  }
  return out;
}

export class LanguageModelProvider implements HostModelProvider {
  readonly id = 'vscode.lm';

  private async models(): Promise<vscode.LanguageModelChat[]> {
    // Absent in hosts without language model support.
    if (!vscode.lm?.selectChatModels) return [];
    return vscode.lm.selectChatModels();
  }

  async isAvailable(): Promise<boolean> {
    return (await this.models()).length > 0;
  }

  async createMessage(params: CreateMessageRequestParams, signal: AbortSignal, requester?: string): Promise<CreateMessageResult> {
    // The user's own setting only: a repository must not steer which (paid) model its
    // servers get (package.json also makes the setting application-scoped).
    const preferred = vscode.workspace.getConfiguration('mcpHost').inspect<string>('sampling.model')?.globalValue || undefined;
    const model = pickModel(await this.models(), params.modelPreferences, preferred);
    if (!model) throw new NoModelError();
    const options: Record<string, unknown> = { maxTokens: params.maxTokens };
    if (params.temperature !== undefined) options['temperature'] = params.temperature;
    if (params.stopSequences?.length) options['stopSequences'] = params.stopSequences;

    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) cts.cancel();
      const response = await model.sendRequest(toChatMessages(params), {
        modelOptions: options,
        justification: requester ? `The MCP server "${requester}" asks for a completion (sampling).` : undefined,
      }, cts.token);
      let text = '';
      for await (const chunk of response.text) text += chunk;
      if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      return { role: 'assistant', content: { type: 'text', text }, model: model.id, stopReason: 'endTurn' };
    } finally {
      signal.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

function approvalDetail(params: CreateMessageRequestParams): string {
  const lines: string[] = [];
  if (params.systemPrompt) lines.push(`System prompt: ${truncate(params.systemPrompt, 1000)}`, '');
  for (const m of params.messages as SamplingMessage[]) lines.push(`${m.role}: ${truncate(contentText(m.content), 1000)}`);
  lines.push('', `Max tokens: ${params.maxTokens}`);
  return truncate(lines.join('\n'), 4000);
}

/** A model provider that can say up front whether it has a model, and who is asking. */
export interface HostModelProvider extends ModelProvider {
  isAvailable?(): Promise<boolean>;
  createMessage(params: CreateMessageRequestParams, signal: AbortSignal, requester?: string): Promise<CreateMessageResult>;
}

export interface SamplingLog {
  (server: ServerRef, level: LogLevel, message: string): void;
}

export class ApprovingSamplingHandler implements SamplingHandler {
  private readonly provider: HostModelProvider;
  private readonly log: SamplingLog;

  constructor(provider: HostModelProvider, log: SamplingLog) {
    this.provider = provider;
    this.log = log;
  }

  async createMessage(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<CreateMessageResult> {
    if (this.provider.isAvailable && !(await this.provider.isAvailable())) throw this.noModel(server);

    // Only the user's own settings count (a workspace must not pre-approve itself), and a
    // bare name only matches a user-level server (a workspace could reuse the name).
    const allowed = vscode.workspace.getConfiguration('mcpHost').inspect<string[]>('sampling.allowedServers')?.globalValue ?? [];
    if (!allowed.includes(server.id) && !(server.scope === 'user' && allowed.includes(server.name))) {
      const choice = await vscode.window.showWarningMessage(
        `MCP server "${server.name}" wants to use a language model.`,
        { modal: true, detail: approvalDetail(params) },
        'Approve', 'Deny',
      );
      if (choice !== 'Approve') {
        this.log(server, 'info', 'Sampling request denied by the user.');
        throw wireError(USER_REJECTED, 'User rejected sampling request');
      }
    }
    if (signal.aborted) throw signal.reason ?? new Error('cancelled');

    try {
      const result = await this.provider.createMessage(params, signal, server.name);
      this.log(server, 'info', `Sampling answered by model ${result.model}.`);
      return result;
    } catch (err) {
      if (err instanceof NoModelError) throw this.noModel(server);
      if (signal.aborted) throw err;
      const message = `Sampling failed for server "${server.name}": ${errorCause(err)}`;
      this.log(server, 'error', message);
      throw wireError(INTERNAL_ERROR, message);
    }
  }

  private noModel(server: ServerRef): Error {
    const message = `No language model available in VS Code for sampling (server "${server.name}")`;
    this.log(server, 'warning', message);
    void vscode.window.showErrorMessage(`MCP Host: ${message}.`);
    return wireError(INTERNAL_ERROR, message);
  }
}
