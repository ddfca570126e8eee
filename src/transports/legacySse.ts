// The legacy HTTP+SSE transport (2024-11-05), as a channel of the HTTP transport: a GET
// event stream whose first `endpoint` event names the URL to POST messages to, and on
// which every answer comes back. Opening it waits for that event, and the wait is
// bounded by the caller (the handshake's deadline, a Stop): a server that never sends
// it must not hold a start, and so a Stop, forever.

import { LocalError } from '../protocol/errors.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { serializeMessage } from '../protocol/jsonrpc.ts';
import { authError, bodyExcerpt, consumeSse, isAuthStatus, isEventStream, redact, type Agent } from './httpRequest.ts';
import { sendAuthorized, type RequestAuth } from './requestAuth.ts';

export interface LegacySseOptions {
  url: URL;
  headers: Record<string, string>;
  agent: Agent;
  maxMessageBytes: number;
  auth?: RequestAuth;
  /** One event's data (a JSON-RPC message, unparsed). */
  deliver(text: string): void;
  /** The stream ended after it had opened. */
  onEnd(how: 'ended' | 'broke' | 'sent an event over the size limit'): void;
}

export class LegacySseChannel {
  private readonly opts: LegacySseOptions;
  private endpoint: URL | undefined;

  constructor(options: LegacySseOptions) {
    this.opts = options;
  }

  /**
   * Resolves once the `endpoint` event arrived. `signal` ends the stream whenever it
   * aborts; `startSignal` only the wait for the endpoint (with its reason's code).
   */
  open(signal: AbortSignal, startSignal: AbortSignal | undefined): Promise<void> {
    const { url, agent, headers } = this.opts;
    const own = new AbortController();
    const streamSignal = AbortSignal.any([signal, own.signal]);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        startSignal?.removeEventListener('abort', onStartAbort);
        if (err === undefined) { resolve(); return; }
        own.abort(err); // a start that failed leaves no stream open
        reject(err);
      };
      const onStartAbort = () => {
        const r = startSignal!.reason;
        const cause = r instanceof LocalError ? r : new LocalError('cancelled', 'cancelled');
        settle(new LocalError(cause.code, `legacy SSE: GET ${redact(url)} did not send the "endpoint" event (${cause.message})`, cause));
      };
      if (startSignal?.aborted) { onStartAbort(); return; }
      startSignal?.addEventListener('abort', onStartAbort, { once: true });
      void (async () => {
        const res = await sendAuthorized({ method: 'GET', url, agent, signal: streamSignal, headers: { ...headers, accept: 'text/event-stream' } }, this.opts.auth, true);
        if (isAuthStatus(res.statusCode)) { res.resume(); throw authError('GET', url, res.statusCode!); }
        if (res.statusCode !== 200 || !isEventStream(res)) {
          const excerpt = await bodyExcerpt(res);
          throw new LocalError('transport', `legacy SSE: GET ${redact(url)} answered HTTP ${res.statusCode}${excerpt ? `: ${excerpt}` : ''}`);
        }
        const how = await consumeSse(res, {
          onEvent: e => {
            if (e.event !== 'endpoint') {
              if (e.data) this.opts.deliver(e.data);
              return false;
            }
            if (this.endpoint) return false; // the first one counts
            let endpoint: URL;
            try {
              endpoint = new URL(e.data.trim(), url);
            } catch {
              settle(new LocalError('transport', `legacy SSE: invalid endpoint "${e.data.slice(0, 200)}"`));
              return true;
            }
            if (endpoint.origin !== url.origin) {
              settle(new LocalError('transport', `legacy SSE: the endpoint ${endpoint.origin} is not on the server's origin`));
              return true;
            }
            this.endpoint = endpoint;
            settle();
            return false;
          },
        }, this.opts.maxMessageBytes);
        if (!settled) throw new LocalError('transport', 'legacy SSE: the stream ended before the endpoint event');
        if (how !== 'stopped') this.opts.onEnd(how === 'end' ? 'ended' : how === 'oversize' ? 'sent an event over the size limit' : 'broke');
      })().catch(settle);
    });
  }

  async post(message: JsonRpcMessage, signal: AbortSignal): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint) throw new LocalError('transport', 'legacy SSE: no endpoint yet');
    const res = await sendAuthorized({
      method: 'POST', url: endpoint, agent: this.opts.agent, signal, body: serializeMessage(message),
      headers: { ...this.opts.headers, 'content-type': 'application/json' },
    }, this.opts.auth, true);
    const status = res.statusCode ?? 0;
    if (isAuthStatus(status)) { res.resume(); throw authError('POST', endpoint, status); }
    if (status >= 400) {
      const excerpt = await bodyExcerpt(res);
      throw new LocalError('transport', `HTTP ${status} from POST ${redact(endpoint)}${excerpt ? `: ${excerpt}` : ''}`);
    }
    res.resume();
  }
}
