// The gateway's answers from its catalogue, alike for both revisions: a 2025-11-25 session
// (session.ts) and a stateless 2026-07-28 client (stateless.ts) list the same namespaced
// tools, prompts and resources and reach the same owning server through these. Each lookup
// checks the request and names its target server, so the caller can route the server's own
// requests meanwhile (sampling, elicitation, roots) back to the client before it runs it.

import type { LogEntry, ManagedServer } from '../host/types.ts';
import { ErrorCode, RequestError, WireError, errorMessage } from '../protocol/errors.ts';
import type {
  CallToolResult, CompleteResult, CompletionReference, GetPromptResult, LoggingLevel, ProgressNotificationParams, ProgressToken, ReadResourceResult,
} from '../protocol/types.ts';
import type { Catalog } from './catalog.ts';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A managed server's failure as the gateway's client should see it: its code, a sentence naming the server. */
export function passOn(err: unknown): never {
  if (err instanceof RequestError && err.cause instanceof WireError) throw new WireError(err.cause.code, err.message, err.cause.data);
  if (err instanceof WireError) throw err;
  throw new WireError(ErrorCode.InternalError, errorMessage(err));
}

/** What the gateway offers, in either revision (the lists change as servers start and stop). */
export const GATEWAY_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  completions: {},
} as const;

/** Which servers a client sees (a session may hide some: VS Code's chat does not see those it runs itself). */
export type Visible = (server: ManagedServer) => boolean;
const all: Visible = () => true;

export function gatewayInstructions(catalog: Catalog, visible: Visible = all): string {
  const names = catalog.servers.filter(s => visible(s.server)).map(s => `${s.slug} (${s.server.definition.name})`);
  return `MCP Host's gateway: the tools, prompts and resources of ${names.length ? names.join(', ') : 'no running server yet'}. `
    + (catalog.prefix ? 'Each tool and prompt is named <server>__<name>; resources are mcp-gateway://<server>/… URIs.' : 'Names and URIs are the server\'s own.');
}

export interface RunOptions {
  signal: AbortSignal;
  onProgress?: (p: ProgressNotificationParams) => void;
  /** For whom (gateway.ts CallOrigin): the server's requests meanwhile go back to that client. */
  origin?: unknown;
}

/** A checked request and the server that will answer it; `run` sends it there. */
export interface Routed<T> {
  server: ManagedServer;
  serverId: string;
  /** The tool's or prompt's exposed name, or the exposed URI: what the request names. */
  name: string;
  run(opts: RunOptions): Promise<T>;
}

/** The client's progress token, if it asked for progress. */
export function progressTokenOf(params: Record<string, unknown>): ProgressToken | undefined {
  const token = isObject(params._meta) ? params._meta.progressToken : undefined;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/** The MCP level of a line of a server's log: the level the server said, else MCP Host's own folded back. */
export function mcpLevelOf(entry: LogEntry): LoggingLevel {
  return entry.mcpLevel ?? (entry.level === 'trace' ? 'debug' : entry.level);
}

/** A managed server's progress as the client's own `notifications/progress`. */
export function progressParams(p: ProgressNotificationParams, token: ProgressToken): Record<string, unknown> {
  return { progress: p.progress, ...(p.total !== undefined ? { total: p.total } : {}), ...(p.message !== undefined ? { message: p.message } : {}), progressToken: token };
}

export function toolCall(catalog: Catalog, params: Record<string, unknown>, visible: Visible = all): Routed<CallToolResult> {
  const name = typeof params.name === 'string' ? params.name : '';
  const target = catalog.tool(name);
  if (!target || !visible(target.server)) throw new WireError(ErrorCode.InvalidParams, `Unknown tool: ${JSON.stringify(name)} is not a tool of any running exposed server`);
  const args = params.arguments === undefined ? {} : params.arguments;
  if (!isObject(args)) throw new WireError(ErrorCode.InvalidParams, 'arguments must be an object');
  return {
    server: target.server, serverId: target.server.definition.id, name,
    // The client gets the server's own result, checked or not, as if it had called it directly.
    run: o => target.server.callTool(target.name, args, { signal: o.signal, origin: o.origin, checkOutput: false, ...(o.onProgress ? { onProgress: o.onProgress } : {}) }).catch(passOn),
  };
}

export function promptGet(catalog: Catalog, params: Record<string, unknown>, visible: Visible = all): Routed<GetPromptResult> {
  const name = typeof params.name === 'string' ? params.name : '';
  const target = catalog.prompt(name);
  if (!target || !visible(target.server)) throw new WireError(ErrorCode.InvalidParams, `Unknown prompt: ${JSON.stringify(name)} is not a prompt of any running exposed server`);
  const args = isObject(params.arguments) ? params.arguments as Record<string, string> : {};
  return {
    server: target.server, serverId: target.server.definition.id, name,
    run: o => target.server.getPrompt(target.name, args, { signal: o.signal, origin: o.origin, ...(o.onProgress ? { onProgress: o.onProgress } : {}) }).catch(passOn),
  };
}

/**
 * A resource read. `notFound` is the code for an unknown URI: -32002 in 2025-11-25, -32602
 * (invalid params) in 2026-07-28.
 */
export function resourceRead(catalog: Catalog, params: Record<string, unknown>, visible: Visible = all, notFound: number = ErrorCode.ResourceNotFound): Routed<ReadResourceResult> {
  const uri = typeof params.uri === 'string' ? params.uri : '';
  const target = catalog.resource(uri);
  if (!target || !visible(target.server)) throw new WireError(notFound, `Resource not found: ${JSON.stringify(uri)} is not a resource of any running exposed server`, { uri });
  return {
    server: target.server, serverId: target.server.definition.id, name: uri,
    run: async o => {
      const result = await target.server.readResource(target.uri, { signal: o.signal, origin: o.origin, ...(o.onProgress ? { onProgress: o.onProgress } : {}) }).catch(passOn);
      // The contents name the server's own URIs: the client sees them as it asked.
      return { ...result, contents: result.contents.map(c => ({ ...c, uri: c.uri === target.uri ? uri : catalog.exposedUri(target.server, c.uri) ?? c.uri })) };
    },
  };
}

export function completion(catalog: Catalog, params: Record<string, unknown>, visible: Visible = all): Routed<CompleteResult> {
  const ref = isObject(params.ref) ? params.ref : {};
  const argument = isObject(params.argument) ? params.argument as { name: string; value: string } : { name: '', value: '' };
  const context = isObject(params.context) && isObject(params.context.arguments) ? params.context.arguments as Record<string, string> : undefined;
  let target: { server: ManagedServer; ref: CompletionReference; name: string } | undefined;
  if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
    const p = catalog.prompt(ref.name);
    if (p) target = { server: p.server, ref: { type: 'ref/prompt', name: p.name }, name: ref.name };
  } else if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    const r = catalog.resource(ref.uri);
    if (r) target = { server: r.server, ref: { type: 'ref/resource', uri: r.uri }, name: ref.uri };
  }
  if (!target || !visible(target.server)) throw new WireError(ErrorCode.InvalidParams, 'completion/complete: the reference names no prompt or resource template of a running exposed server');
  const t = target;
  return {
    server: t.server, serverId: t.server.definition.id, name: t.name,
    run: o => t.server.complete(t.ref, argument, context, { signal: o.signal, origin: o.origin }).catch(passOn),
  };
}
