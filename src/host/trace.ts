// The protocol trace of one managed server: every JSON-RPC message both ways, redacted,
// with requests paired to their responses, kept in a ring bounded by count and by bytes.
// It records only while a trace view holds it (retain) or trace logging is on
// (alwaysOn); otherwise `record` returns before it looks at the message, so the hot
// path pays one property read. No `vscode` here: the panel renders what this keeps.

import { Disposable, Emitter, type Event } from '../base/event.ts';
import { errorMessage } from '../protocol/errors.ts';
import { classify, type RequestId } from '../protocol/jsonrpc.ts';

export interface TraceEntry {
  /** Increasing per server, never reused (not even after clear()). */
  seq: number;
  /** When it was recorded, ms since epoch. */
  time: number;
  /** Which start of the server (1 for the first): the view draws a divider where it changes. */
  session: number;
  direction: 'send' | 'receive';
  kind: 'request' | 'notification' | 'response' | 'error' | 'invalid';
  /** For responses and errors: the method of the request they answer. */
  method?: string;
  id?: string | number;
  /** Bytes of the message as JSON (UTF-8), before redaction and cutting. */
  size: number;
  /** The redacted JSON text: the whole message up to maxEntryBytes, then cut with a marker. */
  text: string;
  truncated?: boolean;
  /** Request ↔ response, both ways (set on the request when its response arrives). */
  pairedSeq?: number;
  /** On a response: its time minus its request's. */
  durationMs?: number;
  /** A JSON-RPC error, or a result with `isError: true` (a tool that failed). */
  isError?: boolean;
}

export interface TraceOptions {
  /** Entries kept (default 2000); the oldest go first. */
  maxEntries?: number;
  /** Bytes of `text` kept in all (default 16 MiB); the oldest go first. */
  maxBytes?: number;
  /** Bytes of one entry's `text` (default 1 MiB); a longer message is cut. */
  maxEntryBytes?: number;
  /** Requests waiting for their response, remembered for pairing (default 1024). */
  maxPending?: number;
  /** The server's redactor (Redactor.redact): run over every message's text. */
  redact?: (text: string) => string;
}

const DEFAULT_MAX_ENTRIES = 2000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
const DEFAULT_MAX_PENDING = 1024;
/**
 * A long message is cut to this many characters past the entry's bound before it is
 * redacted, and to the bound after: a 100 MB result is not scanned whole, and a secret
 * that straddles the first cut (one shorter than this) is masked before the second.
 */
const REDACT_MARGIN = 64 * 1024;

interface Pending { seq: number; time: number; method: string }

const encoder = new TextEncoder();
/** Where a long text is encoded to find its cut (one for all traces: only cut messages need it). */
let scratch: Uint8Array | undefined;
const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');
const positive = (n: number | undefined, fallback: number) => (n !== undefined && Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback);

/**
 * What a person typed into an elicitation form (our answer to `elicitation/create`) may
 * be a password: its fields are replaced by their count in every log and trace.
 */
export function maskElicitationAnswer(message: unknown, direction: 'send' | 'receive'): unknown {
  const m = message as { result?: { action?: unknown; content?: unknown } } | null;
  if (direction === 'send' && m?.result && typeof m.result.action === 'string' && m.result.content && typeof m.result.content === 'object') {
    return { ...m, result: { ...m.result, content: `[${Object.keys(m.result.content).length} field(s) redacted]` } };
  }
  return message;
}

export class ProtocolTrace implements Disposable {
  private maxEntries: number;
  private maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly maxPending: number;
  private readonly redact: ((text: string) => string) | undefined;

  // A ring as an array with a moving head: dropped slots are emptied at once (their text
  // freed) and the array compacted when half of it is empty, or when someone reads it.
  private items: (TraceEntry | undefined)[] = [];
  private weights: number[] = [];
  private head = 0;
  private bytes = 0;
  private nextSeq = 1;
  private session = 0;
  /** Our requests (sent) and the server's (received): two id spaces, both may use 1. */
  private readonly ours = new Map<RequestId, Pending>();
  private readonly theirs = new Map<RequestId, Pending>();
  private retained = 0;
  private _alwaysOn = false;
  private disposed = false;

  private readonly _onDidRecord = new Emitter<TraceEntry>();
  readonly onDidRecord: Event<TraceEntry> = this._onDidRecord.event;
  private readonly _onDidUpdate = new Emitter<TraceEntry>();
  /** An entry changed: a request got its `pairedSeq` when its response arrived. */
  readonly onDidUpdate: Event<TraceEntry> = this._onDidUpdate.event;
  private readonly _onDidClear = new Emitter<void>();
  readonly onDidClear: Event<void> = this._onDidClear.event;

  constructor(options: TraceOptions = {}) {
    this.maxEntries = positive(options.maxEntries, DEFAULT_MAX_ENTRIES);
    this.maxBytes = positive(options.maxBytes, DEFAULT_MAX_BYTES);
    this.maxEntryBytes = positive(options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES);
    this.maxPending = positive(options.maxPending, DEFAULT_MAX_PENDING);
    this.redact = options.redact;
  }

  /** Whether messages are recorded: a view holds the trace, or trace logging is on. */
  get recording(): boolean { return !this.disposed && (this.retained > 0 || this._alwaysOn); }

  /** Trace logging is on: record whether or not a view is open. */
  get alwaysOn(): boolean { return this._alwaysOn; }
  set alwaysOn(on: boolean) {
    this._alwaysOn = on;
    this.stoppedRecording();
  }

  /** A trace view opened; disposing the result says it closed (counted: several views may hold it). */
  retain(): Disposable {
    if (this.disposed) return Disposable.None;
    this.retained++;
    return Disposable.create(() => {
      this.retained--;
      this.stoppedRecording();
    });
  }

  /** The server started again: entries from now on carry the next session number. */
  newSession(): void {
    this.session++;
    // A new connection numbers its requests from the start again.
    this.ours.clear();
    this.theirs.clear();
  }

  /** The bounds in force (the settings, as clamped). */
  get limits(): { maxEntries: number; maxBytes: number } {
    return { maxEntries: this.maxEntries, maxBytes: this.maxBytes };
  }

  get entries(): readonly TraceEntry[] {
    this.compact();
    return this.items as TraceEntry[];
  }

  find(seq: number): TraceEntry | undefined {
    const first = this.items[this.head];
    if (!first) return undefined;
    const e = this.items[this.head + (seq - first.seq)];
    return e?.seq === seq ? e : undefined;
  }

  /**
   * Records one message (a batch: one entry per element, the last one returned), or does
   * nothing and returns undefined when not recording; then the message is not touched.
   */
  record(direction: 'send' | 'receive', message: unknown, time?: number): TraceEntry | undefined {
    if (!this.recording) return undefined;
    const now = time ?? Date.now(); // not a default parameter: that would read the clock while nothing records
    if (Array.isArray(message) && message.length > 0) {
      let last: TraceEntry | undefined;
      for (const m of message) last = this.recordOne(direction, m, now);
      return last;
    }
    return this.recordOne(direction, message, now);
  }

  clear(): void {
    this.items = [];
    this.weights = [];
    this.head = 0;
    this.bytes = 0;
    // Requests still pending keep their place: a response arriving later still names its method.
    this._onDidClear.fire();
  }

  /** The settings changed: the new bounds apply at once. */
  configure(options: Pick<TraceOptions, 'maxEntries' | 'maxBytes'>): void {
    this.maxEntries = positive(options.maxEntries, DEFAULT_MAX_ENTRIES);
    this.maxBytes = positive(options.maxBytes, DEFAULT_MAX_BYTES);
    this.trim();
  }

  /** One JSON object per line (an export): the message parsed back, or as a string when it was cut. */
  toJsonLines(): string {
    let out = '';
    for (const e of this.entries) {
      let message: unknown = e.text;
      if (!e.truncated) try { message = JSON.parse(e.text); } catch { /* a message that could not be serialized: its note, as text */ }
      out += `${JSON.stringify({
        seq: e.seq, time: e.time, session: e.session, direction: e.direction, kind: e.kind, method: e.method, id: e.id,
        size: e.size, pairedSeq: e.pairedSeq, durationMs: e.durationMs, isError: e.isError, truncated: e.truncated, message,
      })}\n`;
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.items = [];
    this.weights = [];
    this.head = 0;
    this.bytes = 0;
    this.ours.clear();
    this.theirs.clear();
    this._onDidRecord.dispose();
    this._onDidUpdate.dispose();
    this._onDidClear.dispose();
  }

  // ---- internals ----

  private recordOne(direction: 'send' | 'receive', message: unknown, now: number): TraceEntry {
    const c = classify(message);
    let kind: TraceEntry['kind'];
    let method: string | undefined;
    let id: RequestId | undefined;
    let isError = false;
    if (c.kind === 'request') { kind = 'request'; method = c.msg.method; id = c.msg.id; }
    else if (c.kind === 'notification') { kind = 'notification'; method = c.msg.method; }
    else if (c.kind === 'response') {
      id = c.msg.id ?? undefined;
      isError = 'error' in c.msg || (c.msg.result as { isError?: unknown }).isError === true;
      kind = 'error' in c.msg ? 'error' : 'response';
    } else {
      kind = 'invalid';
      const o = message as { id?: unknown; method?: unknown } | null;
      if (typeof o?.method === 'string') method = o.method;
      if (typeof o?.id === 'string' || typeof o?.id === 'number') id = o.id;
    }

    const { text, size, truncated, weight } = this.textOf(message, direction);
    const entry: TraceEntry = { seq: this.nextSeq++, time: now, session: this.session, direction, kind, size, text };
    if (method !== undefined) entry.method = method;
    if (id !== undefined) entry.id = id;
    if (truncated) entry.truncated = true;
    if (isError) entry.isError = true;

    // Our requests are answered by the server's responses, and the other way round; an
    // invalid message with an id and no method is taken as an (unreadable) answer.
    let answered: Pending | undefined;
    if (kind === 'request') this.remember(direction === 'send' ? this.ours : this.theirs, id!, { seq: entry.seq, time: now, method: method! });
    else if (id !== undefined && (kind === 'response' || kind === 'error' || (kind === 'invalid' && method === undefined))) {
      const pending = direction === 'receive' ? this.ours : this.theirs;
      answered = pending.get(id);
      if (answered) {
        pending.delete(id);
        entry.method = answered.method;
        entry.pairedSeq = answered.seq;
        entry.durationMs = now - answered.time;
      }
    }

    this.items.push(entry);
    this.weights.push(weight);
    this.bytes += weight;
    this.trim();
    // Both sides of the pair are set before anyone hears of either.
    const request = answered && this.find(answered.seq);
    if (request) request.pairedSeq = entry.seq;
    this._onDidRecord.fire(entry);
    if (request) this._onDidUpdate.fire(request);
    return entry;
  }

  private remember(map: Map<RequestId, Pending>, id: RequestId, p: Pending): void {
    map.delete(id); // a reused id: the newest request is the one answered
    map.set(id, p);
    // A server that never answers must not grow this: the oldest requests are forgotten.
    while (map.size > this.maxPending) map.delete(map.keys().next().value!);
  }

  /** The message's redacted text, cut to the entry bound; its size on the wire and the bytes kept. */
  private textOf(message: unknown, direction: 'send' | 'receive'): { text: string; size: number; truncated: boolean; weight: number } {
    const shown = maskElicitationAnswer(message, direction);
    let json: string;
    let size: number;
    try {
      json = JSON.stringify(shown) ?? String(shown);
      size = shown === message ? utf8Length(json) : utf8Length(JSON.stringify(message));
    } catch (err) {
      // Nested deeper than the stack allows, a BigInt, a cycle: say so, never throw.
      json = `(a message that cannot be shown: ${errorMessage(err)})`;
      size = 0;
    }
    const cap = Math.min(this.maxEntryBytes, this.maxBytes);
    const precut = json.length > cap + REDACT_MARGIN;
    let text = precut ? json.slice(0, cap + REDACT_MARGIN) : json;
    if (this.redact) text = this.redact(text);
    const bytes = utf8Length(text);
    if (!precut && bytes <= cap) return { text, size, truncated: false, weight: bytes };
    const marker = `…(cut: ${size} bytes in all)`;
    const markerBytes = utf8Length(marker);
    const room = Math.max(0, cap - markerBytes);
    if (!scratch || scratch.length < room) scratch = new Uint8Array(room);
    // encodeInto never splits a character: `read` is where the kept part ends.
    const { read, written } = encoder.encodeInto(text, scratch.subarray(0, room));
    return { text: text.slice(0, read) + marker, size, truncated: true, weight: written + markerBytes };
  }

  private trim(): void {
    let count = this.items.length - this.head;
    // The newest entry always stays (it fits: entries are cut to the byte bound).
    while (count > this.maxEntries || (count > 1 && this.bytes > this.maxBytes)) {
      this.bytes -= this.weights[this.head]!;
      this.items[this.head] = undefined;
      this.head++;
      count--;
    }
    if (this.head > 64 && this.head * 2 >= this.items.length) this.compact();
  }

  private compact(): void {
    if (this.head === 0) return;
    this.items.splice(0, this.head);
    this.weights.splice(0, this.head);
    this.head = 0;
  }

  private stoppedRecording(): void {
    // Responses that arrive while nothing records cannot be paired: forget what waits.
    if (this.recording) return;
    this.ours.clear();
    this.theirs.clear();
  }
}
