// The tool panel's page: the tool (title, description, annotations, task support), the
// form for its arguments and their JSON, Run and Cancel, progress, the result and the
// history of calls.

import { html, nothing, render, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Tool } from '../../protocol/types.ts';
import type { CallOutcome, HistorySummary, ToolInit, ToolPanelState, ToolProgress, ToolToWebview } from '../protocol.ts';
import { withoutSecrets } from '../result/redact.ts';
import { getState, onMessage, post, setState } from './api.ts';
import { FormView } from './formView.ts';
import { markdownToHtml } from './markdown.ts';
import { ResultRenderer } from './resultView.ts';

interface Model {
  init: ToolInit;
  tool: Tool;
  serverRunning: boolean;
  form: FormView;
  running?: { callId: number; startedAt: number; progress?: ToolProgress };
  outcome?: CallOutcome;
  result?: ResultRenderer;
  history: HistorySummary[];
  asTask: boolean;
}

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function mountToolPanel(app: HTMLElement): void {
  let model: Model | undefined;
  const saved = getState<ToolPanelState>();
  let frame = 0;
  const requestRender = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; draw(); });
  };
  const saveState = () => {
    if (!model) return;
    // VS Code writes this state to disk: secret arguments are left out (the extension keeps
    // them in memory while the window lives).
    const args = withoutSecrets(model.tool.inputSchema as Record<string, unknown>, model.form.current as Record<string, unknown>);
    setState<ToolPanelState>({ panel: 'tool', serverId: model.init.serverId, tool: model.tool.name, args, jsonView: model.form.jsonView });
  };
  const newForm = (tool: Tool, args: Record<string, unknown> | undefined) => new FormView(tool.inputSchema as Record<string, unknown>, args, {
    idPrefix: 'arg',
    expect: 'object',
    requestRender,
    onChange: value => { saveState(); post({ type: 'argsChanged', args: value as Record<string, unknown> }); },
  });
  const setOutcome = (outcome: CallOutcome | undefined) => {
    if (!model) return;
    model.outcome = outcome;
    model.result = outcome?.kind === 'result' ? new ResultRenderer(outcome.view, {
      copy: (text, what) => post({ type: 'copy', text, what }),
      openResource: uri => post({ type: 'openResource', uri }),
      requestRender,
    }) : undefined;
  };

  onMessage<ToolToWebview>(m => {
    switch (m.type) {
      case 'init': {
        // The extension's copy is current (every edit is sent); the page's own state is for
        // a window reload, where the extension starts from it anyway.
        const args = m.args ?? (saved?.tool === m.tool.name ? saved.args : undefined);
        model = { init: m, tool: m.tool, serverRunning: m.serverRunning, form: newForm(m.tool, args), running: m.running, history: m.history, asTask: m.tool.execution?.taskSupport === 'required' };
        if (saved?.jsonView) model.form.setJsonView(true);
        setOutcome(m.outcome);
        saveState();
        break;
      }
      case 'server':
        if (!model) return;
        model.serverRunning = m.serverRunning;
        model.init = { ...model.init, serverName: m.serverName };
        if (m.tool && JSON.stringify(m.tool.inputSchema) !== JSON.stringify(model.tool.inputSchema)) {
          model.form = newForm(m.tool, model.form.current as Record<string, unknown>);
        }
        if (m.tool) {
          model.tool = m.tool;
          // A panel restored before its server listed the tool learns its task support now.
          if (m.tool.execution?.taskSupport === 'required') model.asTask = true;
        }
        break;
      case 'started': if (model) { model.running = { callId: m.callId, startedAt: m.startedAt }; } break;
      case 'progress': if (model?.running?.callId === m.callId) model.running.progress = m.progress; break;
      case 'outcome': if (model) { if (model.running?.callId === m.callId) model.running = undefined; setOutcome(m.outcome); } break;
      case 'history': if (model) model.history = m.history; break;
      case 'setArgs': if (model) { model.form.setValue(m.args); saveState(); } break;
    }
    requestRender();
  });

  function run(): void {
    if (!model || model.running || !model.serverRunning) return;
    model.form.revealProblems();
    if (model.form.problemCount > 0) { requestRender(); return; }
    post({ type: 'run', args: model.form.current as Record<string, unknown>, asTask: model.asTask || undefined });
  }

  // Ctrl/Cmd+Enter runs from anywhere in the form; Escape cancels a running call.
  app.addEventListener('keydown', e => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); run(); }
    if (e.key === 'Escape' && model?.running) { e.preventDefault(); post({ type: 'cancel' }); }
  });

  function header(m: Model): TemplateResult {
    const t = m.tool;
    const a = t.annotations ?? {};
    const badges: string[] = [];
    if (a.readOnlyHint) badges.push('read-only');
    if (a.destructiveHint === true || (a.destructiveHint === undefined && !a.readOnlyHint && a.readOnlyHint !== undefined)) badges.push('destructive');
    if (a.idempotentHint) badges.push('idempotent');
    if (a.openWorldHint) badges.push('open-world');
    const task = t.execution?.taskSupport;
    return html`<header class="tool-header">
      <h1>${t.title ?? a.title ?? t.name} <span class="muted server-name">— ${m.init.serverName}</span></h1>
      <div class="badges" aria-label="Annotations">
        ${t.title || a.title ? html`<code class="tool-name">${t.name}</code>` : nothing}
        ${badges.map(b => html`<vscode-badge class=${`badge-${b}`}>${b}</vscode-badge>`)}
        ${task && task !== 'forbidden' ? html`<vscode-badge class="badge-task">${task === 'required' ? 'runs as a task' : 'can run as a task'}</vscode-badge>` : nothing}
        ${m.serverRunning ? nothing : html`<vscode-badge class="badge-stopped">server not running</vscode-badge>`}
      </div>
      ${t.description ? html`<div class="description markdown">${unsafeHTML(markdownToHtml(t.description))}</div>` : nothing}
    </header>`;
  }

  function actions(m: Model): TemplateResult {
    const problems = m.form.problemCount;
    const task = m.tool.execution?.taskSupport;
    return html`<div class="actions">
      <vscode-button id="run" ?disabled=${!!m.running || !m.serverRunning} @click=${run} title="Run (Ctrl+Enter)">Run</vscode-button>
      <vscode-button id="cancel" secondary ?disabled=${!m.running} @click=${() => post({ type: 'cancel' })} title="Cancel (Escape)">Cancel</vscode-button>
      ${task === 'optional' ? html`<vscode-checkbox label="Run as a task" .checked=${m.asTask} @change=${(e: Event) => { m.asTask = (e.target as HTMLInputElement).checked; }}></vscode-checkbox>` : nothing}
      <vscode-checkbox id="json-toggle" toggle label="Edit as JSON" .checked=${m.form.jsonView}
        @change=${(e: Event) => { m.form.setJsonView((e.target as HTMLInputElement).checked); saveState(); requestRender(); }}></vscode-checkbox>
      <vscode-button secondary @click=${() => post({ type: 'copyCommand', args: m.form.current as Record<string, unknown> })} title="Copy an mcp-host command line that makes this call">Copy as CLI command</vscode-button>
      <span class="status" role="status" aria-live="polite">${problems ? `${problems} problem${problems === 1 ? '' : 's'} to fix` : ''}</span>
    </div>`;
  }

  function progress(m: Model): TemplateResult | typeof nothing {
    if (!m.running) return nothing;
    const p = m.running.progress;
    const pct = p?.total ? Math.min(100, Math.round((p.progress / p.total) * 100)) : undefined;
    return html`<div class="progress" role="status" aria-live="polite">
      <vscode-progress-ring></vscode-progress-ring>
      <span>Running${pct !== undefined ? ` — ${pct}%` : p ? ` — ${p.progress}` : '…'}${p?.message ? `: ${p.message}` : ''}</span>
      ${pct !== undefined ? html`<progress max="100" value=${pct}></progress>` : nothing}
    </div>`;
  }

  function outcome(m: Model): TemplateResult | typeof nothing {
    const o = m.outcome;
    if (!o) return nothing;
    if (o.kind === 'cancelled') return html`<section class="outcome" aria-label="Result"><p class="muted" role="status">Cancelled (${when(o.at)}).</p></section>`;
    if (o.kind === 'failed') return html`<section class="outcome" aria-label="Result"><div class="error-banner" role="alert">${o.message}</div></section>`;
    return html`<section class="outcome" aria-label="Result">
      <div class="outcome-head"><h2>Result</h2><span class="muted">${duration(o.durationMs)} · ${when(o.at)} · ${(o.view.sizeBytes / 1024).toFixed(1)} KB</span>
        <vscode-button secondary class="small" @click=${() => post({ type: 'openAsDocument' })}>Open as Document</vscode-button></div>
      ${m.result?.template() ?? nothing}
    </section>`;
  }

  function history(m: Model): TemplateResult {
    return html`<section class="history" aria-label="History">
      <vscode-collapsible heading="History" description=${`${m.history.length} call${m.history.length === 1 ? '' : 's'}`} ?open=${m.history.length > 0}>
        <div class="collapsible-body">
        ${m.history.length ? html`<ol class="history-list">${m.history.map(e => html`<li class=${`history-entry outcome-${e.outcome}`}>
          <span class="when">${when(e.at)}</span> <span class="muted">${duration(e.durationMs)}</span>
          <span class=${`outcome-label ${e.outcome}`}>${e.outcome}</span>
          <code class="args" title=${JSON.stringify(e.args)}>${JSON.stringify(e.args)}</code>
          <span class="entry-actions">
            <vscode-button secondary class="small" @click=${() => post({ type: 'useEntry', id: e.id, run: true })} aria-label=${`Run again with the arguments of ${when(e.at)}`}>Run again</vscode-button>
            <vscode-button secondary class="small" @click=${() => post({ type: 'useEntry', id: e.id, run: false })} aria-label=${`Fill the form with the arguments of ${when(e.at)}`}>Edit</vscode-button>
            <vscode-button secondary class="small" @click=${() => post({ type: 'showEntry', id: e.id })} aria-label=${`Show the result of ${when(e.at)}`}>Show</vscode-button>
            <vscode-button secondary class="small" @click=${() => post({ type: 'copyCommand', args: e.args })} aria-label=${`Copy the call of ${when(e.at)} as a command line`}>Copy command</vscode-button>
            <vscode-button secondary class="small" @click=${() => post({ type: 'removeEntry', id: e.id })} aria-label=${`Remove the call of ${when(e.at)}`}>✕</vscode-button>
          </span></li>`)}</ol>
          <vscode-button secondary class="small" @click=${() => post({ type: 'clearHistory' })}>Clear History</vscode-button>` : html`<p class="muted">No calls yet.</p>`}
        </div>
      </vscode-collapsible>
    </section>`;
  }

  function draw(): void {
    if (!model) { render(html`<p class="muted">Loading…</p>`, app); return; }
    const m = model;
    // The page's title follows the tab's (a restored panel learns the tool's title later).
    document.title = `${m.tool.title ?? m.tool.annotations?.title ?? m.tool.name} — ${m.init.serverName}`;
    render(html`${header(m)}
      <section class="arguments" aria-label="Arguments">
        <h2>Arguments</h2>
        ${m.form.template()}
      </section>
      ${actions(m)}${progress(m)}${outcome(m)}${history(m)}`, app);
    m.form.afterRender(app);
    app.removeAttribute('aria-busy');
    app.dataset['ready'] = 'true';
  }

  draw();
  post({ type: 'ready' });
}
