// The sign-in itself, loaded on first use (dist/auth.js): discovery → the authorization
// server → a client (configured, a Client ID Metadata Document, or dynamic registration)
// → a grant (the browser's authorization code with PKCE, client credentials, a JWT
// bearer assertion) → a token, DPoP-bound when the server offers it. oauth4webapi does
// PKCE, the RFC 9207 callback checks, the grants and the DPoP proofs at the token
// endpoint; the order and the MCP-specific rules are here.

import type { webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { LocalError } from '../protocol/errors.ts';
import type { AuthChallenge } from './challenge.ts';
import { scopeSet } from './challenge.ts';
import { basicAuth, clientAuthFor } from './clientAuth.ts';
import { discoverAuthorizationServer, discoverResource, requirePkce } from './discovery.ts';
import { exportKey, importKey, resourceProof } from './dpop.ts';
import { isLoopback } from './http.ts';
import { loopbackReceiver } from './loopback.ts';
import { clientFor, type ClientRecord } from './registration.ts';
import type { AuthHost, OAuthConfig, ServerAuthInfo, TokenSet } from './types.ts';

export { resourceProof as dpopProof };

export interface FlowContext {
  serverName: string;
  serverUrl: URL;
  config: OAuthConfig;
  host: AuthHost;
  challenge: AuthChallenge;
  signal: AbortSignal;
  interactive: boolean;
  /** Scopes to ask for (a step-up's union); else the challenge's, the server's, or none. */
  scope?: string[];
  /** The token being replaced. */
  previous?: TokenSet;
  info?: ServerAuthInfo;
}

const fail = (message: string) => new LocalError('auth', message);
/** How long a browser sign-in may take. */
const BROWSER_TIMEOUT_MS = 5 * 60_000;

function httpOptions(url: string, signal: AbortSignal): { signal: AbortSignal; [oauth.allowInsecureRequests]?: boolean } {
  return { signal, ...(isLoopback(new URL(url)) ? { [oauth.allowInsecureRequests]: true } : {}) };
}

/** Discovery, from the protected-resource metadata (never a remembered server: it may have moved). */
async function discover(ctx: FlowContext): Promise<{ info: ServerAuthInfo; as: oauth.AuthorizationServer }> {
  ctx.host.onProgress?.(`Looking up where ${ctx.serverName} signs in…`);
  const prm = await discoverResource(ctx.serverUrl, ctx.challenge, ctx.signal);
  const legacy = !prm;
  const issuer = prm ? (ctx.config.issuer && prm.authorizationServers.includes(ctx.config.issuer) ? ctx.config.issuer : prm.authorizationServers[0]!) : ctx.serverUrl.origin;
  const found = await discoverAuthorizationServer(issuer, ctx.signal, legacy);
  const resource = prm?.resource ?? `${ctx.serverUrl.origin}${ctx.serverUrl.pathname}`.replace(/\/$/, '');
  const info: ServerAuthInfo = { resource, issuer: found.issuer, metadata: found.metadata, ...(prm?.scopesSupported ? { scopesSupported: prm.scopesSupported } : {}) };
  return { info, as: found.metadata as unknown as oauth.AuthorizationServer };
}

/** The scope to ask for: what we were told, else the challenge's, else all the server lists, else none. */
function chooseScope(ctx: FlowContext, info: ServerAuthInfo, client: ClientRecord): string | undefined {
  const base = ctx.scope ?? ctx.config.scopes ?? (ctx.challenge.scope ? scopeSet(ctx.challenge.scope) : info.scopesSupported);
  if (!base?.length) return undefined;
  const offered = info.metadata.scopes_supported;
  // offline_access only when the server offers it and the client may refresh (2026-07-28).
  const offline = Array.isArray(offered) && offered.includes('offline_access') && client.grantTypes.includes('refresh_token') ? ['offline_access'] : [];
  return scopeSet(base.join(' '), offline.join(' ')).join(' ');
}

function wantsDpop(ctx: FlowContext, as: oauth.AuthorizationServer): boolean {
  const algs = (as as { dpop_signing_alg_values_supported?: unknown }).dpop_signing_alg_values_supported;
  return ctx.config.dpop !== false && Array.isArray(algs) && algs.includes('ES256');
}

/** A token request, once more with the server's nonce if it asks for one (RFC 9449 §8). */
async function withNonceRetry<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (oauth.isDPoPNonceError(err)) return send();
    throw err;
  }
}

function tokenSet(res: oauth.TokenEndpointResponse, asked: string | undefined, dpopJwk: webcrypto.JsonWebKey | undefined): TokenSet {
  const type = String(res.token_type ?? 'bearer').toLowerCase();
  if (type !== 'bearer' && type !== 'dpop') throw fail(`the authorization server issued a "${res.token_type}" token, which MCP Host cannot use`);
  return {
    accessToken: res.access_token,
    tokenType: type,
    ...(typeof res.expires_in === 'number' ? { expiresAt: Date.now() + res.expires_in * 1000 } : {}),
    ...(res.refresh_token ? { refreshToken: res.refresh_token } : {}),
    ...(res.scope ?? asked ? { scope: (res.scope ?? asked)! } : {}),
    ...(asked ? { requestedScope: asked } : {}),
    ...(type === 'dpop' && dpopJwk ? { dpopJwk } : {}),
  };
}

/** The whole flow; resolves with the new token and where it came from. */
export async function authorize(ctx: FlowContext): Promise<{ token: TokenSet; info: ServerAuthInfo }> {
  const { info, as } = await discover(ctx);
  const grant = ctx.config.grant ?? 'authorization_code';
  const keyPair = wantsDpop(ctx, as) ? await oauth.generateKeyPair('ES256', { extractable: true }) : undefined;
  const jwk = keyPair ? await exportKey(keyPair) : undefined;

  if (grant === 'client_credentials' || grant === 'jwt-bearer' || grant === 'id-jag') {
    const client = await clientFor(ctx, info, as, undefined);
    const oclient: oauth.Client = { client_id: client.clientId };
    const auth = await clientAuthFor(ctx.config, client, as);
    const scope = chooseScope(ctx, info, client);
    const params = new URLSearchParams({ resource: info.resource, ...(scope ? { scope } : {}) });
    const DPoP = keyPair ? oauth.DPoP(oclient, keyPair) : undefined;
    const opts = { ...httpOptions(String(as.token_endpoint), ctx.signal), ...(DPoP ? { DPoP } : {}) };
    let res: oauth.TokenEndpointResponse;
    if (grant === 'client_credentials') {
      res = await withNonceRetry(async () => oauth.processClientCredentialsResponse(as, oclient, await oauth.clientCredentialsGrantRequest(as, oclient, auth, params, opts)));
    } else {
      const assertion = grant === 'id-jag' ? await identityAssertion(ctx, info, scope) : ctx.config.assertion;
      if (!assertion) throw fail(`${ctx.serverName}: the jwt-bearer grant needs an assertion (oauth.assertion, or --assertion)`);
      params.set('assertion', assertion);
      // Workload identity: an error is reported as it is, never retried with another grant.
      res = await oauth.processGenericTokenEndpointResponse(as, oclient,
        await oauth.genericTokenEndpointRequest(as, oclient, auth, 'urn:ietf:params:oauth:grant-type:jwt-bearer', params, opts));
    }
    return { token: tokenSet(res, scope, jwk), info };
  }

  // The browser: authorization code with PKCE S256, state, the resource, RFC 9207 iss.
  requirePkce(info.metadata, info.issuer);
  if (typeof as.authorization_endpoint !== 'string') throw fail(`the authorization server ${info.issuer} has no authorization endpoint`);
  const receiver = await (ctx.host.redirectReceiver?.() ?? loopbackReceiver());
  try {
    const client = await clientFor(ctx, info, as, receiver.redirectUri);
    const oclient: oauth.Client = { client_id: client.clientId };
    const auth = await clientAuthFor(ctx.config, client, as);
    const scope = chooseScope(ctx, info, client);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('redirect_uri', receiver.redirectUri);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('resource', info.resource);
    if (scope) url.searchParams.set('scope', scope);
    if (scope?.split(' ').includes('offline_access')) url.searchParams.set('prompt', 'consent');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) throw fail(`the authorization page ${url.origin} is neither https nor on this machine`);
    const wait = AbortSignal.any([ctx.signal, AbortSignal.timeout(BROWSER_TIMEOUT_MS)]);
    ctx.host.onProgress?.(`Waiting for you to sign in to ${ctx.serverName} in the browser…`);
    const arrived = receiver.wait(wait);
    await ctx.host.openUrl(url, wait);
    const params = await arrived.catch(err => {
      if (ctx.signal.aborted) throw new LocalError('cancelled', `signing in to ${ctx.serverName} was cancelled`);
      throw fail(`signing in to ${ctx.serverName}: no answer from the browser (${(err as Error).message})`);
    });
    let callback: URLSearchParams;
    try {
      callback = oauth.validateAuthResponse(as, oclient, params, state);
    } catch (err) {
      throw fail(`signing in to ${ctx.serverName} failed: ${describeCallbackError(err)}`);
    }
    const DPoP = keyPair ? oauth.DPoP(oclient, keyPair) : undefined;
    const opts = { ...httpOptions(String(as.token_endpoint), ctx.signal), additionalParameters: { resource: info.resource }, ...(DPoP ? { DPoP } : {}) };
    const res = await withNonceRetry(async () => oauth.processAuthorizationCodeResponse(as, oclient,
      await oauth.authorizationCodeGrantRequest(as, oclient, auth, callback, receiver.redirectUri, verifier, opts)));
    return { token: tokenSet(res, scope, jwk), info };
  } finally {
    receiver.dispose();
  }
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';

/**
 * Enterprise-managed authorization's first leg (RFC 8693 at the identity provider): the
 * user's ID token for an ID-JAG naming this authorization server and resource.
 */
async function identityAssertion(ctx: FlowContext, info: ServerAuthInfo, scope: string | undefined): Promise<string> {
  const idp = ctx.config.idp;
  if (!idp) throw fail(`${ctx.serverName}: the id-jag grant needs the identity provider (oauth.idp, or --idp-token-endpoint, --idp-client-id and --id-token)`);
  const as: oauth.AuthorizationServer = { issuer: new URL(idp.tokenEndpoint).origin, token_endpoint: idp.tokenEndpoint };
  const client: oauth.Client = { client_id: idp.clientId };
  const auth = idp.clientSecret ? basicAuth(idp.clientId, idp.clientSecret) : oauth.None();
  const params = new URLSearchParams({
    requested_token_type: ID_JAG, audience: info.issuer, resource: info.resource,
    subject_token: idp.idToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    ...(scope ? { scope } : {}),
  });
  ctx.host.onProgress?.(`Asking the identity provider for ${ctx.serverName}'s authorization grant…`);
  const res = await oauth.processGenericTokenEndpointResponse(as, client,
    await oauth.genericTokenEndpointRequest(as, client, auth, TOKEN_EXCHANGE, params, httpOptions(idp.tokenEndpoint, ctx.signal)),
    { recognizedTokenTypes: { n_a: () => {} } });
  if ((res as { issued_token_type?: unknown }).issued_token_type !== ID_JAG) throw fail(`the identity provider answered with a ${String((res as { issued_token_type?: unknown }).issued_token_type)}, not an ID-JAG`);
  return res.access_token;
}

/** The RFC 9207 / state failures in words; never the server's `error` text after an iss mismatch. */
function describeCallbackError(err: unknown): string {
  if (err instanceof oauth.AuthorizationResponseError) return `the authorization server said ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  const message = (err as Error).message ?? String(err);
  if (/"iss"/.test(message)) return `the redirect's issuer (iss) check failed: ${message}`;
  if (/"state"/.test(message)) return `the redirect's state check failed: ${message}`;
  return message;
}

/** A new access token from the refresh token; undefined when the server refuses it (sign in again). */
export async function refresh(ctx: FlowContext & { info: ServerAuthInfo }, token: TokenSet): Promise<TokenSet | undefined> {
  if (!token.refreshToken) return undefined;
  const as = ctx.info.metadata as unknown as oauth.AuthorizationServer;
  const client = await clientFor(ctx, ctx.info, as, undefined, { storedOnly: true });
  if (!client) return undefined;
  const oclient: oauth.Client = { client_id: client.clientId };
  const auth = await clientAuthFor(ctx.config, client, as);
  const keyPair = token.dpopJwk ? await importKey(token.dpopJwk) : undefined;
  const DPoP = keyPair ? oauth.DPoP(oclient, keyPair) : undefined;
  const opts = { ...httpOptions(String(as.token_endpoint), ctx.signal), additionalParameters: { resource: ctx.info.resource }, ...(DPoP ? { DPoP } : {}) };
  try {
    const res = await withNonceRetry(async () => oauth.processRefreshTokenResponse(as, oclient, await oauth.refreshTokenGrantRequest(as, oclient, auth, token.refreshToken!, opts)));
    const next = tokenSet(res, token.requestedScope, token.dpopJwk);
    return next.refreshToken ? next : { ...next, refreshToken: token.refreshToken };
  } catch {
    return undefined;
  }
}

/** Revokes the refresh token, then the access token, where the server has a revocation endpoint (RFC 7009). */
export async function revoke(ctx: FlowContext & { info: ServerAuthInfo }, token: TokenSet): Promise<void> {
  const as = ctx.info.metadata as unknown as oauth.AuthorizationServer;
  if (typeof as.revocation_endpoint !== 'string') return;
  const client = await clientFor(ctx, ctx.info, as, undefined, { storedOnly: true });
  if (!client) return;
  const oclient: oauth.Client = { client_id: client.clientId };
  const auth = await clientAuthFor(ctx.config, client, as);
  for (const t of [token.refreshToken, token.accessToken]) {
    if (!t) continue;
    const res = await oauth.revocationRequest(as, oclient, auth, t, httpOptions(as.revocation_endpoint, ctx.signal));
    await oauth.processRevocationResponse(res).catch(() => undefined);
  }
}

export { basicAuth };
