// DPoP (RFC 9449): one ES256 key per token. oauth4webapi makes the proofs for the token
// endpoint; the proofs for the MCP server's own requests are made here (a fresh `jti`
// each, `htu` = origin + path, `ath` = the token's hash, the server's nonce when it gave one).

import { createHash, randomUUID, type webcrypto } from 'node:crypto';

type JsonWebKey = webcrypto.JsonWebKey;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const b64url = (b: Buffer | Uint8Array | string) => Buffer.from(b).toString('base64url');

export async function exportKey(pair: CryptoKeyPair): Promise<JsonWebKey> {
  return crypto.subtle.exportKey('jwk', pair.privateKey);
}

function publicPart(jwk: JsonWebKey): JsonWebKey {
  return { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
}

/** The key pair back from its private JWK (the public key extractable: its JWK goes in each proof). */
export async function importKey(jwk: JsonWebKey): Promise<CryptoKeyPair> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await crypto.subtle.importKey('jwk', jwk, alg, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('jwk', publicPart(jwk), alg, true, ['verify']);
  return { privateKey, publicKey };
}

const signers = new Map<string, Promise<CryptoKey>>();

/** A DPoP proof for one request to the resource server. */
export async function resourceProof(jwk: JsonWebKey, method: string, url: URL, accessToken: string, nonce?: string): Promise<string> {
  let key = signers.get(jwk.x!);
  if (!key) {
    key = crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    signers.set(jwk.x!, key);
    if (signers.size > 64) signers.delete(signers.keys().next().value!);
  }
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: publicPart(jwk) };
  const payload = {
    jti: randomUUID(), htm: method, htu: `${url.origin}${url.pathname}`, iat: Math.floor(Date.now() / 1000),
    ath: b64url(createHash('sha256').update(accessToken).digest()),
    ...(nonce ? { nonce } : {}),
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, await key, Buffer.from(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}
