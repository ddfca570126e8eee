// The environment and command lookup for stdio servers. A server gets a curated
// environment (the minimal stdio client's list) plus its own `env`, not everything
// VS Code happens to carry (tokens of other tools, Electron's variables).

import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

// Behind a corporate proxy or TLS-inspecting gateway, a server that fetches anything
// (npx downloading a package, an API client) needs these; without them npx retries TLS
// silently until the host's timeout. They carry no credentials of other tools (a proxy
// URL with a password is the user's own setting for exactly this purpose).
const NETWORK_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];
const UNIX_VARS = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ', ...NETWORK_VARS];
// The list of the system we descend from, plus what Windows itself needs to run
// anything at all (SystemRoot, ComSpec) and what npx needs to find its cache (APPDATA).
// Windows names are case-insensitive: HTTP_PROXY also finds http_proxy.
const WINDOWS_VARS = ['PATH', 'PATHEXT', 'USERNAME', 'USERDOMAIN', 'USERPROFILE', 'TEMP', 'TMP', 'SYSTEMROOT', 'COMSPEC', 'APPDATA', 'LOCALAPPDATA',
  ...NETWORK_VARS.filter(n => n === n.toUpperCase())];

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
    // A relative entry is relative to the server's working directory, as for the OS's own
    // lookup; the result is absolute, so the process that runs is the one we found.
    const hit = candidates(p.resolve(cwd ?? process.cwd(), dir, command)).find(isExecutableFile);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Why `findExecutable` found nothing, when something is there: a file that may not be
 * executed (EACCES, not "not found"), or a directory of that name.
 */
export function explainNotFound(command: string, env: Record<string, string>, cwd: string | undefined, platform: NodeJS.Platform = process.platform): { problem: 'not-executable' | 'directory'; file: string } | undefined {
  if (platform === 'win32') return undefined;
  const inspect = (file: string) => {
    try {
      const st = statSync(file);
      return st.isDirectory() ? { problem: 'directory' as const, file } : st.isFile() ? { problem: 'not-executable' as const, file } : undefined;
    } catch {
      return undefined;
    }
  };
  if (command.includes('/')) return inspect(path.posix.resolve(cwd ?? process.cwd(), command));
  let directory: { problem: 'directory'; file: string } | undefined;
  for (const dir of getPath(env, platform).split(path.posix.delimiter)) {
    if (!dir) continue;
    const hit = inspect(path.posix.resolve(cwd ?? process.cwd(), dir, command));
    if (hit?.problem === 'not-executable') return hit;
    if (hit?.problem === 'directory') directory ??= hit;
  }
  return directory;
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
