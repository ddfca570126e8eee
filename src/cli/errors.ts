// Exit codes and how failures are reported: one line naming the server, the method and
// the cause, then (when a server process died) the last lines it wrote to stderr.

import { LocalError, RequestError, WireError, errorMessage } from '../core.ts';

export const ExitCode = {
  Ok: 0,
  /** The tool ran and reported an error (`isError: true`). */
  ToolError: 1,
  /** Bad arguments, an unknown command or server, an invalid configuration. */
  Usage: 2,
  /** The server could not be started or reached, died, or answered with an error. */
  Connection: 3,
  Timeout: 4,
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

/** The text for stderr: `mcp-host: <server> › <method>: <cause>` and the server's stderr tail. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) {
    return `mcp-host: ${err.message}\n${err.hint ?? 'Run "mcp-host --help" for usage.'}`;
  }
  let text = `mcp-host: ${errorMessage(err)}`;
  if (err instanceof RequestError && err.cause instanceof WireError) {
    text += ` (JSON-RPC error ${err.cause.code})`;
    if (err.cause.data !== undefined) text += `\n  data: ${truncate(JSON.stringify(err.cause.data), 2000)}`;
  }
  const end = processEndOf(err);
  const tail = end?.stderrTail?.replace(/\s+$/, '');
  if (tail) text += `\n  the server's last stderr lines:\n${tail.split('\n').map(l => `  │ ${l}`).join('\n')}`;
  return text;
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
