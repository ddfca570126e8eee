// Two error families (conventions.md §3): wire errors travel as JSON-RPC errors with a
// numeric code; local errors have a string code and never go on the wire. Both name
// the server and the method so a user can tell what failed where.

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP: resource not found. */
  ResourceNotFound: -32002,
  /** MCP: the user rejected a sampling or elicitation request. */
  UserRejected: -1,
  /** MCP 2025-11-25: URL elicitation required. */
  UrlElicitationRequired: -32042,
  /** MCP 2026-07-28: an HTTP header and the body disagree (or a required header is missing). */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28: the request needs a client capability it did not declare (`data.requiredCapabilities`). */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28: the protocol version is not one the server speaks (`data.supported`, `data.requested`). */
  UnsupportedProtocolVersion: -32022,
} as const;

/** A JSON-RPC error received from, or to be sent to, the peer. */
export class WireError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'WireError';
    this.code = code;
    this.data = data;
  }
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

export type LocalErrorCode =
  | 'timeout'          // no answer in time
  | 'cancelled'        // the caller cancelled
  | 'closed'           // the connection ended with the request pending
  | 'invalid-message'  // the server sent something that is not valid MCP
  | 'unsupported'      // the server did not declare the capability
  | 'version'          // no common protocol version
  | 'spawn'            // the process could not start
  | 'transport'        // the transport failed (I/O, HTTP status, oversize message)
  | 'auth'             // the server requires authorization (HTTP 401/403)
  | 'session-expired'  // the server forgot our session (HTTP 404); a new handshake is needed
  | 'config';          // a definition is invalid

/** An error of ours, never sent on the wire. */
export class LocalError extends Error {
  readonly code: LocalErrorCode;
  override readonly cause: unknown;
  constructor(code: LocalErrorCode, message: string, cause?: unknown) {
    super(message);
    this.name = 'LocalError';
    this.code = code;
    this.cause = cause;
  }
}

/**
 * The error a caller sees for a failed request: `<server> › <method>: <cause>`, with the
 * underlying wire or local error kept as `cause` and its code copied for dispatch.
 */
export class RequestError extends Error {
  readonly server: string;
  readonly method: string;
  override readonly cause: WireError | LocalError;
  constructor(server: string, method: string, cause: WireError | LocalError) {
    super(`${server} › ${method}: ${cause.message}`);
    this.name = 'RequestError';
    this.server = server;
    this.method = method;
    this.cause = cause;
  }
  get code(): number | LocalErrorCode { return this.cause.code; }
  get isCancellation(): boolean { return this.cause instanceof LocalError && this.cause.code === 'cancelled'; }
  get isTimeout(): boolean { return this.cause instanceof LocalError && this.cause.code === 'timeout'; }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/**
 * What to send back for a handler's failure: an error with a numeric `code` keeps it
 * (handlers may throw `WireError` or any error carrying a JSON-RPC code); anything else
 * is an internal error. Never a stack trace.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof WireError) return err;
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number' && Number.isInteger((err as { code: number }).code)) {
    const e = err as { code: number; message?: unknown; data?: unknown };
    return new WireError(e.code, typeof e.message === 'string' ? e.message : 'error', e.data);
  }
  if (err instanceof LocalError && err.code === 'cancelled') return new WireError(ErrorCode.InternalError, 'Request cancelled');
  return new WireError(ErrorCode.InternalError, errorMessage(err));
}
