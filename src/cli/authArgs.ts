// The sign-in flags: a client registered in advance, a grant without a browser, where
// kept sign-ins go. Secrets may come from a file (@FILE) or stdin (-), or for the client
// secret from MCP_HOST_CLIENT_SECRET, so that they stay out of `ps` and shell history.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { OAuthConfig } from '../auth/types.ts';
import { UsageError } from './errors.ts';

export const AUTH_OPTIONS = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-auth': { type: 'string' },
  'private-key': { type: 'string' },
  'signing-alg': { type: 'string' },
  grant: { type: 'string' },
  assertion: { type: 'string' },
  scope: { type: 'string' },
  'client-metadata-url': { type: 'string' },
  'idp-token-endpoint': { type: 'string' },
  'idp-client-id': { type: 'string' },
  'id-token': { type: 'string' },
  'no-dpop': { type: 'boolean' },
  store: { type: 'boolean' },
  'no-store': { type: 'boolean' },
} as const;

export interface AuthArgs {
  /** What the flags say (merged over a configured server's `oauth`). */
  config: OAuthConfig;
  /** Values still to read: `@FILE` / `-` for the secret and the assertion, a file for the key. */
  clientSecretFrom?: string;
  assertionFrom?: string;
  idTokenFrom?: string;
  privateKeyFile?: string;
  clientMetadataUrl?: string;
  /** true: keep sign-ins in the credentials file; false: memory only; undefined: ask (on a terminal). */
  store?: boolean;
  /** Whether any sign-in flag was given. */
  given: boolean;
}

type Values = { [K in keyof typeof AUTH_OPTIONS]?: (typeof AUTH_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const METHODS = ['basic', 'post', 'none', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const;
const GRANTS = ['authorization_code', 'client_credentials', 'jwt-bearer', 'id-jag'] as const;

export function authArgsOf(v: Values, env: Record<string, string | undefined>, fail: (m: string) => never): AuthArgs {
  const config: OAuthConfig = {};
  const out: AuthArgs = { config, given: Object.keys(AUTH_OPTIONS).some(k => v[k as keyof Values] !== undefined) };
  if (v['client-id'] !== undefined) {
    if (!v['client-id']) fail('--client-id needs an id');
    config.clientId = v['client-id'];
  }
  const secret = v['client-secret'] ?? (env.MCP_HOST_CLIENT_SECRET || undefined);
  if (secret !== undefined) {
    if (secret === '-' || secret.startsWith('@')) out.clientSecretFrom = secret === '-' ? '-' : secret.slice(1);
    else config.clientSecret = secret;
  }
  if (v['client-auth'] !== undefined) {
    const m = v['client-auth'];
    if (!(METHODS as readonly string[]).includes(m)) fail(`--client-auth must be basic, post, none or private_key_jwt, not "${m}"`);
    config.tokenEndpointAuthMethod = m === 'basic' ? 'client_secret_basic' : m === 'post' ? 'client_secret_post' : m as OAuthConfig['tokenEndpointAuthMethod'];
  }
  if (v['private-key'] !== undefined) {
    if (!v['private-key']) fail('--private-key needs a PEM file');
    out.privateKeyFile = v['private-key'];
  }
  if (v['signing-alg'] !== undefined) {
    if (!/^(ES(256|384|512)|RS(256|384|512)|PS(256|384|512))$/.test(v['signing-alg'])) fail(`--signing-alg must be ES256, RS256, PS256 or a stronger one, not "${v['signing-alg']}"`);
    config.signingAlgorithm = v['signing-alg'];
  }
  if (v.grant !== undefined) {
    if (!(GRANTS as readonly string[]).includes(v.grant)) fail(`--grant must be authorization_code, client_credentials, jwt-bearer or id-jag, not "${v.grant}"`);
    config.grant = v.grant as OAuthConfig['grant'];
  }
  if (v.assertion !== undefined) {
    if (v.assertion === '-' || v.assertion.startsWith('@')) out.assertionFrom = v.assertion === '-' ? '-' : v.assertion.slice(1);
    else config.assertion = v.assertion;
  }
  if (v.scope !== undefined) config.scopes = v.scope.split(/\s+/).filter(Boolean);
  if (v['client-metadata-url'] !== undefined) {
    let u: URL | undefined;
    try { u = new URL(v['client-metadata-url']); } catch { u = undefined; }
    if (!u || u.protocol !== 'https:' || u.pathname === '/') fail('--client-metadata-url must be an https URL with a path (a Client ID Metadata Document)');
    out.clientMetadataUrl = v['client-metadata-url'];
  }
  const idpGiven = [v['idp-token-endpoint'], v['idp-client-id'], v['id-token']].filter(x => x !== undefined).length;
  if (idpGiven || config.grant === 'id-jag') {
    if (idpGiven < 3) fail('--grant id-jag needs --idp-token-endpoint URL, --idp-client-id ID and --id-token JWT|@FILE|-');
    if (config.grant !== 'id-jag') fail('--idp-token-endpoint, --idp-client-id and --id-token are for --grant id-jag');
    let u: URL | undefined;
    try { u = new URL(v['idp-token-endpoint']!); } catch { u = undefined; }
    if (!u || !/^https?:$/.test(u.protocol)) fail('--idp-token-endpoint must be an http(s) URL');
    const token = v['id-token']!;
    if (token === '-' || token.startsWith('@')) out.idTokenFrom = token === '-' ? '-' : token.slice(1);
    config.idp = { tokenEndpoint: v['idp-token-endpoint']!, clientId: v['idp-client-id']!, idToken: out.idTokenFrom === undefined ? token : '' };
  }
  if (v['no-dpop']) config.dpop = false;
  if (v.store && v['no-store']) fail('choose --store or --no-store, not both');
  if (v.store) out.store = true;
  if (v['no-store']) out.store = false;
  if (config.grant === 'jwt-bearer' && config.assertion === undefined && out.assertionFrom === undefined) fail('--grant jwt-bearer needs --assertion JWT|@FILE|-');
  if ([out.clientSecretFrom, out.assertionFrom, out.idTokenFrom].filter(f => f === '-').length > 1) fail('only one of --client-secret, --assertion and --id-token can be read from stdin (-)');
  return out;
}

/** Reads the values given as @FILE, - or a key file, into the config. */
export async function readAuthFiles(a: AuthArgs, cwd: string, stdin: Readable): Promise<OAuthConfig> {
  const read = async (from: string, what: string): Promise<string> => {
    if (from === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8').trim();
    }
    const file = path.resolve(cwd, from);
    try { return (await readFile(file, 'utf8')).trim(); } catch (err) {
      throw new UsageError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const config = { ...a.config };
  if (a.clientSecretFrom !== undefined) config.clientSecret = await read(a.clientSecretFrom, '--client-secret');
  if (a.assertionFrom !== undefined) config.assertion = await read(a.assertionFrom, '--assertion');
  if (a.privateKeyFile !== undefined) config.privateKey = await read(a.privateKeyFile, '--private-key');
  if (a.idTokenFrom !== undefined && config.idp) config.idp = { ...config.idp, idToken: await read(a.idTokenFrom, '--id-token') };
  return config;
}
