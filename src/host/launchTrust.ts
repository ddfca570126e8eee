// What a server's launch would actually run, for trust and consent: which of its paths
// reach into a workspace folder, what the executable resolves to (and whether a PATH the
// definition brings makes a workspace file the executable), and a fingerprint that
// changes whenever what runs changes — the definition, its envFile's contents, and the
// executable itself when it lies in the workspace. Shared by the extension's start gate
// and the CLI; no `vscode` here.

import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { curatedEnv, findExecutable, getPath, parseEnvFile } from '../transports/processEnv.ts';
import { isSecretEnvName } from './redaction.ts';
import type { ServerDefinition } from './types.ts';

export type ReachRole = 'command' | 'argument' | 'cwd' | 'envFile' | 'environment' | 'PATH';

export interface WorkspaceReach {
  role: ReachRole;
  /** The path (or value) that lies in the workspace folder. */
  path: string;
  /** The workspace folder it lies in. */
  folder: string;
  /** For `environment` and `PATH`: the variable's name. */
  variable?: string;
}

export interface LaunchInspection {
  /**
   * Changes when what would run changes: the resolved definition, the envFile's contents,
   * and the executable's contents when it lies in a workspace folder.
   */
  fingerprint: string;
  /** Trust and consent apply: the workspace defines it, or it reaches into a workspace folder. */
  needsConsent: boolean;
  reach: WorkspaceReach[];
  /** The names the envFile defines (values may be secrets). */
  envFileVariables: string[];
  /** The executable a start would run (PATH searched as the transport will), when found. */
  resolvedCommand: string | undefined;
  /** The PATH entry, from the definition's env or envFile, that made a workspace file the executable. */
  commandViaWorkspacePath: string | undefined;
  /** Things the user should know that are not reaches (an unreadable envFile, …). */
  notes: string[];
}

export interface InspectOptions {
  /** Absolute paths of the workspace folders. */
  folders: readonly string[];
  /** The environment servers are started from (default process.env). */
  baseEnv?: NodeJS.ProcessEnv;
  /** The login shell's PATH, when the transport will use it. */
  pathOverride?: string;
  platform?: NodeJS.Platform;
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The folder of `folders` that contains `p` (or is `p`), if any. */
export function folderContaining(p: string, folders: readonly string[], platform: NodeJS.Platform = process.platform): string | undefined {
  const api = pathApi(platform);
  const norm = (s: string) => platform === 'win32' ? api.resolve(s).toLowerCase() : api.resolve(s);
  const target = norm(p);
  for (const folder of folders) {
    const rel = api.relative(norm(folder), target);
    if (rel === '' || (!rel.startsWith('..') && !api.isAbsolute(rel))) return folder;
  }
  return undefined;
}

/**
 * The folders that mark off a workspace. The home directory, or a folder that holds it
 * (`/`), is where the user's own things live (user servers run there by default): opened
 * as a workspace, it would make every user server "use the workspace".
 */
export function workspaceBoundaries(folders: readonly string[], platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string[] {
  return folders.filter(f => folderContaining(home, [f], platform) === undefined);
}

/** Folders whose path occurs in `value` (an argument like `--require=/ws/evil.js`, an env value). */
function foldersMentioned(value: string, folders: readonly string[], platform: NodeJS.Platform): string[] {
  const api = pathApi(platform);
  const hay = platform === 'win32' ? value.toLowerCase() : value;
  return folders.filter(f => {
    const needle = platform === 'win32' ? api.resolve(f).toLowerCase() : api.resolve(f);
    const at = hay.indexOf(needle);
    if (at < 0) return false;
    // `/ws` must not match `/ws-other`: what follows the folder is a separator or the end.
    const next = hay[at + needle.length];
    return next === undefined || next === api.sep || next === '/' || /[\s"':;,=]/.test(next);
  });
}

/**
 * Where a stdio launch reaches into one of `folders`, from the definition alone (no file
 * system): the command when it is a path, arguments that name a workspace path, the
 * working directory, the envFile, environment values and PATH entries of its own `env`.
 */
export function workspaceReach(def: ServerDefinition, allFolders: readonly string[], platform: NodeJS.Platform = process.platform, home: string = os.homedir()): WorkspaceReach[] {
  const launch = def.launch;
  const folders = workspaceBoundaries(allFolders, platform, home);
  if (launch.type !== 'stdio' || !folders.length) return [];
  const api = pathApi(platform);
  const out: WorkspaceReach[] = [];
  const base = launch.cwd ?? undefined;
  const add = (role: ReachRole, p: string, folder: string | undefined, variable?: string) => {
    if (folder) out.push({ role, path: p, folder, ...(variable ? { variable } : {}) });
  };
  const isPathLike = (c: string) => c.includes('/') || (platform === 'win32' && c.includes('\\'));
  if (isPathLike(launch.command)) {
    const abs = base ? api.resolve(base, launch.command) : api.resolve(launch.command);
    add('command', abs, folderContaining(abs, folders, platform));
  }
  for (const arg of launch.args) {
    const mentioned = foldersMentioned(arg, folders, platform);
    if (mentioned.length) add('argument', arg, mentioned[0]);
  }
  if (launch.cwd) add('cwd', launch.cwd, folderContaining(launch.cwd, folders, platform));
  if (launch.envFile) add('envFile', launch.envFile, folderContaining(launch.envFile, folders, platform));
  for (const [name, value] of Object.entries(launch.env)) {
    if (value === null) continue;
    if (name.toUpperCase() === 'PATH') {
      for (const entry of value.split(api.delimiter)) {
        if (!entry) continue;
        const abs = api.isAbsolute(entry) ? entry : api.resolve(base ?? folders[0]!, entry);
        add('PATH', entry, folderContaining(abs, folders, platform), name);
      }
    } else {
      const mentioned = foldersMentioned(value, folders, platform);
      if (mentioned.length) add('environment', value, mentioned[0], name);
    }
  }
  return out;
}

async function sha256OfFile(file: string, maxBytes = 64 * 1024 * 1024): Promise<string | undefined> {
  try {
    const data = await readFile(file);
    if (data.length > maxBytes) return `large:${data.length}`;
    return createHash('sha256').update(data).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Everything the start gate needs to know about what a start would run. Reads the
 * envFile and, when it lies in the workspace, the executable; never throws.
 */
export async function inspectLaunch(def: ServerDefinition, opts: InspectOptions): Promise<LaunchInspection> {
  const platform = opts.platform ?? process.platform;
  const api = pathApi(platform);
  const folders = workspaceBoundaries(opts.folders, platform);
  const launch = def.launch;
  const reach = workspaceReach(def, folders, platform);
  const notes: string[] = [];
  let envFileVariables: string[] = [];
  let envFileHash: string | undefined;
  let resolvedCommand: string | undefined;
  let commandViaWorkspacePath: string | undefined;
  let commandHash: string | undefined;

  if (launch.type === 'stdio') {
    let fileEnv: Record<string, string> = {};
    if (launch.envFile) {
      try {
        const text = await readFile(launch.envFile, 'utf8');
        fileEnv = parseEnvFile(text);
        envFileVariables = Object.keys(fileEnv);
        envFileHash = createHash('sha256').update(text).digest('hex');
      } catch (err) {
        notes.push(`the environment file ${launch.envFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        envFileHash = 'unreadable';
      }
      // Values from the envFile that name workspace paths reach into it as well.
      for (const [name, value] of Object.entries(fileEnv)) {
        if (name.toUpperCase() === 'PATH') continue;
        const mentioned = foldersMentioned(value, folders, platform);
        if (mentioned.length) reach.push({ role: 'environment', path: value, folder: mentioned[0]!, variable: name });
      }
    }
    // The PATH the transport will search: the curated environment, the login shell's
    // PATH, then the envFile, then `env` (the same order as createTransport).
    const own: Record<string, string | null> = { ...fileEnv, ...launch.env };
    const env = curatedEnv(opts.baseEnv ?? process.env, own, { platform, pathOverride: opts.pathOverride });
    const found = findExecutable(launch.command, env, launch.cwd, platform);
    if (found) {
      resolvedCommand = await realpath(found).catch(() => found);
      const folder = folderContaining(resolvedCommand, folders, platform) ?? folderContaining(found, folders, platform);
      if (folder) {
        if (!reach.some(r => r.role === 'command')) reach.push({ role: 'command', path: resolvedCommand, folder });
        commandHash = await sha256OfFile(resolvedCommand) ?? 'unreadable';
        const isBare = !(launch.command.includes('/') || (platform === 'win32' && launch.command.includes('\\')));
        if (isBare) {
          // Which PATH entry found it, and whether the definition brought that entry.
          const basePath = getPath(curatedEnv(opts.baseEnv ?? process.env, {}, { platform, pathOverride: opts.pathOverride }), platform).split(api.delimiter);
          const dir = api.dirname(found);
          const entry = getPath(env, platform).split(api.delimiter).find(e => e && api.resolve(launch.cwd ?? '.', e) === dir);
          if (entry && !basePath.includes(entry)) commandViaWorkspacePath = entry;
        }
      }
      // A PATH from the envFile with workspace entries is a reach even when it found nothing there.
      const filePath = Object.entries(fileEnv).find(([k]) => k.toUpperCase() === 'PATH')?.[1];
      for (const entry of filePath?.split(api.delimiter) ?? []) {
        if (!entry) continue;
        const abs = api.isAbsolute(entry) ? entry : api.resolve(launch.cwd ?? folders[0] ?? '.', entry);
        const f = folderContaining(abs, folders, platform);
        if (f && !reach.some(r => r.role === 'PATH' && r.path === entry)) reach.push({ role: 'PATH', path: entry, folder: f, variable: 'PATH' });
      }
    }
  }

  const needsConsent = def.scope === 'workspace' || reach.length > 0;
  const fingerprint = createHash('sha256').update(JSON.stringify({
    definition: def.fingerprint,
    // The resolved launch: `${env:…}` and `${input:…}` values change what runs too. Only
    // this hash is kept, never the values. Credentials (a token in GITHUB_TOKEN, an
    // Authorization header) do not change what runs: a new token does not ask again.
    launch: whatRuns(def),
    envFile: envFileHash,
    command: commandHash,
  })).digest('hex').slice(0, 32);
  return { fingerprint, needsConsent, reach, envFileVariables, resolvedCommand, commandViaWorkspacePath, notes };
}

function whatRuns(def: ServerDefinition): unknown {
  const l = def.launch;
  if (l.type !== 'stdio') return { type: l.type, url: l.url, headers: Object.keys(l.headers).sort() };
  const env = Object.entries(l.env).map(([k, v]) => isSecretEnvName(k) ? [k, v === null ? null : 'secret'] : [k, v]);
  return { command: l.command, args: l.args, cwd: l.cwd, envFile: l.envFile, env };
}

const ROLE_TEXT: Record<ReachRole, string> = {
  command: 'the command',
  argument: 'an argument',
  cwd: 'the working directory',
  envFile: 'the environment file',
  environment: 'the variable',
  PATH: 'a PATH entry',
};

/**
 * The consent question's detail: the exact command line, where and with what environment
 * it runs (variables by name only), the envFile's variable names, and what of the
 * workspace it uses. Not redacted: callers pass it through their redaction.
 */
export function describeForConsent(def: ServerDefinition, inspection: LaunchInspection): string {
  const launch = def.launch;
  if (launch.type !== 'stdio') {
    const headers = Object.keys(launch.headers);
    return [`${launch.type.toUpperCase()} ${launch.url}`, ...(headers.length ? [`headers: ${headers.join(', ')}`] : [])].join('\n');
  }
  const quote = (a: string) => a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a;
  const lines = [[launch.command, ...launch.args].map(quote).join(' ')];
  if (inspection.resolvedCommand && inspection.resolvedCommand !== launch.command) lines.push(`runs ${inspection.resolvedCommand}`);
  if (launch.cwd) lines.push(`in ${launch.cwd}`);
  const env = Object.entries(launch.env);
  if (env.length) lines.push(`environment: ${env.map(([k, v]) => v === null ? `-${k}` : k).join(', ')}`);
  if (launch.envFile) {
    const names = inspection.envFileVariables;
    lines.push(`environment file: ${launch.envFile}${names.length ? ` (sets ${names.join(', ')})` : ''}`);
  }
  if (inspection.commandViaWorkspacePath) {
    lines.push(`⚠ "${launch.command}" resolves to ${inspection.resolvedCommand}, a file of the workspace, because the server's PATH starts with ${inspection.commandViaWorkspacePath}`);
  }
  const uses = inspection.reach.filter(r => r.role !== 'command' || !inspection.commandViaWorkspacePath);
  if (uses.length) {
    lines.push(`⚠ uses the workspace folder ${uses[0]!.folder}:`);
    for (const r of uses) lines.push(`  ${ROLE_TEXT[r.role]}${r.variable ? ` ${r.variable}` : ''}: ${r.role === 'environment' ? '(a workspace path)' : r.path}`);
  }
  for (const n of inspection.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
