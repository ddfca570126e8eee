// The Content-Security-Policy of an MCP App document (pure; used by the extension and the page).
//
// The spec's default (ext-apps 2026-01-26, "Content Security Policy"), used when `_meta.ui.csp` is
// omitted, is
//   default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';
//   img-src 'self' data:; media-src 'self' data:; connect-src 'none';
// and "CSP Construction" widens it only by the declared lists: script/style/img/font/media-src take
// resourceDomains, connect-src connectDomains, frame-src frameDomains (else 'none'), base-uri
// baseUriDomains (else 'self'), object-src 'none'. A host "MAY further restrict"; we do, three ways:
// - never 'self': the app runs in a srcdoc frame, whose 'self' is its creator's origin, and under
//   code-server that is the workbench's own origin (research note 2.2, 2.3);
// - scripts run by our nonce instead of 'unsafe-inline' (the frame inherits the webview page's
//   nonce policy anyway, so 'unsafe-inline' would not work; research note 2.3 B);
// - base-uri and frame-src fall back to 'none', and form-action 'none' is added.
// Every declared entry is checked again here (checkDomain), whoever built `meta`.

import { checkDomain, MAX_DOMAINS_PER_LIST, type DomainKind, type UiCsp, type UiPermission } from '../../protocol/apps.ts';

export interface AppCsp { policy: string; refused: string[] }
type DeclaredCsp = { [K in keyof UiCsp]?: readonly unknown[] };

const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

/** Validates and de-duplicates one declared list; refused entries get a sentence each. */
function sources(list: readonly unknown[] | undefined, field: keyof UiCsp, kind: DomainKind, refused: string[]): string[] {
  const out: string[] = [];
  if (list === undefined) return out;
  if (!Array.isArray(list)) { refused.push(`${field} is not an array; it is ignored.`); return out; }
  list.forEach((entry, i) => {
    const r = i >= MAX_DOMAINS_PER_LIST ? { reason: `is past the first ${MAX_DOMAINS_PER_LIST} entries` } : checkDomain(entry, kind);
    if ('reason' in r) refused.push(`${field}[${i}] ${typeof entry === 'string' ? JSON.stringify(entry) : String(entry)} is refused: it ${r.reason}.`);
    else if (!out.includes(r.source)) out.push(r.source);
  });
  return out;
}

interface Lists { R: string[]; C: string[]; F: string[]; B: string[] }

function lists(meta: { csp?: DeclaredCsp } | undefined, refused: string[]): Lists {
  const csp = meta?.csp ?? {};
  return {
    R: sources(csp.resourceDomains, 'resourceDomains', 'resource', refused),
    C: sources(csp.connectDomains, 'connectDomains', 'connect', refused),
    F: sources(csp.frameDomains, 'frameDomains', 'frame', refused),
    B: sources(csp.baseUriDomains, 'baseUriDomains', 'baseUri', refused),
  };
}

const or = (list: string[], ...base: string[]) => [...base, ...list].join(' ') || "'none'";
const join = (directives: [string, string][]) => directives.map(([name, value]) => `${name} ${value}`).join('; ');
function checkNonce(nonce: string, who: string): void {
  if (!NONCE.test(nonce)) throw new Error(`${who}: the nonce must be at least 16 base64 characters.`);
}

/** The policy for the app document, and why each refused entry was left out. `nonce` is base64 (≥16 chars). */
export function appCsp(meta: { csp?: DeclaredCsp } | undefined, nonce: string): AppCsp {
  checkNonce(nonce, 'appCsp');
  const refused: string[] = [];
  const { R, C, F, B } = lists(meta, refused);
  return {
    policy: join([
      ['default-src', "'none'"],
      ['script-src', or(R, `'nonce-${nonce}'`)],
      ['style-src', or(R, "'unsafe-inline'")],
      ['img-src', or(R, 'data:')],
      ['font-src', or(R)],
      ['media-src', or(R, 'data:')],
      ['connect-src', or(C)],
      ['frame-src', or(F)],
      ['base-uri', or(B)],
      ['form-action', "'none'"],
      ['object-src', "'none'"],
    ]),
    refused,
  };
}

/**
 * The policy of the webview page that holds the app's frame. A srcdoc frame inherits it, so it is
 * the upper bound of what the app can do whatever its document says: the page's own script (by
 * `pageNonce`, from `cspSource`), the app's scripts (by `appNonce`) and the declared domains, and
 * nothing else; never 'self' (under code-server the webview's origin is the workbench's).
 */
export function pageCsp(meta: { csp?: DeclaredCsp } | undefined, opts: { pageNonce: string; appNonce: string; cspSource: string }): string {
  checkNonce(opts.pageNonce, 'pageCsp');
  checkNonce(opts.appNonce, 'pageCsp');
  // VS Code's cspSource is "'self' https://*.vscode-cdn.net" (or with the extension's http(s) location
  // first): our assets come from the host source; 'self' is left out (see above).
  const hosts = opts.cspSource.split(/\s+/).filter(t => t !== '' && t !== "'self'");
  if (!hosts.length || hosts.some(t => !/^https?:\/\/[^\s;,'"]+$/.test(t))) throw new Error(`pageCsp: the webview cspSource ${JSON.stringify(opts.cspSource)} is not a list of http(s) sources.`);
  const src = hosts.join(' ');
  const { R, C, F, B } = lists(meta, []);
  return join([
    ['default-src', "'none'"],
    ['base-uri', or(B)],
    ['form-action', "'none'"],
    ['object-src', "'none'"],
    ['script-src', or(R, `'nonce-${opts.pageNonce}'`, `'nonce-${opts.appNonce}'`)],
    ['style-src', or(R, src, "'unsafe-inline'")],
    ['font-src', or(R, src)],
    ['img-src', or(R, src, 'data:')],
    ['media-src', or(R, 'data:')],
    ['connect-src', or(C)],
    ['frame-src', or(F)],
  ]);
}

// Permissions Policy only narrows from parent to child. The VS Code webview frame that holds our page
// is created with allow="cross-origin-isolated; autoplay; local-network-access; clipboard-read;
// clipboard-write" (code-server 4.139.1, webview/browser/pre/index.html), so camera, microphone and
// geolocation can never reach a frame inside it: delegating them would only make the app believe
// they might work. clipboard-write is the one the parent holds.
const GRANTABLE: Partial<Record<UiPermission, string>> = { clipboardWrite: 'clipboard-write' };

/** The iframe `allow` attribute for the declared permissions ('' when none can be granted). */
export function allowAttribute(permissions: readonly UiPermission[]): string {
  const out: string[] = [];
  for (const p of permissions) {
    const feature = GRANTABLE[p];
    if (feature && !out.includes(feature)) out.push(feature);
  }
  return out.join('; ');
}

/** The declared permissions a VS Code webview cannot grant, for the panel to show. */
export function ungrantablePermissions(permissions: readonly UiPermission[]): UiPermission[] {
  return permissions.filter(p => GRANTABLE[p] === undefined);
}
