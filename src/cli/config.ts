// The configuration the extension reads, read from a terminal: the nearest
// `.vscode/mcp.json` from the current directory upward (its folder is the workspace
// folder) and `mcpHost.servers` / `mcpHost.inputs` from the VS Code user settings.

import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import {
  MODERN_PROTOCOL_VERSIONS, describeLaunch, offsetToPosition, parseMcpConfig, parseSettingsConfig, resolveServers,
  type ConfigInput, type ConfigProblem, type ParsedConfig, type ServerDefinition, type ServerScope,
} from '../core.ts';
import { UsageError } from './errors.ts';

export interface ConfigSource {
  scope: ServerScope;
  /** The file's path. */
  file: string;
  /** The workspace folder (for workspace scope): the directory that holds `.vscode`. */
  folder: string | undefined;
  parsed: ParsedConfig;
  /** The file's text, to turn problem offsets into line:column (workspace files only). */
  text: string | undefined;
}

export interface ConfigEnvironment {
  cwd: string;
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

/** VS Code's user settings.json for this platform; MCP_HOST_SETTINGS overrides ('' for none). */
export function userSettingsPath(e: ConfigEnvironment): string | undefined {
  const override = e.env.MCP_HOST_SETTINGS;
  if (override !== undefined) return override || undefined;
  const home = e.home ?? os.homedir();
  switch (e.platform ?? process.platform) {
    case 'win32': return path.win32.join(e.env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Code', 'User', 'settings.json');
    case 'darwin': return path.posix.join(home, 'Library', 'Application Support', 'Code', 'User', 'settings.json');
    default: return path.join(e.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Code', 'User', 'settings.json');
  }
}

/** The nearest `.vscode/mcp.json` from `cwd` upward. */
export async function findWorkspaceConfig(cwd: string): Promise<{ file: string; folder: string; text: string } | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    const file = path.join(dir, '.vscode', 'mcp.json');
    const text = await readOptional(file);
    if (text !== undefined) return { file, folder: dir, text };
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedConfig {
  sources: ConfigSource[];
  /** Problems as `file:line:col: message`, for stderr. */
  problems: string[];
  /** Where we looked, for "no servers" messages. */
  searched: string[];
}

export async function loadConfig(e: ConfigEnvironment): Promise<LoadedConfig> {
  const sources: ConfigSource[] = [];
  const problems: string[] = [];
  const searched = [`.vscode/mcp.json in ${path.resolve(e.cwd)} and its parents`];
  const ws = await findWorkspaceConfig(e.cwd);
  if (ws) {
    const parsed = parseMcpConfig(ws.text);
    sources.push({ scope: 'workspace', file: ws.file, folder: ws.folder, parsed, text: ws.text });
    problems.push(...parsed.problems.map(p => formatProblem(ws.file, ws.text, p)));
  }
  const settings = userSettingsPath(e);
  if (settings) {
    searched.push(`mcpHost.servers in ${settings}`);
    const text = await readOptional(settings);
    if (text !== undefined && text.trim()) {
      const errors: ParseError[] = [];
      const root = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false }) as Record<string, unknown> | undefined;
      for (const err of errors) {
        const at = offsetToPosition(text, err.offset);
        problems.push(`${settings}:${at.line + 1}:${at.character + 1}: invalid JSON: ${printParseErrorCode(err.error)}`);
      }
      if (root && typeof root === 'object' && !Array.isArray(root)) {
        const nested = root.mcpHost && typeof root.mcpHost === 'object' ? root.mcpHost as Record<string, unknown> : {};
        const servers = root['mcpHost.servers'] ?? nested.servers;
        const inputs = root['mcpHost.inputs'] ?? nested.inputs;
        if (servers !== undefined || inputs !== undefined) {
          const parsed = parseSettingsConfig(servers, inputs);
          sources.push({ scope: 'user', file: settings, folder: undefined, parsed, text: undefined });
          problems.push(...parsed.problems.map(p => formatProblem(settings, undefined, p)));
        }
      }
    }
  }
  return { sources, problems, searched };
}

export function formatProblem(file: string, text: string | undefined, p: ConfigProblem): string {
  if (text === undefined) return `${file}: ${p.severity}: ${p.message}`;
  const at = offsetToPosition(text, p.offset);
  return `${file}:${at.line + 1}:${at.character + 1}: ${p.severity}: ${p.message}`;
}

export type InputResolver = (id: string, input: ConfigInput | undefined) => Promise<string>;

/**
 * The definition of one server, its variables resolved. Only this server's inputs are
 * asked for. Workspace servers win over user servers of the same name, as in the editor.
 */
export async function resolveNamedServer(loaded: LoadedConfig, name: string, e: ConfigEnvironment, resolveInput: InputResolver, onSecret?: (value: string) => void): Promise<ServerDefinition> {
  const source = loaded.sources.find(s => s.parsed.servers.some(x => x.name === name));
  if (!source) {
    const names = [...new Set(loaded.sources.flatMap(s => s.parsed.servers.map(x => x.name)))];
    const hint = names.length
      ? `Configured servers: ${names.join(', ')}.`
      : `No servers are configured (looked for ${loaded.searched.join(' and ')}).`;
    throw new UsageError(`no server named "${name}" is configured`, hint);
  }
  const entry = source.parsed.servers.find(x => x.name === name)!;
  const resolved = await resolveServers({ ...source.parsed, servers: [entry] }, source.scope, { file: source.file, folder: source.folder }, {
    workspaceFolder: workspaceFolderOf(loaded, e),
    env: withoutInputValues(e.env),
    resolveInput,
    ...(onSecret ? { onSecret } : {}),
  });
  const def = resolved.definitions[0];
  if (!def) {
    const why = resolved.problems.filter(p => p.severity === 'error').map(p => formatProblem(source.file, source.text, p));
    throw new UsageError(`server "${name}" cannot be started:\n  ${why.join('\n  ') || 'its definition is invalid'}`, `Its entry is in ${source.file}.`);
  }
  return def;
}

/** The folder `${workspaceFolder}` names, and the one whose content needs consent: the .vscode/mcp.json's, else the current directory. */
export function workspaceFolderOf(loaded: LoadedConfig, e: ConfigEnvironment): string {
  return loaded.sources.find(s => s.scope === 'workspace')?.folder ?? path.resolve(e.cwd);
}

/**
 * The environment for `${env:…}`: without MCP_HOST_INPUT_* values, which belong to the
 * server whose definition names that input (`${input:ID}`), not to any definition that
 * asks for the variable by name (a repository's, reading the token meant for another).
 */
export function withoutInputValues(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!k.toUpperCase().startsWith('MCP_HOST_INPUT_')) out[k] = v;
  return out;
}

export interface ServerListing {
  name: string;
  scope: ServerScope;
  type: string;
  /** The command line or URL, with `${input:…}` and `${env:…}` left as written (no secrets, no prompts). */
  launch: string;
  command?: string;
  args?: string[];
  cwd?: string;
  url?: string;
  file: string;
  /** Another definition of this name comes first (the workspace's), so `--server NAME` never picks this one. */
  shadowed?: boolean;
  /** The MCP revision it speaks: its definition's pin, or what it spoke last time. */
  protocolVersion?: string;
  /** How: 'stateless' (2026-07-28) or 'stateful' (2025-11-25 and earlier). */
  protocol?: 'stateless' | 'stateful';
}

/** Every configured server, validated but not started; variables other than the folder stay unresolved. */
export async function listServers(
  loaded: LoadedConfig, e: ConfigEnvironment,
  remembered: (def: ServerDefinition) => Promise<{ generation: 'stateless' | 'stateful'; version: string } | undefined> = async () => undefined,
): Promise<{ servers: ServerListing[]; problems: string[] }> {
  const servers: ServerListing[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const workspaceFolder = loaded.sources.find(s => s.scope === 'workspace')?.folder;
  // Show `${env:NAME}` rather than its value: a listing must not print secrets.
  const placeholderEnv = new Proxy({}, { get: (_t, key) => typeof key === 'string' ? `\${env:${key}}` : undefined }) as Record<string, string>;
  for (const source of loaded.sources) {
    const resolved = await resolveServers(source.parsed, source.scope, { file: source.file, folder: source.folder }, {
      workspaceFolder: source.folder ?? workspaceFolder ?? e.cwd,
      env: placeholderEnv,
      resolveInput: id => Promise.resolve(`\${input:${id}}`),
    });
    problems.push(...resolved.problems.map(p => formatProblem(source.file, source.text, p)));
    for (const def of resolved.definitions) {
      const l = def.launch;
      const known = def.protocolVersion
        ? { protocolVersion: def.protocolVersion, protocol: (MODERN_PROTOCOL_VERSIONS.includes(def.protocolVersion) ? 'stateless' : 'stateful') as 'stateless' | 'stateful' }
        : await remembered(def).then(r => r && { protocolVersion: r.version, protocol: r.generation });
      servers.push({
        name: def.name, scope: def.scope, type: l.type, launch: describeLaunch(l),
        ...(l.type === 'stdio' ? { command: l.command, args: l.args, ...(l.cwd ? { cwd: l.cwd } : {}) } : { url: l.url }),
        file: source.file,
        ...(seen.has(def.name) ? { shadowed: true } : {}),
        ...(known ?? {}),
      });
      seen.add(def.name);
    }
  }
  return { servers, problems };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot read ${file}: ${code ?? (err as Error).message}`);
  }
}
