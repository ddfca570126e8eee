// MCP authorization's seams: what the host configures and injects (token storage, opening
// a browser, receiving the redirect), and what a flow produces. No `vscode` here.

import type { webcrypto } from 'node:crypto';

/** The definition's `oauth` object (and the CLI's flags): all optional. */
export interface OAuthConfig {
  /** A client registered in advance with the authorization server. */
  clientId?: string;
  clientSecret?: string;
  /** How the client authenticates at the token endpoint; chosen from the metadata when absent. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';
  /** The issuer the configured client belongs to; when set, any other authorization server is refused. */
  issuer?: string;
  /** Scopes to ask for instead of the server's. */
  scopes?: string[];
  /**
   * The grant: the browser flow (default), or one without a person: client credentials, a
   * workload's JWT (jwt-bearer), or enterprise-managed authorization (id-jag: the user's ID
   * token from the company's identity provider, exchanged there for an ID-JAG, which the
   * authorization server takes as a JWT bearer assertion).
   */
  grant?: 'authorization_code' | 'client_credentials' | 'jwt-bearer' | 'id-jag';
  /** PKCS#8 PEM private key for `private_key_jwt`, and its algorithm (default ES256). */
  privateKey?: string;
  signingAlgorithm?: string;
  /** The JWT for the `jwt-bearer` grant (workload identity). */
  assertion?: string;
  /** The identity provider of the id-jag grant. */
  idp?: { tokenEndpoint: string; clientId: string; clientSecret?: string; idToken: string };
  /** Ask for DPoP-bound tokens when the authorization server offers them (default true). */
  dpop?: boolean;
}

/** Where tokens and registrations are kept (VS Code SecretStorage, a 0600 file, memory). */
export interface TokenStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Receives the authorization server's redirect (a loopback listener, or VS Code's URI handler). */
export interface RedirectReceiver {
  readonly redirectUri: string;
  /** The redirect's query once it arrives; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<URLSearchParams>;
  dispose(): void;
}

/** What the host provides to a flow. */
export interface AuthHost {
  store: TokenStore;
  /** Opens the authorization page for the person (the browser). */
  openUrl(url: URL, signal: AbortSignal): Promise<void>;
  /** A new receiver for one authorization (default: a loopback listener on 127.0.0.1). */
  redirectReceiver?(): Promise<RedirectReceiver>;
  /** The Client ID Metadata Document URL the product publishes, if any. */
  clientMetadataUrl?: string;
  clientName: string;
  /**
   * The last way to a client (after configured, kept, metadata document and registration):
   * ask the person for one registered with `issuer` by hand. Undefined: they gave none.
   */
  askClient?(issuer: string, redirectUri: string, signal: AbortSignal): Promise<{ clientId: string; clientSecret?: string } | undefined>;
  /** Progress for the person ("Waiting for the browser…"); secrets never go here. */
  onProgress?(message: string): void;
}

/** A token as kept: the access token and what it is good for. */
export interface TokenSet {
  accessToken: string;
  /** 'bearer' or 'dpop' (lower-cased). */
  tokenType: 'bearer' | 'dpop';
  /** ms since the epoch. */
  expiresAt?: number;
  refreshToken?: string;
  /** Space-separated, as granted (or as asked when the server did not say). */
  scope?: string;
  /** The scopes we asked for, for a step-up's union. */
  requestedScope?: string;
  /** The private JWK of a DPoP-bound token's key. */
  dpopJwk?: webcrypto.JsonWebKey;
}

/** What discovery learned about where to authorize (kept to refresh and to revoke). */
export interface ServerAuthInfo {
  /** The protected resource's `resource`, verbatim (sent as RFC 8707 `resource`). */
  resource: string;
  /** The authorization server's issuer, verbatim. */
  issuer: string;
  /** The metadata document, as published. */
  metadata: Record<string, unknown>;
  /** The protected resource's `scopes_supported`. */
  scopesSupported?: string[];
}
