// Credentials for every HTTP request a transport makes — the POSTs, the GET streams, the
// DELETE, the legacy SSE stream and its POSTs, the WebSocket handshake — from one place.
// Headers are asked for per request (a DPoP proof is bound to the method and the URL,
// RFC 9449 §4.2), and a 401 or 403 goes to the authorizer, which may run its flow and
// have the request sent again. The transports know only this interface; `src/auth`
// implements it.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { LocalError } from '../protocol/errors.ts';
import { redact, send, type SendOptions } from './httpRequest.ts';

export interface AuthRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The exact target (a DPoP proof's `htu` is its origin and path). */
  url: URL;
  /**
   * False for requests nobody waits on in person (the GET stream, the closing DELETE):
   * an authorizer should not open a browser for those.
   */
  interactive: boolean;
  signal?: AbortSignal;
}

export interface AuthResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Whether the refused request carried an Authorization header. */
  hadCredentials: boolean;
}

export type AuthVerdict = { retry: true } | { retry: false; error: LocalError };

export interface RequestAuth {
  /** Headers for one request, made right before it is sent (Authorization, DPoP). */
  headers(req: AuthRequest): Promise<Record<string, string>>;
  /** Every response's headers (a server's `DPoP-Nonce` may come on any of them). */
  observe?(req: AuthRequest, headers: IncomingHttpHeaders): void;
  /**
   * The request got a 401 or a 403. `retry`: send it again with fresh headers; otherwise
   * the error (code 'auth') to fail it with. `attempt` counts the sends so far (1 = the
   * first was refused): the authorizer keeps its own limits, and sendAuthorized stops
   * after MAX_AUTH_SENDS whatever it says.
   */
  challenge(req: AuthRequest, res: AuthResponse, attempt: number): Promise<AuthVerdict>;
}

/** A sign-in, a step-up, and a DPoP nonce: three reasons to send one request again, no more. */
export const MAX_AUTH_SENDS = 4;

const authorized = new WeakSet<IncomingMessage>();

/** Whether this response answered a request that carried credentials from a RequestAuth. */
export function wasAuthorized(res: IncomingMessage): boolean { return authorized.has(res); }

export function hasAuthorization(headers: Readonly<Record<string, string>>): boolean {
  return Object.keys(headers).some(k => k.toLowerCase() === 'authorization');
}

/**
 * send() with credentials from `auth`: a 401/403 is never returned while `auth` wants the
 * request sent again; once it does not, its error is thrown. Without `auth`, send() as is
 * (the caller reports a 401/403 itself). The body is a string, so sending again is free.
 */
export async function sendAuthorized(opts: SendOptions, auth: RequestAuth | undefined, interactive: boolean, onChallenge?: (active: boolean) => void): Promise<IncomingMessage> {
  if (!auth) return send(opts);
  const req: AuthRequest = { method: opts.method, url: opts.url, interactive, ...(opts.signal ? { signal: opts.signal } : {}) };
  for (let attempt = 1; ; attempt++) {
    const extra = await auth.headers(req);
    const res = await send({ ...opts, headers: { ...opts.headers, ...extra } });
    auth.observe?.(req, res.headers);
    const status = res.statusCode ?? 0;
    const withCredentials = hasAuthorization(extra);
    if (withCredentials) authorized.add(res);
    if (status !== 401 && status !== 403) return res;
    res.resume();
    // A sign-in may wait on a person at a browser: the caller lets the request's timeout wait too.
    onChallenge?.(true);
    let verdict: AuthVerdict;
    try {
      verdict = await auth.challenge(req, { status, headers: res.headers, hadCredentials: withCredentials }, attempt);
    } finally {
      onChallenge?.(false);
    }
    if (!verdict.retry) throw verdict.error;
    if (attempt >= MAX_AUTH_SENDS) {
      throw new LocalError('auth', `HTTP ${status} from ${opts.method} ${redact(opts.url)}: the server still refused the request after ${attempt} attempts with new credentials`);
    }
  }
}
