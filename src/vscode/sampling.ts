// Sampling: a ModelProvider over VS Code's language models (vscode.lm), and the handler
// that asks the user before a server may use one.

import * as vscode from 'vscode';
import type { CreateMessageRequestParams, CreateMessageResult, ModelPreferences, SamplingContent, SamplingMessage } from '../protocol/types.ts';
import type { LogLevel, ModelProvider, SamplingHandler, ServerRef } from '../host/types.ts';
import type { ModelChoice } from '../webviews/protocol.ts';
import type { SamplingLog as SamplingRecords, SamplingRecord } from './samplingLog.ts';
import type { Workbench } from './workbenchLoader.ts';
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
    return (await this.createCounted(params, signal, requester, false)).result;
  }

  /** A completion from the model the request's hints (or the setting) pick, with its tokens. */
  async createCounted(params: CreateMessageRequestParams, signal: AbortSignal, requester?: string, count = true): Promise<SentMessage> {
    const model = pickModel(await this.models(), params.modelPreferences, preferredSetting());
    if (!model) throw new NoModelError();
    return this.send(model, params, signal, requester, count);
  }

  /** The models a user may choose from in the sampling review. */
  async choices(): Promise<ModelChoice[]> {
    return (await this.models()).map(m => ({ id: m.id, name: m.name, vendor: m.vendor, family: m.family, maxInputTokens: m.maxInputTokens }));
  }

  /** The model the request would get without the user choosing (hints, then the setting). */
  preferredId(params: CreateMessageRequestParams, choices: readonly ModelChoice[]): string | undefined {
    return pickModel(choices as unknown as vscode.LanguageModelChat[], params.modelPreferences, preferredSetting())?.id;
  }

  /** A completion from the model the user chose, with the tokens it took. */
  async generate(params: CreateMessageRequestParams, modelId: string, signal: AbortSignal, requester: string): Promise<SentMessage> {
    const model = (await this.models()).find(m => m.id === modelId);
    if (!model) throw new Error(`the model ${modelId} is no longer available`);
    return this.send(model, params, signal, requester, true);
  }

  private async send(model: vscode.LanguageModelChat, params: CreateMessageRequestParams, signal: AbortSignal, requester: string | undefined, count: boolean): Promise<SentMessage> {
    const options: Record<string, unknown> = { maxTokens: params.maxTokens };
    if (params.temperature !== undefined) options['temperature'] = params.temperature;
    if (params.stopSequences?.length) options['stopSequences'] = params.stopSequences;

    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) cts.cancel();
      const messages = toChatMessages(params);
      const response = await model.sendRequest(messages, {
        modelOptions: options,
        justification: requester ? `The MCP server "${requester}" asks for a completion (sampling).` : undefined,
      }, cts.token);
      let text = '';
      for await (const chunk of response.text) text += chunk;
      if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      const result: CreateMessageResult = { role: 'assistant', content: { type: 'text', text }, model: model.id, stopReason: 'endTurn' };
      if (!count) return { result };
      // Token counts are for the log; a model that cannot count leaves them out.
      const counted = async (input: string | vscode.LanguageModelChatMessage) => { try { return await model.countTokens(input, cts.token); } catch { return undefined; } };
      const inputs = await Promise.all(messages.map(m => counted(m)));
      const inputTokens = inputs.every(n => n !== undefined) ? inputs.reduce((a, b) => a! + b!, 0) : undefined;
      return { result, inputTokens, outputTokens: await counted(text) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

/** The user's own setting only: a repository must not steer which (paid) model its
 * servers get (package.json also makes the setting application-scoped). */
function preferredSetting(): string | undefined {
  return vscode.workspace.getConfiguration('mcpHost').inspect<string>('sampling.model')?.globalValue || undefined;
}

export interface SentMessage { result: CreateMessageResult; inputTokens?: number; outputTokens?: number }

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

/** The review panel (src/vscode/panels/samplingPanel.ts), loaded when first needed. */
export interface SamplingReview {
  workbench: () => Promise<Workbench>;
  enabled: () => boolean;
}

export class ApprovingSamplingHandler implements SamplingHandler {
  private readonly provider: HostModelProvider;
  private readonly log: SamplingLog;
  private readonly records: SamplingRecords | undefined;
  private readonly review: SamplingReview | undefined;

  constructor(provider: HostModelProvider, log: SamplingLog, records?: SamplingRecords, review?: SamplingReview) {
    this.provider = provider;
    this.log = log;
    this.records = records;
    this.review = review;
  }

  async createMessage(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal): Promise<CreateMessageResult> {
    if (this.provider.isAvailable && !(await this.provider.isAvailable())) throw this.noModel(server);
    const base = { at: Date.now(), serverName: server.name, messages: params.messages.length, maxTokens: params.maxTokens };

    const preApproved = isAlwaysAllowed(server);
    if (!preApproved && this.review?.enabled() && this.provider instanceof LanguageModelProvider) {
      return this.reviewed(server, params, signal, this.provider, this.review, base);
    }
    if (!preApproved) {
      const choice = await vscode.window.showWarningMessage(
        `MCP server "${server.name}" wants to use a language model.`,
        { modal: true, detail: approvalDetail(params) },
        'Approve', 'Deny',
      );
      if (choice !== 'Approve') {
        this.log(server, 'info', 'Sampling request denied by the user.');
        this.records?.add({ ...base, decision: 'denied' });
        throw wireError(USER_REJECTED, 'User rejected sampling request');
      }
    }
    if (signal.aborted) throw signal.reason ?? new Error('cancelled');

    try {
      // VS Code's models count tokens for the sampling log; other providers just answer.
      const sent = this.provider instanceof LanguageModelProvider
        ? await this.provider.createCounted(params, signal, server.name)
        : { result: await this.provider.createMessage(params, signal, server.name) };
      const result = sent.result;
      this.log(server, 'info', `Sampling answered by model ${result.model}.`);
      this.records?.add({ ...base, decision: preApproved ? 'allowed by setting' : 'approved', model: result.model, inputTokens: sent.inputTokens, outputTokens: sent.outputTokens });
      return result;
    } catch (err) {
      if (err instanceof NoModelError) throw this.noModel(server);
      if (signal.aborted) { this.records?.add({ ...base, decision: 'cancelled' }); throw err; }
      const message = `Sampling failed for server "${server.name}": ${errorCause(err)}`;
      this.log(server, 'error', message);
      this.records?.add({ ...base, decision: 'failed', error: errorCause(err) });
      throw wireError(INTERNAL_ERROR, message);
    }
  }

  /** The review panel: the user may edit the request and the completion, or deny. */
  private async reviewed(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal, provider: LanguageModelProvider, review: SamplingReview, base: Omit<SamplingRecord, 'decision'>): Promise<CreateMessageResult> {
    const backend = {
      models: () => provider.choices(),
      preferredModel: (p: CreateMessageRequestParams, models: ModelChoice[]) => provider.preferredId(p, models),
      generate: (p: CreateMessageRequestParams, modelId: string, s: AbortSignal, requester: string) => provider.generate(p, modelId, s, requester),
      alwaysAllowed: (ref: ServerRef) => isAlwaysAllowed(ref),
      setAlwaysAllowed: (ref: ServerRef, value: boolean) => setAlwaysAllowed(ref, value),
      log: (ref: ServerRef, message: string) => this.log(ref, 'warning', message),
    };
    const outcome = await (await review.workbench()).reviewSampling(backend, server, params, signal);
    const tokens = { model: outcome.spent.model, inputTokens: outcome.spent.inputTokens, outputTokens: outcome.spent.outputTokens };
    if (outcome.decision !== 'returned') {
      const byServer = outcome.decision === 'cancelled' && outcome.byServer;
      const decision = outcome.decision === 'denied' ? 'denied' : 'cancelled';
      this.log(server, 'info', byServer ? 'Sampling request withdrawn by the server during the review.' : `Sampling request ${decision} by the user.`);
      this.records?.add({ ...base, decision, ...tokens });
      if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      throw wireError(USER_REJECTED, 'User rejected sampling request');
    }
    this.log(server, 'info', `Sampling answered by model ${outcome.result.model}${outcome.edited ? ' (completion edited by the user)' : ''}.`);
    this.records?.add({ ...base, decision: 'approved', ...tokens, model: outcome.result.model, requestEdited: outcome.requestEdited, completionEdited: outcome.edited });
    return outcome.result;
  }

  private noModel(server: ServerRef): Error {
    const message = `No language model available in VS Code for sampling (server "${server.name}")`;
    this.log(server, 'warning', message);
    void vscode.window.showErrorMessage(`MCP Host: ${message}.`);
    return wireError(INTERNAL_ERROR, message);
  }
}

/**
 * Whether the user allowed this server to sample without asking. Only the user's own
 * settings count (a workspace must not pre-approve itself), and a bare name only matches a
 * user-level server (a workspace could reuse the name).
 */
function isAlwaysAllowed(server: ServerRef): boolean {
  const allowed = vscode.workspace.getConfiguration('mcpHost').inspect<string[]>('sampling.allowedServers')?.globalValue ?? [];
  return allowed.includes(server.id) || (server.scope === 'user' && allowed.includes(server.name));
}

/** "Always allow" from the review panel: the user's own setting, by the server's id. */
async function setAlwaysAllowed(server: ServerRef, value: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration('mcpHost');
  const current = config.inspect<string[]>('sampling.allowedServers')?.globalValue ?? [];
  const next = value ? [...new Set([...current, server.id])] : current.filter(v => v !== server.id && v !== server.name);
  await config.update('sampling.allowedServers', next, vscode.ConfigurationTarget.Global);
}
