// What a managed server's connection listens to: list changes (re-listed, coalesced),
// resource updates (coalesced per resource per turn) and log messages. Kept apart from
// the lifecycle in server.ts; what the server asks of us (roots, sampling, elicitation)
// is answered by the input broker (inputBroker.ts).

import type { DisposableStore } from '../base/event.ts';
import type { JsonRpcConnection } from '../protocol/connection.ts';
import { ErrorCode, RequestError, WireError, errorMessage } from '../protocol/errors.ts';
import { parse } from '../protocol/schemas.ts';
import type { ElicitUrlParams, LoggingLevel } from '../protocol/types.ts';
import { maskElicitationAnswer } from './trace.ts';
import type { LogEntry, LogLevel, ServerRef } from './types.ts';

/** Distinct resources whose updates wait for the same turn; more are dropped (a hostile server). */
const MAX_PENDING_UPDATES = 10_000;

export interface HandlerHost {
  readonly ref: ServerRef;
  log(level: LogLevel, source: LogEntry['source'], message: string, mcpLevel?: LoggingLevel): void;
  /** Lists one kind again (the current client's); resolves when done. */
  relist(what: 'tools' | 'resources' | 'prompts'): Promise<void>;
  /** A subscribed resource changed. */
  updated(uri: string): void;
}

export function registerServerHandlers(conn: JsonRpcConnection, store: DisposableStore, host: HandlerHost): void {
  // A burst of list_changed gives one refresh now and one after it, not one per notification.
  const relist = (what: 'tools' | 'resources' | 'prompts') => {
    let asked = 0;
    let running = false;
    return () => {
      asked++;
      if (running) return;
      running = true;
      void (async () => {
        try {
          for (let done = -1; done !== asked;) {
            done = asked;
            if (store.isDisposed) return;
            await host.relist(what);
          }
        } finally {
          running = false;
        }
      })();
    };
  };
  store.add(conn.onNotification('notifications/tools/list_changed', relist('tools')));
  store.add(conn.onNotification('notifications/resources/list_changed', relist('resources')));
  store.add(conn.onNotification('notifications/prompts/list_changed', relist('prompts')));
  // A storm of updates (a server that sends one per byte written) becomes one event per
  // resource per turn of the event loop: readers re-read once, not once per notification.
  const updated = new Set<string>();
  let flush: ReturnType<typeof setImmediate> | undefined;
  store.add({ dispose: () => { if (flush) clearImmediate(flush); updated.clear(); } });
  store.add(conn.onNotification('notifications/resources/updated', params => {
    const uri = parse.resourceUpdated(params).uri;
    if (updated.size >= MAX_PENDING_UPDATES && !updated.has(uri)) return; // hostile volume: the next turn catches up
    updated.add(uri);
    flush ??= setImmediate(() => {
      flush = undefined;
      const uris = [...updated];
      updated.clear();
      if (store.isDisposed) return;
      for (const uri of uris) host.updated(uri);
    });
  }));
  store.add(conn.onNotification('notifications/message', params => {
    const m = parse.loggingMessage(params);
    const text = typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
    host.log(mapLevel(m.level), 'server', m.logger ? `[${m.logger}] ${text}` : text, m.level);
  }));
}

export function urlElicitationsOf(err: unknown): ElicitUrlParams[] | undefined {
  if (!(err instanceof RequestError) || !(err.cause instanceof WireError) || err.cause.code !== ErrorCode.UrlElicitationRequired) return undefined;
  const list = (err.cause.data as { elicitations?: unknown } | undefined)?.elicitations;
  if (!Array.isArray(list)) return undefined;
  const valid = list.filter((e): e is ElicitUrlParams => !!e && typeof e === 'object' && e.mode === 'url' && typeof e.url === 'string' && typeof e.elicitationId === 'string');
  return valid.length ? valid : undefined;
}

function mapLevel(level: string): LogLevel {
  switch (level) {
    case 'debug': return 'debug';
    case 'info': case 'notice': return 'info';
    case 'warning': return 'warning';
    default: return 'error';
  }
}

/**
 * JSON for the trace log: long strings cut (a 100 MB result is not copied again), and
 * what a user typed into an elicitation form kept out (it may be a password).
 */
export function traceText(message: unknown, direction: 'send' | 'receive'): string {
  message = maskElicitationAnswer(message, direction);
  try {
    return JSON.stringify(message, (_k, v) => typeof v === 'string' && v.length > 500 ? `${v.slice(0, 500)}…(${v.length} chars)` : v);
  } catch (err) {
    // Nested deeper than the stack allows (JSON.parse has no such limit): say so, never throw.
    return `(a message that cannot be shown: ${errorMessage(err)})`;
  }
}
