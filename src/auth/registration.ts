// Which client signs in, in the order MCP authorization gives: the one the user
// configured → one registered before with this authorization server → a Client ID
// Metadata Document → dynamic registration (RFC 7591) → ask for one. Registrations are
// kept per issuer and never used with another authorization server.

import type * as oauth from 'oauth4webapi';
import { LocalError } from '../protocol/errors.ts';
import { isLoopback, postJson } from './http.ts';
import type { AuthHost, OAuthConfig, ServerAuthInfo } from './types.ts';

export interface ClientRecord {
  clientId: string;
  clientSecret?: string;
  authMethod?: OAuthConfig['tokenEndpointAuthMethod'];
  grantTypes: string[];
  redirectUris?: string[];
  source: 'configured' | 'registered' | 'metadata-document';
}

export const clientKey = (issuer: string) => `client/${issuer}`;

interface Ctx { serverName: string; config: OAuthConfig; host: AuthHost; signal: AbortSignal }

const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']);

export async function clientFor(ctx: Ctx, info: ServerAuthInfo, as: oauth.AuthorizationServer, redirectUri: string | undefined, opts?: { storedOnly?: false }): Promise<ClientRecord>;
export async function clientFor(ctx: Ctx, info: ServerAuthInfo, as: oauth.AuthorizationServer, redirectUri: string | undefined, opts: { storedOnly: true }): Promise<ClientRecord | undefined>;
export async function clientFor(ctx: Ctx, info: ServerAuthInfo, as: oauth.AuthorizationServer, redirectUri: string | undefined, opts: { storedOnly?: boolean } = {}): Promise<ClientRecord | undefined> {
  const { config, host } = ctx;
  if (config.clientId) {
    if (config.issuer && config.issuer !== info.issuer) {
      throw new LocalError('auth', `${ctx.serverName} now signs in at ${info.issuer}, but its configured client belongs to ${config.issuer}: not tried there`);
    }
    return {
      clientId: config.clientId, ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
      ...(config.tokenEndpointAuthMethod ? { authMethod: config.tokenEndpointAuthMethod } : {}),
      grantTypes: ['authorization_code', 'refresh_token'], source: 'configured',
    };
  }
  let stored: ClientRecord | undefined;
  try {
    const text = await host.store.get(clientKey(info.issuer));
    stored = text ? JSON.parse(text) as ClientRecord : undefined;
  } catch { stored = undefined; }
  // A loopback redirect may come back on any port (RFC 8252 §7.3): the listener's changes each time.
  const sameRedirect = (a: string, b: string) => {
    const x = new URL(a), y = new URL(b);
    return isLoopback(x) && isLoopback(y) ? x.protocol === y.protocol && x.hostname === y.hostname && x.pathname === y.pathname : a === b;
  };
  const fits = (c: ClientRecord) => !redirectUri || c.source !== 'registered' || !c.redirectUris || c.redirectUris.some(u => sameRedirect(u, redirectUri));
  if (stored && fits(stored)) return stored;
  const cimd = host.clientMetadataUrl;
  if (opts.storedOnly) return stored ?? (cimd && (as as { client_id_metadata_document_supported?: unknown }).client_id_metadata_document_supported === true ? metadataDocumentClient(cimd) : undefined);

  if (config.grant && config.grant !== 'authorization_code') {
    throw new LocalError('auth', `${ctx.serverName}: the ${config.grant} grant needs a client registered in advance (oauth.clientId, or --client-id)`);
  }
  if (cimd && (as as { client_id_metadata_document_supported?: unknown }).client_id_metadata_document_supported === true) return metadataDocumentClient(cimd);
  if (typeof as.registration_endpoint === 'string' && redirectUri) {
    const record = await register(ctx, as.registration_endpoint, redirectUri, info);
    await host.store.set(clientKey(info.issuer), JSON.stringify(record));
    return record;
  }
  // Ask the person for a client registered by hand; kept for this issuer like a registration.
  const given = redirectUri ? await host.askClient?.(info.issuer, redirectUri, ctx.signal) : undefined;
  if (given?.clientId) {
    const record: ClientRecord = {
      clientId: given.clientId, ...(given.clientSecret ? { clientSecret: given.clientSecret } : {}),
      grantTypes: ['authorization_code', 'refresh_token'], source: 'configured',
    };
    await host.store.set(clientKey(info.issuer), JSON.stringify(record));
    return record;
  }
  throw new LocalError('auth', `${ctx.serverName}: the authorization server ${info.issuer} does not register clients and takes no client metadata document; configure a client (oauth.clientId, or --client-id)`);
}

function metadataDocumentClient(url: string): ClientRecord {
  return { clientId: url, authMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'], source: 'metadata-document' };
}

/** Dynamic client registration; the answer is read leniently (200 or 201, a secret without an expiry). */
async function register(ctx: Ctx, endpoint: string, redirectUri: string, info: ServerAuthInfo): Promise<ClientRecord> {
  const redirect = new URL(redirectUri);
  const grantTypes = ['authorization_code', 'refresh_token'];
  const body = {
    client_name: ctx.host.clientName,
    redirect_uris: [redirectUri],
    grant_types: grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    // Desktop and CLI clients with a loopback redirect are native apps (2026-07-28).
    application_type: isLoopback(redirect) || redirect.protocol !== 'https:' ? 'native' : 'web',
  };
  ctx.host.onProgress?.(`Registering MCP Host with ${info.issuer}…`);
  const res = await postJson(new URL(endpoint), body, ctx.signal);
  const doc = res.json as Record<string, unknown> | undefined;
  if ((res.status !== 200 && res.status !== 201) || !doc || typeof doc.client_id !== 'string') {
    const why = doc && typeof doc.error === 'string' ? `${doc.error}${typeof doc.error_description === 'string' ? `: ${doc.error_description}` : ''}` : `HTTP ${res.status}`;
    throw new LocalError('auth', `${ctx.serverName}: registering with ${info.issuer} failed (${why})`);
  }
  const method = typeof doc.token_endpoint_auth_method === 'string' && AUTH_METHODS.has(doc.token_endpoint_auth_method)
    ? doc.token_endpoint_auth_method as ClientRecord['authMethod'] : undefined;
  return {
    clientId: doc.client_id,
    ...(typeof doc.client_secret === 'string' ? { clientSecret: doc.client_secret } : {}),
    ...(method ? { authMethod: method } : {}),
    grantTypes: Array.isArray(doc.grant_types) ? doc.grant_types.filter((g): g is string => typeof g === 'string') : grantTypes,
    redirectUris: [redirectUri],
    source: 'registered',
  };
}
