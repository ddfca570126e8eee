// The sampling review: which server asks, the model that would answer (changeable), the
// request (system prompt, messages, limits) editable before it is sent, and the completion
// editable before it goes back — or Deny, at either step.

import { html, nothing, render, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { CreateMessageRequestParams, CreateMessageResult, SamplingContent } from '../../protocol/types.ts';
import type { SamplingInit, SamplingToWebview } from '../protocol.ts';
import { getState, onMessage, post, setState } from './api.ts';

type Phase = 'review' | 'generating' | 'completed' | 'closed';

export function mountSamplingPanel(app: HTMLElement): void {
  let init: SamplingInit | undefined;
  let request: CreateMessageRequestParams | undefined;
  let modelId = '';
  let phase: Phase = 'review';
  let result: CreateMessageResult | undefined;
  let tokens: { input?: number; output?: number } = {};
  let problem: string | undefined;
  let alwaysAllow = false;
  let frame = 0;
  // A hidden panel's page is unloaded: what the user edited and got back is kept here.
  interface Saved { requestId: number; request: CreateMessageRequestParams; modelId: string; result?: CreateMessageResult; tokens: typeof tokens }
  const saved = getState<Saved>();
  const save = () => { if (init && request) setState<Saved>({ requestId: init.requestId, request, modelId, result: phase === 'completed' ? result : undefined, tokens }); };
  const requestRender = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; save(); draw(); }); };

  onMessage<SamplingToWebview>(m => {
    switch (m.type) {
      case 'init':
        init = m;
        // A copy the user edits; the original stays in init for comparison.
        request = structuredClone(m.request);
        modelId = m.modelId ?? m.models[0]?.id ?? '';
        phase = 'review';
        if (saved?.requestId === m.requestId) {
          request = saved.request;
          modelId = saved.modelId;
          if (saved.result) { result = saved.result; tokens = saved.tokens; phase = 'completed'; }
        }
        // A completion that came while the page was unloaded (hidden).
        if (phase !== 'completed' && m.completion) { result = m.completion.result; tokens = { input: m.completion.inputTokens, output: m.completion.outputTokens }; phase = 'completed'; }
        // The extension's state wins over the page's: a generation it runs, a failure, a withdrawal.
        if (m.generating) phase = 'generating';
        problem = m.problem ?? m.closed;
        if (m.closed) phase = 'closed';
        alwaysAllow = !!m.alwaysAllowed;
        break;
      case 'generating': phase = 'generating'; problem = undefined; break;
      case 'completion': phase = 'completed'; result = structuredClone(m.result); tokens = { input: m.inputTokens, output: m.outputTokens }; break;
      case 'failed': phase = 'review'; problem = m.message; break;
      case 'closed': phase = 'closed'; problem = m.reason; break;
    }
    requestRender();
  });

  const parts = (c: SamplingContent | SamplingContent[]) => Array.isArray(c) ? c : [c];

  function contentEditor(content: SamplingContent | SamplingContent[], label: string, editable: boolean, onText: (i: number, text: string) => void): TemplateResult {
    return html`${parts(content).map((p, i) => {
      if (p.type === 'text') {
        return html`<vscode-textarea class="message-text" aria-label=${label} rows="4" resize="vertical" ?readonly=${!editable}
          .value=${live((p as { text: string }).text)} @input=${(e: Event) => onText(i, (e.target as HTMLTextAreaElement).value)}></vscode-textarea>`;
      }
      if (p.type === 'image' && typeof (p as { data?: unknown }).data === 'string') {
        const img = p as { data: string; mimeType: string };
        const shown = /^image\/(png|jpeg|gif|webp)$/.test(img.mimeType);
        return shown ? html`<img class="sampling-image" alt=${`${label}: image`} src=${`data:${img.mimeType};base64,${img.data}`}>` : html`<p class="muted">An image (${img.mimeType}).</p>`;
      }
      if (p.type === 'audio') return html`<p class="muted">Audio (${(p as { mimeType?: string }).mimeType ?? 'unknown type'}): not sent to VS Code's models.</p>`;
      return html`<pre class="muted">${JSON.stringify(p, null, 2)}</pre>`;
    })}`;
  }

  function setText(content: SamplingContent | SamplingContent[], i: number, text: string): SamplingContent | SamplingContent[] {
    if (!Array.isArray(content)) return { ...(content as object), text } as SamplingContent;
    return content.map((p, j) => j === i ? { ...(p as object), text } as SamplingContent : p);
  }

  function reviewSection(i: SamplingInit, r: CreateMessageRequestParams): TemplateResult {
    const editable = phase === 'review';
    const hints = i.request.modelPreferences?.hints?.map(h => h.name).filter(Boolean).join(', ');
    return html`<section class="sampling-request" aria-label="Request">
      <h2>Request</h2>
      <div class="field">
        <vscode-label for="model">Model</vscode-label>
        ${i.models.length
          ? html`<vscode-single-select id="model" .value=${live(modelId)} ?disabled=${!editable} @change=${(e: Event) => { modelId = (e.target as HTMLSelectElement).value; requestRender(); }}>
              ${i.models.map(m => html`<vscode-option value=${m.id} description=${`${m.vendor} · ${m.family}`}>${m.name}</vscode-option>`)}
            </vscode-single-select>`
          : html`<p class="error">No language model is available in VS Code.</p>`}
        ${hints ? html`<div class="help">The server prefers: ${hints}</div>` : nothing}
      </div>
      <div class="field">
        <vscode-label for="system">System prompt</vscode-label>
        <vscode-textarea id="system" rows="3" resize="vertical" ?readonly=${!editable} .value=${live(r.systemPrompt ?? '')}
          @input=${(e: Event) => { const v = (e.target as HTMLTextAreaElement).value; request = { ...request!, systemPrompt: v || undefined }; }}></vscode-textarea>
      </div>
      <h3>Messages</h3>
      <ol class="messages">${r.messages.map((msg, mi) => html`<li class=${`message role-${msg.role}`}>
        <div class="role">${msg.role}</div>
        ${contentEditor(msg.content, `Message ${mi + 1} (${msg.role})`, editable, (pi, text) => {
          // Edits build on the current request (this closure's `r` is the one last drawn).
          const cur = request!;
          request = { ...cur, messages: cur.messages.map((x, j) => j === mi ? { ...x, content: setText(x.content, pi, text) } : x) };
        })}
      </li>`)}</ol>
      <div class="field-row">
        <div class="field">
          <vscode-label for="max-tokens">Max tokens</vscode-label>
          <vscode-textfield id="max-tokens" type="number" min="1" step="1" ?readonly=${!editable} .value=${live(String(r.maxTokens))}
            @input=${(e: Event) => { const n = Number((e.target as HTMLInputElement).value); if (Number.isInteger(n) && n > 0) request = { ...request!, maxTokens: n }; }}></vscode-textfield>
        </div>
        <div class="field"><vscode-label>Include context</vscode-label><div>${r.includeContext ?? 'none'}</div></div>
        ${r.temperature !== undefined ? html`<div class="field"><vscode-label>Temperature</vscode-label><div>${r.temperature}</div></div>` : nothing}
        ${r.stopSequences?.length ? html`<div class="field"><vscode-label>Stop sequences</vscode-label><div>${r.stopSequences.join(', ')}</div></div>` : nothing}
      </div>
    </section>`;
  }

  function completionSection(): TemplateResult | typeof nothing {
    if (phase === 'generating') return html`<div class="progress" role="status"><vscode-progress-ring></vscode-progress-ring> Waiting for the model…</div>`;
    if (!result || phase !== 'completed') return nothing;
    const r = result;
    return html`<section class="sampling-completion" aria-label="Completion">
      <h2>Completion <span class="muted">${r.model}${tokens.input !== undefined ? ` · ${tokens.input} tokens in, ${tokens.output ?? '?'} out` : ''}</span></h2>
      ${contentEditor(r.content, 'Completion', true, (i, text) => { const cur = result!; result = { ...cur, content: setText(cur.content, i, text) }; })}
    </section>`;
  }

  function draw(): void {
    if (!init || !request) { render(html`<p class="muted">Loading…</p>`, app); return; }
    const i = init;
    const r = request;
    render(html`<header class="tool-header">
        <h1>${i.serverName} asks for a completion</h1>
        <p class="muted">Review the request and edit it if you like; the server only gets what you return.</p>
      </header>
      ${problem ? html`<div class="error-banner" role="alert">${problem}</div>` : nothing}
      ${reviewSection(i, r)}
      ${completionSection()}
      <div class="actions">
        ${phase === 'review' ? html`<vscode-button id="generate" ?disabled=${!modelId} @click=${() => post({ type: 'generate', request: request!, modelId })}>Send to Model</vscode-button>` : nothing}
        ${phase === 'completed' ? html`<vscode-button id="return" @click=${() => result && post({ type: 'return', result })}>Return to Server</vscode-button>
          <vscode-button id="regenerate" secondary @click=${() => post({ type: 'generate', request: request!, modelId })}>Generate Again</vscode-button>` : nothing}
        <vscode-button id="deny" secondary ?disabled=${phase === 'closed'} @click=${() => post({ type: 'deny' })}>Deny</vscode-button>
        <vscode-checkbox label=${`Always allow ${i.serverName} (user setting)`} .checked=${alwaysAllow}
          @change=${(e: Event) => { alwaysAllow = (e.target as HTMLInputElement).checked; post({ type: 'alwaysAllow', value: alwaysAllow }); }}></vscode-checkbox>
      </div>`, app);
    app.removeAttribute('aria-busy');
    app.dataset['ready'] = 'true';
  }

  // Typing does not redraw; it is kept all the same.
  app.addEventListener('input', () => queueMicrotask(save));
  draw();
  post({ type: 'ready' });
}
