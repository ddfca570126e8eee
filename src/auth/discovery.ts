// Where to sign in: the protected resource's metadata (RFC 9728) and its authorization
// server's (RFC 8414 / OpenID Connect Discovery), in the order MCP authorization gives
// (2025-11-25 and 2026-07-28 "Authorization Server Discovery"), with the checks that keep a
// token from going where it does not belong: the metadata's `resource` must name this
// server, the server metadata's `issuer` must be the issuer it was looked up for, and PKCE
// S256 must be offered.

import { LocalError } from '../protocol/errors.ts';
import type { AuthChallenge } from './challenge.ts';
import { getJson, isLoopback } from './http.ts';

export interface ProtectedResource {
  /** `resource`, verbatim: sent as the RFC 8707 resource indicator. */
  resource: string;
  authorizationServers: string[];
  scopesSupported?: string[];
  /** Where it was found. */
  url: string;
}

const fail = (message: string) => new LocalError('auth', message);

/** Allowed to fetch: https anywhere, http on loopback only. */
function fetchable(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}

/**
 * The protected-resource metadata: the challenge's `resource_metadata` URL when given,
 * else the path-inserted well-known URL, then the root one; the first that answers wins.
 * Undefined when the server publishes none (a 2025-03-26 server: its origin authorizes).
 */
export async function discoverResource(serverUrl: URL, challenge: AuthChallenge, signal: AbortSignal): Promise<ProtectedResource | undefined> {
  const candidates: URL[] = [];
  if (challenge.resourceMetadata) {
    let u: URL;
    try { u = new URL(challenge.resourceMetadata); } catch { throw fail(`the server's resource_metadata "${challenge.resourceMetadata.slice(0, 200)}" is not a URL`); }
    if (!fetchable(u)) throw fail(`the server's resource_metadata ${u.origin} is neither https nor on this machine`);
    candidates.push(u);
  } else {
    const path = serverUrl.pathname.replace(/\/+$/, '');
    if (path) candidates.push(new URL(`/.well-known/oauth-protected-resource${path}`, serverUrl));
    candidates.push(new URL('/.well-known/oauth-protected-resource', serverUrl));
  }
  for (const url of candidates) {
    const res = await getJson(url, signal);
    if (res.status === 200 && res.json && typeof res.json === 'object') {
      const doc = res.json as Record<string, unknown>;
      const servers = doc.authorization_servers;
      if (!Array.isArray(servers) || !servers.length || !servers.every(s => typeof s === 'string')) {
        throw fail(`the protected-resource metadata at ${url.href} names no authorization server`);
      }
      const resource = typeof doc.resource === 'string' ? doc.resource : undefined;
      if (!resource) throw fail(`the protected-resource metadata at ${url.href} has no "resource"`);
      if (!resourceMatches(resource, serverUrl)) {
        throw fail(`the protected-resource metadata names ${resource}, not this server (${serverUrl.origin}${serverUrl.pathname}): no token is asked for it`);
      }
      const scopes = Array.isArray(doc.scopes_supported) ? doc.scopes_supported.filter((s): s is string => typeof s === 'string') : undefined;
      return { resource, authorizationServers: servers as string[], ...(scopes ? { scopesSupported: scopes } : {}), url: url.href };
    }
    if (res.status >= 500 && res.status !== 502) throw fail(`${url.href} answered HTTP ${res.status}`);
    if (challenge.resourceMetadata) throw fail(`the server's resource_metadata ${url.href} answered HTTP ${res.status}`);
  }
  return undefined;
}

/**
 * Whether a metadata `resource` identifies the server at `serverUrl` (RFC 9728 §3.3): the
 * same origin, and its path the server's or a whole-segment prefix of it (a server at
 * /mcp may publish its origin as the resource).
 */
export function resourceMatches(resource: string, serverUrl: URL): boolean {
  let r: URL;
  try { r = new URL(resource); } catch { return false; }
  if (r.origin !== serverUrl.origin) return false;
  const rp = r.pathname.replace(/\/+$/, '');
  const sp = serverUrl.pathname.replace(/\/+$/, '');
  return rp === '' || sp === rp || sp.startsWith(`${rp}/`);
}

/** The well-known URLs for an issuer, in the spec's order (RFC 8414 §3.1; OIDC path appending last). */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/+$/, '');
  if (!path) return [new URL('/.well-known/oauth-authorization-server', issuer), new URL('/.well-known/openid-configuration', issuer)];
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer),
    new URL(`/.well-known/openid-configuration${path}`, issuer),
    new URL(`${path}/.well-known/openid-configuration`, issuer),
  ];
}

export interface AuthorizationServer {
  /** `issuer` as published. */
  issuer: string;
  metadata: Record<string, unknown>;
  /** True when no metadata exists and the 2025-03-26 default endpoints are used. */
  defaults?: boolean;
}

/**
 * The authorization server's metadata, checked. `legacyOrigin`: the server published no
 * resource metadata, so its own origin is the issuer (2025-03-26); there a document whose
 * issuer is elsewhere on that origin is accepted (nothing crosses an origin), and no
 * document at all means the default endpoints.
 */
export async function discoverAuthorizationServer(issuer: string, signal: AbortSignal, legacyOrigin = false): Promise<AuthorizationServer> {
  let base: URL;
  try { base = new URL(issuer); } catch { throw fail(`the authorization server "${issuer.slice(0, 200)}" is not a URL`); }
  if (!fetchable(base)) throw fail(`the authorization server ${base.origin} is neither https nor on this machine`);
  for (const url of metadataUrls(base)) {
    const res = await getJson(url, signal);
    if (res.status === 200 && res.json && typeof res.json === 'object') {
      const metadata = res.json as Record<string, unknown>;
      const named = typeof metadata.issuer === 'string' ? metadata.issuer : '';
      const same = named === issuer || named.replace(/\/$/, '') === issuer.replace(/\/$/, '');
      const sameOrigin = (() => { try { return new URL(named).origin === base.origin; } catch { return false; } })();
      if (!same && !(legacyOrigin && sameOrigin)) {
        throw fail(`the metadata at ${url.href} names issuer ${named || '(none)'}, not ${issuer}: it is not used`);
      }
      return { issuer: named || issuer, metadata };
    }
    if (res.status >= 500 && res.status !== 502) throw fail(`${url.href} answered HTTP ${res.status}`);
  }
  if (legacyOrigin) {
    const origin = base.origin;
    return {
      issuer: origin, defaults: true,
      metadata: {
        issuer: origin, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`, registration_endpoint: `${origin}/register`,
        code_challenge_methods_supported: ['S256'],
      },
    };
  }
  throw fail(`the authorization server ${issuer} publishes no metadata (tried ${metadataUrls(base).map(u => u.pathname).join(', ')})`);
}

/** MCP authorization: no browser sign-in without PKCE S256 in the metadata. */
export function requirePkce(metadata: Record<string, unknown>, issuer: string): void {
  const methods = metadata.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes('S256')) {
    throw fail(`the authorization server ${issuer} does not offer PKCE with S256: MCP Host does not sign in without it`);
  }
}
