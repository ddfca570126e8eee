// How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523): what the
// configuration says, else what registration returned, else the best the metadata allows
// for what we hold (a key → private_key_jwt, a secret → Basic then POST body, nothing → none).

import type { webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { LocalError } from '../protocol/errors.ts';
import type { ClientRecord } from './registration.ts';
import type { OAuthConfig } from './types.ts';

/**
 * HTTP Basic with the id and secret form-encoded first (RFC 6749 §2.3.1), the WHATWG way:
 * `-`, `.`, `_` and `*` stay as they are. (oauth4webapi's ClientSecretBasic escapes those
 * too, which servers that only base64-decode do not undo.)
 */
export function basicAuth(clientId: string, secret: string): oauth.ClientAuth {
  const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2);
  const value = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
  return (_as, _client, _body, headers) => { headers.set('authorization', value); };
}

/** A PKCS#8 PEM private key as a WebCrypto signing key (EC P-256/384 or RSA). */
export async function importPrivateKey(pem: string, alg: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''), 'base64');
  const params: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams = alg.startsWith('ES')
    ? { name: 'ECDSA', namedCurve: alg === 'ES384' ? 'P-384' : alg === 'ES512' ? 'P-521' : 'P-256' }
    : { name: alg.startsWith('PS') ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: `SHA-${alg.slice(2)}` };
  try {
    return await crypto.subtle.importKey('pkcs8', der, params, false, ['sign']);
  } catch (err) {
    throw new LocalError('auth', `the private key is not a PKCS#8 ${alg} key: ${(err as Error).message}`);
  }
}

export async function clientAuthFor(config: OAuthConfig, client: ClientRecord, as: oauth.AuthorizationServer): Promise<oauth.ClientAuth> {
  const supported = Array.isArray(as.token_endpoint_auth_methods_supported) ? as.token_endpoint_auth_methods_supported : ['client_secret_basic'];
  const secret = client.clientSecret;
  let method = config.tokenEndpointAuthMethod ?? client.authMethod;
  if (!method) {
    if (config.privateKey) method = 'private_key_jwt';
    else if (secret) method = supported.includes('client_secret_basic') || !supported.includes('client_secret_post') ? 'client_secret_basic' : 'client_secret_post';
    else method = 'none';
  }
  switch (method) {
    case 'private_key_jwt': {
      if (!config.privateKey) throw new LocalError('auth', 'private_key_jwt needs a private key (oauth.privateKey, or --private-key)');
      const alg = config.signingAlgorithm ?? 'ES256';
      return oauth.PrivateKeyJwt(await importPrivateKey(config.privateKey, alg));
    }
    case 'client_secret_basic':
      if (!secret) throw new LocalError('auth', 'client_secret_basic needs a client secret');
      return basicAuth(client.clientId, secret);
    case 'client_secret_post':
      if (!secret) throw new LocalError('auth', 'client_secret_post needs a client secret');
      return oauth.ClientSecretPost(secret);
    default:
      return oauth.None();
  }
}
