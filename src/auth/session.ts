// One server's sign-in state, as the transports' RequestAuth: the token for each request,
// and what a 401 or 403 leads to. The policy (MCP authorization, 2025-11-25 and
// 2026-07-28):
//   401 DPoP `use_dpop_nonce` → the nonce is taken, the request goes again (no sign-in);
//   401 with a refresh token in hand → refresh, once; then, or without one → the whole flow
//     from the protected-resource metadata (never a cached authorization server: it may
//     have moved), silently for the grants without a person, in the browser otherwise;
//   403 `insufficient_scope` → the union of the scopes asked before, granted and
//     challenged; a new authorization only when that widens what the token has, once per
//     request; any other 403 is "access denied";
//   a request nobody waits on (the GET stream) or a host that may not prompt now (VS Code
//     before the user clicks Sign In) → "needs sign-in", never a browser.
// Concurrent 401s share one flow. The flow itself (discovery, registration, the grants,
// DPoP) is `flow.ts`, loaded on first use: in the bundles it is dist/auth.js.

import { lazyBundle } from '../base/bundled.ts';
import { Emitter, type Event } from '../base/event.ts';
import { LocalError, errorMessage } from '../protocol/errors.ts';
import type { AuthRequest, AuthResponse, AuthVerdict, RequestAuth } from '../transports/requestAuth.ts';
import { readAuthChallenge, scopeSet, widens, type AuthChallenge } from './challenge.ts';
import type { AuthHost, OAuthConfig, ServerAuthInfo, TokenSet } from './types.ts';

export type FlowModule = typeof import('./flow.ts');
/** The flow, loaded once: dist/auth.js beside the bundle, or the source module. */
export const loadFlow = lazyBundle<FlowModule>('auth', () => { const source = './flow.ts'; return import(source); });

export interface OAuthSessionOptions {
  /** The server's name, for messages. */
  serverName: string;
  serverUrl: URL;
  config: OAuthConfig;
  host: AuthHost;
  /** Whether a browser may open now (VS Code: once the user asked to sign in). Default: yes. */
  mayPrompt?(): boolean;
  /** Each token obtained or loaded (for the redactor: no token in a log). */
  onSecret?(value: string): void;
}

/** Keys in the TokenStore: one token per authorization server and resource. */
export const tokenKey = (issuer: string, resource: string) => `token/${issuer}|${resource}`;
/** Where the last sign-in for a server URL went, so a restart finds its token. */
export const serverKey = (serverUrl: URL) => `server/${serverUrl.href}`;

export class OAuthSession implements RequestAuth {
  private readonly opts: OAuthSessionOptions;
  private token: TokenSet | undefined;
  private info: ServerAuthInfo | undefined;
  private loaded: Promise<void> | undefined;
  private flow: Promise<void> | undefined;
  /** DPoP nonces by origin (RFC 9449 §8, §9): the latest any response gave. */
  private readonly nonces = new Map<string, string>();
  /** Scopes a step-up asked for and did not get, by what was asked: no second loop. */
  private readonly failedStepUps = new Set<string>();
  /** The token each request went with: one refused with a token since replaced just goes again. */
  private readonly sentWith = new WeakMap<AuthRequest, TokenSet | undefined>();
  /** Requests a whole sign-in already ran for: refused again, they fail (never a second browser). */
  private readonly signedInFor = new WeakSet<AuthRequest>();
  private readonly _onDidChange = new Emitter<'signed-in' | 'needs-sign-in' | 'signed-out'>();
  /** Fired when the state a user sees changes (a token arrived, a sign-in is needed, signed out). */
  readonly onDidChange: Event<'signed-in' | 'needs-sign-in' | 'signed-out'> = this._onDidChange.event;

  constructor(options: OAuthSessionOptions) {
    this.opts = options;
  }

  get signedIn(): boolean { return !!this.token; }
  get authInfo(): ServerAuthInfo | undefined { return this.info; }

  async headers(req: AuthRequest): Promise<Record<string, string>> {
    await this.load();
    const t = this.token;
    this.sentWith.set(req, t);
    if (!t) return {};
    if (t.tokenType === 'dpop' && t.dpopJwk) {
      const flow = await loadFlow();
      const proof = await flow.dpopProof(t.dpopJwk, req.method, req.url, t.accessToken, this.nonces.get(req.url.origin));
      return { authorization: `DPoP ${t.accessToken}`, dpop: proof };
    }
    return { authorization: `Bearer ${t.accessToken}` };
  }

  observe(req: AuthRequest, headers: Record<string, string | string[] | undefined>): void {
    const nonce = headers['dpop-nonce'];
    if (typeof nonce === 'string' && nonce) this.nonces.set(req.url.origin, nonce);
  }

  async challenge(req: AuthRequest, res: AuthResponse, attempt: number): Promise<AuthVerdict> {
    const c = readAuthChallenge(res.headers['www-authenticate']);
    const name = this.opts.serverName;
    try {
      if (res.status === 401 && c.error === 'use_dpop_nonce' && this.token?.tokenType === 'dpop') {
        // observe() took the nonce from this response already; a second nonce demand for the same request is a refusal.
        if (attempt > 2) return this.refuse(`${name} keeps asking for a new DPoP nonce`);
        return { retry: true };
      }
      if (res.status === 403) {
        if (c.error !== 'insufficient_scope') return this.refuse(`${name} refused the request (HTTP 403${c.errorDescription ? `: ${c.errorDescription}` : ''}): access denied`);
        const granted = scopeSet(this.token?.scope ?? this.token?.requestedScope);
        const wanted = scopeSet(this.token?.requestedScope, this.token?.scope, c.scope);
        const key = wanted.join(' ');
        if (!widens(wanted, granted) || this.failedStepUps.has(key)) {
          return this.refuse(`${name} needs more access (scope ${c.scope ?? 'unnamed'}) than the sign-in grants${this.failedStepUps.has(key) ? ', and asking again did not help' : ''}`);
        }
        this.failedStepUps.add(key);
        await this.signIn(req, c, wanted, { refresh: false });
        return { retry: true };
      }
      if (attempt > 2 || this.signedInFor.has(req)) return this.refuse(`${name} still refuses the credentials after signing in`);
      if (this.token && this.sentWith.get(req) !== this.token) return { retry: true }; // another flow got a new token meanwhile
      if (this.flow) { await this.flow; return { retry: true }; }
      await this.signIn(req, c, undefined, { refresh: attempt === 1 && res.hadCredentials });
      return { retry: true };
    } catch (err) {
      if (err instanceof LocalError && err.code === 'auth') return { retry: false, error: err };
      if (err instanceof LocalError && err.code === 'cancelled') return { retry: false, error: err };
      return this.refuse(`signing in to ${name} failed: ${errorMessage(err)}`);
    }
  }

  /** Runs the flow now (the Sign In command), whatever the current token. */
  async signInNow(signal?: AbortSignal): Promise<void> {
    await this.load();
    await this.signIn({ method: 'POST', url: this.opts.serverUrl, interactive: true, ...(signal ? { signal } : {}) }, { scheme: undefined }, undefined, { refresh: false, force: true, asked: true });
  }

  /** Revokes what the authorization server lets us revoke and forgets the token; whether there was one. */
  async signOut(): Promise<boolean> {
    await this.load();
    const token = this.token, info = this.info;
    this.token = undefined;
    const store = this.opts.host.store;
    if (info) await store.delete(tokenKey(info.issuer, info.resource));
    await store.delete(serverKey(this.opts.serverUrl));
    if (token && info) {
      const flow = await loadFlow();
      await flow.revoke({ ...this.flowContext(new AbortController().signal, { scheme: undefined }, true), info }, token).catch(() => undefined);
    }
    this._onDidChange.fire('signed-out');
    return !!token;
  }

  // ---- internals ----

  private tell(t: TokenSet): void {
    this.opts.onSecret?.(t.accessToken);
    if (t.refreshToken) this.opts.onSecret?.(t.refreshToken);
  }

  private refuse(message: string): AuthVerdict {
    return { retry: false, error: new LocalError('auth', message) };
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const store = this.opts.host.store;
      try {
        const where = await store.get(serverKey(this.opts.serverUrl));
        if (!where) return;
        const { issuer, resource } = JSON.parse(where) as { issuer: string; resource: string };
        const saved = await store.get(tokenKey(issuer, resource));
        if (!saved) return;
        const parsed = JSON.parse(saved) as { token: TokenSet; info: ServerAuthInfo };
        this.token = parsed.token;
        this.info = parsed.info;
        this.tell(parsed.token);
      } catch { /* an unreadable entry is as good as none */ }
    })();
    return this.loaded;
  }

  private async save(): Promise<void> {
    const { token, info } = this;
    if (!token || !info) return;
    const store = this.opts.host.store;
    await store.set(tokenKey(info.issuer, info.resource), JSON.stringify({ token, info }));
    await store.set(serverKey(this.opts.serverUrl), JSON.stringify({ issuer: info.issuer, resource: info.resource }));
  }

  private flowContext(signal: AbortSignal, challenge: AuthChallenge, interactive: boolean) {
    return {
      serverName: this.opts.serverName, serverUrl: this.opts.serverUrl, config: this.opts.config, host: this.opts.host,
      challenge, signal, interactive,
    };
  }

  /** One flow at a time per server; a 401 that arrives meanwhile waits for it, then retries. */
  private async signIn(req: AuthRequest, c: AuthChallenge, scope: string[] | undefined, how: { refresh: boolean; force?: boolean; asked?: boolean }): Promise<void> {
    if (this.flow && !how.force) { await this.flow; return; }
    const run = this.runFlow(req, c, scope, how).finally(() => { if (this.flow === run) this.flow = undefined; });
    this.flow = run;
    await run;
  }

  /** `how.asked`: the person asked to sign in (the command), so the browser may open whatever mayPrompt says. */
  private async runFlow(req: AuthRequest, c: AuthChallenge, scope: string[] | undefined, how: { refresh: boolean; asked?: boolean }): Promise<void> {
    const signal = req.signal ?? new AbortController().signal;
    const flow = await loadFlow();
    const silent = this.opts.config.grant === 'client_credentials' || this.opts.config.grant === 'jwt-bearer';
    if (how.refresh && this.token?.refreshToken && this.info) {
      const refreshed = await flow.refresh({ ...this.flowContext(signal, c, false), info: this.info }, this.token).catch(() => undefined);
      if (refreshed) { this.tell(refreshed); this.token = refreshed; await this.save(); this._onDidChange.fire('signed-in'); return; }
    }
    const interactive = silent || how.asked || (req.interactive && (this.opts.mayPrompt?.() ?? true));
    if (!interactive) {
      this._onDidChange.fire('needs-sign-in');
      throw new LocalError('auth', `${this.opts.serverName} needs you to sign in`);
    }
    const previous = this.token;
    this.signedInFor.add(req);
    const result = await flow.authorize({ ...this.flowContext(signal, c, true), ...(scope ? { scope } : {}), ...(previous ? { previous } : {}) });
    this.tell(result.token);
    this.token = result.token;
    this.info = result.info;
    await this.save();
    this._onDidChange.fire('signed-in');
  }
}
