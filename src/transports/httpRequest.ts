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
    const req = mod.request(opts.url, { method: opts.method, headers, agent: opts.agent, signal: opts.signal }, resolve);
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
  onEvent(e: EventSourceMessage): void;
  onRetry?(ms: number): void;
}

/**
 * Feeds an SSE response to the parser until it ends. Resolves with how it ended:
 * 'end' (the server closed it) or 'error' (the connection broke) — a broken stream is
 * not a cancellation, and callers may resume it.
 */
export function consumeSse(res: http.IncomingMessage, handlers: SseHandlers, maxEventBytes: number): Promise<'end' | 'error' | 'oversize'> {
  return new Promise(resolve => {
    const decoder = new TextDecoder('utf-8');
    let pending = 0;
    let done = false;
    const finish = (how: 'end' | 'error' | 'oversize') => { if (!done) { done = true; resolve(how); } };
    const parser = createParser({
      onEvent: e => { pending = 0; handlers.onEvent(e); },
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
