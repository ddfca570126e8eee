// A tool's result in the panel: each content block with its own Copy, text as Markdown
// when it looks like it, JSON as a tree, images and audio inline, resource links that
// open through Read Resource, embedded resources expandable; structuredContent beside
// the content, with what the output schema found wrong.

import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { ResultBlock, ResultView } from '../result/model.ts';
import { JsonTreeView } from './jsonTreeView.ts';
import { markdownToHtml } from './markdown.ts';

export interface ResultActions {
  copy(text: string, what: string): void;
  openResource(uri: string): void;
  requestRender(): void;
}

function formatBytes(n: number): string {
  if (n < 0) return 'not valid base64';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export class ResultRenderer {
  private readonly view: ResultView;
  private readonly actions: ResultActions;
  private readonly trees = new Map<string, JsonTreeView>();
  /** Blocks shown as raw text instead of rendered (the user's choice). */
  private readonly raw = new Set<number>();

  constructor(view: ResultView, actions: ResultActions) {
    this.view = view;
    this.actions = actions;
  }

  private tree(key: string, value: unknown, label: string): JsonTreeView {
    let t = this.trees.get(key);
    if (!t) { t = new JsonTreeView(value, label, () => this.actions.requestRender()); this.trees.set(key, t); }
    return t;
  }

  template(): TemplateResult {
    const v = this.view;
    const structured = v.structured;
    return html`<div class=${v.isError ? 'result is-error' : 'result'}>
      ${v.isError ? html`<div class="error-banner" role="alert">The tool reported an error.</div>` : nothing}
      ${structured?.missingWhileSchema ? html`<div class="schema-problems" role="alert">The tool declares an output schema but returned no structured content.</div>` : nothing}
      ${v.trimmed ? html`<div class="muted">From the history, which keeps results short: some of it was dropped.</div>` : nothing}
      <div class=${structured ? 'result-columns' : ''}>
        <section class="content" aria-label="Content">
          <h3>Content <span class="muted">(${v.blocks.length} block${v.blocks.length === 1 ? '' : 's'})</span></h3>
          ${v.blocks.length ? v.blocks.map((b, i) => this.block(b, i)) : html`<p class="muted">No content.</p>`}
        </section>
        ${structured && !structured.missingWhileSchema ? this.structured(structured) : nothing}
      </div>
    </div>`;
  }

  private structured(s: NonNullable<ResultView['structured']>): TemplateResult {
    const text = JSON.stringify(s.value, null, 2);
    const tree = this.tree('structured', s.value, 'Structured content');
    return html`<section class="structured" aria-label="Structured content">
      <h3>Structured content
        <vscode-button secondary class="small" @click=${() => this.actions.copy(text, 'Structured content')}>Copy</vscode-button>
        <vscode-button secondary class="small" @click=${() => tree.expandAll(true)}>Expand all</vscode-button>
      </h3>
      ${s.schemaProblems?.length
        ? html`<div class="schema-problems" role="alert"><strong>Does not match the tool's output schema:</strong>
            <ul>${s.schemaProblems.map(p => html`<li>${p}</li>`)}</ul></div>`
        : s.schemaProblems ? html`<div class="schema-ok">Matches the output schema.</div>`
        : html`<div class="muted">The tool declares no output schema.</div>`}
      ${tree.template()}
    </section>`;
  }

  private blockHeader(title: string, i: number, copyText: string | undefined, extra: TemplateResult | typeof nothing = nothing): TemplateResult {
    return html`<div class="block-head"><span class="block-title">${title}</span>${extra}
      ${copyText !== undefined ? html`<vscode-button secondary class="small" aria-label=${`Copy block ${i + 1}`} @click=${() => this.actions.copy(copyText, `Block ${i + 1}`)}>Copy</vscode-button>` : nothing}
    </div>`;
  }

  private rawToggle(i: number): TemplateResult {
    const on = this.raw.has(i);
    return html`<vscode-button secondary class="small" @click=${() => { if (on) this.raw.delete(i); else this.raw.add(i); this.actions.requestRender(); }}>${on ? 'Rendered' : 'Raw'}</vscode-button>`;
  }

  private block(b: ResultBlock, i: number): TemplateResult {
    switch (b.kind) {
      case 'markdown':
        return html`<div class="block text">${this.blockHeader('Text (Markdown)', i, b.text, this.rawToggle(i))}
          ${this.raw.has(i) ? html`<pre>${b.text}</pre>` : html`<div class="markdown">${unsafeHTML(markdownToHtml(b.text))}</div>`}</div>`;
      case 'text':
        return html`<div class="block text">${this.blockHeader('Text', i, b.text)}<pre>${b.text}</pre></div>`;
      case 'json':
        return html`<div class="block json">${this.blockHeader('Text (JSON)', i, b.text, this.rawToggle(i))}
          ${this.raw.has(i) ? html`<pre>${b.text}</pre>`
            : b.sameAsStructured && this.view.structured ? html`<p class="muted">The same value as the structured content.</p>`
            : this.tree(`block${i}`, b.value, `Block ${i + 1}`).template()}</div>`;
      case 'image':
        return html`<div class="block image">${this.blockHeader(`Image (${b.mimeType}, ${formatBytes(b.size)})`, i, undefined)}
          ${b.dataUrl ? html`<img src=${b.dataUrl} alt=${`Image ${i + 1} of the result`}>` : html`<p class="muted">${b.notInline ?? `${b.mimeType} is not shown inline`}; Open as Document saves it to a tab.</p>`}</div>`;
      case 'audio':
        return html`<div class="block audio">${this.blockHeader(`Audio (${b.mimeType}, ${formatBytes(b.size)})`, i, undefined)}
          ${b.dataUrl ? html`<audio controls src=${b.dataUrl}></audio>` : html`<p class="muted">${b.notInline ?? `${b.mimeType} cannot be played here`}; Open as Document saves it to a tab.</p>`}</div>`;
      case 'resourceLink':
        return html`<div class="block link">${this.blockHeader('Resource link', i, b.uri)}
          <vscode-button class="resource-link" secondary @click=${() => this.actions.openResource(b.uri)} title=${`Read ${b.uri}`}>${b.title ?? b.name ?? b.uri}</vscode-button>
          <span class="muted">${b.uri}${b.mimeType ? ` · ${b.mimeType}` : ''}</span>
          ${b.description ? html`<div class="help">${b.description}</div>` : nothing}</div>`;
      case 'resource':
        return html`<div class="block resource">
          <vscode-collapsible heading=${`Embedded resource: ${b.uri}`} description=${b.mimeType ?? ''}>
            <div class="collapsible-body">
              ${b.text !== undefined
                ? html`${this.blockHeader(b.textKind === 'json' ? 'JSON' : 'Text', i, b.text)}${b.textKind === 'markdown'
                    ? html`<div class="markdown">${unsafeHTML(markdownToHtml(b.text))}</div>`
                    : b.textKind === 'json' ? this.tree(`res${i}`, b.value ?? safeParse(b.text), b.uri).template() : html`<pre>${b.text}</pre>`}`
                : html`<p class="muted">Binary, ${formatBytes(b.blobSize ?? 0)}. Open as Document saves it to a tab.</p>`}
              <vscode-button secondary class="small" @click=${() => this.actions.openResource(b.uri)}>Read Resource</vscode-button>
            </div>
          </vscode-collapsible></div>`;
      case 'unknown':
        return html`<div class="block unknown">${this.blockHeader(`A "${b.type}" block`, i, JSON.stringify(b.value, null, 2))}
          ${this.tree(`unknown${i}`, b.value, `Block ${i + 1}`).template()}</div>`;
    }
  }
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}
