// JWT validation for the gateway (issue 13, "optional JWT validation instead of the static
// token"): an `authenticate` for HttpGatewayOptions that accepts `Authorization: Bearer <jwt>`
// signed by an identity provider's key and names the caller `jwt:<iss>#<sub>`, so two people
// behind one gateway are two principals (their sessions and caps apart).
//
// Asymmetric algorithms only: the gateway verifies, it never holds a key that can mint tokens
// (HS*, a shared secret, is what the static bearer token already is, without the confusion
// attacks). `none` never. Every refusal is one logged sentence naming the reason, built from
// jose's error *codes*, never from the token, its claims or jose's messages.

import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, importSPKI, jwtVerify, type CryptoKey, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { HttpGatewayOptions } from './http.ts';

/** What a gateway accepts when the user names no algorithms. */
export const DEFAULT_JWT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** A key set is a few KB; more is a wrong URL or a hostile one. */
const MAX_KEY_SET_BYTES = 256 * 1024;
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

export interface JwtOptions {
  /** The exact `iss` every token must carry. */
  issuer: string;
  /** The `aud` a token must contain (one of these). */
  audience: string | readonly string[];
  /** Exactly one key source: the provider's key set (https; http only on a loopback host)… */
  jwksUrl?: string;
  /** …a key set given inline (e.g. a file the caller read)… */
  jwks?: JSONWebKeySet;
  /** …or one SPKI public key ("-----BEGIN PUBLIC KEY-----"). */
  publicKeyPem?: string;
  /** Default DEFAULT_JWT_ALGORITHMS; asymmetric ones only. */
  algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf`, seconds (default 30). */
  clockToleranceSec?: number;
  /** Scopes the token's `scope` (space-separated) or `scp` (array or string) must all contain. */
  requiredScopes?: readonly string[];
  /** The longest token looked at (default 8192). */
  maxTokenBytes?: number;
  /** A key set fetch is aborted after this (default 5000). */
  jwksTimeoutMs?: number;
  /** An unknown `kid` fetches the set again, at most this often (default 30000). */
  jwksCooldownMs?: number;
  /** Fetched keys are used this long before the set is fetched again (default 600000). */
  jwksCacheMaxAgeMs?: number;
  /** After a failed fetch, no new one for this long; requests meanwhile are refused at once (default 5000). */
  jwksRetryMs?: number;
  log?: (level: 'info' | 'warning' | 'error', message: string) => void;
}

/** Options that cannot work, all of them, each a sentence. */
export class JwtOptionsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join(' '));
    this.name = 'JwtOptionsError';
    this.problems = problems;
  }
}

type Log = NonNullable<JwtOptions['log']>;

/** A key set that could not be had; its message is a clause for the log (never a token). */
class KeySetUnavailable extends Error {}

/** A key set URL as the log shows it: no query (it may carry a key) and no credentials. */
function keySetLabel(url: URL): string { return url.origin + url.pathname; }

/** A fetch for jose's remote key set: the body bounded, a failure remembered for `retryMs` (no fetch per bad request while the IdP is down). */
function boundedFetch(label: string, retryMs: number, log: Log | undefined) {
  let failed: { at: number; reason: string } | undefined;
  return async (url: string, init: RequestInit): Promise<Response> => {
    if (failed && Date.now() - failed.at < retryMs) throw new KeySetUnavailable(`${failed.reason}, and it is not asked again until ${Math.ceil(retryMs / 1000)} s after a failure`);
    try {
      const res = await fetch(url, init);
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new KeySetUnavailable(`it answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const c of res.body ?? []) {
        size += c.length;
        if (size > MAX_KEY_SET_BYTES) throw new KeySetUnavailable(`it is larger than ${MAX_KEY_SET_BYTES / 1024} KiB`);
        chunks.push(c);
      }
      const body = Buffer.concat(chunks);
      let json: unknown;
      try { json = JSON.parse(body.toString('utf8')); } catch { throw new KeySetUnavailable('its answer is not JSON'); }
      if (!Array.isArray((json as { keys?: unknown })?.keys)) throw new KeySetUnavailable('its answer is not a JSON Web Key Set (no "keys" array)');
      failed = undefined;
      log?.('info', `The gateway fetched the JWT key set from ${label} (${body.length} bytes).`);
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (err) {
      const reason = err instanceof KeySetUnavailable ? err.message
        : (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError' ? 'it did not answer in time'
        : `it could not be reached (${String((err as { cause?: { code?: string; message?: string } }).cause?.code ?? (err as Error).message)})`;
      failed = { at: Date.now(), reason };
      throw new KeySetUnavailable(reason);
    }
  };
}

/** The algorithms a SPKI public key can verify, from its type (so a token's `alg` that does not fit is "not allowed", not a crypto error). */
function algorithmsOfPublicKey(pem: string): { kind: string; algorithms: string[] } {
  const key = createPublicKey(pem);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  switch (key.asymmetricKeyType) {
    case 'rsa': return { kind: 'an RSA key', algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] };
    case 'rsa-pss': return { kind: 'an RSA-PSS key', algorithms: ['PS256', 'PS384', 'PS512'] };
    case 'ec': {
      const alg = ({ prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as Record<string, string>)[curve ?? ''];
      return { kind: `an EC key on ${curve}`, algorithms: alg ? [alg] : [] };
    }
    case 'ed25519': return { kind: 'an Ed25519 key', algorithms: ['EdDSA', 'Ed25519'] };
    default: return { kind: `a ${key.asymmetricKeyType} key`, algorithms: [] };
  }
}

function scopesOf(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const list = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
    for (const s of list) if (typeof s === 'string' && s) out.add(s);
  }
  return out;
}

/** Why jose refused, as words for the log, and how loud (a key set problem means nobody gets in: an error). */
function reasonOf(err: unknown, o: { issuer: string; audience: readonly string[]; algorithms: readonly string[]; keys: string; cooldownMs: number; remote: boolean }): [level: 'warning' | 'error', reason: string] {
  if (err instanceof KeySetUnavailable) return ['error', `the key set at ${o.keys} is unreachable: ${err.message}`];
  const { code, claim, reason } = err as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED': return ['warning', 'the token has expired'];
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return ['warning', claim === 'sub' ? 'the token has no "sub" claim, and a principal needs a subject' : claim === 'exp' ? 'the token has no "exp" claim, and tokens that never expire are refused' : `the token has no "${claim}" claim`];
      if (claim === 'nbf') return ['warning', 'the token is not valid yet (its "nbf" is in the future)'];
      if (claim === 'iss') return ['warning', `the token's issuer is not ${o.issuer}`];
      if (claim === 'aud') return ['warning', `the token is not for the audience ${o.audience.join(' or ')}`];
      return ['warning', `the token's "${claim}" claim is not valid`];
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return ['warning', `the token is signed with an algorithm that is not allowed (allowed: ${o.algorithms.join(', ')})`];
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return ['warning', `the token's signature does not verify with the key of ${o.keys}`];
    case 'ERR_JWKS_NO_MATCHING_KEY': return ['warning', `the token's key id is unknown: no key of ${o.keys} matches it and its algorithm${o.remote ? ` (the set is fetched again for an unknown key at most every ${Math.round(o.cooldownMs / 1000)} s)` : ''}`];
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return ['warning', `the token names no key id, and no key of ${o.keys} that fits its algorithm verifies it`];
    case 'ERR_JWKS_INVALID': return ['error', `the key set at ${o.keys} is not a valid JSON Web Key Set of public keys`];
    case 'ERR_JWKS_TIMEOUT': return ['error', `the key set at ${o.keys} did not answer in time`];
    case 'ERR_JWS_INVALID': case 'ERR_JWT_INVALID': return ['warning', 'the token is not a well-formed signed JWT'];
    case 'ERR_JOSE_NOT_SUPPORTED': return ['warning', 'the token uses an algorithm or key type this gateway does not support'];
    default: return ['error', `the token could not be verified (${code ?? (err as Error)?.name ?? 'unknown error'})`];
  }
}

/**
 * `authenticate` for HttpGatewayOptions: a `Bearer` JWT from `issuer` for `audience`, signed by
 * the key set at `jwksUrl`, the set `jwks` or the key `publicKeyPem`. Throws JwtOptionsError on
 * options that cannot work (say them all at once). Never throws per request: a refusal is
 * `undefined` (401) and one log sentence.
 */
export function jwtAuthenticator(options: JwtOptions): HttpGatewayOptions['authenticate'] {
  const o = checkJwtOptions(options);
  const log = options.log;
  let getKey: JWTVerifyGetKey;
  let keysLabel: string;
  if (o.jwksUrl) {
    keysLabel = keySetLabel(o.jwksUrl);
    // jose: one fetch in flight at a time, aborted after the timeout; an unknown kid fetches
    // again once the cooldown since the last fetch has passed (key rotation).
    getKey = createRemoteJWKSet(o.jwksUrl, {
      timeoutDuration: o.jwksTimeoutMs,
      cooldownDuration: o.jwksCooldownMs,
      cacheMaxAge: o.jwksCacheMaxAgeMs,
      [customFetch]: boundedFetch(keysLabel, o.jwksRetryMs, log),
    });
  } else if (o.jwks) {
    keysLabel = 'the configured key set';
    getKey = createLocalJWKSet(o.jwks);
  } else {
    keysLabel = 'the configured public key';
    const pem = o.publicKeyPem!;
    const imported = new Map<string, Promise<CryptoKey>>();
    // jose checks `alg` against `algorithms` before it asks for the key: at most one import per allowed algorithm.
    getKey = header => {
      let key = imported.get(header.alg);
      if (!key) imported.set(header.alg, key = importSPKI(pem, header.alg));
      return key;
    };
  }
  const algorithms = o.algorithms;
  const verify: JWTVerifyOptions = { issuer: o.issuer, audience: [...o.audience], algorithms, clockTolerance: o.clockToleranceSec, requiredClaims: ['sub', 'exp'] };
  const words = { issuer: o.issuer, audience: o.audience, algorithms, keys: keysLabel, cooldownMs: o.jwksCooldownMs, remote: !!o.jwksUrl };
  const refuse = (level: 'info' | 'warning' | 'error', reason: string): undefined => {
    log?.(level, `The gateway refused a request: ${reason}.`);
    return undefined;
  };

  return async header => {
    if (!header) return refuse('info', 'it has no Authorization header');
    // Measured before any parsing: a huge header costs nothing but this comparison.
    if (header.length > o.maxTokenBytes + 16) return refuse('warning', `its Authorization header is ${header.length} bytes, more than a token may be (${o.maxTokenBytes} bytes)`);
    const m = /^bearer +(\S+)$/i.exec(header);
    if (!m) return refuse('warning', 'its Authorization header is not of the form "Bearer <token>"');
    const token = m[1]!;
    if (token.length > o.maxTokenBytes) return refuse('warning', `its token is ${token.length} bytes, more than the limit of ${o.maxTokenBytes}`);
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) return refuse('warning', 'its bearer token is not a JWT (three base64url parts)');
    let payload: JWTPayload;
    try {
      payload = (await verifyWithAnyKey(token, getKey, verify)).payload;
    } catch (err) {
      return refuse(...reasonOf(err, words));
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !sub) return refuse('warning', 'the token\'s "sub" claim is not a non-empty string');
    if (/[\u0000-\u001f\u007f]/.test(sub)) return refuse('warning', 'the token\'s "sub" claim contains control characters');
    if (o.requiredScopes.length) {
      const has = scopesOf(payload);
      const missing = o.requiredScopes.filter(s => !has.has(s));
      if (missing.length) return refuse('warning', `the token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`);
    }
    // jose checked that `iss` is exactly the configured issuer.
    return { principal: `jwt:${o.issuer}#${sub}` };
  };
}

/**
 * jwtVerify; when the token names no key id and several keys of the set fit its algorithm (a
 * rotation where the provider omits `kid`), each is tried, as jose leaves that to the caller.
 */
async function verifyWithAnyKey(token: string, getKey: JWTVerifyGetKey, verify: JWTVerifyOptions): Promise<{ payload: JWTPayload }> {
  try {
    return await jwtVerify(token, getKey, verify);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
    let last: unknown = err;
    for await (const key of err as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, verify);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw e;
        last = e;
      }
    }
    throw last;
  }
}

// ---- Options: checked once, at the edge, every problem named ----

interface CheckedOptions {
  issuer: string;
  audience: string[];
  jwksUrl?: URL;
  jwks?: JSONWebKeySet;
  publicKeyPem?: string;
  /** For a public key: only those that fit it. */
  algorithms: string[];
  clockToleranceSec: number;
  requiredScopes: string[];
  maxTokenBytes: number;
  jwksTimeoutMs: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  jwksRetryMs: number;
}

/** How the problems name each input: option keys by default, the CLI flags or settings from validateJwtOptions. */
export interface JwtOptionNames { issuer: string; audience: string; jwksUrl: string; key: string; algorithms: string; requiredScopes: string; clockToleranceSec: string; maxTokenBytes: string }
const OPTION_NAMES: JwtOptionNames = { issuer: 'issuer', audience: 'audience', jwksUrl: 'jwksUrl', key: 'jwks/publicKeyPem', algorithms: 'algorithms', requiredScopes: 'requiredScopes', clockToleranceSec: 'clockToleranceSec', maxTokenBytes: 'maxTokenBytes' };
/** The CLI flags (the lead's `mcp-host gateway --http`); VS Code passes its setting names. */
export const JWT_CLI_NAMES: JwtOptionNames = { issuer: '--jwt-issuer', audience: '--jwt-audience', jwksUrl: '--jwks-url', key: '--jwt-key-file', algorithms: '--jwt-algorithms', requiredScopes: '--jwt-scopes', clockToleranceSec: '--jwt-clock-tolerance', maxTokenBytes: '--jwt-max-token-bytes' };

function checkAlgorithms(list: readonly unknown[], name: string, problems: string[]): string[] {
  if (!list.length) problems.push(`${name} names no algorithm.`);
  for (const a of list) {
    if (typeof a !== 'string') problems.push(`${name}: ${JSON.stringify(a)} is not an algorithm name.`);
    else if (a.toLowerCase() === 'none') problems.push(`${name}: "none" is never accepted; an unsigned token proves nothing.`);
    else if (/^HS\d+$/i.test(a)) problems.push(`${name}: ${a} (a shared secret) is not supported; the gateway only verifies, and for a shared secret the static bearer token is the simpler equivalent.`);
    else if (!ASYMMETRIC.includes(a)) problems.push(`${name}: ${a} is not one of ${ASYMMETRIC.join(', ')}.`);
  }
  return list.filter((a): a is string => typeof a === 'string' && ASYMMETRIC.includes(a));
}

function checkUrl(raw: string, name: string, problems: string[]): URL | undefined {
  let url: URL;
  try { url = new URL(raw); } catch { problems.push(`${name} ${JSON.stringify(raw)} is not a URL.`); return undefined; }
  if (url.username || url.password) { problems.push(`${name} must not carry credentials in the URL.`); return undefined; }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.includes(url.hostname))) return url;
  problems.push(`${name} ${keySetLabel(url)} must be https (http only on 127.0.0.1, localhost or [::1]): key sets fetched in the clear can be replaced on the way.`);
  return undefined;
}

function checkKeySet(jwks: unknown, name: string, problems: string[]): JSONWebKeySet | undefined {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || !keys.length) { problems.push(`${name} is not a JSON Web Key Set (an object with a non-empty "keys" array).`); return undefined; }
  const before = problems.length;
  keys.forEach((k, i) => {
    const key = k as Record<string, unknown>;
    const which = `${name}: key ${i + 1}${typeof key?.kid === 'string' ? ` (kid ${JSON.stringify(key.kid)})` : ''}`;
    if (typeof key !== 'object' || key === null || typeof key.kty !== 'string') problems.push(`${which} has no "kty".`);
    else if (key.kty === 'oct') problems.push(`${which} is a shared secret (kty "oct"), which the gateway does not use; give it public keys only.`);
    else if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'priv'].some(m => m in key)) problems.push(`${which} is a private key; give the gateway the public part only.`);
  });
  return problems.length === before ? jwks as JSONWebKeySet : undefined;
}

function checkPem(pem: string, name: string, algorithms: string[], problems: string[]): string[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) { problems.push(`${name} holds a private key; give the gateway the public key only (openssl pkey -in key.pem -pubout).`); return []; }
  if (/-----BEGIN CERTIFICATE-----/.test(pem)) { problems.push(`${name} is a certificate; give its public key (openssl x509 -in cert.pem -pubkey -noout).`); return []; }
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) { problems.push(`${name} is not a PEM public key ("-----BEGIN PUBLIC KEY-----", SPKI)${/BEGIN RSA PUBLIC KEY/.test(pem) ? '; convert it with openssl rsa -RSAPublicKey_in -in key.pem -pubout' : ''}.`); return []; }
  let fit: { kind: string; algorithms: string[] };
  try { fit = algorithmsOfPublicKey(pem); } catch (e) { problems.push(`${name} cannot be read as a public key (${(e as Error).message}).`); return []; }
  const usable = algorithms.filter(a => fit.algorithms.includes(a));
  if (!usable.length) problems.push(`${name} is ${fit.kind}, and none of the allowed algorithms (${algorithms.join(', ')}) uses it${fit.algorithms.length ? `; it fits ${fit.algorithms.join(', ')}` : ''}.`);
  return usable;
}

function checkNumber(value: number | undefined, fallback: number, min: number, max: number, name: string, problems: string[], integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    problems.push(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
    return fallback;
  }
  return value;
}

function checkJwtOptions(options: JwtOptions, names: JwtOptionNames = OPTION_NAMES): CheckedOptions {
  const problems: string[] = [];
  const issuer = typeof options.issuer === 'string' ? options.issuer.trim() : '';
  if (!issuer) problems.push(`${names.issuer} is required: the exact "iss" of the identity provider's tokens.`);
  const audience = (typeof options.audience === 'string' ? [options.audience] : Array.isArray(options.audience) ? [...options.audience] : []).filter(a => typeof a === 'string' && a.trim()).map(a => a.trim());
  if (!audience.length) problems.push(`${names.audience} is required: the "aud" tokens for this gateway carry.`);
  const sources = [options.jwksUrl, options.jwks, options.publicKeyPem].filter(v => v !== undefined).length;
  if (sources !== 1) problems.push(sources ? `Give exactly one key: ${names.jwksUrl} or ${names.key}, not both.` : `The gateway needs the key that signs the tokens: ${names.jwksUrl} URL or ${names.key}.`);
  let algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_JWT_ALGORITHMS, names.algorithms, problems);
  const out: CheckedOptions = {
    issuer, audience, algorithms,
    clockToleranceSec: checkNumber(options.clockToleranceSec, 30, 0, 600, names.clockToleranceSec, problems),
    requiredScopes: [...(options.requiredScopes ?? [])],
    // Node's HTTP server refuses headers past 16 KiB anyway.
    maxTokenBytes: checkNumber(options.maxTokenBytes, 8192, 256, 16384, names.maxTokenBytes, problems, true),
    jwksTimeoutMs: checkNumber(options.jwksTimeoutMs, 5_000, 1, 60_000, 'jwksTimeoutMs', problems, true),
    jwksCooldownMs: checkNumber(options.jwksCooldownMs, 30_000, 0, 86_400_000, 'jwksCooldownMs', problems),
    jwksCacheMaxAgeMs: checkNumber(options.jwksCacheMaxAgeMs, 600_000, 0, 86_400_000, 'jwksCacheMaxAgeMs', problems),
    jwksRetryMs: checkNumber(options.jwksRetryMs, 5_000, 0, 86_400_000, 'jwksRetryMs', problems),
  };
  for (const s of out.requiredScopes) if (typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) problems.push(`${names.requiredScopes}: ${JSON.stringify(s)} is not a scope (printable, no spaces or quotes).`);
  if (typeof options.jwksUrl === 'string') out.jwksUrl = checkUrl(options.jwksUrl, names.jwksUrl, problems);
  else if (options.jwksUrl !== undefined) problems.push(`${names.jwksUrl} must be a URL.`);
  if (options.jwks !== undefined) out.jwks = checkKeySet(options.jwks, names.key, problems);
  if (options.publicKeyPem !== undefined) {
    if (typeof options.publicKeyPem !== 'string') problems.push(`${names.key} must be a PEM text.`);
    else if (algorithms.length) { out.publicKeyPem = options.publicKeyPem; out.algorithms = algorithms = checkPem(options.publicKeyPem, names.key, algorithms, problems); }
  }
  if (problems.length) throw new JwtOptionsError(problems);
  return out;
}

/** What the CLI flags or the VS Code settings give; empty strings count as absent. */
export interface JwtSettings {
  issuer?: unknown;
  /** One audience, or a list. */
  audience?: unknown;
  jwksUrl?: unknown;
  /** The key file, read by the caller: a JWKS, one public JWK, or a SPKI PEM public key. */
  keyFile?: { path: string; text: string };
  /** A list, or one string separated by commas or spaces. */
  algorithms?: unknown;
  /** A list, or one space-separated string (like the `scope` claim). */
  requiredScopes?: unknown;
  clockToleranceSec?: unknown;
  maxTokenBytes?: unknown;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length);
const listOf = (v: unknown, split: RegExp): unknown[] => typeof v === 'string' ? v.split(split).filter(Boolean) : Array.isArray(v) ? v : [v];
const numberOf = (v: unknown): number => typeof v === 'string' && v.trim() ? Number(v) : typeof v === 'number' ? v : NaN;

/**
 * CLI or settings input → JwtOptions (add `log` before jwtAuthenticator). Throws JwtOptionsError
 * naming every problem with `names` (default the CLI flags). The key file is sniffed: JSON
 * (a JWKS, or one JWK) or PEM.
 */
export function validateJwtOptions(raw: JwtSettings, names: JwtOptionNames = JWT_CLI_NAMES): JwtOptions {
  const problems: string[] = [];
  const opts: JwtOptions = { issuer: typeof raw.issuer === 'string' ? raw.issuer : '', audience: [] };
  if (present(raw.issuer) && typeof raw.issuer !== 'string') problems.push(`${names.issuer} must be a string.`);
  if (present(raw.audience)) opts.audience = (Array.isArray(raw.audience) ? raw.audience : [raw.audience]).map(a => typeof a === 'string' ? a : '');
  if (present(raw.jwksUrl)) opts.jwksUrl = typeof raw.jwksUrl === 'string' ? raw.jwksUrl.trim() : String(raw.jwksUrl);
  if (raw.keyFile) {
    const text = raw.keyFile.text.trim();
    const name = `${names.key} ${raw.keyFile.path}`;
    if (text.startsWith('{')) {
      let json: unknown;
      try { json = JSON.parse(text); } catch (e) { problems.push(`${name} is not valid JSON (${(e as Error).message}).`); }
      if (json !== undefined) opts.jwks = (json as { kty?: unknown }).kty !== undefined ? { keys: [json] } as JSONWebKeySet : json as JSONWebKeySet;
    } else if (text) opts.publicKeyPem = text;
    else problems.push(`${name} is empty.`);
  }
  if (present(raw.algorithms)) opts.algorithms = listOf(raw.algorithms, /[\s,]+/) as string[];
  if (present(raw.requiredScopes)) opts.requiredScopes = listOf(raw.requiredScopes, /\s+/) as string[];
  if (present(raw.clockToleranceSec)) opts.clockToleranceSec = numberOf(raw.clockToleranceSec);
  if (present(raw.maxTokenBytes)) opts.maxTokenBytes = numberOf(raw.maxTokenBytes);
  try { checkJwtOptions(opts, raw.keyFile ? { ...names, key: `${names.key} ${raw.keyFile.path}` } : names); } catch (e) {
    if (!(e instanceof JwtOptionsError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length) throw new JwtOptionsError(problems);
  return opts;
}
