// Roots for a one-shot command, and the wait that keeps the command from racing the
// server's `roots/list`. A server such as server-filesystem asks for roots right after
// `notifications/initialized` and applies them asynchronously; a command sent at once
// would run before that (an empty allowed-directories list). See docs/decisions.md,
// "The CLI waits for roots to be applied".

import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DisposableStore, RequestError, WireError, type Disposable, type McpClient, type Root, type Transport } from '../core.ts';
import { UsageError } from './errors.ts';

/** How long a server that asked for roots at start may take to show it applied them. */
export const ROOTS_SETTLE_MS = 1000;
/** A ping used as a barrier waits at most this long (a server must answer ping; one that does not only costs this). */
const BARRIER_TIMEOUT_MS = 5000;

/** `--root DIR…` (or the current directory) as roots; each must be an existing directory. */
export async function rootsOf(dirs: readonly string[] | undefined, cwd: string): Promise<Root[]> {
  const list = dirs?.length ? dirs : [cwd];
  const roots: Root[] = [];
  for (const dir of list) {
    const abs = path.resolve(cwd, dir);
    let isDir = false;
    try { isDir = (await stat(abs)).isDirectory(); } catch { /* reported below */ }
    if (!isDir) {
      if (!dirs?.length) continue; // the current directory vanished: no roots rather than a failure
      throw new UsageError(`--root ${dir}: ${abs} is not an existing directory`, 'Roots are directories the server may use; give one --root per directory.');
    }
    const uri = pathToFileURL(abs).href;
    if (!roots.some(r => r.uri === uri)) roots.push({ uri, name: path.basename(abs) || abs });
  }
  return roots;
}

export interface RootsSettlement {
  /** The server asked for roots before it answered the first barrier. */
  askedAtStart: boolean;
  /** What showed that it applied them: its next output, or the settle time running out. */
  sign: string | undefined;
  /** Time spent here (the latency this adds to the command). */
  ms: number;
}

/**
 * Counts the server's `roots/list` requests (the CLI's handler calls `asked()`), and after
 * the handshake waits until roots the server asked for at start are in use:
 *
 * 1. ping. stdio is ordered and servers handle messages in order, so a server that asks
 *    for roots in response to `initialized` has sent `roots/list` before the ping answer.
 *    None seen: nothing to wait for (one round trip).
 * 2. ping again. Our answer went out before it, so once this is answered the server has
 *    read our roots (and applied them, if it does that synchronously).
 * 3. Output the server produced after our answer (a stderr line, a notification or a
 *    request — server-filesystem logs "Updated allowed directories…") is taken as the sign
 *    that it applied them; without any, at most `settleMs` more.
 *
 * Output is counted from the event-loop turn after the one that brought `roots/list`, so
 * that lines the server wrote before asking, read in that same turn, are not taken for
 * the sign. A server that writes something between asking and reading our answer is
 * only waited for until step 2.
 */
export class RootsWaiter implements Disposable {
  private requests = 0;
  private armed = false;
  private sign: string | undefined;
  private wake: (() => void) | undefined;
  private readonly settleMs: number;
  private readonly store = new DisposableStore();

  constructor(transport: Transport, settleMs = ROOTS_SETTLE_MS) {
    this.settleMs = settleMs;
    this.store.add(transport.onDidLog(l => { if (l.source === 'stderr') this.seen(`stderr: ${l.message}`); }));
    this.store.add(transport.onDidReceiveMessage(m => {
      const method = (m as { method?: unknown } | null)?.method;
      if (typeof method === 'string' && method !== 'ping' && method !== 'roots/list') this.seen(method);
    }));
  }

  /** The server asked for roots (our answer goes out in this turn). */
  asked(): void {
    if (this.requests++ === 0) setImmediate(() => { this.armed = true; });
  }

  async settle(client: McpClient, signal: AbortSignal, timeoutMs: number): Promise<RootsSettlement> {
    const t0 = performance.now();
    const done = (askedAtStart: boolean, sign: string | undefined): RootsSettlement => ({ askedAtStart, sign, ms: performance.now() - t0 });
    try {
      await barrier(client, signal, timeoutMs);
      if (this.requests === 0) return done(false, undefined);
      await barrier(client, signal, timeoutMs);
      if (this.sign === undefined) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(finish, this.settleMs);
          const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
          function finish() { signal.removeEventListener('abort', onAbort); clearTimeout(timer); resolve(); }
          this.wake = finish;
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
      }
      return done(true, this.sign ?? `nothing within ${this.settleMs} ms`);
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    this.wake = undefined;
    this.store.dispose();
  }

  private seen(what: string): void {
    if (!this.armed || this.sign !== undefined) return;
    this.sign = what;
    this.wake?.();
  }
}

/** A ping whose answer (a result or an error) orders what the server sent before it. */
async function barrier(client: McpClient, signal: AbortSignal, timeoutMs: number): Promise<void> {
  try {
    await client.ping({ signal, timeoutMs: Math.min(timeoutMs, BARRIER_TIMEOUT_MS) });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    // An error answer is an answer. A server that died or never answers ping is left to the
    // command's own request, which reports it under its own method.
    if (err instanceof RequestError && err.cause instanceof WireError) return;
  }
}
