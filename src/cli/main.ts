// The `mcp-host` command: parse, resolve the target, connect, run one command, print,
// close. Returns the exit code instead of exiting, so tests can run it in-process;
// bin.ts is the executable shim.

import { type Readable, type Writable } from 'node:stream';
import { isatty } from 'node:tty';
import { LocalError, type ProgressNotificationParams } from '../core.ts';
import { parseCommandLine, readArgsFrom, type CliArgs } from './args.ts';
import { OAuthSession } from '../auth/session.ts';
import { AskingTokenStore, FileTokenStore, MemoryTokenStore, cliAuthHost, credentialsFilePath } from './auth.ts';
import { readAuthFiles } from './authArgs.ts';
import { runCommand } from './commands.ts';
import { Redactor, definitionSecrets, isSecretEnvName } from '../host/redaction.ts';
import { ProtocolMemory, protocolFilePath } from './protocolMemory.ts';
import { loadConfig, listServers, resolveNamedServer, workspaceFolderOf, type ConfigEnvironment } from './config.ts';
import { ConsentFileStore, checkConsent, consentFilePath } from './consent.ts';
import { createElicitationHandler } from './elicit.ts';
import { ExitCode, describeError, exitCodeOf } from './errors.ts';
import { gatewayCommand } from './gateway.ts';
import { formatJson, formatServers, terminalSafe } from './format.ts';
import { COMMAND_HELP, OVERVIEW, VERSION } from './help.ts';
import { createInputResolver } from './inputs.ts';
import { rootsOf } from './roots.ts';
import { createSamplingHandler } from './sampling.ts';
import { connect, targetOf, type Session, type Target } from './session.ts';
import { STARTING_DELAY_MS, StatusLine, watchStartup } from './status.ts';
import { createLineReader, type LineReader } from './terminal.ts';

export { ExitCode } from './errors.ts';

export interface CliIO {
  /** Read only when a question is asked (undefined: the process's; opening it would keep the process alive). */
  stdin: Readable | undefined;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Questions can be asked: stdin and stderr are terminals. */
  interactive: boolean;
  /** stderr is a terminal: progress is shown by default and redrawn in place. */
  stderrIsTTY: boolean;
  /** Where Ctrl-C comes from (the process). */
  signals: Pick<NodeJS.Process, 'on' | 'off'> | undefined;
  /** After how long a server that is not up yet is shown as starting (on a terminal); for tests. */
  startingDelayMs?: number;
}

function processIO(): CliIO {
  return {
    stdin: undefined, stdout: process.stdout, stderr: process.stderr,
    env: process.env, cwd: process.cwd(),
    interactive: isatty(0) && !!process.stderr.isTTY,
    stderrIsTTY: !!process.stderr.isTTY,
    signals: process,
  };
}

const MAX_TIMEOUT_MS = 600_000;
const isTTY = (stream: unknown) => (stream as { isTTY?: boolean }).isTTY === true;

export async function main(argv: readonly string[], ioOverrides: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = { ...processIO(), ...ioOverrides };
  const out = (text: string) => { io.stdout.write(isTTY(io.stdout) ? terminalSafe(text) : text); };
  const err = (text: string) => { io.stderr.write(io.stderrIsTTY ? terminalSafe(text) : text); };
  // The gateway serves many servers at once and owns stdin: its own options, its own run.
  if (argv[0] === 'gateway') return gatewayCommand(argv.slice(1), { ...io, stdin: io.stdin ?? process.stdin });
  let parsed;
  try {
    parsed = parseCommandLine(argv, io.env);
  } catch (e) {
    err(`${describeError(e)}\n`);
    return exitCodeOf(e);
  }
  if (parsed.kind === 'version') { out(`${VERSION}\n`); return ExitCode.Ok; }
  if (parsed.kind === 'help') {
    // Bare `mcp-host` is a usage error that shows the overview; asking for help is not.
    if (parsed.asked === false) { err(OVERVIEW); return ExitCode.Usage; }
    out(parsed.command ? COMMAND_HELP[parsed.command]! : OVERVIEW);
    return ExitCode.Ok;
  }
  const args = parsed.args;
  const configEnv: ConfigEnvironment = { cwd: io.cwd, env: io.env };
  if (args.command === 'servers') {
    try {
      return await listCommand(args, configEnv, out, err);
    } catch (e) {
      err(`${describeError(e)}\n`);
      return exitCodeOf(e);
    }
  }
  return new Run(io, args, configEnv).execute();
}

async function listCommand(args: CliArgs, e: ConfigEnvironment, out: (t: string) => void, err: (t: string) => void): Promise<number> {
  const loaded = await loadConfig(e);
  const memory = new ProtocolMemory(protocolFilePath(e.env));
  const { servers, problems } = await listServers(loaded, e, def => memory.get(def));
  for (const p of new Set([...loaded.problems, ...problems])) err(`${p}\n`);
  if (args.json) out(formatJson({ servers }));
  else if (servers.length) out(formatServers(servers));
  else err(`No servers are configured (looked for ${loaded.searched.join(' and ')}).\n`);
  return ExitCode.Ok;
}

/** One invocation that talks to a server: its cancellation, terminal, status line and session. */
class Run {
  private readonly io: CliIO;
  private readonly args: CliArgs;
  private readonly configEnv: ConfigEnvironment;
  private readonly abort = new AbortController();
  private reader: LineReader | undefined;
  private interrupts = 0;
  private readonly status: StatusLine;
  /** stdin was read for --args -: it cannot answer questions any more. */
  private stdinUsed = false;
  /**
   * Everything this run writes to stderr (errors, --verbose logs and traces, the consent
   * text) passes through it: password inputs, credential headers and env values of the
   * target, secret tool arguments and credential-looking text are masked.
   */
  private readonly redactor = new Redactor();
  /** The sign-in of this run's server, once made (login reports it). */
  private lastAuth: OAuthSession | undefined;

  constructor(io: CliIO, args: CliArgs, configEnv: ConfigEnvironment) {
    this.io = io;
    this.args = args;
    this.configEnv = configEnv;
    this.status = new StatusLine(t => this.io.stderr.write(t), () => (this.io.stderr as { columns?: number }).columns ?? 100);
  }

  async execute(): Promise<number> {
    // SIGTERM and SIGHUP (the terminal went away) end the run the same way, so the
    // server is told and closed rather than orphaned.
    const onSigint = () => this.interrupt('cancelled by the user (Ctrl-C)');
    const onTerm = (signal: NodeJS.Signals) => this.interrupt(`stopped by ${signal}`);
    this.io.signals?.on('SIGINT', onSigint);
    this.io.signals?.on('SIGTERM', onTerm);
    this.io.signals?.on('SIGHUP', onTerm);
    let session: Session | undefined;
    const context = { subject: this.args.subject, url: this.args.target?.kind === 'url' ? this.args.target.url : undefined };
    try {
      if (this.args.argsFrom !== undefined) {
        this.stdinUsed = this.args.argsFrom === '-';
        this.args.args = await readArgsFrom(this.args.argsFrom, this.args.command, this.io.cwd, this.io.stdin ?? process.stdin);
      }
      if (this.args.command === 'logout') return await this.logout();
      const roots = this.args.noRoots ? undefined : await rootsOf(this.args.roots, this.io.cwd);
      const target = await this.resolveTarget();
      let startup: { dispose(): void } | undefined;
      try {
        const memory = new ProtocolMemory(protocolFilePath(this.io.env));
        const remembered = target.definition && !target.definition.protocolVersion ? await memory.get(target.definition) : undefined;
        const auth = await this.authFor(target);
        session = await connect(target, {
          ...(auth ? { auth } : {}),
          remembered: remembered?.generation,
          onConnected: client => {
            if (target.definition && !target.definition.protocolVersion) void memory.set(target.definition, { generation: client.generation.id, version: client.protocolVersion }).catch(() => {});
          },
          timeoutMs: this.args.timeoutMs,
          maxTimeoutMs: Math.max(MAX_TIMEOUT_MS, this.args.timeoutMs),
          signal: this.abort.signal,
          roots,
          protocolVersion: this.args.protocolVersion ?? target.definition?.protocolVersion,
          elicit: createElicitationHandler({ server: target.name, mode: this.args.elicit, reader: this.terminal(), write: t => this.err(t), verbose: this.args.verbose }),
          sample: createSamplingHandler({ server: target.name, command: this.args.samplingCommand, write: t => this.err(t), verbose: this.args.verbose }),
          log: this.args.verbose ? line => this.err(`${line}\n`) : undefined,
          onTransport: transport => {
            if (this.io.stderrIsTTY) startup = watchStartup(transport, target.name, this.status, this.io.startingDelayMs ?? STARTING_DELAY_MS);
          },
        });
      } finally {
        startup?.dispose();
      }
      if (this.args.command === 'login') {
        const auth = this.lastAuth;
        this.err(auth?.signedIn ? `mcp-host: signed in to ${target.name}; kept in ${credentialsFilePath(this.io.env)}\n` : `mcp-host: ${target.name} did not ask for a sign-in\n`);
        return ExitCode.Ok;
      }
      const showProgress = this.args.progress || this.io.stderrIsTTY;
      return await runCommand({
        client: session.client,
        args: this.args,
        // Progress is always asked for: it also keeps a long request from timing out.
        request: { signal: this.abort.signal, timeoutMs: this.args.timeoutMs, onProgress: p => { if (showProgress) this.progress(target.name, p); } },
        out: t => { this.status.clear(); this.io.stdout.write(isTTY(this.io.stdout) ? terminalSafe(t) : t); },
        err: t => this.err(t),
        redactor: this.redactor,
        status: line => { if (showProgress) this.statusLine(line); },
      });
    } catch (e) {
      this.err(`${describeError(e, context)}\n`);
      return exitCodeOf(e);
    } finally {
      this.status.clear();
      this.reader?.close();
      // Closing ends the server gracefully (stdin, then SIGTERM, then SIGKILL).
      await session?.close().catch(e => this.err(`mcp-host: closing the connection failed: ${(e as Error).message}\n`));
      this.io.signals?.off('SIGINT', onSigint);
      this.io.signals?.off('SIGTERM', onTerm);
      this.io.signals?.off('SIGHUP', onTerm);
    }
  }

  /** The sign-in for a server reached over HTTP or WebSocket: the definition's `oauth` under the flags. */
  private async authFor(target: Target): Promise<OAuthSession | undefined> {
    const launch = target.launch;
    if (launch.type === 'stdio') return undefined;
    const a = this.args.auth;
    if (a.clientSecretFrom === '-' || a.assertionFrom === '-' || a.idTokenFrom === '-') this.stdinUsed = true;
    const flags = await readAuthFiles(a, this.io.cwd, this.io.stdin ?? process.stdin);
    const config = { ...launch.oauth, ...flags };
    for (const secret of [config.clientSecret, config.assertion, config.privateKey, config.idp?.idToken, config.idp?.clientSecret]) if (secret) this.redactor.addSecret(secret);
    // login and logout are about the kept sign-in: they use the credentials file by themselves.
    const keep = a.store || this.args.command === 'login' || this.args.command === 'logout';
    const file = keep ? credentialsFilePath(this.io.env) : undefined;
    if (keep && !file) throw new LocalError('config', `${a.store ? '--store' : this.args.command}: MCP_HOST_CREDENTIALS_FILE is empty, so there is no file to keep sign-ins in`);
    // Neither --store nor --no-store on a terminal: asked when a sign-in arrives.
    const askFile = !keep && a.store === undefined ? credentialsFilePath(this.io.env) : undefined;
    const reader = this.terminal();
    const store = file ? new FileTokenStore(file)
      : askFile && reader ? new AskingTokenStore(new FileTokenStore(askFile), async () => {
        const answer = (await reader().question(`Keep the sign-in to ${target.name} in ${askFile} (readable by you alone) for later runs? [y/N]: `, { signal: this.abort.signal }))?.trim().toLowerCase();
        return answer === 'y' || answer === 'yes';
      })
        : new MemoryTokenStore();
    const host = cliAuthHost({
      store,
      ...(reader ? { question: async (text: string) => {
        const answer = await reader().question(text, { signal: this.abort.signal });
        if (answer && /secret/i.test(text)) this.redactor.addSecret(answer.trim());
        return answer;
      } } : {}),
      env: this.io.env, say: t => this.err(t), verbose: this.args.verbose,
      ...(a.clientMetadataUrl ? { clientMetadataUrl: a.clientMetadataUrl } : {}),
    });
    // Discovery speaks HTTP: a ws(s):// server's metadata is at the http(s):// twin of its URL.
    const serverUrl = new URL(launch.url.replace(/^ws(s?):/i, 'http$1:'));
    this.lastAuth = new OAuthSession({ serverName: target.name, serverUrl, config, host, onSecret: v => this.redactor.addSecret(v) });
    return this.lastAuth;
  }

  /** mcp-host logout: revoke what can be revoked, forget the kept sign-in; no server is started. */
  private async logout(): Promise<number> {
    const target = await this.resolveTarget();
    const auth = await this.authFor(target);
    if (!auth) throw new LocalError('config', `${target.name} is not reached over HTTP: there is no sign-in to forget`);
    const had = await auth.signOut();
    this.err(had ? `mcp-host: signed out of ${target.name}\n` : `mcp-host: ${target.name} had no kept sign-in\n`);
    return ExitCode.Ok;
  }

  private async resolveTarget(): Promise<Target> {
    const spec = this.args.target!;
    if (spec.kind !== 'server') {
      const target = targetOf(spec, this.args.name, this.io.cwd);
      for (const v of definitionSecrets(target.launch)) this.redactor.addSecret(v);
      if (target.launch.type === 'stdio') for (const [k, v] of Object.entries(target.launch.env)) if (v && isSecretEnvName(k)) this.redactor.addSecret(v);
      return target;
    }
    const loaded = await loadConfig(this.configEnv);
    const resolveInput = createInputResolver({ server: spec.name, env: this.io.env, reader: this.terminal(), write: t => this.err(t), signal: this.abort.signal });
    const redactor = this.redactor;
    try {
      const def = await resolveNamedServer(loaded, spec.name, this.configEnv, resolveInput, v => redactor.addSecret(v));
      redactor.addDefinition(def);
      // What the repository defines (or what reaches into it) runs only with the user's consent.
      await checkConsent(def, {
        folders: [workspaceFolderOf(loaded, this.configEnv)],
        trusted: this.args.trustWorkspace,
        store: new ConsentFileStore(consentFilePath(this.io.env)),
        reader: this.terminal(),
        write: t => this.err(t),
        redact: redactor.redact,
        signal: this.abort.signal,
        verbose: this.args.verbose,
      });
      return { name: def.name, launch: def.launch, forced: false, definition: def };
    } catch (e) {
      // A Ctrl-C at an input prompt surfaces as a problem of the entry; report it as the cancel it is.
      if (this.abort.signal.aborted) throw this.abort.signal.reason;
      throw e;
    }
  }

  /** The terminal for questions, opened on first use; undefined without one. */
  private terminal(): (() => LineReader) | undefined {
    if (!this.io.interactive || this.stdinUsed) return undefined;
    return () => this.reader ??= this.openTerminal();
  }

  private openTerminal(): LineReader {
    const input = this.io.stdin ?? process.stdin;
    return createLineReader({ input, output: this.io.stderr, terminal: (input as { isTTY?: boolean }).isTTY === true, onInterrupt: () => this.interrupt('cancelled by the user (Ctrl-C)') });
  }

  private interrupt(why: string): void {
    this.interrupts++;
    if (this.interrupts === 1) {
      // The connection sends notifications/cancelled for the request in flight.
      this.abort.abort(new LocalError('cancelled', why));
      return;
    }
    this.err('mcp-host: interrupted again; stopping now\n');
    process.exit(ExitCode.Cancelled);
  }

  private err(text: string): void {
    this.status.clear();
    const safe = this.redactor.redact(text);
    this.io.stderr.write(this.io.stderrIsTTY ? terminalSafe(safe) : safe);
  }

  private progress(server: string, p: ProgressNotificationParams): void {
    const amount = p.total ? `${p.progress}/${p.total}` : `${p.progress}`;
    this.statusLine(`${server}: ${amount}${p.message ? ` ${p.message}` : ''}`);
  }

  /** A progress line: redrawn in place on a terminal, else one line each. */
  private statusLine(line: string): void {
    if (this.io.stderrIsTTY) this.status.show(line);
    else this.io.stderr.write(`progress ${terminalSafe(line)}\n`);
  }
}
