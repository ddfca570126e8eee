// One connection for one command: the target becomes a transport, the handshake runs
// under the request timeout and Ctrl-C, and the server's requests (roots, elicitation,
// sampling) are answered.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DisposableStore, LocalError, McpClient, RequestError, StreamableHttpTransport, createTransport, errorMessage,
  type CreateMessageResult, type ElicitResult, type Root, type ServerLaunch, type Transport,
} from '../core.ts';
import type { TargetSpec } from './args.ts';
import { VERSION } from './help.ts';

export interface Target {
  /** The server's name in every message. */
  name: string;
  launch: ServerLaunch;
  /** A remote transport chosen with --transport (no fallback). */
  forced: boolean;
}

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
  cwd: string;
  elicit: (params: Record<string, unknown>, signal: AbortSignal) => Promise<ElicitResult>;
  sample: (params: Record<string, unknown>, signal: AbortSignal) => Promise<CreateMessageResult>;
  /** Diagnostics for --verbose; undefined keeps them quiet. */
  log: ((line: string) => void) | undefined;
}

export interface Session {
  readonly client: McpClient;
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
    transport = launch.type === 'http' && target.forced
      ? new StreamableHttpTransport({ url: launch.url, headers: launch.headers, mode: 'streamable' })
      : await createTransport(launch, { hostName: "mcp-host" });
  } catch (err) {
    throw new RequestError(target.name, 'initialize', err instanceof LocalError ? err : new LocalError('transport', errorMessage(err), err));
  }
  if (log) {
    store.add(transport.onDidLog(l => log(l.source === 'stderr' ? `[${target.name} stderr] ${l.message}` : `[${target.name} ${l.level}] ${l.message}`)));
  }
  const roots: Root[] = [{ uri: pathToFileURL(path.resolve(opts.cwd)).href, name: path.basename(path.resolve(opts.cwd)) || path.resolve(opts.cwd) }];
  try {
    const client = await McpClient.create(transport, {
      name: target.name,
      clientInfo: { name: 'mcp-host', title: 'MCP Host CLI', version: VERSION },
      capabilities: { roots: { listChanged: false }, sampling: {}, elicitation: { form: {}, url: {} } },
      requestTimeoutMs: opts.timeoutMs,
      maxRequestTimeoutMs: opts.maxTimeoutMs,
      initializeTimeoutMs: opts.timeoutMs,
      signal: opts.signal,
      onConnection: conn => {
        store.add(conn.onRequest('roots/list', () => ({ roots })));
        store.add(conn.onRequest('elicitation/create', (params, ctx) => opts.elicit(params, ctx.signal)));
        store.add(conn.onRequest('sampling/createMessage', (params, ctx) => opts.sample(params, ctx.signal)));
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
    log?.(`[${target.name}] connected to ${client.serverInfo.name} ${client.serverInfo.version} (protocol ${client.protocolVersion}, ${how})`);
    return {
      client,
      async close() {
        try { await client.close(); } finally { store.dispose(); }
      },
    };
  } catch (err) {
    store.dispose();
    throw err;
  }
}
