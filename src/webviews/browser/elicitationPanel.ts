// An elicitation form: the server's message, every field at once (the same form renderer
// as the tool panel), Accept, Decline and Cancel. Nothing is sent until the user says so.

import { html, nothing, render } from 'lit';
import type { ElicitationInit, ElicitationToWebview } from '../protocol.ts';
import { getState, onMessage, post, setState } from './api.ts';
import { FormView } from './formView.ts';

export function mountElicitationPanel(app: HTMLElement): void {
  let init: ElicitationInit | undefined;
  let form: FormView | undefined;
  let closed: string | undefined;
  let frame = 0;
  const requestRender = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); }); };

  onMessage<ElicitationToWebview>(m => {
    if (m.type === 'init') {
      init = m;
      closed = m.closed;
      // A hidden panel's page is unloaded: what was typed so far is kept with setState.
      const saved = getState<{ requestId: number; value: unknown }>();
      const requestId = m.requestId;
      form = new FormView(m.schema, saved?.requestId === requestId ? saved.value : undefined, {
        idPrefix: 'el', expect: 'object', plainDescriptions: true, requestRender, onChange: value => setState({ requestId, value }),
      });
    } else if (m.type === 'closed') {
      closed = m.reason;
    }
    requestRender();
  });

  function accept(): void {
    if (!form || closed) return;
    form.revealProblems();
    if (form.problemCount > 0) { requestRender(); return; }
    post({ type: 'answer', action: 'accept', content: form.current as Record<string, unknown> });
  }

  app.addEventListener('keydown', e => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); accept(); }
  });

  function draw(): void {
    if (!init || !form) { render(html`<p class="muted">Loading…</p>`, app); return; }
    const f = form;
    const problems = f.problemCount;
    render(html`<header class="tool-header">
        <h1>${init.serverName} asks for information</h1>
        <blockquote class="server-message">${init.message}</blockquote>
        <p class="muted">Only what you submit is sent to the server. Decline says no; Cancel dismisses the request.</p>
      </header>
      ${closed ? html`<div class="error-banner" role="alert">${closed}</div>` : nothing}
      <section class="arguments" aria-label="Requested information">
        <vscode-checkbox toggle label="Edit as JSON" .checked=${f.jsonView} @change=${(e: Event) => { f.setJsonView((e.target as HTMLInputElement).checked); requestRender(); }}></vscode-checkbox>
        ${f.template()}
      </section>
      <div class="actions">
        <vscode-button id="accept" ?disabled=${!!closed} @click=${accept} title="Submit (Ctrl+Enter)">Submit</vscode-button>
        <vscode-button id="decline" secondary ?disabled=${!!closed} @click=${() => post({ type: 'answer', action: 'decline' })}>Decline</vscode-button>
        <vscode-button id="cancel" secondary ?disabled=${!!closed} @click=${() => post({ type: 'answer', action: 'cancel' })}>Cancel</vscode-button>
        <span class="status" role="status" aria-live="polite">${problems ? `${problems} problem${problems === 1 ? '' : 's'} to fix` : ''}</span>
      </div>`, app);
    f.afterRender(app);
    app.removeAttribute('aria-busy');
    app.dataset['ready'] = 'true';
  }

  draw();
  post({ type: 'ready' });
}
