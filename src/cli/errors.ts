// Exit codes and how failures are reported: one line naming the server, the method and
// the cause, then (when a server process died) the last lines it wrote to stderr.

import { ErrorCode, LocalError, RequestError, WireError, errorMessage } from '../core.ts';

export const ExitCode = {
  Ok: 0,
  /** The tool ran and reported an error (`isError: true`). */
  ToolError: 1,
  /** Bad arguments, an unknown command or server, an invalid configuration. */
  Usage: 2,
  /** The server could not be started or reached, died, or answered with an error. */
  Connection: 3,
  Timeout: 4,
  /** Signing in failed or is needed (refused, or a check failed: state, iss, PKCE, resource, issuer). */
  Auth: 6,
  Cancelled: 130,
} as const;

/** A mistake in how the CLI was invoked or configured; exit code 2, with a hint to --help. */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return ExitCode.Usage;
  const local = err instanceof RequestError ? err.cause : err;
  if (local instanceof LocalError) {
    if (local.code === 'cancelled') return ExitCode.Cancelled;
    if (local.code === 'timeout') return ExitCode.Timeout;
    if (local.code === 'auth') return ExitCode.Auth;
  }
  return ExitCode.Connection;
}

interface ProcessEnd { exitCode?: number | null; signal?: string | null; stderrTail?: string }

/** The process-exit details a transport attached to a closed connection, if any. */
export function processEndOf(err: unknown): ProcessEnd | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const tail = (e as ProcessEnd).stderrTail;
    if (typeof tail === 'string') return e as ProcessEnd;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What the failed command was about, to name it in the message. */
export interface ErrorContext {
  /** The tool, prompt or resource the command named. */
  subject?: string;
  /** The --url given, for hints about its scheme. */
  url?: string;
}

// The methods whose subject (a tool, a prompt, a URI) the message names after the method.
const NAMED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);
const NOUNS: Record<string, string> = { 'tools/call': 'the call', 'prompts/get': 'the request', 'resources/read': 'reading it', initialize: 'starting the server' };

/** The text for stderr: `mcp-host: <server> › <method> [subject]: <cause>` and the server's stderr tail. */
export function describeError(err: unknown, context: ErrorContext = {}): string {
  if (err instanceof UsageError) {
    return `mcp-host: ${err.message}\n${err.hint ?? 'Run "mcp-host --help" for usage.'}`;
  }
  let text = `mcp-host: ${err instanceof RequestError ? describeRequestError(err, context) : errorMessage(err)}`;
  const hint = networkHint(err, context);
  if (hint) text += `\n  ${hint}`;
  const end = processEndOf(err);
  const tail = end?.stderrTail?.replace(/\s+$/, '');
  if (tail) text += `\n  the server's last stderr lines:\n${tail.split('\n').map(l => `  │ ${l}`).join('\n')}`;
  return text;
}

function describeRequestError(err: RequestError, context: ErrorContext): string {
  const method = err.method;
  const head = `${err.server} › ${method}${context.subject && NAMED_METHODS.has(method) ? ` ${context.subject}` : ''}`;
  const cause = err.cause;
  const noun = NOUNS[method] ?? 'the request';
  if (cause instanceof LocalError && cause.code === 'timeout') {
    const ms = /after (\d+) ms/.exec(cause.message)?.[1];
    const limit = /hard maximum (\d+) ms/.exec(cause.message)?.[1];
    const who = method === 'tools/call' ? 'the tool' : 'the server';
    if (limit) return `${head}: ${who} kept reporting progress but did not finish within the ${limit} ms maximum, so ${noun} was cancelled.`;
    if (method === 'initialize') return `${head}: the server did not complete the handshake within ${ms} ms (raise --timeout to wait longer).`;
    return `${head}: ${who} did not answer within ${ms} ms, so ${noun} was cancelled (raise --timeout to wait longer; progress from the server extends it).`;
  }
  if (cause instanceof LocalError && cause.code === 'cancelled') {
    const why = cause.message;
    if (/^(cancelled|stopped) /.test(why)) return `${head}: ${noun} was ${why}.`;
    return `${head}: ${noun} was cancelled (${why.replace(/^cancelled: /, '')}).`;
  }
  if (cause instanceof WireError) {
    const message = withoutCodePrefix(cause.message, cause.code);
    let text: string;
    if (cause.code === ErrorCode.UrlElicitationRequired) {
      const who = method === 'tools/call' ? 'the tool' : 'the server';
      text = `${head}: ${who} needs you to finish a step in your browser first${message ? `: ${message}` : ''} (JSON-RPC error ${cause.code}).`;
      for (const e of urlElicitations(cause.data)) text += `\n  open ${e.url}${e.message ? ` — ${e.message}` : ''}\n  then run the command again.`;
      return text;
    }
    // Some servers put the code in the message already ("MCP error -32603: …"): print it once.
    text = `${head}: ${message}${message.includes(String(cause.code)) ? '' : ` (JSON-RPC error ${cause.code})`}`;
    if (cause.data !== undefined) text += `\n  data: ${truncate(JSON.stringify(cause.data), 2000)}`;
    return text;
  }
  return `${head}: ${cause.message}`;
}

/** "MCP error -32603: Unknown resource" → "Unknown resource" (the SDKs' format; the code is added once by us). */
function withoutCodePrefix(message: string, code: number): string {
  const m = /^(?:MCP error|JSON-RPC error|Error)\s*(-?\d+)\s*:\s*/i.exec(message);
  return m && Number(m[1]) === code ? message.slice(m[0].length) : message;
}

function urlElicitations(data: unknown): Array<{ url: string; message?: string }> {
  const list = (data as { elicitations?: unknown } | undefined)?.elicitations;
  if (!Array.isArray(list)) return [];
  return list.filter((e): e is { url: string; message?: string } => !!e && typeof (e as { url?: unknown }).url === 'string')
    .map(e => ({ url: e.url, ...(typeof e.message === 'string' ? { message: e.message } : {}) }));
}

/** The network cause of a failure, in the user's terms: https:// against plain HTTP, and the like. */
function networkHint(err: unknown, context: ErrorContext): string | undefined {
  const codes: string[] = [];
  const messages: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (e instanceof Error) messages.push(e.message);
    e = (e as { cause?: unknown }).cause;
  }
  const url = context.url;
  const plainHttp = codes.includes('ERR_SSL_WRONG_VERSION_NUMBER') || codes.includes('ERR_SSL_PACKET_LENGTH_TOO_LONG') || messages.some(m => /wrong version number|packet length too long/i.test(m));
  if (plainHttp && url && /^(https|wss):/i.test(url)) {
    const plain = url.replace(/^https:/i, 'http:').replace(/^wss:/i, 'ws:');
    return `The server speaks plain HTTP, not HTTPS (the TLS handshake got an unencrypted answer): use ${plain}`;
  }
  if (plainHttp) return 'The server did not answer the TLS handshake with TLS: it probably speaks plain HTTP (use http://).';
  return undefined;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
