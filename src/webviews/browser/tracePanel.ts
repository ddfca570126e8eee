// The protocol trace: every JSON-RPC message of one server, live, requests paired with
// their responses; filters by method, direction and text; one message's details as a
// tree, with Copy, Replay and Copy as CLI command; Export and Clear.

import { html, nothing, render, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { TraceInit, TracePanelState, TraceRow, TraceToWebview } from '../protocol.ts';
import { getState, onMessage, post, setState } from './api.ts';
import { JsonTreeView } from './jsonTreeView.ts';

/** Rows drawn at most; the rest stay in memory (the extension's ring bounds them). */
const MAX_DRAWN = 1000;

interface Details { seq: number; text: string; truncated: boolean; cli?: string; replayable: boolean; tree?: JsonTreeView; raw: boolean }

export function mountTracePanel(app: HTMLElement): void {
  const saved = getState<TracePanelState>();
  let init: TraceInit | undefined;
  let rows: TraceRow[] = [];
  const bySeq = new Map<number, TraceRow>();
  let filter = saved?.filter ?? '';
  let method = saved?.method ?? '';
  let direction = saved?.direction ?? '';
  let selected: number | undefined;
  /** The extension's answer to the search over whole texts: the text it answered and the matches. */
  let matches: { text: string; seqs: Set<number> } | undefined;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const search = () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { if (filter.trim()) post({ type: 'search', text: filter.trim() }); }, 150);
  };
  let details: Details | undefined;
  let notice: string | undefined;
  let follow = true;
  let frame = 0;
  const requestRender = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); }); };
  const save = () => { if (init) setState<TracePanelState>({ panel: 'trace', serverId: init.serverId, filter, method, direction }); };

  /** Rows came since the last draw: Follow scrolls to them (and only then). */
  let added = false;
  const add = (list: TraceRow[]) => {
    if (list.length) added = true;
    for (const r of list) { rows.push(r); bySeq.set(r.seq, r); }
    const max = init?.limits.maxEntries ?? 2000;
    if (rows.length > max) for (const r of rows.splice(0, rows.length - max)) bySeq.delete(r.seq);
  };

  onMessage<TraceToWebview>(m => {
    switch (m.type) {
      case 'init': init = m; rows = []; bySeq.clear(); add(m.rows); selected = undefined; details = undefined; matches = undefined; save(); if (filter.trim()) search(); break;
      case 'rows': add(m.rows); if (filter.trim()) search(); break;
      case 'updated': for (const r of m.rows) { const old = bySeq.get(r.seq); if (old) Object.assign(old, r); } break;
      case 'cleared': rows = []; bySeq.clear(); selected = undefined; details = undefined; break;
      case 'details': {
        let tree: JsonTreeView | undefined;
        if (!m.truncated) { try { tree = new JsonTreeView(JSON.parse(m.text), `Message ${m.seq}`, requestRender); } catch { tree = undefined; } }
        details = { seq: m.seq, text: m.text, truncated: m.truncated, cli: m.cli, replayable: m.replayable, tree, raw: false };
        break;
      }
      case 'replayed': notice = m.message; break;
      case 'matches': if (m.text === filter.trim()) matches = { text: m.text, seqs: new Set(m.seqs) }; break;
    }
    requestRender();
  });

  const visible = (): TraceRow[] => {
    const text = filter.trim();
    const needle = text.toLowerCase();
    // Until the extension has searched the whole texts, the previews (and ids) answer.
    const found = matches?.text === text ? matches.seqs : undefined;
    return rows.filter(r => (!method || r.method === method) && (!direction || r.direction === direction)
      && (!needle || found?.has(r.seq) || (r.method ?? '').toLowerCase().includes(needle) || r.preview.toLowerCase().includes(needle) || String(r.id ?? '') === needle));
  };

  const select = (seq: number) => { selected = seq; details = undefined; notice = undefined; post({ type: 'showDetails', seq }); requestRender(); };

  app.addEventListener('keydown', e => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const target = e.target as HTMLElement;
    if (!target.closest('.trace-list')) return;
    const list = visible();
    const at = list.findIndex(r => r.seq === selected);
    const next = list[Math.max(0, Math.min(list.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) { e.preventDefault(); select(next.seq); requestAnimationFrame(() => (app.querySelector(`[data-seq="${next.seq}"]`) as HTMLElement | null)?.focus()); }
  });

  /** One row is a tab stop (the selected one, else the last): arrows move between them. */
  let tabStop: number | undefined;
  function row(r: TraceRow): TemplateResult {
    const arrow = r.direction === 'send' ? '→' : '←';
    const status = r.kind === 'error' || r.isError ? 'error' : r.kind === 'response' ? 'ok' : '';
    return html`<tr class=${`trace-row ${r.direction} ${r.kind} ${r.seq === selected ? 'selected' : ''} ${selected !== undefined && r.pairedSeq === selected ? 'paired' : ''}`}
        data-seq=${r.seq} tabindex=${r.seq === tabStop ? '0' : '-1'} aria-selected=${String(r.seq === selected)}
        @click=${() => select(r.seq)} @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(r.seq); } }}>
      <td class="time">${new Date(r.time).toLocaleTimeString(undefined, { hour12: false })}.${String(r.time % 1000).padStart(3, '0')}</td>
      <td class="dir" title=${r.direction === 'send' ? 'sent to the server' : 'received from the server'}>${arrow}</td>
      <td class="kind">${r.kind}</td>
      <td class="method">${r.method ?? ''}</td>
      <td class="id">${r.id ?? ''}</td>
      <td class="size">${r.size < 1024 ? `${r.size} B` : `${(r.size / 1024).toFixed(1)} KB`}</td>
      <td class="duration">${r.durationMs !== undefined ? `${r.durationMs} ms` : ''}</td>
      <td class=${`status ${status}`}>${status === 'error' ? 'ERROR' : status === 'ok' ? 'OK' : ''}</td>
    </tr>`;
  }

  function detailsPane(): TemplateResult | typeof nothing {
    if (selected === undefined) return html`<p class="muted details-empty">Select a message to see it whole.</p>`;
    const r = bySeq.get(selected);
    if (!details || details.seq !== selected) return html`<p class="muted">Loading…</p>`;
    const d = details;
    return html`<div class="details" aria-label="Message details">
      <div class="details-head">
        <strong>${r ? `${r.direction === 'send' ? '→' : '←'} ${r.kind} ${r.method ?? ''} ${r.id !== undefined ? `#${r.id}` : ''}` : `#${d.seq}`}</strong>
        ${r?.pairedSeq !== undefined ? html`<vscode-button secondary class="small" @click=${() => select(r.pairedSeq!)}>${r.kind === 'request' ? 'Go to Response' : 'Go to Request'}</vscode-button>` : nothing}
        <vscode-button secondary class="small" @click=${() => post({ type: 'copy', text: d.text, what: 'Message' })}>Copy</vscode-button>
        ${d.replayable ? html`<vscode-button id="replay" class="small" @click=${() => { notice = 'Replaying…'; post({ type: 'replay', seq: d.seq }); requestRender(); }}>Replay</vscode-button>` : nothing}
        ${d.cli ? html`<vscode-button secondary class="small" @click=${() => post({ type: 'copy', text: d.cli!, what: 'Command line' })}>Copy as CLI Command</vscode-button>` : nothing}
        <vscode-button secondary class="small" @click=${() => { d.raw = !d.raw; requestRender(); }}>${d.raw ? 'Tree' : 'Raw'}</vscode-button>
      </div>
      ${notice ? html`<div class="notice" role="status">${notice}</div>` : nothing}
      ${d.truncated ? html`<p class="muted">The message was cut to the trace's per-message limit.</p>` : nothing}
      ${d.cli ? html`<code class="cli">${d.cli}</code>` : nothing}
      ${d.raw || !d.tree ? html`<pre class="raw">${prettify(d.text)}</pre>` : d.tree.template()}
    </div>`;
  }

  function draw(): void {
    if (!init) { render(html`<p class="muted">Loading…</p>`, app); return; }
    const i = init;
    const list = visible();
    const methods = [...new Set(rows.map(r => r.method).filter((m): m is string => !!m))].sort();
    const drawn = list.length > MAX_DRAWN ? list.slice(-MAX_DRAWN) : list;
    tabStop = drawn.some(r => r.seq === selected) ? selected : drawn[drawn.length - 1]?.seq;
    render(html`<header class="trace-toolbar">
        <vscode-single-select aria-label="Server" .value=${live(i.serverId)} @change=${(e: Event) => post({ type: 'selectServer', serverId: (e.target as HTMLSelectElement).value })}>
          ${i.servers.map(s => html`<vscode-option value=${s.id}>${s.name}</vscode-option>`)}
        </vscode-single-select>
        <vscode-textfield id="trace-search" placeholder="Search method, id or text" aria-label="Search" .value=${live(filter)}
          @input=${(e: Event) => { filter = (e.target as HTMLInputElement).value; save(); search(); requestRender(); }}></vscode-textfield>
        <vscode-single-select aria-label="Method" .value=${live(method)} @change=${(e: Event) => { method = (e.target as HTMLSelectElement).value; save(); requestRender(); }}>
          <vscode-option value="">All methods</vscode-option>
          ${methods.map(m => html`<vscode-option value=${m}>${m}</vscode-option>`)}
        </vscode-single-select>
        <vscode-single-select aria-label="Direction" .value=${live(direction)} @change=${(e: Event) => { direction = (e.target as HTMLSelectElement).value; save(); requestRender(); }}>
          <vscode-option value="">Both directions</vscode-option>
          <vscode-option value="send">Sent →</vscode-option>
          <vscode-option value="receive">Received ←</vscode-option>
        </vscode-single-select>
        <vscode-checkbox label="Follow" .checked=${follow} @change=${(e: Event) => { follow = (e.target as HTMLInputElement).checked; }}></vscode-checkbox>
        <vscode-button secondary @click=${() => post({ type: 'export' })}>Export…</vscode-button>
        <vscode-button secondary @click=${() => post({ type: 'clear' })}>Clear</vscode-button>
        <span class="muted" role="status">${list.length} of ${rows.length} messages${list.length > MAX_DRAWN ? ` (the last ${MAX_DRAWN} shown)` : ''}</span>
      </header>
      <div class="trace-body">
        <div class="trace-list" role="region" aria-label="Messages">
          <table><thead><tr><th>Time</th><th></th><th>Kind</th><th>Method</th><th>Id</th><th>Size</th><th>Duration</th><th>Status</th></tr></thead>
          <tbody>${drawn.map(row)}</tbody></table>
          ${rows.length ? nothing : html`<p class="muted">No messages yet. Everything the server and MCP Host say to each other appears here while this view is open.</p>`}
        </div>
        <div class="trace-details">${detailsPane()}</div>
      </div>`, app);
    if (follow && added) { const l = app.querySelector('.trace-list'); if (l) l.scrollTop = l.scrollHeight; }
    added = false;
    app.removeAttribute('aria-busy');
    app.dataset['ready'] = 'true';
  }

  draw();
  post({ type: 'ready' });
}

function prettify(text: string): string {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}
