// The gateway's stdio side: newline-delimited JSON on a readable (our stdin) and a writable
// (our stdout), for hosts that only launch commands (`mcp-host gateway --stdio`). It ends
// when the input ends. Lines are framed like the client's stdio transport (framing.ts).
// serveStdio() looks at the client's first message: `server/discover`, or any request whose
// `_meta` names a protocol version, is a stateless 2026-07-28 client (answered message by
// message, stateless.ts); anything else (initialize) starts a 2025-11-25 session. A
// connection keeps the revision its first message chose.

import type { Readable, Writable } from 'node:stream';
import { ErrorCode, LocalError, WireError, toWireError } from '../protocol/errors.ts';
import { classify, serializeMessage, type JsonRpcMessage, type RequestId } from '../protocol/jsonrpc.ts';
import { TransportBase } from '../transports/base.ts';
import { LineDecoder, parseJsonLine } from '../transports/framing.ts';
import type { Transport } from '../transports/transport.ts';
import { isObject } from './handlers.ts';
import { META, NO_RESPONSE, checkVersion, readEnvelope, type StatelessGateway } from './stateless.ts';

export interface StdioServerOptions {
  input: Readable;
  output: Writable;
  /** Largest message accepted from the client (default 64 MiB). */
  maxMessageBytes?: number;
}

export class StdioServerTransport extends TransportBase implements Transport {
  private readonly opts: StdioServerOptions;
  private decoder: LineDecoder | undefined;
  /** While held (serveStdio looks at the first message), what arrives waits here. */
  private held: unknown[] | undefined;
  private onHeld: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => this.decoder?.push(chunk);
  private readonly onEnd = () => {
    const rest = this.decoder?.flush();
    if (rest) this.line(rest);
    this.setState({ kind: 'stopped' });
    this.onHeld?.();
  };

  constructor(opts: StdioServerOptions) {
    super();
    this.opts = opts;
  }

  async start(): Promise<void> {
    // Started already by serveStdio, which held the first messages: whoever takes over starts it again.
    if (this.decoder && this.held) return;
    if (this._state.kind !== 'idle') throw new LocalError('transport', 'transport already started');
    this.decoder = new LineDecoder({
      maxLineBytes: this.opts.maxMessageBytes ?? 64 * 1024 * 1024,
      onLine: l => this.line(l),
      onOversize: bytes => this.log('warning', `dropped a client message larger than the limit (${bytes} bytes read)`),
    });
    this.opts.input.on('data', this.onData);
    this.opts.input.once('end', this.onEnd);
    this.opts.input.once('close', this.onEnd);
    this.setState({ kind: 'running' });
  }

  /** Keeps what arrives until release(); resolves with the first message (undefined: the input ended first). */
  async first(): Promise<unknown> {
    this.held ??= [];
    await this.start();
    while (!this.held.length && this._state.kind === 'running') await new Promise<void>(resolve => { this.onHeld = resolve; });
    this.onHeld = undefined;
    return this.held[0];
  }

  /** Delivers what was held, in order, to whoever listens now; from then on messages go straight to them. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const m of held) this._onDidReceiveMessage.fire(m);
  }

  private line(line: Buffer): void {
    const parsed = parseJsonLine(line);
    if (!parsed) return;
    if (!parsed.ok) { this.log('warning', `ignored a line that is not JSON (${parsed.reason}): ${parsed.preview}`); return; }
    if (this.held) { this.held.push(parsed.value); this.onHeld?.(); return; }
    this._onDidReceiveMessage.fire(parsed.value);
  }

  send(message: JsonRpcMessage): void {
    if (this._state.kind !== 'running') throw new LocalError('transport', 'the client has gone');
    this.opts.output.write(serializeMessage(message) + '\n');
  }

  async close(): Promise<void> {
    this.opts.input.off('data', this.onData);
    this.setState({ kind: 'stopped' });
    this.onHeld?.();
  }

  dispose(): void {
    void this.close();
    this.disposeEvents();
  }
}

/** Whether a client's first message makes it a stateless (2026-07-28) client. */
export function isStatelessFirst(message: unknown): boolean {
  if (!isObject(message) || typeof message.method !== 'string' || message.method === 'initialize') return false;
  if (message.method === 'server/discover') return true;
  return isObject(message.params) && isObject(message.params._meta) && message.params._meta[META.protocolVersion] !== undefined;
}

/** Requests of one stdio client handled at once; more are answered with an error at once. */
const MAX_STDIO_REQUESTS = 64;
let connections = 0;

/**
 * Serves the client on `transport` in the revision its first message asks for; resolves
 * once that is decided ('stateless' or 'stateful'), or with undefined when the input ended
 * before any message. The transport's stopped state is the end, as before.
 */
export async function serveStdio(stateless: StatelessGateway, transport: StdioServerTransport, label = 'stdio'): Promise<'stateless' | 'stateful' | undefined> {
  const first = await transport.first();
  if (first === undefined) return undefined;
  if (!isStatelessFirst(first)) {
    await stateless.gateway.serve(transport, label);
    transport.release();
    return 'stateful';
  }
  serveStatelessStdio(stateless, transport, label);
  transport.release();
  return 'stateless';
}

/** A stateless client on stdio: each request answered on its own; notifications/cancelled aborts one (or ends a listen stream). */
function serveStatelessStdio(stateless: StatelessGateway, transport: Transport, label: string): void {
  const principal = `${label}#${++connections}`;
  const running = new Map<RequestId, AbortController>();
  const send = (m: JsonRpcMessage) => { try { void transport.send(m); } catch { /* the client has gone */ } };
  const fail = (id: RequestId | null, err: WireError) => send({ jsonrpc: '2.0', id, error: err.toJSON() });

  const onMessage = (raw: unknown) => {
    const c = classify(raw);
    if (c.kind === 'invalid') {
      const id = isObject(raw) ? raw.id : undefined;
      if (typeof id === 'string' || typeof id === 'number') fail(id, new WireError(ErrorCode.InvalidRequest, `Invalid request: ${c.reason}`));
      return;
    }
    if (c.kind === 'response') return; // 2026-07-28 servers send no requests: nothing here is ours
    if (c.kind === 'notification') {
      if (c.msg.method === 'notifications/cancelled') {
        const id = c.msg.params?.requestId;
        if (typeof id === 'string' || typeof id === 'number') running.get(id)?.abort();
      }
      return;
    }
    const { id, method } = c.msg;
    const params = c.msg.params ?? {};
    if (method === 'initialize') return fail(id, new WireError(ErrorCode.InvalidRequest, 'This connection speaks 2026-07-28 (its first message said so); initialize is for a new connection'));
    if (running.has(id)) return fail(id, new WireError(ErrorCode.InvalidRequest, `Request id ${JSON.stringify(id)} is already in use`));
    if (running.size >= MAX_STDIO_REQUESTS) return fail(id, new WireError(ErrorCode.InternalError, `Too many concurrent requests: ${MAX_STDIO_REQUESTS} are already being handled`));
    let ctx;
    try { ctx = readEnvelope(params); checkVersion(ctx); } catch (err) { return fail(id, toWireError(err)); }
    const ctrl = new AbortController();
    running.set(id, ctrl);
    stateless.handle({
      id, method, params, principal, signal: ctrl.signal,
      notify: (m, p) => { if (!ctrl.signal.aborted) send({ jsonrpc: '2.0', method: m, params: p }); },
    }, ctx).then(
      result => { if (running.get(id) === ctrl && !ctrl.signal.aborted && result !== NO_RESPONSE) send({ jsonrpc: '2.0', id, result }); },
      err => { if (running.get(id) === ctrl && !ctrl.signal.aborted) fail(id, toWireError(err)); },
    ).finally(() => { if (running.get(id) === ctrl) running.delete(id); });
  };

  const sub = transport.onDidReceiveMessage(onMessage);
  const state = transport.onDidChangeState(s => {
    if (s.kind !== 'stopped') return;
    sub.dispose();
    state.dispose();
    for (const ctrl of running.values()) ctrl.abort();
    running.clear();
    stateless.forget(principal);
  });
}
