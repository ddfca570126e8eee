// Signing in from the command line: the authorization page opens with $BROWSER (a
// command that gets the URL as its argument, or in place of `%s`), else the system's
// opener, and its URL is always printed; the redirect comes back to a loopback listener.
// Tokens are kept in memory unless the user agrees to a file readable by them alone.

import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AuthHost, TokenStore } from '../auth/types.ts';
import { splitCommandLine } from './words.ts';

export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, string>();
  async get(key: string) { return this.map.get(key); }
  async set(key: string, value: string) { this.map.set(key, value); }
  async delete(key: string) { this.map.delete(key); }
}

/** A JSON file of entries, mode 0600 in a 0700 directory; written whole, atomically. */
export class FileTokenStore implements TokenStore {
  private chain: Promise<unknown> = Promise.resolve();
  readonly file: string;
  constructor(file: string) { this.file = file; }
  private async read(): Promise<Record<string, string>> {
    try { return JSON.parse(await readFile(this.file, 'utf8')) as Record<string, string>; } catch { return {}; }
  }
  private update(change: (all: Record<string, string>) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const all = await this.read();
      change(all);
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.file);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
  async get(key: string) { return (await this.read())[key]; }
  set(key: string, value: string) { return this.update(all => { all[key] = value; }); }
  delete(key: string) { return this.update(all => { delete all[key]; }); }
}

/**
 * Neither --store nor --no-store, on a terminal: sign-ins kept earlier are read from the
 * file; a new one is kept there only if the person says so when it arrives (asked once a
 * run), else in memory for the run.
 */
export class AskingTokenStore implements TokenStore {
  private readonly file: FileTokenStore;
  private readonly memory = new MemoryTokenStore();
  private readonly ask: () => Promise<boolean>;
  private decided: Promise<boolean> | undefined;
  constructor(file: FileTokenStore, ask: () => Promise<boolean>) { this.file = file; this.ask = ask; }
  async get(key: string) { return (await this.memory.get(key)) ?? this.file.get(key); }
  async set(key: string, value: string) {
    // Registrations and the rest follow the tokens' fate; the question is about a sign-in.
    this.decided ??= this.ask().catch(() => false);
    if (await this.decided) await this.file.set(key, value);
    else await this.memory.set(key, value);
  }
  async delete(key: string) { await this.memory.delete(key); await this.file.delete(key); }
}

/** Where kept sign-ins live: MCP_HOST_CREDENTIALS_FILE, else the user's config directory. */
export function credentialsFilePath(env: Record<string, string | undefined>): string | undefined {
  const set = env.MCP_HOST_CREDENTIALS_FILE;
  if (set !== undefined) return set || undefined;
  const base = process.platform === 'win32' ? env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming')
    : env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'mcp-host', 'credentials.json');
}

export interface CliAuthHostOptions {
  store: TokenStore;
  env: Record<string, string | undefined>;
  /** Prints to the user (stderr). */
  say(text: string): void;
  clientMetadataUrl?: string;
  verbose?: boolean;
  /** A question on the terminal (undefined: there is none). */
  question?: (text: string) => Promise<string | undefined>;
}

/** The command that opens a URL: $BROWSER, else the platform's opener. */
function opener(env: Record<string, string | undefined>, url: string): { command: string; args: string[] } | undefined {
  const browser = env.BROWSER?.trim();
  if (browser) {
    // A command line whose `%s` is the URL, else the URL goes last. A bare list of commands
    // separated by `:` (the Debian habit, `firefox:chromium`) means its first.
    const line = !/\s/.test(browser) && browser.includes(':') && process.platform !== 'win32' ? browser.split(':')[0]! : browser;
    const words = splitCommandLine(line);
    if (!words.length) return undefined;
    const withUrl = words.some(w => w.includes('%s')) ? words.map(w => w.replaceAll('%s', url)) : [...words, url];
    return { command: withUrl[0]!, args: withUrl.slice(1) };
  }
  if (process.platform === 'darwin') return { command: 'open', args: [url] };
  if (process.platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

export function cliAuthHost(opts: CliAuthHostOptions): AuthHost {
  return {
    store: opts.store,
    clientName: 'MCP Host (command line)',
    ...(opts.question ? {
      async askClient(issuer: string, redirectUri: string) {
        const q = opts.question!;
        opts.say(`mcp-host: ${issuer} does not register clients by itself. Register one there with the redirect URI ${redirectUri} (any port on 127.0.0.1), then:\n`);
        const clientId = (await q('Client ID (empty: cancel): '))?.trim();
        if (!clientId) return undefined;
        const clientSecret = (await q('Client secret (empty: none): '))?.trim();
        return { clientId, ...(clientSecret ? { clientSecret } : {}) };
      },
    } : {}),
    ...(opts.clientMetadataUrl ? { clientMetadataUrl: opts.clientMetadataUrl } : {}),
    onProgress: message => { if (opts.verbose) opts.say(`mcp-host: ${message}\n`); },
    async openUrl(url) {
      const href = url.href;
      opts.say(`mcp-host: to sign in, open ${href}\n`);
      const how = opener(opts.env, href);
      if (!how) return;
      // Never through a shell: the URL comes from the authorization server's metadata.
      await new Promise<void>(resolve => {
        const child = spawn(how.command, how.args, { stdio: 'ignore', detached: process.platform !== 'win32' });
        child.once('error', () => resolve()); // no opener: the printed URL is the way
        child.once('spawn', () => { child.unref(); resolve(); });
      });
    },
  };
}
