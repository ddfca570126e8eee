// One LogOutputChannel per server, fed from the server's log, with the channel's level
// mirrored to the server (`logging/setLevel`) and the last lines kept for the API.

import * as vscode from 'vscode';
import type { Disposable } from '../base/event.ts';
import type { LogEntry, LogLevel, ManagedServer } from '../host/types.ts';
import type { LoggingLevel } from '../protocol/types.ts';
import { errorCause } from './util.ts';

const MAX_LINES = 2000;
/** A line kept in memory is cut here: traffic of a 100 MB payload must not be kept twice. */
const MAX_LINE_LENGTH = 8192;

export function outputChannelName(serverName: string): string {
  return `MCP Host: ${serverName}`;
}

/** The MCP level that makes a server send what the channel shows. */
export function toServerLevel(level: vscode.LogLevel): LoggingLevel {
  switch (level) {
    case vscode.LogLevel.Trace:
    case vscode.LogLevel.Debug: return 'debug';
    case vscode.LogLevel.Info: return 'info';
    case vscode.LogLevel.Warning: return 'warning';
    case vscode.LogLevel.Error: return 'error';
    default: return 'emergency';
  }
}

const CHANNEL_LEVEL: Record<LogLevel, vscode.LogLevel> = {
  trace: vscode.LogLevel.Trace,
  debug: vscode.LogLevel.Debug,
  info: vscode.LogLevel.Info,
  warning: vscode.LogLevel.Warning,
  error: vscode.LogLevel.Error,
};

export class ServerOutput implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly kept: string[] = [];
  private readonly server: ManagedServer;
  private readonly redact: (text: string) => string;
  private readonly listeners: Array<Disposable | vscode.Disposable> = [];
  private wasRunning = false;

  constructor(server: ManagedServer, redact: (text: string) => string) {
    this.server = server;
    this.redact = redact;
    this.channel = vscode.window.createOutputChannel(outputChannelName(server.definition.name), { log: true });
    this.listeners.push(
      server.onDidLog(e => this.append(e)),
      this.channel.onDidChangeLogLevel(level => { this.traceTraffic(level); this.pushLevel(level); }),
      // Once per start (a running state that only changes its notice is not a new session).
      server.onDidChangeState(state => {
        const running = state.kind === 'running';
        if (running && !this.wasRunning) this.pushLevel(this.channel.logLevel);
        this.wasRunning = running;
      }),
    );
    this.wasRunning = server.state.kind === 'running';
    this.traceTraffic(this.channel.logLevel);
    if (server.state.kind === 'running') this.pushLevel(this.channel.logLevel);
  }

  /**
   * JSON-RPC traffic costs a stringify per message, so the core only logs it on request:
   * when the channel shows trace.
   */
  private traceTraffic(level: vscode.LogLevel): void {
    this.server.traceTraffic = level === vscode.LogLevel.Trace;
  }

  /** What the channel shows, most recent last. */
  get lines(): readonly string[] {
    return this.kept.length > MAX_LINES ? this.kept.slice(-MAX_LINES) : this.kept;
  }

  append(entry: LogEntry): void {
    // Traffic is trace whatever the core says: it is the noisiest source.
    const level = entry.source === 'traffic' ? 'trace' : entry.level;
    if (this.channel.logLevel === vscode.LogLevel.Off || CHANNEL_LEVEL[level] < this.channel.logLevel) return;
    let message = this.redact(entry.message);
    if (entry.source === 'stderr') message = `[stderr] ${message}`;
    this.channel[level === 'warning' ? 'warn' : level](message);
    this.keep(level, message);
  }

  /** A message of the extension itself about this server. */
  log(level: LogLevel, message: string): void {
    this.append({ level, source: 'host', message });
  }

  private keep(level: LogLevel, message: string): void {
    for (const line of message.split(/\r?\n/)) {
      this.kept.push(`[${level}] ${line.length > MAX_LINE_LENGTH ? line.slice(0, MAX_LINE_LENGTH) + '…' : line}`);
    }
    // Trim in batches so keeping a line stays O(1) amortised.
    if (this.kept.length > MAX_LINES * 2) this.kept.splice(0, this.kept.length - MAX_LINES);
  }

  private pushLevel(level: vscode.LogLevel): void {
    if (this.server.state.kind !== 'running' || !this.server.capabilities?.logging) return;
    const mcpLevel = toServerLevel(level);
    this.server.setLogLevel(mcpLevel).then(
      undefined,
      err => this.log('warning', `logging/setLevel ${mcpLevel} failed: ${errorCause(err)}`),
    );
  }

  dispose(): void {
    for (const l of this.listeners.splice(0)) l.dispose();
    this.channel.dispose();
  }
}
