// Which MCP revision each configured server spoke last time, so a later run skips the
// `server/discover` probe (and `mcp-host servers` can say what is in use): kept per
// definition fingerprint in the user's config directory, beside the consent file.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerDefinition } from '../core.ts';

export interface Remembered {
  generation: 'stateless' | 'stateful';
  version: string;
}

const MAX_ENTRIES = 500;

/** MCP_HOST_PROTOCOL_FILE ('' remembers nothing), else `<config dir>/mcp-host/protocols.json`. */
export function protocolFilePath(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform, home = os.homedir()): string | undefined {
  const override = env.MCP_HOST_PROTOCOL_FILE;
  if (override !== undefined) return override || undefined;
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'mcp-host', 'protocols.json');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'mcp-host', 'protocols.json');
}

const keyOf = (def: Pick<ServerDefinition, 'id' | 'fingerprint'>) => `${def.id}\u0000${def.fingerprint}`;

export class ProtocolMemory {
  private readonly file: string | undefined;
  constructor(file: string | undefined) { this.file = file; }

  async get(def: Pick<ServerDefinition, 'id' | 'fingerprint'>): Promise<Remembered | undefined> {
    return (await this.read())[keyOf(def)];
  }

  async set(def: Pick<ServerDefinition, 'id' | 'fingerprint'>, value: Remembered): Promise<void> {
    if (!this.file) return;
    const all = await this.read();
    const key = keyOf(def);
    if (all[key]?.generation === value.generation && all[key]?.version === value.version) return;
    delete all[key];
    all[key] = value;
    const kept = Object.fromEntries(Object.entries(all).slice(-MAX_ENTRIES));
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  private async read(): Promise<Record<string, Remembered>> {
    if (!this.file) return {};
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return data && typeof data === 'object' && !Array.isArray(data) ? data as Record<string, Remembered> : {};
    } catch {
      return {}; // none yet, or unreadable: the probe finds out again
    }
  }
}
