// One `subscriptions/listen` stream per stateless server (2026-07-28): it asks for the list
// changes the server can announce and updates of the subscribed resources. Its
// notifications (`notifications/tools/list_changed`, `…/resources/updated`, …) reach the
// connection's ordinary notification handlers, so the host's lists and the result cache
// follow them exactly as they follow a 2025-11-25 server's. A filter change opens a new
// stream before the old one is stopped; a stream that ends or breaks is opened again
// with backoff, for as long as the client lives. Stopping is the transport's way of
// cancelling (a notification over stdio, closing the stream over HTTP).

import { Disposable } from '../base/event.ts';
import type { JsonRpcConnection, RequestCallOptions } from './connection.ts';
import { ErrorCode, LocalError, RequestError, WireError, errorMessage } from './errors.ts';
import type { RequestId } from './jsonrpc.ts';
import type { ServerCapabilities } from './types.ts';

export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

export interface ListenOptions {
  capabilities(): ServerCapabilities;
  /** Sends the listen request the generation's way (with `_meta`, headers, its cancel). */
  send(method: string, params: Record<string, unknown>, options: RequestCallOptions<Record<string, unknown>>): Promise<Record<string, unknown>>;
  onWarn?: (message: string) => void;
  /** The stream is down (a sentence for the user) or back (undefined). */
  onNotice?: (notice: string | undefined) => void;
  /** Backoff after a stream ended (default 1 s doubling to 30 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

interface Stream {
  ctrl: AbortController;
  id: RequestId | undefined;
  filter: string;
}

let streams = 0;

export class ListenStream implements Disposable {
  private readonly conn: JsonRpcConnection;
  private readonly opts: ListenOptions;
  private readonly uris = new Set<string>();
  private current: Stream | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private disposed = false;
  /** The server has no listen method: nothing to retry. */
  private unsupported = false;

  constructor(conn: JsonRpcConnection, opts: ListenOptions) {
    this.conn = conn;
    this.opts = opts;
  }

  subscribe(uri: string): void {
    if (this.uris.has(uri)) return;
    this.uris.add(uri);
    this.update();
  }

  unsubscribe(uri: string): void {
    if (!this.uris.delete(uri)) return;
    this.update();
  }

  /** The filter the server's capabilities and the subscriptions call for. */
  filter(): ListenFilter {
    const caps = this.opts.capabilities();
    const f: ListenFilter = {};
    if (caps.tools?.listChanged) f.toolsListChanged = true;
    if (caps.prompts?.listChanged) f.promptsListChanged = true;
    if (caps.resources?.listChanged) f.resourcesListChanged = true;
    if (this.uris.size && caps.resources?.subscribe) f.resourceSubscriptions = [...this.uris];
    return f;
  }

  /** (Re)opens the stream when what it should ask for changed; the old one stops once the new one runs. */
  update(): void {
    if (this.disposed || this.unsupported) return;
    const filter = this.filter();
    const key = JSON.stringify(filter);
    if (this.current?.filter === key) return;
    const old = this.current;
    if (Object.keys(filter).length === 0) { this.current = undefined; old?.ctrl.abort(); return; }
    this.open(filter, key, old);
  }

  private open(filter: ListenFilter, key: string, old: Stream | undefined): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const stream: Stream = { ctrl: new AbortController(), id: undefined, filter: key };
    this.current = stream;
    const id = `listen:${++streams}`;
    // The first message is the server's acknowledgement; then the stream stays open.
    const ack = this.conn.onNotification('notifications/subscriptions/acknowledged', p => {
      const sub = (p._meta as Record<string, unknown> | undefined)?.['io.modelcontextprotocol/subscriptionId'];
      if (sub !== undefined && sub !== id) return;
      ack.dispose();
      if (this.failures) this.opts.onNotice?.(undefined);
      this.failures = 0;
      old?.ctrl.abort(); // the new stream runs: the old one can go
    });
    this.opts.send('subscriptions/listen', { notifications: filter }, {
      signal: stream.ctrl.signal, timeoutMs: Infinity, id, onSent: sent => { stream.id = sent; },
    }).then(
      () => this.ended(stream, 'the server ended it'),
      err => this.ended(stream, err),
    ).finally(() => ack.dispose());
  }

  private ended(stream: Stream, why: unknown): void {
    if (this.disposed || this.current !== stream || stream.ctrl.signal.aborted) return;
    this.current = undefined;
    if (why instanceof RequestError && why.cause instanceof WireError && why.cause.code === ErrorCode.MethodNotFound) {
      this.unsupported = true;
      this.opts.onWarn?.('the server has no subscriptions/listen: list changes and resource updates will not be seen until the next listing');
      return;
    }
    if (why instanceof RequestError && why.cause instanceof LocalError && why.cause.code === 'closed') return;
    this.failures++;
    const delay = Math.min((this.opts.initialDelayMs ?? 1000) * 2 ** Math.min(this.failures - 1, 10), this.opts.maxDelayMs ?? 30_000);
    const cause = typeof why === 'string' ? why : why instanceof RequestError ? why.cause.message : errorMessage(why);
    this.opts.onWarn?.(`the subscriptions/listen stream ended (${cause}); listening again in ${delay} ms`);
    // One end is a blip (the server restarted a stream); two in a row is an outage.
    if (this.failures >= 2) this.opts.onNotice?.(`the subscriptions/listen stream is down (${cause}): list changes and resource updates are being lost; listening again.`);
    this.retryTimer = setTimeout(() => { this.retryTimer = undefined; if (!this.current) this.update(); }, delay);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.current?.ctrl.abort();
    this.current = undefined;
  }
}
