// Small helpers shared by the VS Code layer: error texts for notifications, wire errors
// for the input broker, and how a server is described in the UI.

import { redactUrl } from '../host/redaction.ts';
import type { ManagedServer, ServerLaunch, ServerState } from '../host/types.ts';

/** An error the core sends to the server as a JSON-RPC error (it maps a numeric `code`). */
export function wireError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

/** The cause of a failure, without the server/method prefix the core's request errors carry. */
export function errorCause(err: unknown): string {
  if (err instanceof Error) {
    const e = err as Error & { method?: unknown; cause?: unknown };
    // The core's RequestError reads `<server> › <method>: <cause>`; we add our own prefix.
    if (typeof e.method === 'string' && e.cause instanceof Error) return firstLine(e.cause.message);
    return firstLine(err.message) || err.name;
  }
  if (typeof err === 'string') return err;
  try { return JSON.stringify(err); } catch { return String(err); }
}

/** True for a cancellation by the user (ours or the core's), which is not an error to show. */
export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { isCancellation?: unknown; code?: unknown };
  return e.isCancellation === true || e.name === 'AbortError' || e.name === 'Canceled' || e.code === 'cancelled';
}

/** `<server> › <what> failed: <cause>` — the one shape every failure notification has. */
export function failureMessage(server: string, what: string, err: unknown): string {
  return `${server} › ${what} failed: ${errorCause(err)}`;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

function quoteArg(a: string): string {
  return a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a;
}

/** The exact command line, or the URL without credentials or query values, for tooltips. */
export function describeLaunch(launch: ServerLaunch): string {
  if (launch.type === 'stdio') {
    return [launch.command, ...launch.args].map(quoteArg).join(' ');
  }
  return redactUrl(launch.url);
}

/** What the Servers view shows beside a server's name (ui-contract). */
export function describeState(state: ServerState, toolCount: number): string {
  switch (state.kind) {
    case 'running': return `running · ${toolCount} ${toolCount === 1 ? 'tool' : 'tools'}${state.notice ? ' · notifications lost' : ''}`;
    case 'starting': return 'starting…';
    case 'stopped': return state.reason ? `stopped · ${state.reason}` : 'stopped';
    case 'error': return `error · ${truncate(firstLine(state.message), 120)}`;
    case 'needs-sign-in': return 'needs sign-in';
  }
}

export function describeServer(server: ManagedServer): string {
  return describeState(server.state, server.tools.length);
}

/** The state in full, for tooltips: the whole error and the stderr tail. */
export function describeStateInFull(state: ServerState): string {
  if (state.kind === 'running') return state.notice ? `running, but ${state.notice}` : 'running';
  if (state.kind !== 'error') return describeState(state, 0);
  const parts = [`error: ${state.message}`];
  if (state.exitCode !== undefined && state.exitCode !== null) parts.push(`exit code ${state.exitCode}`);
  if (state.willRetryInMs !== undefined) parts.push(`retrying in ${Math.ceil(state.willRetryInMs / 1000)} s`);
  if (state.stderrTail) parts.push(`stderr:\n${state.stderrTail.trimEnd()}`);
  return parts.join('\n');
}

/**
 * For a running server's tooltip: the protocol revision in use, and how old its tool list
 * is (a 2026-07-28 server's lists may be served from the cache while they are fresh).
 */
export function describeProtocol(server: ManagedServer, now = Date.now()): string {
  if (server.state.kind !== 'running' || !server.protocolVersion) return '';
  const lines = [`\nprotocol ${server.protocolVersion} (${server.protocolGeneration ?? 'stateful'})`];
  const at = server.listAge('tools/list');
  if (at !== undefined) lines.push(`tools listed ${ago(now - at)}`);
  return lines.join('\n');
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return 'just now';
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}
