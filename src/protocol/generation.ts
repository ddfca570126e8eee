// A protocol generation is a strategy of the connection, not a fork of the code: it
// decides how a session is established, what goes into (and beside) each request, how a
// result is read, and how the features that differ between revisions are done — the log
// level, resource subscriptions, telling the server that the roots changed, and where
// the server's needs (roots, sampling, elicitation) come from. 2025-11-25 and earlier
// are stateful (an `initialize` handshake, then plain requests, server requests answered
// by the input broker); 2026-07-28 is stateless (stateless.ts).

import type { Disposable } from '../base/event.ts';
import type { JsonRpcConnection, RequestCallOptions } from './connection.ts';
import { LocalError, RequestError } from './errors.ts';
import { registerInputHandlers, type InputBroker } from './inputBroker.ts';
import { parse } from './schemas.ts';
import {
  SUPPORTED_PROTOCOL_VERSIONS, type ClientCapabilities, type Implementation, type InitializeResult, type LoggingLevel, type RequestOptions,
} from './types.ts';

export interface SessionInit {
  clientInfo: Implementation;
  capabilities: ClientCapabilities;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ProtocolGeneration {
  readonly id: 'stateful' | 'stateless';
  /** Establishes the session; returns what the server said of itself. */
  connect(conn: JsonRpcConnection, init: SessionInit): Promise<InitializeResult>;
  /**
   * Makes the broker the answer to what the server needs, for the life of the client:
   * server requests (stateful) or input requests in results (stateless).
   */
  attach(conn: JsonRpcConnection, broker: InputBroker | undefined): Disposable;
  /**
   * Sends one request the way this generation does. `options.parse` validates the final
   * result: the generation sees the raw result first (a 2026-07-28 `input_required` result
   * is not a CallToolResult) and applies it only to what is final.
   */
  request<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R>;
  /** The level of the server's log messages: `logging/setLevel` (stateful) or every request's `_meta` (stateless). */
  setLogLevel(conn: JsonRpcConnection, level: LoggingLevel, options?: RequestOptions): Promise<void>;
  /** Updates of one resource: `resources/subscribe` (stateful) or the listen stream's filter (stateless). */
  subscribe(conn: JsonRpcConnection, uri: string, options?: RequestOptions): Promise<void>;
  unsubscribe(conn: JsonRpcConnection, uri: string, options?: RequestOptions): Promise<void>;
  /** The roots changed: `notifications/roots/list_changed` (stateful); stateless servers ask each time. */
  rootsChanged(conn: JsonRpcConnection): void;
  /** Whether the server can be pinged (2026-07-28 has no ping). */
  readonly canPing: boolean;
}

export class StatefulGeneration implements ProtocolGeneration {
  readonly id = 'stateful';
  readonly canPing = true;
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

  attach(conn: JsonRpcConnection, broker: InputBroker | undefined): Disposable {
    return broker ? registerInputHandlers(conn, broker) : { dispose() {} };
  }

  // The hot path: the connection's own promise, parsed in place, nothing added.
  request<R>(conn: JsonRpcConnection, method: string, params: Record<string, unknown> | undefined, options: RequestCallOptions<R>): Promise<R> {
    return conn.request(method, params, options);
  }

  async setLogLevel(conn: JsonRpcConnection, level: LoggingLevel, options?: RequestOptions): Promise<void> {
    await conn.request('logging/setLevel', { level }, { ...options, parse: parse.empty });
  }

  async subscribe(conn: JsonRpcConnection, uri: string, options?: RequestOptions): Promise<void> {
    await conn.request('resources/subscribe', { uri }, { ...options, parse: parse.empty });
  }

  async unsubscribe(conn: JsonRpcConnection, uri: string, options?: RequestOptions): Promise<void> {
    await conn.request('resources/unsubscribe', { uri }, { ...options, parse: parse.empty });
  }

  rootsChanged(conn: JsonRpcConnection): void {
    conn.notify('notifications/roots/list_changed');
  }
}
