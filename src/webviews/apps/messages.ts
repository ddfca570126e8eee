// The messages between the app panel's extension side (src/vscode/panels/appPanel.ts) and its
// page (src/webviews/browser/appHost.ts), the sandbox proxy that holds the app's frame. The
// app's own JSON-RPC travels inside `toApp` / `fromApp` and is never read by the page beyond
// its size and whether it is a request (to answer one it had to drop).

/** What the page measures: the theme, its variables and fonts, the frame's size. */
export interface PageContext {
  theme: 'light' | 'dark';
  variables: Record<string, string>;
  fonts?: string;
  width: number;
  height: number;
  timeZone?: string;
  userAgent?: string;
  touch?: boolean;
  hover?: boolean;
}

/** A CSP violation the app's document reported (through our preamble). */
export interface Violation { blockedURI: string; directive: string; sourceFile?: string; line?: number; sample?: string }

export interface AppPolicyView {
  /** `_meta.ui.csp` as declared, after checking (refused entries are in `refused`). */
  declared: { connectDomains: string[]; resourceDomains: string[]; frameDomains: string[]; baseUriDomains: string[] };
  /** The policy the app document carries. */
  applied: string;
  refused: string[];
  permissions: { declared: string[]; granted: string; ungrantable: string[] };
  warnings: string[];
}

export interface AppInit {
  type: 'init';
  /** The app's HTML, prepared (our policy and preamble first in its head, our nonce on its scripts). */
  html: string;
  /** The frame's `allow` attribute ('' for none). */
  allow: string;
  serverName: string;
  toolName?: string;
  uri: string;
  policy: AppPolicyView;
  prefersBorder?: boolean;
  limits: { messagesPerSecond: number; burst: number; maxMessageBytes: number; logEntries: number };
  displayMode: 'inline' | 'fullscreen';
}

export type ToAppPage =
  | AppInit
  | { type: 'toApp'; message: unknown }
  | { type: 'log'; kind: string; text: string }
  | { type: 'displayMode'; mode: 'inline' | 'fullscreen' }
  | { type: 'closed'; reason: string };

export type FromAppPage =
  | { type: 'ready'; context: PageContext }
  | { type: 'fromApp'; message: unknown }
  | { type: 'context'; context: PageContext }
  | { type: 'violation'; violation: Violation }
  | { type: 'dropped'; count: number; reason: string }
  | { type: 'reload' }
  | { type: 'close' }
  | { type: 'copy'; text: string; what: string };

/**
 * The app document's first script: reports CSP violations to our page under a key that is not
 * JSON-RPC, so the page can tell them from the app's messages. The app can forge one, which only
 * adds a line to its own debugger.
 */
export const VIOLATION_KEY = '__mcpHostCspViolation';
export const VIOLATION_PREAMBLE = `(function(){var p=window.parent;document.addEventListener('securitypolicyviolation',function(e){try{p.postMessage({${VIOLATION_KEY}:{blockedURI:String(e.blockedURI||''),directive:String(e.effectiveDirective||e.violatedDirective||''),sourceFile:String(e.sourceFile||''),line:e.lineNumber|0,sample:String(e.sample||'').slice(0,200)}},'*')}catch(_){}},true)})();`;
