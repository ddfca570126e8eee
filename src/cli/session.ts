// One connection for one command: the target becomes a transport, the handshake runs
// under the request timeout and Ctrl-C, and the server's requests (roots, elicitation,
// sampling) are answered.

import * as path from 'node:path';
import {
  DisposableStore, ErrorCode, LocalError, McpClient, RequestError, StdioTransport, StreamableHttpTransport, WireError, createTransport, errorMessage,
  type CreateMessageResult, type ElicitResult, type InputBroker, type Root, type ServerDefinition, type ServerLaunch, type Transport,
} from '../core.ts';
import type { RequestAuth } from '../transports/requestAuth.ts';
import type { TargetSpec } from './args.ts';
import { VERSION } from './help.ts';
import { RootsWaiter, type RootsSettlement } from './roots.ts';

export interface Target {
  /** The server's name in every message. */
  name: string;
  launch: ServerLaunch;
  /** A remote transport chosen with --transport (no fallback). */
  forced: boolean;
  /** Where a stdio command was written, for hints ("--stdio"); undefined: a configuration's "command". */
  commandOrigin?: string;
  /** The configured server's definition (--server). */
  definition?: ServerDefinition;
}

/**
 * Each step of a stdio server's shutdown (stdin closed → SIGTERM → SIGKILL) waits this
 * long. Servers built on the SDKs exit on stdin EOF within milliseconds; one that ignores
 * EOF (server-everything) gets SIGTERM after this instead of after the editor's 2 s, so
 * a one-shot command ends promptly.
 */
export const CLI_SHUTDOWN_GRACE_MS = 300;

const INTERPRETERS = new Set(['node', 'nodejs', 'python', 'python3', 'deno', 'bun', 'npx', 'uvx', 'uv', 'pipx']);

/** A target given on the command line (--url or --stdio); configured servers come from config.ts. */
export function targetOf(spec: Exclude<TargetSpec, { kind: 'server' }>, name: string | undefined, cwd: string): Target {
  if (spec.kind === 'url') {
    const type = spec.transport ?? 'http';
    return { name: name ?? shortUrl(spec.url), launch: { type, url: spec.url, headers: spec.headers }, forced: spec.transport !== undefined };
  }
  return {
    name: name ?? stdioName(spec.command, spec.args),
    launch: { type: 'stdio', command: spec.command, args: spec.args, env: spec.env, cwd },
    forced: false,
    commandOrigin: spec.given === '--' ? 'the command after "--"' : '--stdio',
  };
}

function shortUrl(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/** `node /x/server.js` → "server.js", `npx -y @scope/pkg` → "@scope/pkg", `./srv` → "srv". */
function stdioName(command: string, args: readonly string[]): string {
  const base = path.basename(command).replace(/\.(exe|cmd|bat)$/i, '');
  if (INTERPRETERS.has(base)) {
    const script = args.find(a => !a.startsWith('-'));
    if (script) return script.startsWith('@') ? script.replace(/@[^@/]*$/, '') : path.basename(script);
  }
  return base;
}

export interface ConnectOptions {
  timeoutMs: number;
  maxTimeoutMs: number;
  signal: AbortSignal;
  /** The roots to answer `roots/list` with; undefined: no roots capability (--no-roots). */
  roots: Root[] | undefined;
  elicit: (params: Record<string, unknown>, signal: AbortSignal) => Promise<ElicitResult>;
  sample: (params: Record<string, unknown>, signal: AbortSignal) => Promise<CreateMessageResult>;
  /** Diagnostics for --verbose; undefined keeps them quiet. */
  log: ((line: string) => void) | undefined;
  /** The transport, before it starts (to watch a slow start). */
  onTransport?: (transport: Transport) => void;
  /** --protocol-version (or the definition's `protocolVersion`): no negotiation. */
  protocolVersion?: string;
  /** What this server spoke last time (skips the probe when stateful). */
  remembered?: 'stateless' | 'stateful';
  /** Once connected (to remember the revision). */
  onConnected?: (client: McpClient) => void;
  /** Credentials for a remote server (the sign-in). */
  auth?: RequestAuth;
}

export interface Session {
  readonly client: McpClient;
  /** How the wait for roots went (undefined with --no-roots). */
  readonly roots: RootsSettlement | undefined;
  close(): Promise<void>;
}

export async function connect(target: Target, opts: ConnectOptions): Promise<Session> {
  const store = new DisposableStore();
  const log = opts.log;
  const launch = target.launch;
  let transport: Transport;
  try {
    // The factory's HTTP transport falls back to legacy SSE by itself; --transport http
    // asks for Streamable HTTP only.
    if (launch.type === 'http' && target.forced) {
      transport = new StreamableHttpTransport({ url: launch.url, headers: launch.headers, mode: 'streamable', ...(opts.auth ? { auth: opts.auth } : {}) });
    } else if (launch.type === 'stdio' && target.commandOrigin) {
      // A command line of ours (no envFile, no login-shell PATH): built here so that its
      // hints name --stdio rather than a "command" field the user never wrote.
      transport = new StdioTransport({
        command: launch.command, args: launch.args, env: launch.env, cwd: launch.cwd,
        hostName: 'mcp-host', commandOrigin: target.commandOrigin, shutdownGraceMs: CLI_SHUTDOWN_GRACE_MS,
      });
    } else {
      const auth = opts.auth;
      transport = await createTransport(launch, { hostName: 'mcp-host', shutdownGraceMs: CLI_SHUTDOWN_GRACE_MS, ...(auth ? { auth: () => auth } : {}) });
    }
  } catch (err) {
    throw new RequestError(target.name, 'initialize', err instanceof LocalError ? err : new LocalError('transport', errorMessage(err), err));
  }
  if (log) {
    store.add(transport.onDidLog(l => log(l.source === 'stderr' ? `[${target.name} stderr] ${l.message}` : `[${target.name} ${l.level}] ${l.message}`)));
  }
  opts.onTransport?.(transport);
  const roots = opts.roots;
  const waiter = roots ? new RootsWaiter(transport) : undefined;
  // What the server asks of us, as a server request or an input request in a result.
  const broker: InputBroker = {
    capabilities: { ...(roots ? { roots: { listChanged: false } } : {}), sampling: {}, elicitation: { form: {}, url: {} } },
    async answer(request, ctx) {
      const params = request.params ?? {};
      switch (request.method) {
        case 'roots/list':
          if (!roots) break;
          // Only a server request at start is what the roots wait is about.
          if (ctx.requestId !== undefined) waiter?.asked();
          return { roots };
        case 'elicitation/create': return await opts.elicit(params, ctx.signal) as unknown as Record<string, unknown>;
        case 'sampling/createMessage': return await opts.sample(params, ctx.signal) as unknown as Record<string, unknown>;
      }
      throw new WireError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    },
  };
  try {
    const client = await McpClient.create(transport, {
      name: target.name,
      clientInfo: { name: 'mcp-host', title: 'MCP Host CLI', version: VERSION },
      broker,
      requestTimeoutMs: opts.timeoutMs,
      maxRequestTimeoutMs: opts.maxTimeoutMs,
      initializeTimeoutMs: opts.timeoutMs,
      signal: opts.signal,
      // Probe for 2026-07-28 and fall back to initialize, unless a version was asked for.
      // A one-shot command listens to nothing, so it opens no subscription stream.
      protocol: { pin: opts.protocolVersion, remembered: opts.remembered, stateless: { http: launch.type === 'http', listen: false, onWarn: w => log?.(`[${target.name}] ${w}`) } },
      onConnection: conn => {
        if (log) {
          store.add(conn.onDidWarn(w => log(`[${target.name}] warning: ${w}`)));
          store.add(conn.onNotification('notifications/message', p => {
            const data = typeof p.data === 'string' ? p.data : JSON.stringify(p.data);
            log(`[${target.name} log ${String(p.level)}]${typeof p.logger === 'string' ? ` ${p.logger}:` : ''} ${data}`);
          }));
        }
      },
    });
    const how = transport instanceof StreamableHttpTransport ? (transport.activeMode === 'sse' ? 'legacy HTTP+SSE' : 'Streamable HTTP') : launch.type;
    log?.(`[${target.name}] connected to ${client.serverInfo.name} ${client.serverInfo.version} (protocol ${client.protocolVersion}, ${client.generation.id}, ${how})`);
    opts.onConnected?.(client);
    let settled: RootsSettlement | undefined;
    try {
      // A stateless server asks for roots inside the request that needs them: nothing to wait for.
      settled = waiter && client.generation.id === 'stateful' ? await waiter.settle(client, opts.signal, opts.timeoutMs) : undefined;
    } catch (err) {
      await client.close().catch(() => {});
      throw err instanceof RequestError ? err : new RequestError(target.name, 'initialize', err instanceof LocalError ? err : new LocalError('cancelled', errorMessage(err), err));
    }
    if (settled?.askedAtStart) log?.(`[${target.name}] roots: asked for at start; applied after ${settled.ms.toFixed(0)} ms (${settled.sign})`);
    else if (settled) log?.(`[${target.name}] roots: not asked for at start (checked in ${settled.ms.toFixed(1)} ms)`);
    return {
      client,
      roots: settled,
      async close() {
        try { await client.close(); } finally { store.dispose(); }
      },
    };
  } catch (err) {
    waiter?.dispose();
    store.dispose();
    throw err;
  }
}
