// JSON-RPC 2.0 message shapes, and the cheap structural check applied to every message
// a transport delivers before the connection dispatches it.

export type RequestId = string | number;

export interface JsonRpcRequest { jsonrpc: '2.0'; id: RequestId; method: string; params?: Record<string, unknown> }
export interface JsonRpcNotification { jsonrpc: '2.0'; method: string; params?: Record<string, unknown> }
export interface JsonRpcSuccess { jsonrpc: '2.0'; id: RequestId; result: Record<string, unknown> }
export interface JsonRpcFailure { jsonrpc: '2.0'; id: RequestId | null; error: { code: number; message: string; data?: unknown } }
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type Classified =
  | { kind: 'request'; msg: JsonRpcRequest }
  | { kind: 'notification'; msg: JsonRpcNotification }
  | { kind: 'response'; msg: JsonRpcResponse }
  | { kind: 'invalid'; reason: string };

function isId(v: unknown): v is RequestId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}
function isParams(v: unknown): boolean {
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** Sorts a parsed value into a request, notification or response, or says why it is none. */
export function classify(m: unknown): Classified {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { kind: 'invalid', reason: 'not a JSON object' };
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') return { kind: 'invalid', reason: 'missing "jsonrpc": "2.0"' };
  if (typeof o.method === 'string') {
    if (!isParams(o.params)) return { kind: 'invalid', reason: `params of ${o.method} is not an object` };
    if ('id' in o && o.id !== undefined) {
      if (!isId(o.id)) return { kind: 'invalid', reason: `invalid id in request ${o.method}` };
      return { kind: 'request', msg: o as unknown as JsonRpcRequest };
    }
    return { kind: 'notification', msg: o as unknown as JsonRpcNotification };
  }
  if ('result' in o || 'error' in o) {
    if ('error' in o) {
      const e = o.error as Record<string, unknown> | null;
      if (typeof e !== 'object' || e === null || typeof e.code !== 'number' || typeof e.message !== 'string') {
        return { kind: 'invalid', reason: 'malformed error object' };
      }
      if (!(isId(o.id) || o.id === null)) return { kind: 'invalid', reason: 'invalid id in error response' };
    } else {
      if (!isId(o.id)) return { kind: 'invalid', reason: 'invalid id in response' };
      if (typeof o.result !== 'object' || o.result === null || Array.isArray(o.result)) return { kind: 'invalid', reason: 'result is not an object' };
    }
    return { kind: 'response', msg: o as unknown as JsonRpcResponse };
  }
  return { kind: 'invalid', reason: 'neither a request, a notification nor a response' };
}

// ---- serialization ----

/** `_meta` objects sent unchanged with many requests, with their JSON (markConstant). */
const constantJson = new WeakMap<object, string>();
const SLOT = '\u0000mcp-host:_meta\u0000';
const SLOT_TAIL = `"_meta":${JSON.stringify(SLOT)}}}`;

/**
 * Marks an object that goes, unchanged, into the `_meta` of many requests (the 2026-07-28
 * envelope: version, capabilities and identity on every request), so serializeMessage
 * writes its JSON once instead of per request. It is frozen: it must not change.
 */
export function markConstant<T extends object>(meta: T): Readonly<T> {
  constantJson.set(meta, JSON.stringify(meta));
  return Object.freeze(meta);
}

/**
 * The JSON text of a message. A request whose params end with a marked `_meta`
 * (markConstant) gets that JSON spliced in: the rest is serialized around a placeholder
 * that must be the very end of the text (params last in the message, `_meta` last in
 * params), so an equal string among the arguments is never taken for it.
 */
export function serializeMessage(message: JsonRpcMessage): string {
  const params = (message as { params?: Record<string, unknown> }).params;
  const meta = params?._meta;
  const json = meta !== null && typeof meta === 'object' ? constantJson.get(meta) : undefined;
  if (json === undefined) return JSON.stringify(message);
  const text = JSON.stringify({ ...message, params: { ...params, _meta: SLOT } });
  if (!text.endsWith(SLOT_TAIL)) return JSON.stringify(message);
  return `${text.slice(0, text.length - SLOT_TAIL.length)}"_meta":${json}}}`;
}
