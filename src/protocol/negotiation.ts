// Which protocol generation a server speaks, found out on the connection itself: probe
// with `server/discover` (a modern server answers it, or refuses our version listing the
// ones it speaks); anything else — method not found, an empty result, an HTTP error
// without a modern body, silence — is a server of the `initialize` era, asked next on
// the same connection. The other way round too: an `initialize` refused with an
// UnsupportedProtocolVersion error that lists a modern version switches to stateless. A
// pin skips the probe; so does what worked last time (the host remembers it per
// definition), re-probing only if that stops working.

import type { JsonRpcConnection } from './connection.ts';
import { LocalError, RequestError } from './errors.ts';
import { StatefulGeneration, type ProtocolGeneration, type SessionInit } from './generation.ts';
import { LegacyServerError, StatelessGeneration, unsupportedVersionList, type StatelessOptions } from './stateless.ts';
import { MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS, type InitializeResult } from './types.ts';

export interface ProtocolChoice {
  /** Speak exactly this version, no negotiation ('2026-07-28', '2025-11-25', …). */
  pin?: string;
  /** What worked last time for this server: tried first, without the probe when it is stateful. */
  remembered?: 'stateless' | 'stateful';
  /**
   * How long to wait for `server/discover` before asking `initialize` (over stdio a server
   * that ignores unknown requests would otherwise hold up the start; default 5 s). Over
   * HTTP the answer is a status code: the whole handshake deadline applies.
   */
  probeTimeoutMs?: number;
  stateless?: StatelessOptions;
}

export interface Negotiated {
  generation: ProtocolGeneration;
  init: InitializeResult;
}

const DEFAULT_PROBE_MS = 5000;

export async function negotiate(conn: JsonRpcConnection, session: SessionInit, choice: ProtocolChoice, attach: (g: ProtocolGeneration) => void): Promise<Negotiated> {
  const total = session.timeoutMs ?? 60_000;
  const deadline = Date.now() + total;
  // Time spent on a sign-in in the browser is the person's, not the server's: it does not count.
  const waited = conn.userWaitMs;
  const left = () => Math.max(1, deadline + (conn.userWaitMs - waited) - Date.now());
  const stateless = (version?: string) => new StatelessGeneration({ ...choice.stateless, ...(version ? { version } : {}) });
  const stateful = (version?: string) => version ? new StatefulGeneration(version, [version]) : new StatefulGeneration();

  const tryStateful = async (version?: string): Promise<Negotiated> => {
    const g = stateful(version);
    attach(g);
    try {
      return { generation: g, init: await g.connect(conn, { ...session, timeoutMs: left() }) };
    } catch (err) {
      // Refused with a version error that lists a stateless version: a modern-only server.
      const modern = unsupportedVersionList(err)?.find(v => MODERN_PROTOCOL_VERSIONS.includes(v));
      if (modern && !version) return tryStateless(modern, false);
      throw err;
    }
  };
  const tryStateless = async (version: string | undefined, fallBack: boolean): Promise<Negotiated> => {
    const g = stateless(version);
    attach(g);
    const probe = fallBack && !choice.stateless?.http ? Math.min(choice.probeTimeoutMs ?? DEFAULT_PROBE_MS, left()) : left();
    try {
      return { generation: g, init: await g.connect(conn, { ...session, timeoutMs: probe }) };
    } catch (err) {
      if (!(err instanceof LegacyServerError) || !fallBack) {
        if (err instanceof LegacyServerError) throw new RequestError(conn.name, 'server/discover', new LocalError('version', `this server is pinned to protocol ${version ?? MODERN_PROTOCOL_VERSIONS[0]}, but ${err.message}`, err));
        throw err;
      }
      return tryStateful();
    }
  };

  if (choice.pin && MODERN_PROTOCOL_VERSIONS.includes(choice.pin)) return tryStateless(choice.pin, false);
  try {
    return await negotiateLegacyFirstOrProbe();
  } catch (err) {
    // The probe is how the handshake begins: a server that dies, refuses authorization or
    // does not answer failed its handshake, whatever the first message happened to be.
    // A deadline missed is the whole handshake's, however it was split between the probe
    // and initialize.
    if (err instanceof RequestError && err.isTimeout) throw new RequestError(conn.name, 'initialize', new LocalError('timeout', `timed out after ${total} ms`, err.cause));
    if (err instanceof RequestError && err.method === 'server/discover') throw new RequestError(conn.name, 'initialize', err.cause);
    throw err;
  }

  async function negotiateLegacyFirstOrProbe(): Promise<Negotiated> {
    if (choice.pin) return pinned(choice.pin);
    if (choice.remembered === 'stateful') return tryStateful();
    return tryStateless(undefined, true);
  }

  function pinned(pin: string): Promise<Negotiated> {
    if (SUPPORTED_PROTOCOL_VERSIONS.includes(pin)) return tryStateful(pin);
    throw new RequestError(conn.name, 'initialize', new LocalError('config', `protocol version ${pin} is not one this host speaks (${[...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS].join(', ')})`));
  }
}
