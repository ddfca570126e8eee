// Definitions → transports, shared by the server manager, the CLI and the gateway.

import { readFile } from 'node:fs/promises';
import { LocalError, errorMessage } from '../protocol/errors.ts';
import { parseEnvFile } from '../transports/processEnv.ts';
import { StreamableHttpTransport, type HttpTransportOptions } from '../transports/http.ts';
import { StdioTransport } from '../transports/stdio.ts';
import { WebSocketTransport } from '../transports/websocket.ts';
import type { RequestAuth } from '../transports/requestAuth.ts';
import type { Transport } from '../transports/transport.ts';
import type { RemoteLaunch, ServerLaunch } from './types.ts';

export interface TransportFactoryOptions {
  /** PATH to spawn stdio servers with (the login shell's). */
  resolvePath?: () => Promise<string | undefined>;
  /** Largest single message accepted (stdio). */
  maxMessageBytes?: number;
  /** Who runs the servers, for error hints ("VS Code", "mcp-host"). */
  hostName?: string;
  /** Each step of a stdio server's shutdown escalation waits this long (StdioTransportOptions). */
  shutdownGraceMs?: number;
  /** Backoff of the HTTP transport's event streams. */
  httpReconnect?: HttpTransportOptions['reconnect'];
  /** Credentials for a remote server's requests (an OAuthSession), if it has any. */
  auth?: (launch: RemoteLaunch) => RequestAuth | undefined;
}

export async function createTransport(launch: ServerLaunch, options: TransportFactoryOptions = {}): Promise<Transport> {
  if (launch.type === 'stdio') {
    let env = launch.env;
    if (launch.envFile) {
      let text: string;
      try { text = await readFile(launch.envFile, 'utf8'); } catch (err) {
        throw new LocalError('config', `cannot read envFile ${launch.envFile}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
      }
      env = { ...parseEnvFile(text), ...launch.env };
    }
    const pathOverride = await options.resolvePath?.().catch(() => undefined);
    return new StdioTransport({ command: launch.command, args: launch.args, env, cwd: launch.cwd, pathOverride, maxMessageBytes: options.maxMessageBytes, hostName: options.hostName, shutdownGraceMs: options.shutdownGraceMs });
  }
  const auth = options.auth?.(launch);
  if (launch.type === 'http' || launch.type === 'sse') {
    return new StreamableHttpTransport({
      url: launch.url, headers: launch.headers, mode: launch.type === 'sse' ? 'sse' : 'auto', maxMessageBytes: options.maxMessageBytes, reconnect: options.httpReconnect,
      ...(auth ? { auth } : {}),
    });
  }
  return new WebSocketTransport({ url: launch.url, headers: launch.headers, maxMessageBytes: options.maxMessageBytes, ...(auth ? { auth } : {}) });
}
