// The environment and command lookup for stdio servers. A server gets a curated
// environment (the minimal stdio client's list) plus its own `env`, not everything
// VS Code happens to carry (tokens of other tools, Electron's variables).

import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

const UNIX_VARS = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
// The list of the system we descend from, plus what Windows itself needs to run
// anything at all (SystemRoot, ComSpec) and what npx needs to find its cache (APPDATA).
const WINDOWS_VARS = ['PATH', 'PATHEXT', 'USERNAME', 'USERDOMAIN', 'USERPROFILE', 'TEMP', 'TMP', 'SYSTEMROOT', 'COMSPEC', 'APPDATA', 'LOCALAPPDATA'];

export function curatedEnv(
  base: NodeJS.ProcessEnv,
  own: Record<string, string | null>,
  options: { platform?: NodeJS.Platform; pathOverride?: string } = {},
): Record<string, string> {
  const platform = options.platform ?? process.platform;
  const out: Record<string, string> = {};
  if (platform === 'win32') {
    // Windows variable names are case-insensitive; keep the spelling the system uses.
    const upper = new Map(Object.keys(base).map(k => [k.toUpperCase(), k]));
    for (const name of WINDOWS_VARS) {
      const key = upper.get(name);
      if (key !== undefined && base[key] !== undefined) out[key] = base[key]!;
    }
  } else {
    for (const name of UNIX_VARS) if (base[name] !== undefined) out[name] = base[name]!;
  }
  if (options.pathOverride) out[pathKey(out, platform)] = options.pathOverride;
  for (const [k, v] of Object.entries(own)) {
    const key = platform === 'win32' ? (Object.keys(out).find(o => o.toUpperCase() === k.toUpperCase()) ?? k) : k;
    if (v === null) delete out[key];
    else out[key] = v;
  }
  return out;
}

function pathKey(env: Record<string, string>, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return 'PATH';
  return Object.keys(env).find(k => k.toUpperCase() === 'PATH') ?? 'Path';
}

export function getPath(env: Record<string, string>, platform: NodeJS.Platform = process.platform): string {
  return env[pathKey(env, platform)] ?? '';
}

/**
 * Finds `command` the way the OS would; undefined when it is nowhere on PATH. We look it
 * up ourselves so that a miss can say which PATH was searched, and so that Windows
 * `.cmd`/`.bat` shims are found and run through cmd.exe.
 */
export function findExecutable(command: string, env: Record<string, string>, cwd: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const exts = platform === 'win32'
    ? (env.PATHEXT ?? env.Pathext ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)
    : [''];
  const candidates = (base: string) => platform === 'win32' && p.extname(base) !== '' ? [base, ...exts.map(e => base + e)] : exts.map(e => base + e);
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    const abs = p.resolve(cwd ?? process.cwd(), command);
    return candidates(abs).find(isExecutableFile);
  }
  for (const dir of getPath(env, platform).split(p.delimiter)) {
    if (!dir) continue;
    const hit = candidates(p.join(dir, command)).find(isExecutableFile);
    if (hit) return hit;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// cmd.exe metacharacters, quotes included: inside the outer "…" of /s /c, cmd would
// still act on them, so each is caret-escaped.
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/** The command itself for `cmd.exe /d /s /c "…"`. */
export function escapeCmdCommand(command: string): string {
  return command.replace(CMD_META, '^$1');
}

/**
 * One argument for `cmd.exe /d /s /c "…"`: first escaped for the program's argv parser
 * (backslashes before a quote doubled, the quote escaped, trailing backslashes doubled,
 * the whole quoted), then every cmd metacharacter caret-escaped — twice for .cmd/.bat
 * shims, which hand `%*` to a second round of cmd parsing.
 */
export function quoteForCmd(arg: string, shim = true): string {
  let a = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  a = `"${a}"`.replace(CMD_META, '^$1');
  return shim ? a.replace(CMD_META, '^$1') : a;
}

/** Parses a dotenv file: KEY=VALUE lines, `#` comments, optional `export`, quoted values. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      const hash = value.indexOf(' #');
      if (hash >= 0) value = value.slice(0, hash).trimEnd();
    }
    out[m[1]!] = value;
  }
  return out;
}
