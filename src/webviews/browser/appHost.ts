// The app panel's page: the sandbox proxy between the extension and one MCP App. It holds the
// app in <iframe sandbox="allow-scripts" srcdoc> (an opaque origin: no storage, no same-origin
// access to this page, VS Code or the extension), relays the app's JSON-RPC both ways, bounds
// it (a rate and a size per message; what overflows is dropped, counted, and a dropped request
// answered with an error), measures the theme and the frame for the host context, and draws
// the debugger: the message log, the CSP violations, the policy.
//
// Only the app's own window may speak as the app (`e.source === frame.contentWindow`); only
// this page's origin may speak as the extension. A frame the app nests has neither.

import { resolveStyleVariables, themeOf } from '../apps/hostStyles.ts';
import { VIOLATION_KEY, type AppInit, type FromAppPage, type PageContext, type ToAppPage, type Violation } from '../apps/messages.ts';
import './appHost.css';

interface VsCodeApi { postMessage(message: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const post = (m: FromAppPage) => vscode.postMessage(m);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

let init: AppInit | undefined;
let frame: HTMLIFrameElement | undefined;
let lastContext = '';
const counts = { toApp: 0, fromApp: 0, dropped: 0, violations: 0 };
let dropReported = 0;
let tokens = 0;
let refilledAt = 0;

// ---- the host context the page can see ---------------------------------------------------------

function context(): PageContext {
  const css = getComputedStyle(document.documentElement);
  const variables = resolveStyleVariables(name => css.getPropertyValue(name));
  const box = $('app-frame-box').getBoundingClientRect();
  const c: PageContext = {
    theme: themeOf([...document.body.classList]),
    variables,
    width: Math.round(box.width),
    height: Math.round(box.height),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    userAgent: navigator.userAgent,
    touch: matchMedia('(pointer: coarse)').matches,
    hover: matchMedia('(hover: hover)').matches,
  };
  const fonts = variables['--font-sans'];
  if (fonts) c.fonts = `body { font-family: ${fonts}; }`;
  return c;
}

let contextTimer: ReturnType<typeof setTimeout> | undefined;
function contextMaybeChanged(): void {
  clearTimeout(contextTimer);
  contextTimer = setTimeout(() => {
    const c = context();
    const text = JSON.stringify(c);
    if (text === lastContext) return;
    lastContext = text;
    post({ type: 'context', context: c });
  }, 100);
}

// ---- the log -------------------------------------------------------------------------------------

interface LogLine { at: number; dir: 'to-app' | 'from-app' | 'host' | 'dropped'; summary: string; detail?: string; kind?: string }
const log: LogLine[] = [];
let logDirty = false;

function summarize(m: unknown): string {
  if (!m || typeof m !== 'object') return typeof m;
  const o = m as { id?: unknown; method?: unknown; error?: { message?: unknown } };
  const id = o.id === undefined ? '' : ` #${String(o.id)}`;
  if (typeof o.method === 'string') return `${o.method}${id}`;
  if (o.error) return `error${id}: ${String(o.error.message ?? '')}`;
  return `result${id}`;
}

let refusals = 0;
function addLog(line: LogLine): void {
  // Refusals and warnings are also listed apart, where a flood of messages cannot push them out.
  if ((line.kind === 'refused' || line.kind === 'warning') && refusals++ < 200) $('app-refusals').append(el('li', {}, line.summary));
  log.push(line);
  const max = init?.limits.logEntries ?? 500;
  if (log.length > max) log.splice(0, log.length - max);
  if (line.kind === 'refused' || line.kind === 'warning') showNotice(line.summary, 'warning');
  if (!logDirty) { logDirty = true; setTimeout(renderLog, 200); }
}

function detail(m: unknown): string {
  const text = JSON.stringify(m, null, 2) ?? String(m);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n… (${text.length} characters)` : text;
}

function renderLog(): void {
  logDirty = false;
  $('app-counts').textContent = `${counts.fromApp} from the app · ${counts.toApp} to the app · ${counts.dropped} dropped · ${counts.violations} blocked by the CSP`;
  const box = $('app-log');
  if ($('app-debugger').hidden) return;
  const arrow = { 'to-app': '→', 'from-app': '←', host: '•', dropped: '✕' } as const;
  const stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(...log.map(l => {
    const head = `${new Date(l.at).toLocaleTimeString()} ${arrow[l.dir]} ${l.summary}`;
    const cls = `app-log-line app-log-${l.kind ?? l.dir}`;
    return l.detail === undefined ? el('div', { className: cls }, head) : el('details', { className: cls }, el('summary', {}, head), el('pre', {}, l.detail));
  }));
  if (stick) box.scrollTop = box.scrollHeight;
}

function showNotice(text: string, level: 'warning' | 'info'): void {
  const n = $('app-notice');
  n.textContent = text;
  n.className = `app-notice app-notice-${level}`;
  n.hidden = false;
}

// ---- the app's messages ---------------------------------------------------------------------------

/** Token bucket: `messagesPerSecond` sustained, `burst` at once. */
function admit(): boolean {
  const { messagesPerSecond, burst } = init!.limits;
  const now = performance.now();
  tokens = Math.min(burst, tokens + ((now - refilledAt) * messagesPerSecond) / 1000);
  refilledAt = now;
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

function drop(message: unknown, reason: string): void {
  counts.dropped++;
  const m = message as { id?: unknown; method?: unknown } | null;
  // A dropped request still gets an answer, so the app does not wait forever.
  if (m && typeof m === 'object' && typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number')) {
    frame?.contentWindow?.postMessage({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: `MCP Host dropped this request: ${reason}` } }, '*');
  }
  if (counts.dropped - dropReported >= 1 && !dropTimer) {
    dropTimer = setTimeout(() => {
      dropTimer = undefined;
      const n = counts.dropped - dropReported;
      dropReported = counts.dropped;
      post({ type: 'dropped', count: n, reason });
      addLog({ at: Date.now(), dir: 'dropped', kind: 'warning', summary: `Dropped ${n} message(s) from the app: ${reason}.` });
    }, 500);
  }
  if (!logDirty) { logDirty = true; setTimeout(renderLog, 200); }
}
let dropTimer: ReturnType<typeof setTimeout> | undefined;

function fromApp(data: unknown): void {
  if (data && typeof data === 'object' && VIOLATION_KEY in data) {
    violation((data as Record<string, Violation>)[VIOLATION_KEY]!);
    return;
  }
  if (!init) return;
  if (!admit()) { drop(data, `the app sent more than ${init.limits.burst} messages at once or ${init.limits.messagesPerSecond} a second`); return; }
  let size: number;
  try { size = JSON.stringify(data)?.length ?? 0; } catch { drop(data, 'the message cannot be serialized'); return; }
  if (size > init.limits.maxMessageBytes) { drop(data, `a message of ${size} characters is over the ${init.limits.maxMessageBytes} limit`); return; }
  counts.fromApp++;
  if ((data as { method?: unknown }).method === 'ui/notifications/initialized') $('app-status').textContent = 'Running';
  addLog({ at: Date.now(), dir: 'from-app', summary: summarize(data), detail: detail(data) });
  post({ type: 'fromApp', message: data });
}

function violation(v: Violation): void {
  if (!v || typeof v !== 'object') return;
  counts.violations++;
  if (counts.violations > 1000) return; // counted, no longer listed
  const probe = v.blockedURI === 'eval';
  const text = probe
    ? `CSP: eval blocked (${v.directive}) — an eval probe, expected: apps may not evaluate strings.`
    : `CSP blocked ${v.blockedURI || '(inline)'} (${v.directive})${v.sourceFile ? ` from ${v.sourceFile}${v.line ? `:${v.line}` : ''}` : ''}.`;
  const item = el('li', { className: probe ? 'app-violation-probe' : 'app-violation' }, text);
  $('app-violations').append(item);
  addLog({ at: Date.now(), dir: 'host', kind: probe ? 'info' : 'warning', summary: text });
  post({ type: 'violation', violation: v });
}

// ---- the extension's messages ---------------------------------------------------------------------

function fromExtension(m: ToAppPage): void {
  switch (m.type) {
    case 'init': start(m); break;
    case 'toApp':
      counts.toApp++;
      addLog({ at: Date.now(), dir: 'to-app', summary: summarize(m.message), detail: detail(m.message) });
      frame?.contentWindow?.postMessage(m.message, '*');
      break;
    case 'log': addLog({ at: Date.now(), dir: 'host', kind: m.kind, summary: m.text }); break;
    case 'displayMode': document.body.classList.toggle('fullscreen', m.mode === 'fullscreen'); contextMaybeChanged(); break;
    case 'closed':
      frame?.remove();
      frame = undefined;
      $('app-closed').hidden = false;
      $('app-closed-text').textContent = m.reason;
      $('app-status').textContent = 'Closed';
      break;
  }
}

function start(m: AppInit): void {
  if (frame) {
    // Reloaded in place (same policy): the new app replaces the old one; the log goes on.
    frame.remove();
    frame = undefined;
    $('app-violations').replaceChildren();
    $('app-refusals').replaceChildren();
    refusals = 0;
    addLog({ at: Date.now(), dir: 'host', kind: 'info', summary: '— reloaded —' });
  }
  $('app-closed').hidden = true;
  init = m;
  tokens = m.limits.burst;
  refilledAt = performance.now();
  $('app-title').textContent = m.toolName ? `${m.toolName} — ${m.serverName}` : m.serverName;
  $('app-uri').textContent = m.uri;
  document.body.classList.toggle('fullscreen', m.displayMode === 'fullscreen');
  document.body.classList.toggle('app-border', m.prefersBorder !== false);
  renderPolicy(m);
  const f = document.createElement('iframe');
  f.id = 'app-frame';
  f.title = `App of ${m.serverName}`;
  // Scripts only: no same-origin, forms, popups, modals, downloads or top navigation.
  f.setAttribute('sandbox', 'allow-scripts');
  if (m.allow) f.setAttribute('allow', m.allow);
  f.srcdoc = m.html;
  frame = f;
  $('app-frame-box').append(f);
  $('app-status').textContent = 'Loading…';
}

function renderPolicy(m: AppInit): void {
  const p = m.policy;
  const list = (items: string[], none: string) => (items.length ? el('ul', {}, ...items.map(i => el('li', {}, i))) : el('span', { className: 'app-muted' }, none));
  const rows: [string, Node][] = [
    ['Resource', el('code', {}, m.uri)],
    ['connectDomains', list(p.declared.connectDomains, 'none declared')],
    ['resourceDomains', list(p.declared.resourceDomains, 'none declared')],
    ['frameDomains', list(p.declared.frameDomains, 'none declared')],
    ['baseUriDomains', list(p.declared.baseUriDomains, 'none declared')],
    ['Applied CSP', el('code', { id: 'app-applied-csp' }, p.applied)],
    ['Permissions', el('span', {}, p.permissions.declared.length ? p.permissions.declared.join(', ') : 'none declared')],
    ['Granted (allow)', el('code', {}, p.permissions.granted || 'none')],
  ];
  if (p.permissions.ungrantable.length) rows.push(['Not grantable here', el('span', {}, `${p.permissions.ungrantable.join(', ')} (a VS Code webview cannot delegate them)`)]);
  if (p.refused.length) rows.push(['Refused entries', list(p.refused, '')]);
  if (p.warnings.length) rows.push(['Warnings', list(p.warnings, '')]);
  rows.push(['Sandbox', el('code', {}, 'allow-scripts (opaque origin: no storage, cookies, forms, pop-ups or top navigation)')]);
  $('app-policy').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

// ---- wiring ---------------------------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent) => {
  if (frame && e.source === frame.contentWindow) { fromApp(e.data); return; }
  if (e.origin !== window.location.origin) return; // a frame the app nested, or anyone else
  const data = e.data as { type?: unknown } | null;
  if (data && typeof data === 'object' && typeof data.type === 'string') fromExtension(data as ToAppPage);
});

$('app-reload').addEventListener('click', () => post({ type: 'reload' }));
$('app-reopen').addEventListener('click', () => post({ type: 'reload' }));
$('app-close').addEventListener('click', () => post({ type: 'close' }));
$('app-debug').addEventListener('click', () => {
  const d = $('app-debugger');
  d.hidden = !d.hidden;
  $('app-debug').setAttribute('aria-pressed', String(!d.hidden));
  renderLog();
  contextMaybeChanged();
});
$('app-copy-log').addEventListener('click', () => post({ type: 'copy', what: 'the app message log', text: log.map(l => `${new Date(l.at).toISOString()} ${l.dir} ${l.summary}${l.detail ? `\n${l.detail}` : ''}`).join('\n') }));
new ResizeObserver(contextMaybeChanged).observe($('app-frame-box'));
new MutationObserver(contextMaybeChanged).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new MutationObserver(contextMaybeChanged).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
window.addEventListener('keydown', e => {
  if (e.key === 'F5' || ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'r')) { e.preventDefault(); post({ type: 'reload' }); }
});

const first = context();
lastContext = JSON.stringify(first);
post({ type: 'ready', context: first });
