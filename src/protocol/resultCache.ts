// Cached results (2026-07-28 `ttlMs` / `cacheScope`): a list page or a resource read is
// served again without a round trip while it is fresh (`now < receivedAt + ttlMs`), and
// dropped at once when a change notification says it is stale. Results without hints
// (every 2025-11-25 server) have ttlMs 0 and are never kept. Keys are the method and the
// params that decide the result (the cursor, the URI). Nothing polls: freshness is
// checked when the data is wanted.

/** A day: a hint larger than this is taken as this (the official client caps it the same way). */
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export interface CacheHints {
  ttlMs?: unknown;
  cacheScope?: unknown;
}

export interface CacheEntry<T> {
  value: T;
  /** When the result arrived (ms since epoch). */
  receivedAt: number;
  ttlMs: number;
  scope: 'public' | 'private';
}

/** The methods whose results may carry cache hints. */
export const CACHEABLE_METHODS = ['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'skills/list'] as const;

export function cacheKey(method: string, params: { cursor?: unknown; uri?: unknown } | undefined): string {
  const cursor = typeof params?.cursor === 'string' ? params.cursor : '';
  const uri = typeof params?.uri === 'string' ? params.uri : '';
  return `${method}\u0000${cursor}\u0000${uri}`;
}

/** The hint as a number of milliseconds: absent, invalid or negative is 0, capped at a day. */
export function ttlOf(hints: CacheHints | undefined): number {
  const t = hints?.ttlMs;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) return 0;
  return Math.min(t, MAX_TTL_MS);
}

export class ResultCache {
  private readonly entries = new Map<string, CacheEntry<unknown>>();
  /** Bumped per method by invalidate(): a response that was in flight then is not stored. */
  private readonly generations = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(options: { now?: () => number; maxEntries?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The entry while it is fresh. */
  fresh<T>(key: string): CacheEntry<T> | undefined {
    const e = this.entries.get(key) as CacheEntry<T> | undefined;
    if (!e) return undefined;
    if (this.now() < e.receivedAt + e.ttlMs) return e;
    this.entries.delete(key);
    return undefined;
  }

  /** What invalidate() has seen of `method` so far; pass it back to store(). */
  generation(method: string): number {
    return this.generations.get(method) ?? 0;
  }

  /**
   * Keeps `value` under `key` when its hints make it fresh for a while and nothing
   * invalidated its method since `generation` was read (the request was sent).
   */
  store<T>(method: string, key: string, value: T, hints: CacheHints | undefined, generation: number, receivedAt = this.now()): CacheEntry<T> | undefined {
    const ttlMs = ttlOf(hints);
    if (ttlMs === 0 || this.generation(method) !== generation) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const entry: CacheEntry<T> = { value, receivedAt, ttlMs, scope: hints?.cacheScope === 'public' ? 'public' : 'private' };
    this.entries.set(key, entry);
    return entry;
  }

  /** Drops what `method` cached (for one URI, when given) and keeps in-flight answers from being stored. */
  invalidate(method: string, uri?: string): void {
    this.generations.set(method, this.generation(method) + 1);
    const prefix = `${method}\u0000`;
    for (const key of [...this.entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      if (uri === undefined || key.endsWith(`\u0000${uri}`)) this.entries.delete(key);
    }
  }

  clear(): void {
    for (const m of CACHEABLE_METHODS) this.invalidate(m);
    this.entries.clear();
  }
}
