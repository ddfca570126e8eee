// A transport only moves messages and reports its state; it never interprets JSON-RPC
// (conventions.md). Messages arrive parsed but unvalidated: the connection checks them.

import type { Disposable, Event } from '../base/event.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';

export type TransportState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  /**
   * `notice`: running, but something the user should know (the HTTP server→client stream
   * is down and notifications are being lost); cleared by another `running` without it.
   */
  | { kind: 'running'; notice?: string }
  /** Ended; `error` set when it ended unexpectedly (crash, I/O error, HTTP failure). */
  | { kind: 'stopped'; error?: TransportError };

/**
 * Set by a transport on a message it delivers when it knows which of our requests the
 * message belongs to (HTTP: a server request or notification that came on the SSE stream
 * answering that POST). The connection uses it to extend only that call while the server
 * waits on us. A non-enumerable symbol property, so it never reaches JSON or a trace.
 */
export const RELATED_REQUEST: unique symbol = Symbol.for('mcp-host.relatedRequest');

/** Tags `message` (a parsed object) with the id of the request it belongs to. */
export function tagRelated(message: unknown, requestId: string | number): void {
  if (message && typeof message === 'object') Object.defineProperty(message, RELATED_REQUEST, { value: requestId, enumerable: false });
}

/** What goes beside one message (see Transport.send). */
export interface SendContext {
  /** Headers for this message only, over the transport's own (HTTP). */
  headers?: Readonly<Record<string, string>>;
  /**
   * The peer's request this message belongs to (server side: a progress notification or a
   * request made while handling it), so a transport with a stream per request (the gateway's
   * Streamable HTTP) sends it on that request's stream.
   */
  relatedRequestId?: string | number;
}

export interface TransportError {
  message: string;
  /** Process exit code or signal, for stdio. */
  exitCode?: number | null;
  signal?: string | null;
  /** The last lines the process wrote to stderr. */
  stderrTail?: string;
}

export interface TransportLog {
  level: 'trace' | 'debug' | 'info' | 'warning' | 'error';
  /** 'stderr' for a server process's own stderr lines. */
  source: 'stderr' | 'transport';
  message: string;
}

export interface Transport extends Disposable {
  readonly state: TransportState;
  readonly onDidChangeState: Event<TransportState>;
  readonly onDidReceiveMessage: Event<unknown>;
  readonly onDidLog: Event<TransportLog>;
  /**
   * Resolves once messages can be sent; rejects when the transport cannot start. An abort
   * of `signal` (the handshake's deadline, a Stop) makes it reject with `signal.reason`'s
   * code and stop itself; transports whose start cannot hang may ignore it.
   */
  start(options?: TransportStartOptions): Promise<void>;
  /**
   * Sends one message. Transports whose delivery can fail later (an HTTP POST) return a
   * promise; its rejection fails the request it carried, with the transport's cause.
   * `context` carries what the protocol generation wants said beside the message (HTTP
   * headers: MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*); transports without
   * such a channel ignore it.
   */
  send(message: JsonRpcMessage, context?: SendContext): void | Promise<void>;
  /**
   * Drops what is in flight for request `id` without telling the server in a message (HTTP:
   * closes that POST's response stream, which is how a 2026-07-28 server learns of a
   * cancel). Transports without per-request channels omit it.
   */
  abortRequest?(id: string | number): void;
  /**
   * Whether request `id` is waiting on the person rather than on the server (HTTP: its
   * sign-in is in the browser): the connection extends its timeout meanwhile, as it does
   * while answering the server's own questions.
   */
  isWaitingOnUser?(id: string | number): boolean;
  /** How long requests have waited on the person so far, in all (ms): a handshake's deadline leaves it out. */
  readonly userWaitMs?: number;
  /** Graceful close (escalating as needed); resolves when everything is released. Idempotent. */
  close(): Promise<void>;
  /** Ends it now, without the graceful steps (a second Stop); transports that have none may omit it. */
  kill?(): Promise<void>;
  /**
   * For protocol strategies that need it (HTTP headers per protocol version, session
   * resets); optional for transports where it means nothing.
   */
  setProtocolVersion?(version: string): void;
  /**
   * For transports with sessions the server may forget (Streamable HTTP): fired when the
   * transport learns that the session expired. From then on, every send but `initialize`
   * rejects with LocalError 'session-expired' until a new handshake succeeds; the client
   * runs that handshake.
   */
  readonly onDidExpireSession?: Event<void>;
}

export interface TransportStartOptions {
  signal?: AbortSignal;
}
