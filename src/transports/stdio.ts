// stdio transport: spawns the server with a curated environment, frames messages as
// newline-delimited JSON, forwards stderr as log lines, and shuts down by escalation:
// close stdin, wait, SIGTERM the process group, wait, SIGKILL the group.

import { constants as bufferConstants } from 'node:buffer';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LocalError } from '../protocol/errors.ts';
import type { JsonRpcMessage } from '../protocol/jsonrpc.ts';
import { serializeMessage } from '../protocol/jsonrpc.ts';
import { LineDecoder, TailBuffer, parseJsonLine } from './framing.ts';
import { curatedEnv, escapeCmdCommand, explainNotFound, findExecutable, getPath, quoteForCmd } from './processEnv.ts';
import { TransportBase } from './base.ts';
import type { Transport } from './transport.ts';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  /** The server's own variables (envFile already merged in); null removes one. */
  env: Record<string, string | null>;
  cwd?: string;
  /** PATH to use instead of the process's (the login shell's, when VS Code lacks it). */
  pathOverride?: string;
  /** Largest single message accepted from the server (default 512 MiB, at most V8's longest string). */
  maxMessageBytes?: number;
  /** Most bytes that may wait to be written to the server's stdin before sends fail (default 64 MiB). */
  maxPendingWriteBytes?: number;
  /** Each step of the shutdown escalation waits this long (default 2 s). */
  shutdownGraceMs?: number;
  /** Base environment (default process.env); for tests. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Who runs the server, for the hint when a command is missing ("VS Code", "mcp-host"). */
  hostName?: string;
  /**
   * Where the command was written, for that hint: undefined for a configuration's
   * `"command"` field; e.g. "--stdio" for a command line given to the CLI.
   */
  commandOrigin?: string;
}

// A line is decoded into one string, so it can be no longer than V8's longest string
// (2^29 - 24 on 64-bit): 24 bytes less than 512 MiB.
const DEFAULT_MAX_MESSAGE = Math.min(512 * 1024 * 1024, bufferConstants.MAX_STRING_LENGTH);
const DEFAULT_MAX_PENDING_WRITE = 64 * 1024 * 1024;
// The whole process groups we started and have not seen end; killed if the host exits
// abruptly, so no server outlives it.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const g of liveGroups) killGroup(g, 'SIGKILL'); });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    if (process.platform === 'win32') {
      // taskkill /T walks the tree; fire-and-forget is fine at this point.
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {});
      return true;
    }
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

function startsWithShebang(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try { const b = Buffer.alloc(2); return readSync(fd, b, 0, 2, 0) === 2 && b.toString('latin1') === '#!'; } finally { closeSync(fd); }
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  if (process.platform === 'win32') return false;
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

export class StdioTransport extends TransportBase implements Transport {
  private readonly opts: StdioTransportOptions;
  private child: ChildProcess | undefined;
  private closing = false;
  private closePromise: Promise<void> | undefined;
  private exited: Promise<void> | undefined;
  private readonly stderrTail = new TailBuffer(20, 4096);
  private decoder: LineDecoder | undefined;


  constructor(options: StdioTransportOptions) {
    super();
    this.opts = options;
  }

  get pid(): number | undefined { return this.child?.pid; }
  /** The command line as it will be run, for consent dialogs and logs. */
  get commandLine(): string { return [this.opts.command, ...this.opts.args].map(a => /\s/.test(a) ? JSON.stringify(a) : a).join(' '); }

  start(): Promise<void> {
    if (this._state.kind !== 'idle') return Promise.reject(new LocalError('transport', 'transport already started'));
    this.setState({ kind: 'starting' });
    const platform = process.platform;
    const env = curatedEnv(this.opts.baseEnv ?? process.env, this.opts.env, { platform, pathOverride: this.opts.pathOverride });
    const resolved = findExecutable(this.opts.command, env, this.opts.cwd, platform);
    if (!resolved) {
      const err = new LocalError('spawn', this.notFoundMessage(env, platform));
      this.setState({ kind: 'stopped', error: { message: err.message } });
      return Promise.reject(err);
    }

    let file = resolved;
    let args = this.opts.args;
    let verbatim = false;
    if (platform === 'win32' && /\.(cmd|bat)$/i.test(resolved)) {
      // Node refuses to spawn .cmd/.bat directly (CVE-2024-27980); run them through cmd.exe, quoted.
      file = env.COMSPEC ?? env.ComSpec ?? 'cmd.exe';
      args = ['/d', '/s', '/c', `"${[escapeCmdCommand(resolved), ...this.opts.args.map(a => quoteForCmd(a))].join(' ')}"`];
      verbatim = true;
    }

    return new Promise<void>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(file, args, {
          cwd: this.opts.cwd,
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
          // Its own process group, so shutdown can reach grandchildren (npx → node).
          detached: platform !== 'win32',
          windowsHide: true,
          windowsVerbatimArguments: verbatim,
        });
      } catch (err) {
        const e = new LocalError('spawn', `spawn ${this.opts.command} failed: ${(err as Error).message}`, err);
        this.setState({ kind: 'stopped', error: { message: e.message } });
        reject(e);
        return;
      }
      this.child = child;
      let spawned = false;

      child.once('spawn', () => {
        spawned = true;
        if (child.pid) trackGroup(child.pid);
        this.setState({ kind: 'running' });
        resolve();
      });
      child.once('error', err => {
        const e = err as NodeJS.ErrnoException;
        if (!spawned) {
          // The executable was found above, so ENOENT here is the working directory or the
          // interpreter its "#!" line names.
          const msg = e.code === 'ENOENT' && this.opts.cwd && !existsSync(this.opts.cwd)
            ? `spawn ${this.opts.command} ENOENT — the working directory "${this.opts.cwd}" does not exist`
            : e.code === 'ENOENT' && startsWithShebang(resolved)
              ? `spawn ${this.opts.command} ENOENT — ${resolved} exists, but the interpreter on its "#!" line was not found`
              : `spawn ${this.opts.command} ${e.code ?? ''} — ${e.message}`;
          const le = new LocalError('spawn', msg, err);
          this.setState({ kind: 'stopped', error: { message: le.message } });
          reject(le);
        } else {
          this.log('error', `process error: ${e.message}`);
        }
      });

      this.decoder = new LineDecoder({
        maxLineBytes: Math.min(this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE, bufferConstants.MAX_STRING_LENGTH),
        onLine: line => this.handleLine(line),
        onOversize: bytes => {
          const mb = ((this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE) / 1048576).toFixed(0);
          this.fail(`the server sent a message larger than the ${mb} MiB limit (${(bytes / 1048576).toFixed(0)} MiB read so far); raise the limit or fix the server`);
        },
      });
      child.stdout!.on('data', (chunk: Buffer) => this.decoder?.push(chunk));
      const stderrDecoder = new StringDecoder('utf8');
      let stderrRest = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        const text = stderrRest + stderrDecoder.write(chunk);
        const lines = text.split(/\r?\n/);
        stderrRest = lines.pop() ?? '';
        if (stderrRest.length > 65536) { lines.push(stderrRest); stderrRest = ''; }
        for (const l of lines) if (l) this.stderrLine(l);
      });
      // Writes to a process that has gone are reported by 'exit'; keep EPIPE from throwing.
      child.stdin!.on('error', err => this.log('debug', `stdin: ${(err as Error).message}`));

      // The leader is gone: end whatever it left in its group now. A helper that inherited
      // our stdout would otherwise hold the pipe open: 'close' would never come, the crash
      // would go unnoticed until each request timed out, and close() would wait forever.
      child.once('exit', () => {
        if (child.pid && groupAlive(child.pid)) killGroup(child.pid, 'SIGKILL');
      });
      this.exited = new Promise<void>(done => {
        child.once('close', (code, signal) => {
          const rest = stderrRest + stderrDecoder.end();
          if (rest) this.stderrLine(rest);
          const leftover = this.decoder?.flush();
          if (leftover) this.handleLine(leftover);
          if (child.pid) {
            // The leader is gone; make sure nothing it started lingers in its group.
            if (groupAlive(child.pid)) killGroup(child.pid, 'SIGKILL');
            liveGroups.delete(child.pid);
          }
          if (spawned) this.onExit(code, signal);
          done();
        });
      });
    });
  }

  send(message: JsonRpcMessage): void {
    const stdin = this.child?.stdin;
    if (!stdin || this._state.kind !== 'running' || stdin.destroyed || !stdin.writable) {
      throw new LocalError('transport', 'the server process is not running');
    }
    const line = serializeMessage(message) + '\n';
    // A server that stops reading makes every write wait in our memory. Past the limit, fail
    // the request at once; one message larger than the limit still goes to an idle pipe.
    const limit = this.opts.maxPendingWriteBytes ?? DEFAULT_MAX_PENDING_WRITE;
    if (stdin.writableLength > 0 && stdin.writableLength + Buffer.byteLength(line) > limit) {
      throw new LocalError('transport', `the server is not reading its stdin: ${(stdin.writableLength / 1048576).toFixed(1)} MiB are waiting to be written (limit ${(limit / 1048576).toFixed(0)} MiB)`);
    }
    stdin.write(line);
  }

  /**
   * Graceful shutdown: close stdin, wait, SIGTERM the group, wait, SIGKILL it. Calling it
   * again returns the same shutdown (it does not escalate); `kill()` forces it.
   */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  /** Kills the process tree now (a second Stop while the first is still waiting). */
  kill(): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) killGroup(child.pid, 'SIGKILL');
    return this.exited ?? Promise.resolve();
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) { this.setState({ kind: 'stopped' }); return; }
    if (child.exitCode !== null || child.signalCode !== null) return this.exited;
    this.closing = true;
    const grace = this.opts.shutdownGraceMs ?? 2000;
    child.stdin?.end();
    if (await this.waitExit(grace)) return;
    this.log('info', `the server did not exit ${grace} ms after stdin closed; sending SIGTERM`);
    if (child.pid) killGroup(child.pid, 'SIGTERM');
    if (await this.waitExit(grace)) return;
    this.log('warning', `the server ignored SIGTERM for ${grace} ms; killing its process tree`);
    if (child.pid) killGroup(child.pid, 'SIGKILL');
    await this.exited;
  }

  dispose(): void {
    void this.close().finally(() => this.disposeEvents());
  }

  // ---- internals ----

  /** Why the command cannot be run, as a sentence that fits how it was written. */
  private notFoundMessage(env: Record<string, string>, platform: NodeJS.Platform): string {
    const command = this.opts.command;
    const host = this.opts.hostName ?? 'VS Code';
    const isPath = command.includes('/') || (platform === 'win32' && command.includes('\\'));
    const found = explainNotFound(command, env, this.opts.cwd, platform);
    if (found?.problem === 'not-executable') {
      return `spawn ${command} EACCES — ${found.file}${isPath ? '' : ' (found on PATH)'} is not executable: make it executable (chmod +x) or run it with its interpreter (e.g. "node ${found.file}")`;
    }
    if (found?.problem === 'directory') {
      return `spawn ${command} EACCES — ${found.file}${isPath ? '' : ' (found on PATH)'} is a directory, not a program`;
    }
    if (isPath) {
      const abs = (platform === 'win32' ? path.win32 : path.posix).resolve(this.opts.cwd ?? process.cwd(), command);
      const relative = abs !== command ? ` (${command} taken relative to ${this.opts.cwd ?? process.cwd()})` : '';
      return `spawn ${command} ENOENT — ${abs} does not exist${relative}`;
    }
    const searched = getPath(env, platform);
    const runtime = command === 'uvx' || command === 'uv' ? 'uv'
      : command.startsWith('python') ? 'Python' : command === 'docker' ? 'Docker'
      : ['npx', 'node', 'npm'].includes(command) ? 'Node' : ['deno', 'bun'].includes(command) ? command : undefined;
    const hint = runtime ? ` — is ${runtime} on PATH for ${host}?` : '';
    const fix = this.opts.commandOrigin
      ? `Give its full path in ${this.opts.commandOrigin}, or add its directory to PATH.`
      : `Use an absolute path in "command", or add its directory to the PATH ${host} starts with.`;
    return `spawn ${command} ENOENT${hint} Command "${command}" was not found on PATH (${searched || 'empty'}). ${fix}`;
  }

  private waitExit(ms: number): Promise<boolean> {
    return new Promise(resolve => {
      const t = setTimeout(() => resolve(false), ms);
      void this.exited!.then(() => { clearTimeout(t); resolve(true); });
    });
  }

  private handleLine(line: Buffer): void {
    const parsed = parseJsonLine(line);
    if (parsed === undefined) return;
    if (!parsed.ok) {
      this.log('warning', `skipped a line on stdout that is not JSON (${parsed.reason}): ${parsed.preview}`);
      return;
    }
    this._onDidReceiveMessage.fire(parsed.value);
  }

  private stderrLine(line: string): void {
    this.stderrTail.push(line);
    this._onDidLog.fire({ level: 'info', source: 'stderr', message: line });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing) {
      this.setState({ kind: 'stopped' });
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.toString();
    this.setState({ kind: 'stopped', error: { message: `the server process ${how}`, exitCode: code, signal, stderrTail: tail || undefined } });
  }

  /** A protocol-level failure of the stream: report it and end the process. */
  private fail(message: string): void {
    this.log('error', message);
    if (this._state.kind !== 'running') return;
    const tail = this.stderrTail.toString();
    this.setState({ kind: 'stopped', error: { message, stderrTail: tail || undefined } });
    void this.close();
  }


}
