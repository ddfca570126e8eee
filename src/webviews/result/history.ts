// The history of tool calls, per server and tool, kept in one key of an injected store
// (a vscode.Memento: workspaceState) as one array, oldest first. Bounds, enforced on
// every add: `maxPerTool` entries per tool, `maxTotal` overall, `maxStoreBytes` of JSON
// overall (the oldest go first; the entry just added never does), and each entry's
// result and arguments cut to their own budgets. Whatever the store holds is checked
// entry by entry when it is first read: an entry of the wrong shape is left out, a value
// that is not an array reads as an empty history. Nothing here throws on bad data.

import type { CallToolResult } from '../../protocol/types.ts';
import { trimArgs, trimResult } from './trim.ts';

export { hasRedacted, redactArgs, REDACTED, withoutRedacted, withoutSecrets } from './redact.ts';

export const HISTORY_KEY = 'mcpHost.toolHistory';

export type HistoryOutcome = 'ok' | 'error' | 'cancelled' | 'failed';
const OUTCOMES: readonly string[] = ['ok', 'error', 'cancelled', 'failed'] satisfies HistoryOutcome[];

export interface HistoryEntry {
  id: string;
  serverId: string;
  serverName: string;
  tool: string;
  /** When the call started (ms since the epoch). */
  at: number;
  durationMs?: number;
  /** As stored: redacted by the caller (redactArgs), perhaps cut (`argsTrimmed`). */
  args: Record<string, unknown>;
  /** ok: a result; error: a result with isError; failed: the request failed (`error`); cancelled: by the user. */
  outcome: HistoryOutcome;
  /** Possibly trimmed: its `_meta['mcpHost/trimmed']` then says what was dropped. */
  result?: CallToolResult;
  error?: string;
  /** The result or the arguments were cut to fit the history. */
  trimmed?: boolean;
  /** The arguments were cut: re-running them is not the same call. */
  argsTrimmed?: boolean;
}

/** What the history needs of its store; a vscode.Memento is one. */
export interface HistoryStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface ToolHistoryOptions {
  /** Entries kept per server and tool (default 50). */
  maxPerTool?: number;
  /** Entries kept overall (default 500). */
  maxTotal?: number;
  /** A result larger than this (characters of JSON) is trimmed (default 64 KiB). */
  maxResultBytes?: number;
  /** Arguments larger than this are cut (default 32 KiB). */
  maxArgsBytes?: number;
  /** All entries together, as JSON (default 4 MiB). */
  maxStoreBytes?: number;
  /** The store key (default HISTORY_KEY). */
  key?: string;
}

/** An error message kept with an entry is cut to this many characters. */
const MAX_ERROR_CHARS = 4000;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const optional = (v: unknown, type: 'string' | 'number' | 'boolean') => v === undefined || typeof v === type;

/** Whether `v` is an entry this version can use. */
function isEntry(v: unknown): v is HistoryEntry {
  if (!isObject(v)) return false;
  return typeof v.id === 'string' && typeof v.serverId === 'string' && typeof v.serverName === 'string' && typeof v.tool === 'string'
    && typeof v.at === 'number' && Number.isFinite(v.at) && isObject(v.args) && typeof v.outcome === 'string' && OUTCOMES.includes(v.outcome)
    && optional(v.durationMs, 'number') && optional(v.error, 'string') && optional(v.trimmed, 'boolean') && optional(v.argsTrimmed, 'boolean')
    && (v.result === undefined || (isObject(v.result) && Array.isArray(v.result.content)));
}

function jsonSize(v: unknown): number {
  return JSON.stringify(v).length;
}

export class ToolHistory {
  private readonly store: HistoryStore;
  private readonly key: string;
  private readonly maxPerTool: number;
  private readonly maxTotal: number;
  private readonly maxResultBytes: number;
  private readonly maxArgsBytes: number;
  private readonly maxStoreBytes: number;
  /** Oldest first (by `at`, then by when it was added); loaded on first use. */
  private entries: HistoryEntry[] | undefined;
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  private counter = 0;
  private saving: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(store: HistoryStore, options: ToolHistoryOptions = {}) {
    this.store = store;
    this.key = options.key ?? HISTORY_KEY;
    this.maxPerTool = Math.max(1, options.maxPerTool ?? 50);
    this.maxTotal = Math.max(1, options.maxTotal ?? 500);
    this.maxResultBytes = Math.max(1024, options.maxResultBytes ?? 64 * 1024);
    this.maxArgsBytes = Math.max(1024, options.maxArgsBytes ?? 32 * 1024);
    this.maxStoreBytes = Math.max(4096, options.maxStoreBytes ?? 4 * 1024 * 1024);
  }

  /** The calls of one tool, newest first. Treat the entries as read-only. */
  list(serverId: string, tool: string): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    const all = this.load();
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (e.serverId === serverId && e.tool === tool) out.push(e);
    }
    return out;
  }

  /** One entry by its id. */
  get(id: string): HistoryEntry | undefined {
    return this.load().find(e => e.id === id);
  }

  /** Stores a call (its arguments already redacted); resolves with the entry as kept, once it is saved. */
  async add(entry: Omit<HistoryEntry, 'id'>): Promise<HistoryEntry> {
    const all = this.load();
    const stored: HistoryEntry = {
      id: this.newId(),
      serverId: entry.serverId,
      serverName: entry.serverName,
      tool: entry.tool,
      at: Number.isFinite(entry.at) ? entry.at : Date.now(),
      args: {},
      outcome: entry.outcome,
    };
    if (entry.durationMs !== undefined && Number.isFinite(entry.durationMs)) stored.durationMs = Math.max(0, entry.durationMs);
    const args = trimArgs(isObject(entry.args) ? entry.args : {}, this.maxArgsBytes);
    stored.args = args.args;
    if (args.trimmed) stored.trimmed = stored.argsTrimmed = true;
    if (entry.result) {
      const r = trimResult(entry.result, this.maxResultBytes);
      stored.result = r.result;
      if (r.trimmed) stored.trimmed = true;
    }
    if (entry.error !== undefined) stored.error = entry.error.length > MAX_ERROR_CHARS ? `${entry.error.slice(0, MAX_ERROR_CHARS)}…` : entry.error;
    let size: number;
    try {
      size = jsonSize(stored);
    } catch (err) {
      throw new Error(`The call of tool "${entry.tool}" could not be kept in the history: its arguments or result are not JSON (${err instanceof Error ? err.message : String(err)}).`);
    }

    // In order of `at`: a call that started earlier but ended later goes before the ones that started after it.
    let i = all.length;
    while (i > 0 && all[i - 1]!.at > stored.at) i--;
    all.splice(i, 0, stored);
    this.sizes.set(stored.id, size);
    this.totalBytes += size;
    this.enforceBounds(stored);
    await this.save();
    return stored;
  }

  async remove(id: string): Promise<void> {
    const all = this.load();
    const i = all.findIndex(e => e.id === id);
    if (i < 0) return;
    this.drop(i);
    await this.save();
  }

  /** Everything; one server's calls; one tool's calls (`serverId` and `tool`). */
  async clear(serverId?: string, tool?: string): Promise<void> {
    const all = this.load();
    const before = all.length;
    const keep = all.filter(e => !((serverId === undefined || e.serverId === serverId) && (tool === undefined || e.tool === tool)));
    if (keep.length === before) return;
    this.entries = keep;
    this.sizes.clear();
    this.totalBytes = 0;
    for (const e of keep) this.track(e);
    await this.save();
  }

  private load(): HistoryEntry[] {
    if (this.entries) return this.entries;
    let raw: unknown;
    try { raw = this.store.get<unknown>(this.key); } catch { raw = undefined; }
    const entries: HistoryEntry[] = [];
    const ids = new Set<string>();
    if (Array.isArray(raw)) {
      for (const e of raw) {
        if (!isEntry(e) || ids.has(e.id)) continue;
        ids.add(e.id);
        entries.push(e);
      }
    }
    // Stable: entries with the same `at` keep their stored order.
    entries.sort((a, b) => a.at - b.at);
    this.entries = entries;
    for (const e of entries) this.track(e);
    this.enforceBounds(undefined); // the bounds may have been lowered since they were written
    return entries;
  }

  private track(e: HistoryEntry): void {
    let size: number;
    try { size = jsonSize(e); } catch { size = 0; }
    this.sizes.set(e.id, size);
    this.totalBytes += size;
  }

  private drop(index: number): void {
    const [e] = this.entries!.splice(index, 1);
    this.totalBytes -= this.sizes.get(e!.id) ?? 0;
    this.sizes.delete(e!.id);
  }

  /** Drops the oldest entries beyond the bounds: of the tool first, then overall; never `keep`. */
  private enforceBounds(keep: HistoryEntry | undefined): void {
    const all = this.entries!;
    const perTool = new Map<string, number>();
    const toolKey = (e: HistoryEntry) => `${e.serverId}\u0000${e.tool}`;
    for (const e of all) perTool.set(toolKey(e), (perTool.get(toolKey(e)) ?? 0) + 1);
    for (let i = 0; i < all.length;) {
      const e = all[i]!;
      const k = toolKey(e);
      const n = perTool.get(k)!;
      if (n > this.maxPerTool && e !== keep) { this.drop(i); perTool.set(k, n - 1); } else i++;
    }
    for (let i = 0; i < all.length && (all.length > this.maxTotal || this.totalBytes > this.maxStoreBytes);) {
      if (all[i] === keep) { i++; continue; }
      this.drop(i);
    }
  }

  /** Unique within this history: time and a counter, checked against what is stored. */
  private newId(): string {
    this.load();
    let id: string;
    do id = `${Date.now().toString(36)}-${(this.counter++).toString(36)}`; while (this.sizes.has(id));
    return id;
  }

  /**
   * Writes the whole array. Writes run one after another; a save asked for while one is
   * still waiting to start joins it (it writes the state at the time it starts), so a
   * burst of adds costs one or two writes, not one each.
   */
  private save(): Promise<void> {
    if (!this.queued) {
      const write = () => {
        this.queued = undefined;
        return Promise.resolve(this.store.update(this.key, this.entries!.slice()));
      };
      this.queued = this.saving.then(write, write);
      this.saving = this.queued.catch(() => undefined);
    }
    return this.queued.catch((err: unknown) => {
      throw new Error(`The tool history could not be saved: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
  }
}
