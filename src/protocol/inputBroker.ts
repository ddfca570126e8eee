// The input broker: one place that answers what a server needs from the host — roots,
// sampling, elicitation — whichever way the server asks. 2025-11-25 servers send them as
// JSON-RPC requests (the stateful generation registers the broker as their handler);
// 2026-07-28 servers return them as `inputRequests` in an `input_required` result (the
// stateless generation's retry loop hands each to the broker). Same consent dialogs,
// same forms, same roots either way.

import { Disposable } from '../base/event.ts';
import type { IncomingRequestContext, JsonRpcConnection } from './connection.ts';
import type { RequestId } from './jsonrpc.ts';
import type { ClientCapabilities } from './types.ts';

/**
 * Set (non-enumerable) on a result that came after input rounds (an MRTR retry): such a
 * result answers what the user said then, and is never cached.
 */
export const VIA_INPUT: unique symbol = Symbol.for('mcp-host.viaInput');

/** What the host can be asked for. */
export const INPUT_METHODS = ['roots/list', 'sampling/createMessage', 'elicitation/create'] as const;
export type InputMethod = typeof INPUT_METHODS[number];

/** One thing a server needs: a server request's method and params, or an MRTR input request. */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

export interface InputContext {
  /** Aborted when the answer is no longer wanted (the server cancelled, the call was cancelled). */
  signal: AbortSignal;
  /** The JSON-RPC id, when it came as a server request (2025-11-25). */
  requestId?: RequestId;
  /** The key of the input request within its `input_required` result (2026-07-28). */
  key?: string;
  /** Our request it belongs to, when known: its method (`tools/call`) and, for tools and prompts, the name. */
  relatedTo?: { method: string; name?: string };
  /** Whom the request(s) it may belong to were made for (RequestOptions.origin; IncomingRequestContext.origins). */
  origins?: readonly unknown[];
}

export interface InputBroker {
  /** The capabilities to declare for what this broker can answer (roots, sampling, elicitation). */
  readonly capabilities: Pick<ClientCapabilities, 'roots' | 'sampling' | 'elicitation'>;
  /**
   * Answers one input request with its bare result (`{roots}`, a CreateMessageResult, an
   * ElicitResult). Throws an error carrying a JSON-RPC `code` to refuse (-32601 for what it
   * cannot answer, -32602 for invalid params, -1 when the user declined sampling).
   */
  answer(request: InputRequest, ctx: InputContext): Promise<Record<string, unknown>>;
}

/** Serves the broker's methods as the connection's request handlers (servers that send requests). */
export function registerInputHandlers(conn: JsonRpcConnection, broker: InputBroker): Disposable {
  const subs: Disposable[] = [];
  const methods: string[] = [];
  if (broker.capabilities.roots) methods.push('roots/list');
  if (broker.capabilities.sampling) methods.push('sampling/createMessage');
  if (broker.capabilities.elicitation) methods.push('elicitation/create');
  for (const method of methods) {
    subs.push(conn.onRequest(method, (params, ctx: IncomingRequestContext) => broker.answer({ method, params }, { signal: ctx.signal, requestId: ctx.requestId, origins: ctx.origins })));
  }
  return Disposable.create(() => { for (const d of subs) d.dispose(); });
}
