// The gateway's JWT validation (issue 13, "optional JWT validation instead of the static token"):
// real keys (RS256, ES256, EdDSA) and real tokens from jose, a key set served over HTTP on
// 127.0.0.1, every refusal a log sentence that never holds the token; and a real
// HttpGatewayServer where two subjects are two principals.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JSONWebKeySet, type JWTPayload } from 'jose';
import { Event } from '../../src/base/event.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { HttpGatewayServer } from '../../src/gateway/http.ts';
import { jwtAuthenticator, JwtOptionsError, validateJwtOptions, type JwtOptions } from '../../src/gateway/jwt.ts';

const ISS = 'https://idp.example.test/';
const AUD = 'mcp-host-gateway';

interface TestKey { alg: string; kid: string; privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK; pem: string }
async function makeKey(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, pem: await exportSPKI(publicKey) };
}
const setOf = (...keys: TestKey[]): JSONWebKeySet => ({ keys: keys.map(k => k.jwk) });

/** Every token made and every log line written, for the check that no line holds any part of a token. */
const tokens: string[] = [];
const lines: string[] = [];
const track = (t: string) => { tokens.push(t); return t; };

/** A signed token: valid claims unless `claims` overrides them (undefined removes one). */
async function sign(key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { iss: ISS, aud: AUD, sub: 'alice', iat: now, exp: now + 600, ...claims };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return track(await new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey));
}
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const validClaims = () => { const now = Math.floor(Date.now() / 1000); return { iss: ISS, aud: AUD, sub: 'mallory', iat: now, exp: now + 600 }; };

/** An authenticator whose log lines are kept (here and in `lines`). */
function auth(opts: Partial<JwtOptions>) {
  const log: { level: string; message: string }[] = [];
  const authenticate = jwtAuthenticator({ issuer: ISS, audience: AUD, ...opts, log: (level, message) => { log.push({ level, message }); lines.push(message); } } as JwtOptions);
  return { authenticate: async (h: string | undefined) => await authenticate(h), log, last: () => log.at(-1)?.message ?? '' };
}

/** A key set over HTTP on 127.0.0.1 that counts its requests; what it answers can change. */
async function keySetServer(initial: JSONWebKeySet) {
  let answer: { status: number; body: string; hang?: boolean } = { status: 200, body: JSON.stringify(initial) };
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    if (answer.hang) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.status === 302 ? { location: 'https://elsewhere.example/' } : {}) }).end(answer.body);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    get hits() { return hits; },
    serve(jwks: JSONWebKeySet) { answer = { status: 200, body: JSON.stringify(jwks) }; },
    answer(status: number, body = '', hang = false) { answer = { status, body, hang }; },
    close: () => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let rsa: TestKey, rsa2: TestKey, ec: TestKey, ed: TestKey, other: TestKey;
before(async () => {
  [rsa, rsa2, ec, ed, other] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('RS256', 'rsa-2'), makeKey('ES256', 'ec-1'), makeKey('EdDSA', 'ed-1'), makeKey('RS256', 'rsa-1')]);
});

after(() => {
  // No log line holds a token or any of its parts (header, claims, signature).
  const parts = tokens.flatMap(t => [t, ...t.split('.')]).filter(p => p.length >= 8);
  for (const line of lines) {
    assert.doesNotMatch(line, /eyJ/, `a log line holds base64url JSON: ${line}`);
    for (const p of parts) assert.ok(!line.includes(p), `a log line holds part of a token: ${line}`);
  }
  assert.ok(lines.length > 20, 'the refusals were logged');
});

describe('jwtAuthenticator', () => {
  test('valid RS256, ES256 and EdDSA tokens give the principal jwt:<iss>#<sub>; the scheme is case-insensitive', async () => {
    const a = auth({ jwks: setOf(rsa, ec, ed) });
    assert.deepEqual(await a.authenticate(`Bearer ${await sign(rsa)}`), { principal: `jwt:${ISS}#alice` });
    assert.deepEqual(await a.authenticate(`Bearer ${await sign(ec, { sub: 'bob' })}`), { principal: `jwt:${ISS}#bob` });
    assert.deepEqual(await a.authenticate(`bearer ${await sign(ed, { sub: 'carol' })}`), { principal: `jwt:${ISS}#carol` });
    assert.deepEqual(await a.authenticate(`BEARER ${await sign(rsa, { aud: ['other', AUD] })}`), { principal: `jwt:${ISS}#alice` });
    assert.equal(a.log.length, 0, a.log.map(l => l.message).join('\n'));
  });

  test('a SPKI public key: tokens of the algorithms that fit it', async () => {
    const r = auth({ publicKeyPem: rsa.pem });
    assert.deepEqual(await r.authenticate(`Bearer ${await sign(rsa)}`), { principal: `jwt:${ISS}#alice` });
    const e = auth({ publicKeyPem: ec.pem });
    assert.deepEqual(await e.authenticate(`Bearer ${await sign(ec)}`), { principal: `jwt:${ISS}#alice` });
    // An RS256 token against the EC key: not a crypto error, a plain "not allowed".
    assert.equal(await e.authenticate(`Bearer ${await sign(rsa)}`), undefined);
    assert.match(e.last(), /algorithm that is not allowed \(allowed: ES256\)/);
  });

  test('expired, not yet valid, wrong audience, wrong issuer, no sub, no exp: each refused, saying which', async () => {
    const a = auth({ jwks: setOf(rsa) });
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ exp: now - 3600 }, /^The gateway refused a request: the token has expired\.$/],
      [{ nbf: now + 3600 }, /not valid yet/],
      [{ aud: 'someone-else' }, /not for the audience mcp-host-gateway/],
      [{ iss: 'https://evil.example.test/' }, /issuer is not https:\/\/idp\.example\.test\//],
      [{ sub: undefined }, /no "sub" claim/],
      [{ sub: 42 }, /"sub" claim is not a non-empty string/],
      [{ exp: undefined }, /no "exp" claim, and tokens that never expire are refused/],
    ];
    for (const [claims, reason] of cases) {
      assert.equal(await a.authenticate(`Bearer ${await sign(rsa, claims)}`), undefined, JSON.stringify(claims));
      assert.match(a.last(), reason);
    }
    assert.equal(a.log.length, cases.length, 'one sentence per refusal');
    // Within the clock tolerance (30 s by default) an exp just past is still accepted.
    assert.ok(await a.authenticate(`Bearer ${await sign(rsa, { exp: now - 5 })}`));
  });

  test('a bad signature (another key with the same kid) is refused', async () => {
    const a = auth({ jwks: setOf(rsa) });
    assert.equal(await a.authenticate(`Bearer ${await sign(other)}`), undefined);
    assert.match(a.last(), /signature does not verify/);
    const p = auth({ publicKeyPem: rsa.pem });
    assert.equal(await p.authenticate(`Bearer ${await sign(other)}`), undefined);
    assert.match(p.last(), /signature does not verify with the key of the configured public key/);
    // A valid token with its signature swapped for another's.
    const good = await sign(rsa);
    const forged = track(`${good.split('.').slice(0, 2).join('.')}.${(await sign(other)).split('.')[2]}`);
    assert.equal(await a.authenticate(`Bearer ${forged}`), undefined);
    assert.match(a.last(), /signature does not verify/);
  });

  test('alg "none" and an HS256 token signed with the public key\'s bytes (algorithm confusion) are refused', async () => {
    const none = track(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}.`);
    const hsInput = (kid: string) => `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(validClaims())}`;
    const hs = (input: string, secret: string) => track(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    const pemConfusion = hs(hsInput('rsa-1'), rsa.pem);
    const jwkConfusion = hs(hsInput('rsa-1'), JSON.stringify(rsa.jwk));
    for (const opts of [{ jwks: setOf(rsa) }, { publicKeyPem: rsa.pem }]) {
      const a = auth(opts);
      for (const token of [none, pemConfusion, jwkConfusion]) {
        assert.equal(await a.authenticate(`Bearer ${token}`), undefined);
        assert.match(a.last(), /signed with an algorithm that is not allowed/);
      }
    }
    // Nor can anyone configure them.
    assert.throws(() => jwtAuthenticator({ issuer: ISS, audience: AUD, publicKeyPem: rsa.pem, algorithms: ['HS256'] }), /HS256 \(a shared secret\) is not supported/);
    assert.throws(() => jwtAuthenticator({ issuer: ISS, audience: AUD, publicKeyPem: rsa.pem, algorithms: ['none', 'RS256'] }), /"none" is never accepted/);
  });

  test('required scopes: from "scope" (space-separated) or "scp" (an array or a string)', async () => {
    const a = auth({ jwks: setOf(rsa), requiredScopes: ['mcp:tools', 'mcp:read'] });
    assert.equal(await a.authenticate(`Bearer ${await sign(rsa, { scope: 'mcp:read profile' })}`), undefined);
    assert.match(a.last(), /lacks the required scope mcp:tools\.$/);
    assert.equal(await a.authenticate(`Bearer ${await sign(rsa)}`), undefined);
    assert.match(a.last(), /lacks the required scopes mcp:tools mcp:read/);
    assert.ok(await a.authenticate(`Bearer ${await sign(rsa, { scope: 'profile mcp:read mcp:tools' })}`));
    assert.ok(await a.authenticate(`Bearer ${await sign(rsa, { scp: ['mcp:tools', 'mcp:read'] })}`));
    assert.ok(await a.authenticate(`Bearer ${await sign(rsa, { scp: 'mcp:read mcp:tools' })}`));
  });

  test('an oversize token, another scheme, no header, not a JWT: refused before any verification', async () => {
    const a = auth({ jwks: setOf(rsa), maxTokenBytes: 1024 });
    const big = await sign(rsa, { pad: 'x'.repeat(2000) });
    assert.equal(await a.authenticate(`Bearer ${big}`), undefined);
    assert.match(a.last(), /more than a token may be \(1024 bytes\)/);
    const d = auth({ jwks: setOf(rsa) });
    assert.equal(await d.authenticate(`Bearer ${await sign(rsa, { pad: 'x'.repeat(9000) })}`), undefined, 'the default limit is 8 KiB');
    assert.match(d.last(), /8192/);
    const good = await sign(rsa);
    for (const [header, reason] of [
      [undefined, /has no Authorization header/],
      ['', /has no Authorization header/],
      [`Basic ${Buffer.from('a:b').toString('base64')}`, /not of the form "Bearer <token>"/],
      [`Token ${good}`, /not of the form "Bearer <token>"/],
      [good, /not of the form "Bearer <token>"/],
      [`Bearer ${good} extra`, /not of the form "Bearer <token>"/],
      ['Bearer not-a-jwt', /not a JWT \(three base64url parts\)/],
    ] as const) {
      assert.equal(await d.authenticate(header), undefined, String(header));
      assert.match(d.last(), reason);
    }
    assert.equal(d.log.find(l => /no Authorization header/.test(l.message))?.level, 'info', 'a client that has not sent a token yet is not a warning');
  });

  test('several keys without kid: the one that verifies is found', async () => {
    const strip = (k: TestKey): JWK => { const { kid: _kid, ...rest } = k.jwk; return rest; };
    const a = auth({ jwks: { keys: [strip(rsa), strip(rsa2)] } });
    assert.deepEqual(await a.authenticate(`Bearer ${await sign(rsa2, {}, { kid: undefined })}`), { principal: `jwt:${ISS}#alice` });
    assert.equal(await a.authenticate(`Bearer ${await sign(other, {}, { kid: undefined })}`), undefined);
    assert.match(a.last(), /names no key id, and no key .* verifies it|signature does not verify/);
  });
});

describe('jwtAuthenticator with a key set URL', () => {
  test('key rotation: a new kid is fetched again once (after the cooldown), an unknown one exactly once more', async () => {
    const jwks = await keySetServer(setOf(rsa));
    try {
      const a = auth({ jwksUrl: jwks.url, jwksCooldownMs: 0 });
      assert.ok(await a.authenticate(`Bearer ${await sign(rsa)}`));
      assert.ok(await a.authenticate(`Bearer ${await sign(rsa, { sub: 'bob' })}`));
      assert.equal(jwks.hits, 1, 'the set is cached');
      assert.match(a.log[0]!.message, /fetched the JWT key set from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/);
      jwks.serve(setOf(rsa2));
      assert.deepEqual(await a.authenticate(`Bearer ${await sign(rsa2)}`), { principal: `jwt:${ISS}#alice` });
      assert.equal(jwks.hits, 2, 'the unknown kid fetched the set again');
      assert.equal(await a.authenticate(`Bearer ${await sign(rsa2, {}, { kid: 'nobody' })}`), undefined);
      assert.equal(jwks.hits, 3, 'one more fetch for a kid nobody has, not a loop');
      assert.match(a.last(), /key id is unknown: no key of http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json matches it/);
    } finally { await jwks.close(); }
  });

  test('within the cooldown an unknown kid does not fetch the set again', async () => {
    const jwks = await keySetServer(setOf(rsa));
    try {
      const a = auth({ jwksUrl: jwks.url, jwksCooldownMs: 600_000 });
      assert.ok(await a.authenticate(`Bearer ${await sign(rsa)}`));
      jwks.serve(setOf(rsa2));
      for (let i = 0; i < 5; i++) assert.equal(await a.authenticate(`Bearer ${await sign(rsa2)}`), undefined);
      assert.equal(jwks.hits, 1);
      assert.match(a.last(), /at most every 600 s/);
    } finally { await jwks.close(); }
  });

  test('the key set server down: a refusal that says so, no throw; failures are not retried per request', async () => {
    const dead = await keySetServer(setOf(rsa));
    const url = dead.url;
    await dead.close();
    const a = auth({ jwksUrl: url });
    assert.equal(await a.authenticate(`Bearer ${await sign(rsa)}`), undefined);
    assert.equal(a.log.at(-1)?.level, 'error');
    assert.match(a.last(), /^The gateway refused a request: the key set at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json is unreachable: it could not be reached \(ECONNREFUSED\)\.$/);

    const jwks = await keySetServer(setOf(rsa));
    try {
      jwks.answer(503, 'maintenance');
      const b = auth({ jwksUrl: jwks.url, jwksRetryMs: 600_000 });
      assert.equal(await b.authenticate(`Bearer ${await sign(rsa)}`), undefined);
      assert.match(b.last(), /unreachable: it answered HTTP 503/);
      assert.equal(await b.authenticate(`Bearer ${await sign(rsa)}`), undefined);
      assert.match(b.last(), /it answered HTTP 503, and it is not asked again until 600 s after a failure/);
      assert.equal(jwks.hits, 1, 'the second request did not fetch');
      // With no retry delay, the set is asked again and the token passes once it answers.
      const c = auth({ jwksUrl: jwks.url, jwksRetryMs: 0 });
      assert.equal(await c.authenticate(`Bearer ${await sign(rsa)}`), undefined);
      jwks.serve(setOf(rsa));
      assert.ok(await c.authenticate(`Bearer ${await sign(rsa)}`));
    } finally { await jwks.close(); }
  });

  test('a redirect, a huge answer, not JSON, not a key set, no answer at all: each refused, saying which', async () => {
    const jwks = await keySetServer(setOf(rsa));
    try {
      const cases: [() => void, RegExp][] = [
        [() => jwks.answer(302), /it answered HTTP 302 \(redirects are not followed\)/],
        [() => jwks.answer(200, JSON.stringify({ keys: [], pad: 'x'.repeat(300 * 1024) })), /it is larger than 256 KiB/],
        [() => jwks.answer(200, '<html>'), /its answer is not JSON/],
        [() => jwks.answer(200, '{"issuer":"x"}'), /not a JSON Web Key Set \(no "keys" array\)/],
        [() => jwks.answer(200, '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"rsa-1","alg":"RS256","d":"AQAB"}]}'), /not a valid JSON Web Key Set of public keys|could not be verified/],
        [() => jwks.answer(200, '', true), /did not answer in time/],
      ];
      for (const [setUp, reason] of cases) {
        setUp();
        // Only the server that never answers meets the short timeout; the others get a minute (a busy machine answers in it).
        const a = auth({ jwksUrl: jwks.url, jwksTimeoutMs: reason.source.includes('in time') ? 200 : 60_000 });
        assert.equal(await a.authenticate(`Bearer ${await sign(rsa)}`), undefined);
        assert.match(a.last(), reason);
      }
    } finally { await jwks.close(); }
  });
});

describe('validateJwtOptions', () => {
  test('CLI input becomes options; the key file is a JWKS, one JWK or a PEM', async () => {
    assert.deepEqual(validateJwtOptions({ issuer: ISS, audience: AUD, jwksUrl: ' https://idp.example.test/jwks ', algorithms: 'RS256, ES256', requiredScopes: 'mcp:tools mcp:read', clockToleranceSec: '10', maxTokenBytes: '4096' }), {
      issuer: ISS, audience: [AUD], jwksUrl: 'https://idp.example.test/jwks', algorithms: ['RS256', 'ES256'], requiredScopes: ['mcp:tools', 'mcp:read'], clockToleranceSec: 10, maxTokenBytes: 4096,
    });
    assert.equal(validateJwtOptions({ issuer: ISS, audience: AUD, jwksUrl: 'http://localhost:8080/jwks' }).jwksUrl, 'http://localhost:8080/jwks');
    assert.equal(validateJwtOptions({ issuer: ISS, audience: AUD, jwksUrl: 'http://[::1]:8080/jwks' }).jwksUrl, 'http://[::1]:8080/jwks');
    assert.equal(validateJwtOptions({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: `\n${ec.pem}\n` } }).publicKeyPem, ec.pem.trim());
    assert.deepEqual(validateJwtOptions({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: JSON.stringify(setOf(rsa, ed)) } }).jwks, setOf(rsa, ed));
    assert.deepEqual(validateJwtOptions({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: JSON.stringify(rsa.jwk) } }).jwks, { keys: [rsa.jwk] });
    // VS Code settings: empty strings are absent; names are the settings'.
    const opts = validateJwtOptions({ issuer: ISS, audience: [AUD, 'second'], jwksUrl: 'https://idp.example.test/jwks', algorithms: [], requiredScopes: '' });
    assert.deepEqual(opts, { issuer: ISS, audience: [AUD, 'second'], jwksUrl: 'https://idp.example.test/jwks' });
    // The result works as is.
    const a = auth({ ...validateJwtOptions({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: JSON.stringify(setOf(rsa)) } }) });
    assert.ok(await a.authenticate(`Bearer ${await sign(rsa)}`));
  });

  test('every problem named at once, by the CLI flag', async () => {
    const err = (raw: Parameters<typeof validateJwtOptions>[0]) => { try { validateJwtOptions(raw); } catch (e) { assert.ok(e instanceof JwtOptionsError); return e.message; } assert.fail('accepted'); };
    const none = err({});
    assert.match(none, /--jwt-issuer is required/);
    assert.match(none, /--jwt-audience is required/);
    assert.match(none, /needs the key that signs the tokens: --jwks-url URL or --jwt-key-file/);
    assert.match(err({ issuer: ISS, audience: AUD, jwksUrl: 'http://idp.example.test/jwks' }), /--jwks-url http:\/\/idp\.example\.test\/jwks must be https \(http only on 127\.0\.0\.1, localhost or \[::1\]\)/);
    assert.match(err({ issuer: ISS, audience: AUD, jwksUrl: 'https://user:secret@idp.example.test/jwks' }), /must not carry credentials/);
    assert.doesNotMatch(err({ issuer: ISS, audience: AUD, jwksUrl: 'https://user:secret@idp.example.test/jwks' }), /secret@/);
    assert.match(err({ issuer: ISS, audience: AUD, jwksUrl: 'not a url' }), /is not a URL/);
    assert.match(err({ issuer: ISS, audience: AUD, jwksUrl: 'https://idp.example.test/jwks', keyFile: { path: 'k.pem', text: rsa.pem } }), /exactly one key: --jwks-url or --jwt-key-file k\.pem, not both/);
    const pkcs8 = await exportPKCS8(rsa.privateKey);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: pkcs8 } }), /--jwt-key-file k\.pem holds a private key; give the gateway the public key only/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }), /is a certificate; give its public key/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: 'hello' } }), /is not a PEM public key/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: ec.pem }, algorithms: 'RS256' }), /is an EC key on prime256v1, and none of the allowed algorithms \(RS256\) uses it; it fits ES256/);
    const privateJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'x' };
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: JSON.stringify({ keys: [privateJwk] }) } }), /key 1 \(kid "x"\) is a private key/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' } }), /is a shared secret \(kty "oct"\)/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: '{"keys":' } }), /k\.json is not valid JSON/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.json', text: '{"keys":[]}' } }), /is not a JSON Web Key Set/);
    const algs = err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: rsa.pem }, algorithms: 'HS256,none,XY1' });
    assert.match(algs, /--jwt-algorithms: HS256 \(a shared secret\) is not supported/);
    assert.match(algs, /"none" is never accepted/);
    assert.match(algs, /XY1 is not one of RS256/);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: rsa.pem }, clockToleranceSec: 'soon', maxTokenBytes: '1e9' }), /--jwt-clock-tolerance must be a number from 0 to 600\. --jwt-max-token-bytes must be a whole number from 256 to 16384\./);
    assert.match(err({ issuer: ISS, audience: AUD, keyFile: { path: 'k.pem', text: rsa.pem }, requiredScopes: ['ok', 'has"quote'] }), /--jwt-scopes: "has\\"quote" is not a scope/);
    // Settings names instead of flags.
    assert.throws(() => validateJwtOptions({}, { issuer: 'mcpHost.gateway.jwt.issuer', audience: 'mcpHost.gateway.jwt.audience', jwksUrl: 'mcpHost.gateway.jwt.jwksUrl', key: 'mcpHost.gateway.jwt.keyFile', algorithms: 'a', requiredScopes: 's', clockToleranceSec: 'c', maxTokenBytes: 'm' }), /mcpHost\.gateway\.jwt\.issuer is required/);
    // jwtAuthenticator refuses the same options.
    assert.throws(() => jwtAuthenticator({ issuer: '', audience: AUD, jwks: setOf(rsa), publicKeyPem: rsa.pem }), (e: unknown) => e instanceof JwtOptionsError && /issuer is required/.test(e.message) && /not both/.test(e.message));
  });
});

/** One raw HTTP request to the gateway. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, res => {
      let text = '';
      res.on('data', c => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTP gateway with JWT authentication', () => {
  let gateway: Gateway;
  let server: HttpGatewayServer;
  let jwks: Awaited<ReturnType<typeof keySetServer>>;
  const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'jwt-test', version: '1' } } });
  const LIST = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  const gatewayLog: string[] = [];

  before(async () => {
    // No managed servers: the gateway still answers initialize and tools/list (empty).
    gateway = new Gateway({ source: { servers: [], onDidChangeServers: Event.None, onDidChangeServer: Event.None }, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
    jwks = await keySetServer(setOf(rsa, ec));
    server = new HttpGatewayServer({ gateway, authenticate: jwtAuthenticator({ issuer: ISS, audience: AUD, jwksUrl: jwks.url, log: (_l, m) => { gatewayLog.push(m); lines.push(m); } }) });
    await server.listen();
  });

  after(async () => {
    await server.close(500);
    gateway.dispose();
    await jwks.close();
  });

  test('401 without a token and with a bad one; 200 with a good one; two subjects are two principals', async () => {
    const none = await post(server.url, {}, INIT);
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const bad = await post(server.url, { authorization: `Bearer ${await sign(other)}` }, INIT);
    assert.equal(bad.status, 401);
    assert.match(bad.body, /the token is not valid/);
    const expired = await post(server.url, { authorization: `Bearer ${await sign(rsa, { exp: Math.floor(Date.now() / 1000) - 3600 })}` }, INIT);
    assert.equal(expired.status, 401);
    assert.match(gatewayLog.join('\n'), /signature does not verify[\s\S]*has expired/);

    const alice = `Bearer ${await sign(rsa, { sub: 'alice' })}`;
    const bob = `Bearer ${await sign(ec, { sub: 'bob' })}`;
    const init = await post(server.url, { authorization: alice }, INIT);
    assert.equal(init.status, 200);
    assert.match(init.body, /"serverInfo":\{"name":"mcp-host-gateway"/);
    const sid = String(init.headers['mcp-session-id']);
    assert.match(sid, /^[0-9a-f-]{36}$/);
    assert.equal((await post(server.url, { authorization: alice, 'mcp-session-id': sid }, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))).status, 202);
    const list = await post(server.url, { authorization: alice, 'mcp-session-id': sid }, LIST);
    assert.equal(list.status, 200);
    assert.match(list.body, /"tools":\[\]/);
    // Bob holds a valid token too, but Alice's session is not his.
    const stolen = await post(server.url, { authorization: bob, 'mcp-session-id': sid }, LIST);
    assert.equal(stolen.status, 404);
    assert.equal((await post(server.url, { authorization: bob }, INIT)).status, 200);
  });
});
