// Helpers of the reliability suite: settle-once accounting of pending calls, named-error
// checks, memory measurement, and the "no process left behind" check. Builds on the unit
// helpers (process accounting on /proc, waiting on server states).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ManagedServer, LogEntry, ServerManagerOptions } from '../../src/host/types.ts';
import type { McpClient } from '../../src/protocol/client.ts';
import { RequestError } from '../../src/protocol/errors.ts';
import type { CallToolResult } from '../../src/protocol/types.ts';
import { StdioTransport, type StdioTransportOptions } from '../../src/transports/stdio.ts';
import { descendants, fixture, groupMembers, stdioDef } from '../unit/helpers.ts';

export { descendants, fixture, groupMembers, stdioDef, waitForState } from '../unit/helpers.ts';

export const clientInfo = { name: 'reliability', version: '1' };
export const MB = 1024 * 1024;

/**
 * Tracks pending calls: each tracked promise must settle exactly once — `settled()` waits
 * (bounded, a safety net) until every one has, and fails naming the ones that did not.
 * Each entry records its settlement's place in the order of settlements (`order`, from 0):
 * tests compare orders and causes, never elapsed times, so they do not depend on the
 * machine's speed.
 */
export class Settlements {
  private readonly entries: Array<{ label: string; settles: number; ok: boolean; value: unknown; order: number }> = [];
  private readonly done: Promise<void>[] = [];
  private count = 0;

  track<T>(label: string, p: Promise<T>): void {
    const e = { label, settles: 0, ok: false, value: undefined as unknown, order: -1 };
    this.entries.push(e);
    this.done.push(p.then(
      v => { e.settles++; e.ok = true; e.value = v; e.order = this.count++; },
      err => { e.settles++; e.ok = false; e.value = err; e.order = this.count++; },
    ));
  }

  /** Resolves when every tracked call has settled; fails after `timeoutMs` naming the rest. */
  async settled(timeoutMs: number): Promise<this> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(this.done), new Promise<void>(r => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
    const left = this.entries.filter(e => e.settles === 0);
    assert.equal(left.length, 0, `${left.length} call(s) never settled in ${timeoutMs} ms: ${left.map(e => e.label).join(', ')}`);
    for (const e of this.entries) assert.equal(e.settles, 1, `${e.label} settled ${e.settles} times`);
    return this;
  }

  get all() { return this.entries; }
  get failures(): unknown[] { return this.entries.filter(e => !e.ok).map(e => e.value); }
  get values(): unknown[] { return this.entries.filter(e => e.ok).map(e => e.value); }
}

/** Asserts the shape every failed call must have: `<server> › <method>: <cause>`. */
export function assertNamedError(err: unknown, server: string, method: string, cause: RegExp): RequestError {
  assert.ok(err instanceof RequestError, `expected a RequestError naming ${server} and ${method}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.equal(err.server, server);
  assert.equal(err.method, method);
  assert.ok(err.message.startsWith(`${server} › ${method}: `), err.message);
  assert.match(err.message, cause);
  return err;
}

/** Collects a server's log from now on. */
export function collectLog(server: ManagedServer): LogEntry[] {
  const entries: LogEntry[] = [];
  server.onDidLog(e => entries.push(e));
  return entries;
}
export function logText(entries: readonly LogEntry[]): string {
  return entries.map(e => `[${e.level}/${e.source}] ${e.message}`).join('\n');
}

/** Waits for a log entry that matches (an event, not a poll). */
export function waitForLog(server: ManagedServer, re: RegExp, timeoutMs = 10_000): Promise<LogEntry> {
  return Event.toPromise(server.onDidLog, e => re.test(e.message), AbortSignal.timeout(timeoutMs))
    .catch(err => { throw new Error(`no log entry matching ${re} in ${timeoutMs} ms: ${err}`); });
}

let gcFn: (() => void) | undefined;
/** A full garbage collection, so RSS comparisons are not dominated by garbage. */
export function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

export function rssMb(): number {
  return process.memoryUsage().rss / MB;
}

/** Samples RSS while `fn` runs; returns the start and the peak, in MB. */
export async function measureRss<T>(fn: () => Promise<T>, everyMs = 20): Promise<{ result: T; startMb: number; peakMb: number; endMb: number }> {
  gc();
  const startMb = rssMb();
  let peakMb = startMb;
  const timer = setInterval(() => { peakMb = Math.max(peakMb, rssMb()); }, everyMs);
  try {
    const result = await fn();
    peakMb = Math.max(peakMb, rssMb());
    return { result, startMb, peakMb, endMb: rssMb() };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Asserts that no child of this process and no member of the given process groups is alive.
 * A SIGKILLed grandchild leaves /proc a little after its group leader's 'close' event, and
 * nothing signals that, so this polls (bounded) — the one wait here that has no event.
 */
export async function assertNoProcessesLeft(groups: readonly number[] = [], withinMs = 2000): Promise<void> {
  const alive = () => [...new Set([...descendants(), ...groups.flatMap(g => groupMembers(g))])];
  const deadline = Date.now() + withinMs;
  while (alive().length && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  const left = alive();
  if (!left.length) return;
  const described = left.map(pid => { try { return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`; } catch { return String(pid); } });
  // Kill them so one failure does not leak into the next test (or outlive the run).
  for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  assert.fail(`processes left behind: ${described.join('; ')}`);
}

/** Resolves with the promise's value, or fails naming `what` if it takes longer than `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pids of this process's direct children (the servers, each the leader of its group). */
export function childPids(): number[] {
  return descendants().filter(pid => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch { return false; } // gone meanwhile
  });
}

// ---- the misbehaving servers of broken-*.test.ts ------------------------------------------

/** The shutdown grace of the transports these tests build (shorter than the 2000 ms default). */
export const GRACE = 300;

/** A StdioTransport running a fixture server with Node. */
export function transport(file: string, args: string[] = [], extra: Partial<StdioTransportOptions> = {}): StdioTransport {
  return new StdioTransport({ command: process.execPath, args: [fixture(file), ...args], env: {}, shutdownGraceMs: GRACE, ...extra });
}

/** One server under a fresh manager; the manager is disposed (and checked) by `done()`. */
export function managed(name: string, file: string, args: string[] = [], options: ServerManagerOptions = {}, autoStart = true) {
  const manager = new ServerManager({ restart: { maxTries: 3, initialDelayMs: 50, maxDelayMs: 200 }, ...options });
  manager.setDefinitions([stdioDef(name, process.execPath, [fixture(file), ...args])], { autoStart: false });
  const server = manager.get(name)!;
  const log = collectLog(server);
  if (autoStart) void server.start();
  return {
    manager, server, log,
    /** Disposes the manager (bounded: a stop that never ends is a failure too) and checks for leftovers. */
    async done(groups: number[] = []) {
      const problems: string[] = [];
      await within(15_000, 'manager.dispose()', manager.dispose()).catch((e: Error) => problems.push(e.message));
      await assertNoProcessesLeft(groups).catch((e: Error) => problems.push(e.message));
      if (problems.length) assert.fail(problems.join('; '));
    },
  };
}

/** The text of a tool result's first content block. */
export const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
/** The live client of a managed server (to look at its connection's pending map). */
export const connectionOf = (s: ManagedServer) => (s as unknown as { currentClient?: McpClient }).currentClient;
