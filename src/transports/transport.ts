// A transport only moves messages and reports its state; it never interprets JSON-RPC
// (conventions.md). Messages arrive parsed but unvalidated: the connection checks them.

import type { Disposable, Event } from '../base/event.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';

export type TransportState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'running' }
  /** Ended; `error` set when it ended unexpectedly (crash, I/O error, HTTP failure). */
  | { kind: 'stopped'; error?: TransportError };

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
  /** Resolves once messages can be sent; rejects when the transport cannot start. */
  start(): Promise<void>;
  /**
   * Sends one message. Transports whose delivery can fail later (an HTTP POST) return a
   * promise; its rejection fails the request it carried, with the transport's cause.
   */
  send(message: JsonRpcMessage): void | Promise<void>;
  /** Graceful close (escalating as needed); resolves when everything is released. Idempotent. */
  close(): Promise<void>;
  /** Ends it now, without the graceful steps (a second Stop); transports that have none may omit it. */
  kill?(): Promise<void>;
  /**
   * For protocol strategies that need it (HTTP headers per protocol version, session
   * resets); optional for transports where it means nothing.
   */
  setProtocolVersion?(version: string): void;
}
