// A protocol generation is a strategy of the connection, not a fork of the code: it
// decides how a session is established and how each request is sent. 2025-11-25 and
// earlier are stateful (an `initialize` handshake, then plain requests); the stateless
// 2026-07-28 generation will implement the same interface (`server/discover`, `_meta`
// on every request, multi-round-trip `input_required` results answered through the
// same request handlers that serve roots, sampling and elicitation today).

import type { JsonRpcConnection, RequestCallOptions } from './connection.ts';
import { LocalError, RequestError } from './errors.ts';
import { parse } from './schemas.ts';
import { SUPPORTED_PROTOCOL_VERSIONS, type ClientCapabilities, type Implementation, type InitializeResult } from './types.ts';

export interface SessionInit {
  clientInfo: Implementation;
  capabilities: ClientCapabilities;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ProtocolGeneration {
  readonly id: string;
  /** Establishes the session; returns what the server said of itself. */
  connect(conn: JsonRpcConnection, init: SessionInit): Promise<InitializeResult>;
  /** Sends one request the way this generation does. */
  request<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R>;
}

export class StatefulGeneration implements ProtocolGeneration {
  readonly id = 'stateful';
  private readonly offered: string;
  private readonly accepted: readonly string[];

  constructor(offered: string = SUPPORTED_PROTOCOL_VERSIONS[0]!, accepted: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS) {
    this.offered = offered;
    this.accepted = accepted;
  }

  async connect(conn: JsonRpcConnection, init: SessionInit): Promise<InitializeResult> {
    const result = await conn.request('initialize', {
      protocolVersion: this.offered,
      capabilities: init.capabilities,
      clientInfo: init.clientInfo,
    }, { parse: parse.initialize, signal: init.signal, timeoutMs: init.timeoutMs });
    if (!this.accepted.includes(result.protocolVersion)) {
      throw new RequestError(conn.name, 'initialize', new LocalError('version',
        `the server answered protocol version ${result.protocolVersion}, but this host asked for ${this.offered} and speaks only ${this.accepted.join(', ')}`));
    }
    conn.notify('notifications/initialized');
    return result;
  }

  request<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R> {
    return conn.request(method, params, options);
  }
}
