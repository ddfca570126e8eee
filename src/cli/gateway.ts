// `mcp-host gateway --stdio|--http …` (issue 13): the configured servers (the same
// configuration as --server) behind one MCP server — on stdin and stdout for hosts that only
// launch commands (stdout carries the protocol and nothing else; everything we say goes to
// stderr; it ends when the client closes stdin), or on Streamable HTTP at 127.0.0.1 with a
// bearer token (until SIGINT/SIGTERM). Every server it started is stopped when it ends.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Event, ServerManager, errorMessage, type ManagedServer, type ServerDefinition } from '../core.ts';
import { Gateway } from '../gateway/gateway.ts';
import { HttpGatewayServer, bearerToken, type HttpGatewayOptions } from '../gateway/http.ts';
import { loadJwt } from '../gateway/jwtLoader.ts';
import { StdioServerTransport, serveStdio } from '../gateway/stdioServer.ts';
import { Redactor, definitionSecrets } from '../host/redaction.ts';
import { loadConfig, resolveNamedServer, workspaceFolderOf, type ConfigEnvironment } from './config.ts';
import { ConsentFileStore, checkConsent, consentFilePath } from './consent.ts';
import { ExitCode, describeError, UsageError } from './errors.ts';
import { VERSION } from './help.ts';
import { createInputResolver } from './inputs.ts';
import { rootsOf } from './roots.ts';
import type { CliIO } from './main.ts';

export const GATEWAY_HELP = `mcp-host gateway — every configured server behind one MCP server

Usage:
  mcp-host gateway --stdio [--expose NAME,NAME…] [--no-prefix] [--trust-workspace] [--verbose]
  mcp-host gateway --http [--port N] [--token-file FILE] [--tls-cert FILE --tls-key FILE]
                   [--jwt-issuer ISS --jwt-audience AUD (--jwks-url URL | --jwt-key-file FILE)
                    [--jwt-scopes a,b] [--jwt-algorithms RS256,ES256…]]
                   [--expose NAME,NAME…] [--no-prefix] [--trust-workspace] [--verbose]

The servers of your configuration (.vscode/mcp.json and the editor's user settings, as for
--server) start, and one MCP server speaks for all of them on stdin/stdout: each tool and
prompt is named <server>__<name>, resources are mcp-gateway://<server>/… URIs. Calls, progress
and cancellation go through to the server that owns them. With --no-prefix, one server's
names and URIs go through unchanged: a plain proxy of that server. A server's sampling,
elicitation and roots requests go to the client whose call caused them, when it declared
them; else sampling and elicitation are refused (there is no terminal to ask on) and roots
are the workspace folder.

Options:
  --stdio             serve one client on stdin and stdout (a host launches this command)
  --http              serve Streamable HTTP on http://127.0.0.1:PORT/mcp (many clients, sessions)
  --port N            the HTTP port (default: a free one; the URL is printed on stderr)
  --token-file FILE   the bearer token every HTTP request must carry (else MCP_HOST_GATEWAY_TOKEN)
  --tls-cert FILE     HTTPS with this PEM certificate (and --tls-key FILE, its private key)
  --jwt-issuer ISS    accept JSON Web Tokens of this issuer instead of the static token (with
  --jwt-audience AUD  the audience, comma-separated for several, and the signing key:
  --jwks-url URL      the issuer's key set (https; http only on 127.0.0.1), or
  --jwt-key-file F    a JWKS, a JWK or a PEM public key). RS/PS/ES/EdDSA only; each token's
                      subject is its own client. --jwt-scopes a,b: scopes every token must have.
                      With a token file or MCP_HOST_GATEWAY_TOKEN too, both are accepted.
  --expose a,b        only these configured servers (default: all)
  --no-prefix         pass-through for exactly one server (--expose NAME, or the only one
                      configured): its tools, prompts, resources and templates keep their own
                      names and URIs, and a name or URI it did not list is passed to it as it is
                      (the server decides). With two or more servers it is an error, as their
                      names could collide; no other server is started or exposed meanwhile.
  --trust-workspace   start servers the workspace defines without asking (there is no terminal
                      to ask on: stdin is the protocol)
  --verbose           say on stderr what starts, connects and fails
`;

export interface GatewayArgs {
  stdio: boolean; http: boolean; port?: number; tokenFile?: string; expose?: string[]; noPrefix: boolean; trustWorkspace: boolean; verbose: boolean; help: boolean;
  tlsCert?: string; tlsKey?: string;
  /** The --jwt-* flags as given (checked by jwt.ts's validateJwtOptions). */
  jwt?: { issuer?: string; audience?: string; jwksUrl?: string; keyFile?: string; requiredScopes?: string; algorithms?: string };
}

const JWT_FLAGS = { 'jwt-issuer': 'issuer', 'jwt-audience': 'audience', 'jwks-url': 'jwksUrl', 'jwt-key-file': 'keyFile', 'jwt-scopes': 'requiredScopes', 'jwt-algorithms': 'algorithms' } as const;

export function parseGatewayArgs(argv: readonly string[]): GatewayArgs {
  let v;
  try {
    v = parseArgs({
      args: [...argv], allowPositionals: false, strict: true,
      options: {
        stdio: { type: 'boolean' }, http: { type: 'boolean' }, port: { type: 'string' }, 'token-file': { type: 'string' }, expose: { type: 'string' }, 'no-prefix': { type: 'boolean' }, 'trust-workspace': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' },
        'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
        'jwt-issuer': { type: 'string' }, 'jwt-audience': { type: 'string' }, 'jwks-url': { type: 'string' }, 'jwt-key-file': { type: 'string' }, 'jwt-scopes': { type: 'string' }, 'jwt-algorithms': { type: 'string' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(errorMessage(e).replace(/\.$/, ''), 'Run "mcp-host gateway --help" for usage.');
  }
  if (!v.help && !v.stdio === !v.http) throw new UsageError('gateway needs exactly one of --stdio and --http', 'Run "mcp-host gateway --help" for usage.');
  const jwtGiven = Object.keys(JWT_FLAGS).filter(f => (v as Record<string, unknown>)[f] !== undefined);
  if ((v.port !== undefined || v['token-file'] !== undefined || v['tls-cert'] !== undefined || v['tls-key'] !== undefined || jwtGiven.length) && !v.http) throw new UsageError('--port, --token-file, --tls-* and --jwt-* are for --http');
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new UsageError('HTTPS needs both --tls-cert FILE and --tls-key FILE');
  const jwt: NonNullable<GatewayArgs['jwt']> = {};
  for (const f of jwtGiven) jwt[JWT_FLAGS[f as keyof typeof JWT_FLAGS]] = String((v as Record<string, unknown>)[f]);
  const port = v.port === undefined ? undefined : Number(v.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port must be a port number (0-65535), not ${JSON.stringify(v.port)}`);
  const expose = v.expose?.split(',').map(s => s.trim()).filter(Boolean);
  if (v.expose !== undefined && !expose?.length) throw new UsageError('--expose needs one or more server names, separated by commas');
  return {
    stdio: !!v.stdio, http: !!v.http, ...(port !== undefined ? { port } : {}), ...(v['token-file'] !== undefined ? { tokenFile: v['token-file'] } : {}),
    ...(expose ? { expose } : {}), noPrefix: !!v['no-prefix'], trustWorkspace: !!v['trust-workspace'], verbose: !!v.verbose, help: !!v.help,
    ...(v['tls-cert'] !== undefined ? { tlsCert: v['tls-cert'], tlsKey: v['tls-key'] } : {}), ...(jwtGiven.length ? { jwt } : {}),
  };
}

/** Runs the stdio gateway until the client goes; returns the exit code. */
export async function gatewayCommand(argv: readonly string[], io: CliIO & { stdin: NonNullable<CliIO['stdin']> }): Promise<number> {
  const redactor = new Redactor();
  const say = (text: string) => io.stderr.write(redactor.redact(text) + '\n');
  let args: GatewayArgs;
  try {
    args = parseGatewayArgs(argv);
  } catch (e) {
    say(describeError(e));
    return ExitCode.Usage;
  }
  if (args.help) { io.stdout.write(GATEWAY_HELP); return ExitCode.Ok; }
  const e: ConfigEnvironment = { cwd: io.cwd, env: io.env };
  const loaded = await loadConfig(e);
  for (const p of loaded.problems) say(p);
  const configured = [...new Set(loaded.sources.flatMap(s => s.parsed.servers.map(x => x.name)))];
  const names = args.expose ?? configured;
  const unknown = names.filter(n => !configured.includes(n));
  if (unknown.length) {
    say(`mcp-host gateway: no server named ${unknown.map(n => `"${n}"`).join(', ')} is configured (configured: ${configured.join(', ') || 'none'}).`);
    return ExitCode.Usage;
  }
  // Pass-through is for one server: pinned to its name here (only it is started and exposed),
  // so no second server can come to share its names later.
  const distinct = [...new Set(names)];
  if (args.noPrefix && distinct.length !== 1) {
    say(distinct.length
      ? `mcp-host gateway: --no-prefix passes one server's names through unchanged, so it takes exactly one server, and ${distinct.map(n => `"${n}"`).join(', ')} would be exposed: `
        + 'their tools, prompts and resources could have the same names. Pick one with --expose NAME, or leave out --no-prefix (names are then <server>__<name>).'
      : 'mcp-host gateway: --no-prefix needs one server to pass through, and none is configured.');
    return ExitCode.Usage;
  }
  const defs: ServerDefinition[] = [];
  for (const name of names) {
    try {
      const resolve = createInputResolver({ server: name, env: io.env, reader: undefined, write: t => io.stderr.write(t) });
      const def = await resolveNamedServer(loaded, name, e, resolve, v => redactor.addSecret(v));
      for (const s of definitionSecrets(def.launch)) redactor.addSecret(s);
      defs.push(def);
    } catch (err) {
      say(`mcp-host gateway: ${name} is left out: ${describeError(err)}`);
    }
  }
  const workspaceRoots = await rootsOf(undefined, workspaceFolderOf(loaded, e));
  const abort = new AbortController();
  const consent = {
    folders: [workspaceFolderOf(loaded, e)], trusted: args.trustWorkspace, store: new ConsentFileStore(consentFilePath(io.env)),
    reader: undefined, write: (t: string) => io.stderr.write(t), redact: (t: string) => redactor.redact(t), signal: abort.signal, verbose: args.verbose,
  };
  // The servers' sampling and elicitation go to the gateway client that caused them (gateway.ts).
  let gatewayRef: Gateway | undefined;
  const manager = new ServerManager({
    clientInfo: { name: 'mcp-host-gateway', version: VERSION, title: 'MCP Host gateway' },
    redactor,
    sampling: { createMessage: (s, p, signal, origins) => gatewayRef!.createMessage(s, p, signal, origins) },
    elicitation: { elicit: (s, p, signal, origins) => gatewayRef!.elicit(s, p, signal, origins) },
    // The calling client's roots when it declared them, else the workspace folder.
    roots: { roots: () => workspaceRoots, onDidChangeRoots: Event.None, rootsFor: (s, signal, origins) => gatewayRef!.rootsFor(s, signal, origins) },
    gate: async def => checkConsent(def, consent).then(() => true as const, err => describeError(err)),
  });
  const exposed = new Set(names);
  const gateway = new Gateway({
    source: manager, exposed: (s: ManagedServer) => exposed.has(s.definition.name),
    serverInfo: { name: 'mcp-host-gateway', version: VERSION, title: 'MCP Host gateway' },
    log: gatewayLog(args, say),
  });
  gatewayRef = gateway;
  if (args.noPrefix) gateway.catalog.setPrefix(false);
  const logs = manager.onDidChangeServer(s => {
    if (s.state.kind === 'error' || (s.state.kind === 'stopped' && s.state.reason)) say(`mcp-host gateway: ${s.definition.name}: ${s.state.kind === 'error' ? s.state.message : s.state.reason}`);
    else if (args.verbose && s.state.kind === 'running') say(`mcp-host gateway: ${s.definition.name} is running (${s.tools.length} tools)`);
  });
  manager.setDefinitions(defs, { autoStart: true });
  if (args.http) {
    try {
      return await serveHttp(args, io, gateway, redactor, say);
    } finally {
      abort.abort();
      logs.dispose();
      gateway.dispose();
      await manager.dispose();
    }
  }
  const transport = new StdioServerTransport({ input: io.stdin, output: io.stdout });
  const ended = Event.toPromise(transport.onDidChangeState, s => s.kind === 'stopped');
  const onSignal = () => void transport.close();
  io.signals?.on('SIGINT', onSignal);
  io.signals?.on('SIGTERM', onSignal);
  try {
    await serveStdio(gateway.stateless, transport, 'stdio');
    await ended;
    return ExitCode.Ok;
  } finally {
    io.signals?.off('SIGINT', onSignal);
    io.signals?.off('SIGTERM', onSignal);
    abort.abort();
    logs.dispose();
    gateway.dispose();
    await manager.dispose();
  }
}

/** The gateway's messages on stderr: warnings and errors always, the rest with --verbose. */
const gatewayLog = (args: GatewayArgs, say: (t: string) => void) => (level: 'info' | 'warning' | 'error', m: string): void => {
  if (args.verbose || level !== 'info') say(`mcp-host gateway: ${m}`);
};

/** The token: the file's first line, else MCP_HOST_GATEWAY_TOKEN; at least 16 characters. */
async function readToken(args: GatewayArgs, env: Record<string, string | undefined>): Promise<string> {
  let token: string | undefined;
  if (args.tokenFile !== undefined) {
    try { token = (await readFile(args.tokenFile, 'utf8')).split(/\r?\n/)[0]?.trim(); } catch (e) { throw new UsageError(`--token-file ${args.tokenFile} cannot be read: ${errorMessage(e)}`); }
  } else {
    token = env.MCP_HOST_GATEWAY_TOKEN?.trim();
  }
  if (!token) throw new UsageError('the HTTP gateway needs a bearer token: --token-file FILE or MCP_HOST_GATEWAY_TOKEN', 'Make one with: openssl rand -hex 32 > gateway-token');
  if (token.length < 16) throw new UsageError('the gateway token must have at least 16 characters');
  return token;
}

/** The static token, JWT validation (--jwt-*), or both (either proves a client). */
async function httpAuthenticator(args: GatewayArgs, env: Record<string, string | undefined>, redactor: Redactor, say: (t: string) => void): Promise<HttpGatewayOptions['authenticate']> {
  const hasToken = args.tokenFile !== undefined || !!env.MCP_HOST_GATEWAY_TOKEN?.trim();
  let byToken: HttpGatewayOptions['authenticate'] | undefined;
  if (hasToken || !args.jwt) {
    const token = await readToken(args, env);
    redactor.addSecret(token);
    byToken = bearerToken(token);
  }
  if (!args.jwt) return byToken!;
  const { jwtAuthenticator, validateJwtOptions, JWT_CLI_NAMES, JwtOptionsError } = await loadJwt();
  const j = args.jwt;
  let keyFile: { path: string; text: string } | undefined;
  if (j.keyFile !== undefined) {
    try { keyFile = { path: j.keyFile, text: await readFile(j.keyFile, 'utf8') }; } catch (e) { throw new UsageError(`--jwt-key-file ${j.keyFile} cannot be read: ${errorMessage(e)}`); }
  }
  let byJwt: HttpGatewayOptions['authenticate'];
  try {
    byJwt = jwtAuthenticator({ ...validateJwtOptions({ ...j, audience: j.audience?.split(',').map(a => a.trim()), requiredScopes: j.requiredScopes?.split(/[\s,]+/).filter(Boolean), keyFile }, JWT_CLI_NAMES), log: gatewayLog(args, say) });
  } catch (e) {
    throw new UsageError(e instanceof JwtOptionsError ? e.problems.join(' ') : errorMessage(e));
  }
  if (!byToken) return byJwt;
  const t = byToken;
  return header => t(header) ?? byJwt(header);
}

async function serveHttp(args: GatewayArgs, io: CliIO, gateway: Gateway, redactor: Redactor, say: (t: string) => void): Promise<number> {
  let authenticate: HttpGatewayOptions['authenticate'];
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    authenticate = await httpAuthenticator(args, io.env, redactor, say);
    if (args.tlsCert !== undefined) {
      try { tls = { cert: await readFile(args.tlsCert), key: await readFile(args.tlsKey!) }; } catch (e) { throw new UsageError(`the TLS certificate or key cannot be read: ${errorMessage(e)}`); }
    }
  } catch (e) { say(describeError(e)); return ExitCode.Usage; }
  const server = new HttpGatewayServer({
    gateway, ...(args.port !== undefined ? { port: args.port } : {}), ...(tls ? { tls } : {}),
    authenticate,
    log: gatewayLog(args, say),
  });
  let url: string;
  try { url = await server.listen(); } catch (e) { say(`mcp-host gateway: cannot listen on 127.0.0.1:${args.port ?? 0}: ${errorMessage(e)}`); return ExitCode.Usage; }
  say(`mcp-host gateway: listening on ${url}`);
  await new Promise<void>(resolve => {
    const stop = () => { io.signals?.off('SIGINT', stop); io.signals?.off('SIGTERM', stop); resolve(); };
    io.signals?.on('SIGINT', stop);
    io.signals?.on('SIGTERM', stop);
  });
  await server.close();
  return ExitCode.Ok;
}
