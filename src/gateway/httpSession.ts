// One Streamable HTTP session of the gateway as a Transport (issue 13). The HTTP server
// (http.ts) hands it what clients POST and the streams they open; what the session's
// connection sends goes to the right stream:
// - a response to the POST stream that carried its request (which ends when it has answered
//   every request it carried);
// - a notification about a request (progress: SendContext.relatedRequestId) to that stream;
// - anything else to the GET stream, or, while there is none, into a bounded queue
//   (drop-oldest, counted) that the next GET stream gets first.
// A POST stream's headers wait for its first message, a few milliseconds at most: when that is
// the one answer it owes, it goes as a plain JSON body in one write (the spec lets the server
// pick either content type); anything else first (progress, a server request), or nothing
// within SSE_DEFER_MS, makes it an event stream, primed with an empty event whose id lets the
// client resume it. Open event streams get a comment every HEARTBEAT_MS (heartbeat()), so no
// client or proxy times a quiet one out.
// Every event has an id `<stream>_<seq>`; the latest are kept (bounded in count and bytes), so a
// client whose stream broke resumes it with Last-Event-ID (the rest of a POST stream comes on the GET).

import type { ServerResponse } from 'node:http';
import { LocalError } from '../protocol/errors.ts';
import { serializeMessage, type JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { TransportBase } from '../transports/base.ts';
import type { SendContext, Transport } from '../transports/transport.ts';

export interface HttpSessionLimits {
  /** Events kept for Last-Event-ID resumption (across the session's streams). */
  replayEvents: number;
  /** …and at most this many bytes of them; a bigger event is not kept (default 4 MiB). */
  replayBytes?: number;
  /** Messages waiting for a GET stream; past it the oldest go. */
  maxQueue: number;
}

interface Stream {
  id: string;
  seq: number;
  res: ServerResponse | undefined;
  /** Requests whose responses this stream still owes (POST streams). */
  owed: Set<string | number>;
  kind: 'post' | 'get';
  /** Whether its headers are out (an event stream's, or a JSON body's). */
  started: boolean;
  /** Until it starts: the timer that makes it an event stream if no answer comes soon. */
  defer?: ReturnType<typeof setTimeout>;
  /** JSON mode: the client takes no event stream; responses are collected and sent as one body. */
  json?: { answers: string[]; single: boolean };
}

interface Event { stream: string; seq: number; data: string }

/** How long a POST's answer may take to go as one JSON body before its stream starts as events. */
export const SSE_DEFER_MS = 50;
/** A comment on every open event stream this often (HttpGatewayServer calls heartbeat()). */
export const HEARTBEAT_MS = 25_000;

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' };
const JSON_HEADERS = { 'content-type': 'application/json' };

const idOf = (m: unknown): string | number | undefined => {
  const id = (m as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
};

export class HttpSessionTransport extends TransportBase implements Transport {
  readonly id: string;
  readonly principal: string;
  lastActivity = Date.now();
  private readonly limits: HttpSessionLimits;
  private readonly byRequest = new Map<string | number, Stream>();
  private readonly streams = new Map<string, Stream>();
  private get: Stream | undefined;
  private queue: string[] = [];
  /** Messages dropped from the queue since the last report. */
  dropped = 0;
  private readonly replay: Event[] = [];
  private replayBytes = 0;
  private nextStream = 1;
  /** POST streams that broke, then got all their answers: kept while they may be resumed, the latest 32. */
  private readonly finishedBroken: string[] = [];
  private readonly onDrop: (count: number) => void;

  constructor(id: string, principal: string, limits: HttpSessionLimits, onDrop: (count: number) => void) {
    super();
    this.id = id;
    this.principal = principal;
    this.limits = limits;
    this.onDrop = onDrop;
  }

  async start(): Promise<void> {
    if (this._state.kind === 'idle') this.setState({ kind: 'running' });
  }

  /** Whether a request of its client is unanswered (it is never evicted then). */
  get busy(): boolean {
    if (this.byRequest.size > 0) return true;
    for (const s of this.streams.values()) if (s.res && s.kind === 'post') return true;
    return false;
  }

  /** Whether only its GET stream is open (a listener: evicted after the sessions that have nothing open). */
  get listening(): boolean { return !!this.get?.res; }

  /** Open streams (for the idle sweep and the shutdown). */
  get openStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.res) n++;
    return n;
  }

  /** A POST: its messages arrive; its requests' answers go on `res` (an event stream, or one JSON body). */
  post(messages: unknown[], res: ServerResponse, mode: 'sse' | 'json'): void {
    this.lastActivity = Date.now();
    let s: Stream | undefined;
    for (const m of messages) {
      const id = idOf(m);
      if (id === undefined || typeof (m as { method?: unknown }).method !== 'string') continue;
      s ??= { id: (this.nextStream++).toString(36), seq: 0, res, owed: new Set(), kind: 'post', started: false, ...(mode === 'json' ? { json: { answers: [], single: messages.length === 1 } } : {}) };
      s.owed.add(id);
      this.byRequest.set(id, s);
    }
    if (!s) {
      res.writeHead(202).end();
    } else {
      const stream = s;
      this.streams.set(stream.id, stream);
      if (mode === 'sse') stream.defer = setTimeout(() => this.begin(stream, true), SSE_DEFER_MS);
      // A broken stream is not a cancel: what it owes is kept for Last-Event-ID.
      res.once('close', () => { if (stream.res === res) this.broke(stream); });
    }
    for (const m of messages) this._onDidReceiveMessage.fire(m);
  }

  /** Starts a POST stream as events: the headers and, primed (nothing came yet), an empty event with an id to resume from. */
  private begin(s: Stream, primed: boolean): void {
    clearTimeout(s.defer);
    s.defer = undefined;
    if (s.started || !s.res) return;
    s.started = true;
    s.res.writeHead(200, SSE_HEADERS);
    if (primed) s.res.write(`id: ${s.id}_0\ndata: \n\n`);
  }

  /** A comment on every open event stream (keeps clients' and proxies' idle timers from ending a quiet one). */
  heartbeat(): void {
    for (const s of this.streams.values()) if (s.started && s.res && !s.json) s.res.write(': keep-alive\n\n');
  }

  /** A stream's connection closed under it. One that never sent an event cannot be resumed: it goes. */
  private broke(s: Stream): void {
    clearTimeout(s.defer);
    s.res = undefined;
    if (s.kind === 'post' && !s.started) {
      this.streams.delete(s.id);
      for (const id of s.owed) this.byRequest.delete(id);
      s.owed.clear();
    }
  }

  /** A GET: the session's own stream, or (with Last-Event-ID) the rest of a broken one. */
  open(res: ServerResponse, lastEventId: string | undefined): void {
    this.lastActivity = Date.now();
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    const m = lastEventId === undefined ? undefined : /^([A-Za-z0-9_-]+)_(\d+)$/.exec(lastEventId);
    const resumed = m ? this.streams.get(m[1]!) : undefined;
    if (m) {
      // Everything after that event of that stream, as it was sent.
      for (const e of this.replay) if (e.stream === m[1] && e.seq > Number(m[2])) res.write(`id: ${e.stream}_${e.seq}\ndata: ${e.data}\n\n`);
    }
    if (resumed && resumed.kind === 'post') {
      if (resumed.owed.size === 0) { res.end(); this.streams.delete(resumed.id); return; }
      resumed.res = res;
      res.once('close', () => { if (resumed.res === res) this.broke(resumed); });
      return;
    }
    const s: Stream = resumed ?? { id: (this.nextStream++).toString(36), seq: 0, res, owed: new Set(), kind: 'get', started: true };
    s.res = res;
    // One GET stream per session: a new one replaces the old.
    if (this.get && this.get !== s) { this.get.res?.end(); this.streams.delete(this.get.id); }
    this.get = s;
    this.streams.set(s.id, s);
    res.once('close', () => { if (s.res === res) this.broke(s); });
    const queued = this.queue;
    this.queue = [];
    for (const data of queued) this.write(s, data);
  }

  private write(s: Stream, data: string): void {
    const seq = ++s.seq;
    const max = this.limits.replayBytes ?? 4 * 1024 * 1024;
    if (data.length <= max) {
      this.replay.push({ stream: s.id, seq, data });
      this.replayBytes += data.length;
      let drop = 0;
      while (this.replay.length - drop > this.limits.replayEvents || this.replayBytes > max) this.replayBytes -= this.replay[drop++]!.data.length;
      if (drop) this.replay.splice(0, drop);
    }
    const res = s.res;
    if (!res) return;
    if (!s.started) this.begin(s, false);
    res.write(`id: ${s.id}_${seq}\ndata: ${data}\n\n`);
  }

  send(message: JsonRpcMessage, context?: SendContext): void {
    if (this._state.kind !== 'running') throw new LocalError('transport', 'the session is closed');
    const data = serializeMessage(message);
    const id = idOf(message);
    const isResponse = id !== undefined && !('method' in message);
    let target = isResponse ? this.byRequest.get(id) : context?.relatedRequestId !== undefined ? this.byRequest.get(context.relatedRequestId) : undefined;
    // A JSON-mode POST carries its answers only: a request to the client about it (sampling,
    // elicitation) goes where unrelated messages go (the GET stream, else the queue), and a
    // notification about it (progress) is not sent, as the client asked for no stream.
    if (target?.json && !isResponse) {
      if (!('id' in message)) return;
      target = undefined;
    }
    if (target) {
      if (isResponse) {
        this.byRequest.delete(id);
        target.owed.delete(id);
      }
      const last = isResponse && target.owed.size === 0;
      if (target.json) {
        target.json.answers.push(data);
      } else if (last && !target.started && target.res) {
        // All it owes is this one answer: a plain JSON body, one write.
        clearTimeout(target.defer);
        target.started = true;
        target.res.writeHead(200, JSON_HEADERS).end(data);
        this.streams.delete(target.id);
        return;
      } else {
        this.write(target, data);
      }
      if (last) this.finish(target);
      return;
    }
    if (this.get?.res) { this.write(this.get, data); return; }
    this.queue.push(data);
    if (this.queue.length > this.limits.maxQueue) {
      const over = this.queue.length - this.limits.maxQueue;
      this.queue.splice(0, over);
      this.dropped += over;
      this.onDrop(over);
    }
  }

  private finish(s: Stream): void {
    if (s.json) {
      const a = s.json.answers;
      s.res?.writeHead(200, JSON_HEADERS).end(s.json.single && a.length === 1 ? a[0] : `[${a.join(',')}]`);
      this.streams.delete(s.id);
      return;
    }
    if (s.res) {
      s.res.end();
      this.streams.delete(s.id);
      return;
    }
    // Broken before its end: kept while it may be resumed from the replay buffer, the latest few.
    this.finishedBroken.push(s.id);
    if (this.finishedBroken.length > 32) this.streams.delete(this.finishedBroken.shift()!);
  }

  async close(): Promise<void> {
    if (this._state.kind === 'stopped') return;
    for (const s of this.streams.values()) { clearTimeout(s.defer); s.res?.end(); }
    this.streams.clear();
    this.byRequest.clear();
    this.queue = [];
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    void this.close();
    this.disposeEvents();
  }
}
