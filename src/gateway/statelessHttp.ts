// Stateless 2026-07-28 clients over the gateway's Streamable HTTP (issue 13): one POST per
// message, no Mcp-Session-Id. http.ts hands over a POST without a session whose
// MCP-Protocol-Version header is not a session revision or whose body carries a `_meta`
// protocol version (isStatelessPost). Checked in this order, each a 400 with its JSON-RPC
// error: the MCP-Protocol-Version header is there (-32020); `_meta` has the version and the
// capabilities (-32602); the header equals `_meta`'s version (-32020); the version is one
// the gateway speaks statelessly (-32022, data.supported/requested); Mcp-Method equals the
// method (-32020); Mcp-Name equals params.name / params.uri, base64 sentinel decoded (-32020);
// then an unknown method is a 404 (-32601); a tools/call's Mcp-Param-* headers equal the
// arguments its tool marks with x-mcp-header (-32020). The answer is one JSON body, or an
// event stream when progress comes first (and always for subscriptions/listen, kept open
// with comment lines). Closing the response cancels the request.

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ManagedServer } from '../host/types.ts';
import { ErrorCode, WireError, toWireError } from '../protocol/errors.ts';
import { scanHeaderDeclarations, type HeaderParam } from '../protocol/mcpHeaders.ts';
import { SUPPORTED_PROTOCOL_VERSIONS, type Tool } from '../protocol/types.ts';
import { isObject } from './handlers.ts';
import { META, NO_RESPONSE, STATELESS_METHODS, StatelessRefusal, checkVersion, readEnvelope, type StatelessGateway } from './stateless.ts';

/** Which param a method's Mcp-Name mirrors. */
const NAME_SOURCE: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };
const KEEPALIVE_MS = 15_000;

/**
 * Whether a POST without Mcp-Session-Id is for the stateless side: its MCP-Protocol-Version
 * header names no session revision (2026-07-28, or one nobody speaks: it gets -32022), or
 * its body carries a `_meta` protocol version. `initialize` never is (it starts a session).
 */
export function isStatelessPost(headers: IncomingHttpHeaders, body: unknown): boolean {
  if (headers['mcp-session-id'] !== undefined) return false;
  const first = Array.isArray(body) ? body[0] : body;
  if (!isObject(first) || first.method === 'initialize') return false;
  const version = headers['mcp-protocol-version'];
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return true;
  return isObject(first.params) && isObject(first.params._meta) && first.params._meta[META.protocolVersion] !== undefined;
}

/** A header value as sent: plain, or the spec's `=?base64?…?=` sentinel; undefined when it is not a valid one. */
export function decodeHeaderValue(v: string): string | undefined {
  const m = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(v);
  if (m) {
    try { return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(m[1]!, 'base64')); } catch { return undefined; }
  }
  return /[^\x20-\x7e\t]/.test(v) ? undefined : v;
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const mismatch = (message: string, data?: unknown) => new StatelessRefusal(400, ErrorCode.HeaderMismatch, `Header mismatch: ${message}`, data);

/** The exposed tools' x-mcp-header declarations, per catalogue list (rebuilt lists are new arrays). */
const declarations = new WeakMap<readonly Tool[], Map<string, HeaderParam[] | undefined>>();

function declared(tools: readonly Tool[], name: string): HeaderParam[] | undefined {
  let table = declarations.get(tools);
  if (!table) { table = new Map(); declarations.set(tools, table); }
  if (!table.has(name)) {
    const tool = tools.find(t => t.name === name);
    const scan = tool ? scanHeaderDeclarations(tool.inputSchema) : undefined;
    // A tool whose declarations are invalid is not one a client may send headers for: nothing to check.
    table.set(name, scan?.ok && scan.params.length ? scan.params : undefined);
  }
  return table.get(name);
}

/** Mcp-Param-* against the arguments: present exactly when the value is, and equal to it (integers by value). */
function checkParamHeaders(headers: IncomingHttpHeaders, params: readonly HeaderParam[], args: unknown): void {
  for (const p of params) {
    let v: unknown = args;
    for (const k of p.path) v = isObject(v) ? v[k] : undefined;
    const header = `Mcp-Param-${p.header}`;
    const raw = one(headers, header.toLowerCase());
    const typed = (p.type === 'string' && typeof v === 'string') || (p.type === 'boolean' && typeof v === 'boolean') || (p.type === 'integer' && typeof v === 'number' && Number.isSafeInteger(v));
    const where = p.path.join('.');
    if (raw === undefined) {
      if (typed) throw mismatch(`the body carries ${where}=${JSON.stringify(v)} but the ${header} header is absent`, { header, body: v });
      continue;
    }
    const got = decodeHeaderValue(raw);
    if (got === undefined) throw mismatch(`the ${header} header is not a valid value (plain visible ASCII, or =?base64?…?=)`, { header });
    if (v === undefined || v === null) throw mismatch(`the ${header} header is set but the body has no ${where}`, { header, body: null });
    const same = p.type === 'integer' ? got.trim() !== '' && Number(got) === v : p.type === 'boolean' ? got === String(v) : got === v;
    if (!same) throw mismatch(`the ${header} header decodes to ${JSON.stringify(got)} but the body carries ${where}=${JSON.stringify(v)}`, { header, body: v });
  }
}

/** The answer to one POST: a JSON body, or an event stream once something comes before it. */
class Reply {
  private readonly res: ServerResponse;
  private readonly sse: boolean;
  private started = false;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(res: ServerResponse, sse: boolean) {
    this.res = res;
    this.sse = sse;
  }

  /** A notification of this request (progress; a listen stream's). Without an event stream accepted, it is dropped. */
  event(message: unknown): void {
    if (!this.sse || this.res.writableEnded || this.res.destroyed) return;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    }
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Comment lines while a long-lived stream is quiet, so nothing between closes it. */
  keepOpen(): void {
    this.keepAlive ??= setInterval(() => { if (this.started && !this.res.writableEnded) this.res.write(':\n\n'); }, KEEPALIVE_MS);
    this.keepAlive.unref();
  }

  final(message: unknown, status = 200): void {
    clearInterval(this.keepAlive);
    if (this.res.writableEnded || this.res.destroyed) return;
    if (this.started) { this.event(message); this.res.end(); return; }
    this.res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(message));
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (!this.res.writableEnded) this.res.end();
  }
}

function refuse(res: ServerResponse, id: unknown, err: StatelessRefusal): void {
  const valid = typeof id === 'string' || typeof id === 'number';
  if (!res.headersSent) res.writeHead(err.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: valid ? id : null, error: err.toJSON() }));
}

/**
 * Checks one stateless POST (the order above) and answers it. `body` is the parsed JSON;
 * `hide`, the servers this client does not see (http.ts's hideFor of this request).
 */
export async function handleStatelessPost(stateless: StatelessGateway, req: IncomingMessage, res: ServerResponse, body: unknown, principal: string, hide?: (server: ManagedServer) => boolean): Promise<void> {
  const id = isObject(body) ? body.id : undefined;
  try {
    if (Array.isArray(body)) throw new StatelessRefusal(400, ErrorCode.InvalidRequest, 'Invalid request: 2026-07-28 has no batches; POST one message at a time');
    if (!isObject(body) || body.jsonrpc !== '2.0') throw new StatelessRefusal(400, ErrorCode.InvalidRequest, 'Invalid request: not a JSON-RPC 2.0 message');
    if (typeof body.method !== 'string') throw new StatelessRefusal(400, ErrorCode.InvalidRequest, 'Invalid request: clients POST requests and notifications, never responses');
    if (body.params !== undefined && !isObject(body.params)) throw new StatelessRefusal(400, ErrorCode.InvalidRequest, `Invalid request: params of ${body.method} is not an object`);
    const method = body.method;
    const params = (body.params ?? {}) as Record<string, unknown>;
    const isRequest = typeof id === 'string' || typeof id === 'number';
    if (!isRequest) {
      // No client notification is defined over HTTP (a cancel is the stream closing): accepted, nothing to do.
      if (id !== undefined) throw new StatelessRefusal(400, ErrorCode.InvalidRequest, 'Invalid request: the id must be a string or a number');
      res.writeHead(202).end();
      return;
    }
    const headers = req.headers;
    const version = one(headers, 'mcp-protocol-version');
    if (version === undefined) throw mismatch(`the MCP-Protocol-Version header is missing; it must equal _meta ${META.protocolVersion}`);
    const ctx = readEnvelope(params);
    if (version !== ctx.protocolVersion) throw mismatch(`the MCP-Protocol-Version header says ${JSON.stringify(version)} but _meta ${META.protocolVersion} says ${JSON.stringify(ctx.protocolVersion)}`, { header: version, body: ctx.protocolVersion });
    checkVersion(ctx);
    const mh = one(headers, 'mcp-method');
    if (mh === undefined) throw mismatch(`the Mcp-Method header is missing; it must be ${JSON.stringify(method)}`);
    if (mh !== method) throw mismatch(`the Mcp-Method header says ${JSON.stringify(mh)} but the body's method is ${JSON.stringify(method)}`, { header: mh, body: method });
    const source = NAME_SOURCE[method];
    const named = source ? params[source] : undefined;
    if (typeof named === 'string') {
      const nh = one(headers, 'mcp-name');
      if (nh === undefined) throw mismatch(`the body carries params.${source}=${JSON.stringify(named)} but the required Mcp-Name header is absent`);
      const decoded = decodeHeaderValue(nh);
      if (decoded !== named) throw mismatch(`the Mcp-Name header ${decoded === undefined ? 'is not a valid value' : `decodes to ${JSON.stringify(decoded)}`} but the body carries params.${source}=${JSON.stringify(named)}`, { header: nh, body: named });
    }
    if (!STATELESS_METHODS.has(method)) throw new StatelessRefusal(404, ErrorCode.MethodNotFound, `Method not found: ${method} (2026-07-28)`);
    if (method === 'tools/call' && typeof named === 'string') {
      const decl = declared(stateless.gateway.catalog.tools, named);
      if (decl) checkParamHeaders(headers, decl, params.arguments);
    }
    const sse = String(headers.accept ?? '').includes('text/event-stream');
    if (method === 'subscriptions/listen' && !sse) throw new StatelessRefusal(406, ErrorCode.InvalidRequest, 'Not acceptable: subscriptions/listen answers with an event stream (Accept: text/event-stream)');

    const reply = new Reply(res, sse);
    const ctrl = new AbortController();
    // The client closing the response is its cancel (there is no notifications/cancelled over HTTP).
    res.once('close', () => { if (!res.writableFinished) ctrl.abort(); });
    if (method === 'subscriptions/listen') reply.keepOpen();
    let result;
    try {
      result = await stateless.handle({
        id, method, params, principal, signal: ctrl.signal, ...(hide ? { hide } : {}),
        notify: (m, p) => reply.event({ jsonrpc: '2.0', method: m, params: p }),
      }, ctx);
    } catch (err) {
      if (ctrl.signal.aborted) { reply.end(); return; }
      if (err instanceof StatelessRefusal && !res.headersSent) return refuse(res, id, err);
      reply.final({ jsonrpc: '2.0', id, error: toWireError(err).toJSON() });
      return;
    }
    if (result === NO_RESPONSE || ctrl.signal.aborted) { reply.end(); return; }
    reply.final({ jsonrpc: '2.0', id, result });
  } catch (err) {
    if (err instanceof StatelessRefusal) return refuse(res, id, err);
    const w = err instanceof WireError ? err : toWireError(err);
    return refuse(res, id, new StatelessRefusal(500, w.code, w.message, w.data));
  }
}
