// The start consent in a terminal (issue 8 item 3): a server that the workspace defines,
// or a user server that reaches into the workspace folder, runs repository content. Its
// first run shows exactly what would run and asks (y/N); the answer is remembered per
// launch fingerprint (src/host/launchTrust.ts) in the user's config directory, so an
// edited definition, envFile or workspace executable asks again. Without a terminal it
// refuses, naming --trust-workspace.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerDefinition } from '../core.ts';
import { describeForConsent, inspectLaunch, type LaunchInspection } from '../host/launchTrust.ts';
import { UsageError } from './errors.ts';
import { terminalSafe } from './format.ts';
import type { LineReader } from './terminal.ts';

/** Where consent is kept: MCP_HOST_CONSENT_FILE ('' keeps nothing), else the user's config directory. */
export function consentFilePath(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform, home = os.homedir()): string | undefined {
  const override = env.MCP_HOST_CONSENT_FILE;
  if (override !== undefined) return override || undefined;
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'mcp-host', 'consent.json');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'mcp-host', 'consent.json');
}

interface ConsentFile {
  version: 1;
  /** fingerprint → what it was, for a person reading the file (no values of variables). */
  allowed: Record<string, { server: string; file: string; at: string }>;
}

export class ConsentFileStore {
  private readonly file: string | undefined;
  constructor(file: string | undefined) { this.file = file; }

  async isAllowed(fingerprint: string): Promise<boolean> {
    return (await this.read()).allowed[fingerprint] !== undefined;
  }

  async allow(fingerprint: string, def: ServerDefinition): Promise<void> {
    if (!this.file) return;
    const data = await this.read();
    data.allowed[fingerprint] = { server: def.name, file: def.source.file, at: new Date().toISOString() };
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Whole or not at all: a half-written file would forget every consent.
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  private async read(): Promise<ConsentFile> {
    const empty: ConsentFile = { version: 1, allowed: {} };
    if (!this.file) return empty;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty;
      throw new UsageError(`cannot read the consent file ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const data = JSON.parse(text) as Partial<ConsentFile>;
      if (data && typeof data.allowed === 'object' && data.allowed && !Array.isArray(data.allowed)) return { version: 1, allowed: data.allowed };
    } catch { /* reported below */ }
    throw new UsageError(`the consent file ${this.file} is not what mcp-host wrote (invalid JSON)`, 'Fix it or delete it: servers you allowed will then be asked about again.');
  }
}

export interface ConsentContext {
  /** The workspace folders: the one holding the .vscode/mcp.json found, else the current directory. */
  folders: readonly string[];
  /** --trust-workspace. */
  trusted: boolean;
  store: ConsentFileStore;
  /** The terminal, or undefined when there is none. */
  reader: (() => LineReader) | undefined;
  /** Writes to stderr. */
  write: (text: string) => void;
  redact: (text: string) => string;
  signal: AbortSignal;
  verbose: boolean;
}

/** Resolves when `def` may start; throws a UsageError (exit 2) when it may not. */
export async function checkConsent(def: ServerDefinition, ctx: ConsentContext): Promise<void> {
  // The transport starts configured servers from this process's environment; so does the inspection.
  const inspection = await inspectLaunch(def, { folders: ctx.folders });
  if (!inspection.needsConsent) return;
  if (ctx.trusted) {
    if (ctx.verbose) ctx.write(`mcp-host: starting "${def.name}" without asking (--trust-workspace)\n`);
    return;
  }
  if (await ctx.store.isAllowed(inspection.fingerprint)) return;
  const why = reason(def, inspection);
  const detail = terminalSafe(ctx.redact(describeForConsent(def, inspection))).split('\n').map(l => `    ${l}`).join('\n');
  if (!ctx.reader) {
    throw new UsageError(`server "${def.name}" was not started: it is ${why}, and you have not allowed it to run. It would run:\n${detail}`,
      'Run the command on a terminal to be asked (the answer is remembered), or pass --trust-workspace to start it without asking.');
  }
  ctx.write(`\nServer "${def.name}" is ${why}. Starting it runs:\n${detail}\n`);
  const answer = (await ctx.reader().question('Allow it to start? (remembered until its definition changes) [y/N]: ', { signal: ctx.signal }))?.trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') {
    throw new UsageError(`server "${def.name}" was not started: you did not allow it`, 'You will be asked again next time; --trust-workspace starts it without asking.');
  }
  await ctx.store.allow(inspection.fingerprint, def);
}

function reason(def: ServerDefinition, inspection: LaunchInspection): string {
  if (def.scope === 'workspace') return `defined by the workspace (${def.source.file})`;
  const folder = inspection.reach[0]?.folder;
  return `a user server that uses files of the workspace folder${folder ? ` ${folder}` : ''} (${def.source.file})`;
}
