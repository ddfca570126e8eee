// Small helpers over node:http(s) for the HTTP transports: one keep-alive agent per
// transport, bodies read with a cap, SSE streams fed to eventsource-parser. We use
// node:http rather than fetch: fetch's web streams cost several times the CPU per
// message (the SDK's HTTP client spends most of its time there).

import * as http from 'node:http';
import * as https from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { LocalError } from '../protocol/errors.ts';

export type Agent = http.Agent;

export function createAgent(url: URL): Agent {
  const opts = { keepAlive: true, maxSockets: 64, keepAliveMsecs: 10_000 };
  return url.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
}

export interface SendOptions {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agent: Agent;
  signal?: AbortSignal;
}

/** Resolves with the response once its headers arrive; rejects on network errors. */
export function send(opts: SendOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = opts.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { ...opts.headers };
    let body: Buffer | undefined;
    if (opts.body !== undefined) {
      body = Buffer.from(opts.body, 'utf8');
      headers['content-length'] = body.length;
    }
    let url = opts.url;
    if (url.username || url.password) {
      // Credentials in the URL travel as Basic auth (what Node would send for them), in a
      // header: neither the URL nor the `auth` option handed on carries them, since VS
      // Code's proxy resolver logs the URL it rebuilds from both.
      if (!Object.keys(headers).some(k => k.toLowerCase() === 'authorization')) {
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      }
      url = new URL(url.href);
      url.username = '';
      url.password = '';
    }
    const req = mod.request(url, { method: opts.method, headers, agent: opts.agent, signal: opts.signal }, resolve);
    req.on('error', err => reject(networkError(opts.method, opts.url, err)));
    req.end(body);
  });
}

function networkError(method: string, url: URL, err: Error): LocalError {
  if (err.name === 'AbortError') return new LocalError('cancelled', `${method} ${redact(url)} aborted`, err);
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ECONNREFUSED' ? ' — is the server running and listening on that address?' : code === 'ENOTFOUND' ? ' — the host name does not resolve' : '';
  return new LocalError('transport', `${method} ${redact(url)} failed: ${code ?? err.message}${hint}`, err);
}

/** The URL for messages: no credentials, no query (tokens often travel there). */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Reads a whole body, refusing more than `max` bytes. One copy at the end. */
export function readBody(res: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        res.destroy();
        reject(new LocalError('transport', `the response is larger than the ${(max / 1048576).toFixed(0)} MiB limit`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    res.on('error', err => reject(new LocalError('transport', `reading the response failed: ${err.message}`, err)));
    res.on('aborted', () => reject(new LocalError('transport', 'the response was cut off')));
  });
}

/** A short, single-line excerpt of an error body for messages. */
export async function bodyExcerpt(res: http.IncomingMessage): Promise<string> {
  try {
    const b = await readBody(res, 64 * 1024);
    const t = b.toString('utf8').replace(/\s+/g, ' ').trim();
    return t.length > 300 ? `${t.slice(0, 300)}…` : t;
  } catch {
    return '';
  }
}

export interface SseHandlers {
  /**
   * Returning true stops the reading: the stream ends as 'stopped', events after that one
   * (even in the same chunk) are not delivered, and the response is closed unless it ends
   * by itself right away (an HTTP/1.1 connection cannot be reused before its response
   * ends; one the server keeps open would hold a pooled socket).
   */
  onEvent(e: EventSourceMessage): boolean | void;
  onRetry?(ms: number): void;
}

export type SseEnd = 'end' | 'error' | 'oversize' | 'stopped';

/**
 * Feeds an SSE response to the parser until it ends. Resolves with how it ended:
 * 'end' (the server closed it), 'error' (the connection broke; a broken stream is not a
 * cancellation, and callers may resume it), 'oversize', or 'stopped' (by the handler).
 */
export function consumeSse(res: http.IncomingMessage, handlers: SseHandlers, maxEventBytes: number): Promise<SseEnd> {
  return new Promise(resolve => {
    const decoder = new TextDecoder('utf-8');
    let pending = 0;
    let done = false;
    const finish = (how: SseEnd) => { if (!done) { done = true; resolve(how); } };
    const parser = createParser({
      onEvent: e => {
        if (done) return;
        pending = 0;
        if (handlers.onEvent(e) === true) { finish('stopped'); releaseResponse(res); }
      },
      onRetry: ms => handlers.onRetry?.(ms),
    });
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      pending += chunk.length;
      if (pending > maxEventBytes) {
        res.destroy();
        finish('oversize');
        return;
      }
      parser.feed(decoder.decode(chunk, { stream: true }));
    });
    res.on('end', () => { parser.feed(decoder.decode()); finish('end'); });
    res.on('error', () => finish('error'));
    res.on('aborted', () => finish('error'));
    res.on('close', () => finish(res.complete ? 'end' : 'error'));
  });
}

/** 401 and 403 are an authorization problem, never retried like a transport failure. */
export function isAuthStatus(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

export function authError(method: string, url: URL, status: number): LocalError {
  const detail = status === 403 ? ' (access denied)' : '';
  return new LocalError('auth', `HTTP ${status} from ${method} ${redact(url)}: the server requires authorization${detail}`);
}

/**
 * How long a stream that has given its answer may take to end by itself before we close
 * it. A server that ends it at once (the SDK does) gives the socket back to the pool, which
 * a close would throw away (a new connection, over TLS a new handshake, per call); one
 * that keeps it open would hold a pooled socket for the session.
 */
const END_GRACE_MS = 100;

/** Lets a response we are done with end on its own if it is about to, else closes it (and its socket). */
export function releaseResponse(res: http.IncomingMessage): void {
  res.resume(); // the rest is not read, but must flow for the response to end
  // The terminating chunk usually sits in the same read as the answer and is parsed right
  // after this event: on the next turn the response is complete, and nothing waits.
  setImmediate(() => {
    if (res.complete || res.destroyed) return;
    const t = setTimeout(() => { if (!res.complete) res.destroy(); }, END_GRACE_MS);
    t.unref();
    const clear = () => clearTimeout(t);
    res.once('end', clear);
    res.once('close', clear);
  });
}

export function isEventStream(res: http.IncomingMessage): boolean {
  return (res.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');
}
export function isJson(res: http.IncomingMessage): boolean {
  return (res.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
