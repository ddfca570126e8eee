// VS Code started from a desktop launcher often lacks the user's shell PATH, which is
// the most common reason a server fails with `spawn npx ENOENT`. We ask the login shell
// once (off the activation path) and use its PATH for stdio servers.

import { execFile } from 'node:child_process';

let cached: Promise<string | undefined> | undefined;

const MARK = '__MCP_HOST_PATH__';

/** The login shell's PATH merged before the process's own; undefined on Windows or failure. */
export function resolveLoginShellPath(timeoutMs = 5000): Promise<string | undefined> {
  cached ??= compute(timeoutMs);
  return cached;
}

async function compute(timeoutMs: number): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  const shell = process.env.SHELL || '/bin/sh';
  const shellPath = await new Promise<string | undefined>(resolve => {
    // -i and -l so rc files that add nvm, volta, homebrew… run; markers so their noise is ignored.
    execFile(shell, ['-ilc', `printf '%s%s%s' '${MARK}' "$PATH" '${MARK}'`], {
      timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, MCP_HOST_RESOLVING_ENV: '1' }, stdio: ['ignore', 'pipe', 'ignore'],
    } as Parameters<typeof execFile>[2] & { encoding: 'utf8' }, (err, stdout) => {
      if (err && !stdout) return resolve(undefined);
      const m = new RegExp(`${MARK}(.*?)${MARK}`, 's').exec(String(stdout));
      resolve(m?.[1] || undefined);
    });
  });
  return mergePath(shellPath, process.env.PATH);
}

/**
 * The two PATHs as one, duplicates dropped. Only absolute entries are kept: a relative
 * one (`.`, `node_modules/.bin`) would be looked up in the server's working directory —
 * often a repository — and let its files shadow `npx` or `python`.
 */
export function mergePath(first: string | undefined, second: string | undefined): string | undefined {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of `${first ?? ''}:${second ?? ''}`.split(':')) {
    if (part && part.startsWith('/') && !seen.has(part)) { seen.add(part); out.push(part); }
  }
  return out.length ? out.join(':') : undefined;
}
